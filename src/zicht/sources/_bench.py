"""Throughput of CSV ingest (read, validate, pseudonymise, write) for ``zicht bench``.

Not a test: it writes a synthetic provision export of ``rows`` rows (about 2% defective,
with name, address and comment columns that must be dropped) and times ``ingest_files``.
"""

from __future__ import annotations

import os
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from zicht.privacy.bsn import valid_mask

_MAPPING = """source: bench
target: provision
law: jeugd
columns:
  bsn: BSN
  provision_ref: Beschikkingnummer
  product_category: Productcategorie
  referrer: Verwijzer
  start_date: Ingangsdatum
  end_date: Einddatum
  volume: Volume
events:
  aanvraag: Datum aanvraag
"""


def _valid_bsns(n: int, rng: np.random.Generator) -> np.ndarray:
    pool = np.char.zfill(rng.integers(10_000_000, 999_999_999, n * 12).astype(str), 9)
    ok = valid_mask(pa.chunked_array([pa.array(pool)]))
    return np.asarray(pool[ok][:n])


def write_export(path: Path, rows: int, persons: int, seed: int = 1) -> None:
    rng = np.random.default_rng(seed)
    bsns = _valid_bsns(persons, rng)
    who = bsns[rng.integers(0, len(bsns), rows)]
    start = rng.integers(0, 1500, rows)
    base = np.datetime64("2021-01-01")
    fmt = "%d-%m-%Y"
    days = np.arange(0, 2000)
    texts = np.array([str(base + d) for d in days])
    dutch = np.array([f"{t[8:10]}-{t[5:7]}-{t[0:4]}" for t in texts])
    bad = rng.random(rows) < 0.02
    start_text = dutch[start].astype(object)
    start_text[bad] = "31-06-2023"
    table = pa.table(
        {
            "BSN": pa.array(who),
            "Naam": pa.array(np.full(rows, "Jan de Vries")),
            "Adres": pa.array(np.full(rows, "Dorpsstraat 1")),
            "Beschikkingnummer": pa.array(np.char.add("B", np.arange(rows).astype(str))),
            "Productcategorie": pa.array(np.full(rows, "45")),
            "Verwijzer": pa.array(np.full(rows, "02")),
            "Ingangsdatum": pa.array(start_text.astype(str)),
            "Einddatum": pa.array(dutch[start + 200]),
            "Volume": pa.array(np.full(rows, "4,5")),
            "Datum aanvraag": pa.array(dutch[np.maximum(start - 30, 0)]),
            "Opmerking": pa.array(np.full(rows, "belt liever 's ochtends")),
        }
    )
    pacsv.write_csv(table, path, pacsv.WriteOptions(delimiter=";", quoting_style="needed"))
    path.with_name(path.stem + ".mapping.yaml").write_text(_MAPPING, encoding="utf-8")
    del fmt


def _cpu_since(before: resource.struct_rusage) -> float:
    """User + sys seconds of this process (all threads: DuckDB's and Arrow's too)."""
    after = resource.getrusage(resource.RUSAGE_SELF)
    return after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def bench_csv_ingest(rows: int, persons: int | None = None) -> dict[str, Any]:
    """Ingest a synthetic CSV of ``rows`` rows; returns timings and rows per second."""
    from zicht.sources.ingest import ingest_files
    from zicht.workspace import Workspace

    persons = persons or max(1, rows // 5)
    with tempfile.TemporaryDirectory(prefix="zicht-bench-") as tmp:
        root = Path(tmp)
        export = root / "voorzieningen.csv"
        write_export(export, rows, persons)
        ws = Workspace.init(root / "ws")
        load = os.getloadavg()
        before = resource.getrusage(resource.RUSAGE_SELF)
        t0 = time.perf_counter()
        [report] = ingest_files(ws, [export])
        seconds = time.perf_counter() - t0
        cpu = _cpu_since(before)
    return {
        "rows": rows,
        "distinct_bsn": persons,
        "seconds": round(seconds, 3),
        "rows_per_s": round(rows / seconds),
        "cpu_seconds": round(cpu, 3),
        "load_average": [round(x, 2) for x in load],
        "accepted": report.accepted,
        "quarantined": report.quarantined,
    }


_FLOOR_PROVISION = """
    INSERT INTO provision SELECT 'bench:' || Beschikkingnummer, {person}, 'jeugd',
        Productcategorie, NULL, NULL, Verwijzer,
        try_strptime(Ingangsdatum, '%d-%m-%Y')::DATE, try_strptime(Einddatum, '%d-%m-%Y')::DATE,
        replace(Volume, ',', '.')::DOUBLE, NULL, NULL, NULL, 'bench', 'L1'
    FROM src WHERE try_strptime(Ingangsdatum, '%d-%m-%Y') IS NOT NULL"""
_FLOOR_EVENTS = """
    INSERT INTO chain_event SELECT {person}, 'jeugd', 'aanvraag',
        try_strptime("Datum aanvraag", '%d-%m-%Y')::DATE, 'bench:' || Beschikkingnummer,
        NULL, NULL, Productcategorie, NULL, 'bench', 'L1'
    FROM src WHERE try_strptime(Ingangsdatum, '%d-%m-%Y') IS NOT NULL
        AND try_strptime("Datum aanvraag", '%d-%m-%Y') IS NOT NULL"""


def bench_duckdb_floor(rows: int, events: bool = True, sha: bool = False) -> dict[str, Any]:
    """The engine's own floor for the same export: DuckDB alone reads the CSV and writes
    the canonical rows of the rows with a possible start date (provision, and with
    ``events`` their aanvraag events; ``write_export(path, rows, rows // 5)`` is the
    export) into a fresh
    workspace database, with no validation, no quarantine and no keyed pseudonym (the BSN
    as it stands, or with ``sha`` an unkeyed sha256 in SQL). Not a way to ingest: a bound
    on what any ingest that writes this model in DuckDB can reach on the machine."""
    import duckdb

    from zicht.model.schema import TABLES

    person = "sha256(lpad(BSN, 9, '0'))[:24]" if sha else "BSN"
    with tempfile.TemporaryDirectory(prefix="zicht-floor-") as tmp:
        export = Path(tmp) / "voorzieningen.csv"
        write_export(export, rows, max(1, rows // 5))
        con = duckdb.connect(str(Path(tmp) / "floor.duckdb"))
        for name in ("provision", "chain_event"):
            con.execute(TABLES[name])
        before = resource.getrusage(resource.RUSAGE_SELF)
        t0 = time.perf_counter()
        con.execute("BEGIN")
        con.execute(
            "CREATE TEMP TABLE src AS SELECT * FROM read_csv(?, delim=';', header=true,"
            " all_varchar=true)",
            [str(export)],
        )
        con.execute(_FLOOR_PROVISION.format(person=person))
        if events:
            con.execute(_FLOOR_EVENTS.format(person=person))
        con.execute("COMMIT")
        con.execute("CHECKPOINT")
        seconds = time.perf_counter() - t0
        cpu = _cpu_since(before)
        provisions, events_written = con.execute(
            "SELECT (SELECT count(*) FROM provision), (SELECT count(*) FROM chain_event)"
        ).fetchall()[0]
        con.close()
    return {
        "rows": rows,
        "events": events,
        "sha256": sha,
        "provision_rows": provisions,
        "chain_event_rows": events_written,
        "seconds": round(seconds, 3),
        "rows_per_s": round(rows / seconds),
        "cpu_seconds": round(cpu, 3),
    }
