"""Publishing the chain, stapeling, signal and quality figures, through the gate.

Every table is an aggregate; each row passes :func:`zicht.privacy.disclosure.apply_gate`
(a median or a count needs ``min_cell_count`` cases behind it; a share needs that many
in its numerator and its denominator); the stapeling cells are gated by ``refresh``
together with the indicator cube, since they count the same persons and households
(:mod:`zicht.privacy.linked`). Suppressed figures are NULL with status
``onderdrukt``; minima and maxima (single persons' values) are never published.

``refresh`` (:mod:`zicht.indicators.refresh`) computes these tables on its own
connection, inside the transaction that reads the indicators, and writes them into the
same snapshot folder before its one atomic swap: readers see the indicators and the keten
tables of one state of the data, or the previous snapshot, never a half. When no
canonical table, setting or the boundary year changed since the previous refresh, the
tables are reused from ``WORKSPACE/cache/keten/`` (:func:`keten_tables`).

===============================  =======================================================
file                             rows
===============================  =======================================================
keten_doorlooptijden.parquet     dimension, dim_value, from_step, to_step, n, median, p90
keten_termijnen.parquet          rule, law, period, term_days, cases, within_term, pct
keten_conformiteit.parquet       check_id, law, provider_code, checked, failed, pct
keten_varianten.parquet          variant, cases, median_days, p90_days
keten_wachttijd.parquet          dimension, dim_value, started, median, p90, waiting list
keten_stapeling.parquet          the cube's columns (indicator_id ... status)
keten_context.parquet            area_code, period, social rent %, bijstand % (CBS)
keten_mix.parquet                combination, households, mean provisions now / a year later
keten_lokaal_team.parquet        level, area, year: requests without maatwerk, re-entry, contact
keten_signalen.parquet           pattern, unit, observed, expected, cases, z
keten_kwaliteit.parquet          source (or indicator), four dimensions, score
===============================  =======================================================
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from zicht.analysis import chain, lokaal_team, signals, stapeling
from zicht.config import Settings
from zicht.errors import ZichtError
from zicht.indicators import _incremental, _steps, publish
from zicht.indicators.engine import CUBE_SCHEMA
from zicht.model.published import KETEN_TABLES
from zicht.model.schema import TABLES as MODEL_TABLES
from zicht.privacy._hierarchy import FAMILY_SEP
from zicht.privacy.disclosure import SUPPRESSED, apply_gate
from zicht.quality import scores
from zicht.store import Store
from zicht.workspace import Workspace

__all__ = [
    "TABLES",
    "chain_tables",
    "export_table",
    "keten_tables",
    "keyed_combinations",
    "read_table",
    "unkeyed_combinations",
]

TABLES = KETEN_TABLES


def _gate(
    table: pa.Table,
    min_count: int,
    *,
    value: str,
    denominator: str,
    numerator: str | None = None,
    unit: str = "dagen",
    hide: tuple[str, ...] = (),
) -> pa.Table:
    """Gate one figure per row; on suppression ``value``, ``numerator``, ``denominator``
    and the columns in ``hide`` become NULL and ``status`` says why."""
    n = table.num_rows
    probe = pa.table(
        {
            "value": pc.cast(table[value], pa.float64()),
            "numerator": pc.cast(table[numerator], pa.float64())
            if numerator
            else pa.nulls(n, pa.float64()),
            "denominator": pc.cast(table[denominator], pa.int64()),
            "unit": pa.array([unit] * n, pa.string()),
        }
    )
    status = apply_gate(probe, min_count).column("status")
    mask = pc.equal(status, SUPPRESSED)
    out = table
    for name in {value, denominator, *([numerator] if numerator else []), *hide}:
        col = out[name]
        idx = out.schema.get_field_index(name)
        out = out.set_column(idx, name, pc.if_else(mask, pa.scalar(None, col.type), col))
    if "status" in out.column_names:
        return out.set_column(out.schema.get_field_index("status"), "status", status)
    return out.append_column("status", status)


def chain_tables(
    store: Store,
    settings: Settings,
    boundary_year: int,
    source_scores: list[scores.SourceScore] | None = None,
) -> dict[str, pa.Table]:
    """All keten tables, gated. Needs a writable store (temporary tables).
    ``source_scores``: :func:`zicht.quality.scores.score` when the caller has them."""
    m = settings.get_int("min_cell_count")
    terms = chain.Terms.from_settings(settings)
    with _steps.step("keten: chain log"):
        chain.build_log(store)
    out: dict[str, pa.Table] = {}

    parts = [chain.step_times(store)] + [chain.step_times(store, d) for d in chain.DIMENSIONS]
    steps = pa.concat_tables(parts).select(
        ["dimension", "dim_value", "from_step", "to_step", "n", "median_days", "p90_days"]
    )
    out["doorlooptijden"] = _gate(
        steps, m, value="median_days", denominator="n", hide=("p90_days",)
    )

    comp = chain.compliance(store, terms)
    out["termijnen"] = _gate(
        comp.select(
            [
                "rule",
                "law",
                "period",
                "term_days",
                "cases",
                "within_term",
                "within_term_pct",
                "median_days",
            ]
        ),  # fmt: skip
        m,
        value="within_term_pct",
        numerator="within_term",
        denominator="cases",
        unit="%",
        hide=("median_days",),
    )

    conf = chain.conformity(store)
    pct = pc.multiply(
        pc.divide(pc.cast(conf["failed"], pa.float64()), pc.cast(conf["checked"], pa.float64())),
        100.0,
    )
    conf = conf.append_column("failed_pct", pct)
    out["conformiteit"] = _gate(
        conf, m, value="failed_pct", numerator="failed", denominator="checked", unit="%"
    )

    out["varianten"] = _gate(
        chain.variants(store), m, value="median_days", denominator="cases", hide=("p90_days",)
    )

    wparts = [chain.waiting(store)] + [chain.waiting(store, d) for d in chain.DIMENSIONS]
    wait = pa.concat_tables(wparts)
    started = _gate(wait, m, value="median_days", denominator="started", hide=("p90_days",))
    waiting_list = _gate(
        wait, m, value="median_open_days", denominator="on_waiting_list", unit="aantal"
    )
    started = started.set_column(
        started.schema.get_field_index("on_waiting_list"),
        "on_waiting_list",
        waiting_list["on_waiting_list"],
    ).set_column(
        started.schema.get_field_index("median_open_days"),
        "median_open_days",
        waiting_list["median_open_days"],
    )
    out["wachttijd"] = started.append_column("status_wachtlijst", waiting_list["status"])

    with _steps.step("keten: stapeling cells"):
        staple = stapeling.cells(store, boundary_year)
    # Not gated here: the same persons and households are in the cube (stapeling_*), so
    # refresh gates these cells together with it (zicht.privacy.linked).
    out["stapeling"] = keyed_combinations(staple)
    out["context"] = stapeling.context(store)  # public CBS figures, gated by CBS
    out["mix"] = _mix(store, m)
    out["lokaal_team"] = _local_team(store, m)

    with _steps.step("keten: signals"):
        det = signals.detect(store, terms, boundary_year, min_cases=m, stapeling_cells=staple)
    sig = pa.table(
        {
            "pattern": [s.pattern for s in det.signals],
            "unit": [", ".join(f"{k}={v}" for k, v in s.unit.items()) for s in det.signals],
            "observed": [s.observed for s in det.signals],
            "expected": [s.expected for s in det.signals],
            "affected": [round(s.observed * s.cases / 100.0) for s in det.signals],
            "cases": [s.cases for s in det.signals],
            "z": [s.z for s in det.signals],
        },
        schema=pa.schema(
            [
                ("pattern", pa.string()),
                ("unit", pa.string()),
                ("observed", pa.float64()),
                ("expected", pa.float64()),
                ("affected", pa.int64()),
                ("cases", pa.int64()),
                ("z", pa.float64()),
            ]
        ),  # fmt: skip
    )
    # A rising share is a difference, not a count of people: gate its base only. A
    # suppressed signal stays in the table, so the analyst knows where to look, with its
    # figures (and the z and expected share that would let them be recomputed) NULL.
    is_share = pc.not_equal(sig["pattern"], "rising_stapeling")
    hide = ("expected", "z")
    shares = _gate(
        sig.filter(is_share), m, value="observed", numerator="affected",
        denominator="cases", unit="%", hide=hide,
    )  # fmt: skip
    rising = _gate(
        sig.filter(pc.invert(is_share)), m, value="observed", denominator="cases",
        unit="procentpunt", hide=hide,
    )  # fmt: skip
    out["signalen"] = pa.concat_tables([shares, rising])

    with _steps.step("keten: quality scores"):
        src = scores.score(store) if source_scores is None else source_scores
    rows = [
        {"kind": "bron", "name": s.source, **{d: s.dimensions.get(d) for d in scores.DIMENSIONS},
         "score": s.score}
        for s in src
    ]  # fmt: skip
    # The indicators' scores are in quality.json (zicht.quality.lineage), one place.
    out["kwaliteit"] = pa.Table.from_pylist(
        rows,
        schema=pa.schema(
            [("kind", pa.string()), ("name", pa.string())]
            + [(d, pa.float64()) for d in scores.DIMENSIONS]
            + [("score", pa.float64())]
        ),
    )
    return out


def _mix(store: Store, m: int) -> pa.Table:
    """Households per combination with their provisions now and a year later; the means
    need ``m`` households, each of fewer / as many / more is a count gated on its own."""
    t = stapeling.mix(store)
    out = _gate(t, m, value="mean_next", denominator="households", hide=("mean_now",))
    for name in ("fewer", "same", "more"):
        g = _gate(t, m, value=name, numerator=name, denominator="households", unit="%")
        out = out.set_column(out.schema.get_field_index(name), name, g[name])
    return out


def _local_team(store: Store, m: int) -> pa.Table:
    """Three figures per row, each with its own gate and status column."""
    t = lokaal_team.figures(store)
    pct = pc.multiply(
        pc.divide(
            pc.cast(t["reentries"], pa.float64()),
            pc.cast(pc.if_else(pc.equal(t["closed_observable"], 0), None, t["closed_observable"]),
                    pa.float64()),
        ),
        100.0,
    )  # fmt: skip
    t = t.append_column("reentry_pct", pct)
    share = _gate(t, m, value="without_maatwerk_pct", numerator="without_maatwerk",
                  denominator="requests", unit="%")  # fmt: skip
    back = _gate(t, m, value="reentry_pct", numerator="reentries",
                 denominator="closed_observable", unit="%")  # fmt: skip
    contact = _gate(t, m, value="median_contact_days", denominator="contacts")
    out = share
    for name in ("reentries", "closed_observable", "reentry_pct"):
        out = out.set_column(out.schema.get_field_index(name), name, back[name])
    for name in ("contacts", "median_contact_days"):
        out = out.set_column(out.schema.get_field_index(name), name, contact[name])
    out = out.append_column("status_terugkeer", back["status"])
    return out.append_column("status_contact", contact["status"])


def _code_version() -> str:
    """A hash of the code that makes the keten tables, so a changed analysis or gate
    (a new release, another branch) never reuses tables cached by the old code."""
    import hashlib
    import sys

    from zicht.privacy import disclosure, secondary

    digest = hashlib.sha256()
    for module in (chain, lokaal_team, signals, stapeling, scores, disclosure, secondary):
        digest.update(Path(str(module.__file__)).read_bytes())
    digest.update(Path(str(sys.modules[__name__].__file__)).read_bytes())
    return digest.hexdigest()[:16]


def keten_tables(
    store: Store,
    settings: Settings,
    boundary_year: int,
    root: Path,
    source_scores: list[scores.SourceScore] | None = None,
) -> tuple[dict[str, pa.Table], bool]:
    """The gated keten tables and whether they were computed afresh.

    They are reused from the workspace cache when their fingerprint (every canonical
    table's rows per load, the settings, the boundary year) is the one they were made
    from; a missing or unreadable cache only means recomputation.
    """
    fingerprints = _incremental.table_fingerprints(store, MODEL_TABLES)
    fp = _incremental.keten_fingerprint(settings, boundary_year, fingerprints, _code_version())
    cached = _incremental.load_tables(root, TABLES, fp)
    if cached is not None:
        return cached, False
    tables = chain_tables(store, settings, boundary_year, source_scores)
    _incremental.store_tables(root, tables, fp)
    return tables, True


def read_table(snapshot_folder: Path, name: str) -> pa.Table | None:
    """One keten table of a snapshot folder, or None when that snapshot has none."""
    if name not in TABLES:
        raise ValueError(f"unknown keten table {name!r}")
    path = snapshot_folder / f"keten_{name}.parquet"
    if not path.is_file():
        return None
    return pq.read_table(path)


def current_folder(ws: Workspace) -> Path | None:
    current = publish.current_id(ws.published_dir)
    return None if current is None else ws.published_dir / current


def export_table(ws: Workspace, name: str, fmt: str = "csv") -> bytes:
    """One published keten table as CSV (Dutch Excel: ``;``, decimal comma, BOM), XLSX
    or JSON. Suppressed rows keep their NULLs: the export holds what the pages show."""
    if name not in TABLES:
        raise ZichtError(f"onbekende tabel {name!r}; bekend: {', '.join(TABLES)}")
    folder = current_folder(ws)
    table = None if folder is None else read_table(folder, name)
    if table is None:
        raise ZichtError("er zijn nog geen ketencijfers gepubliceerd; draai eerst `zicht refresh`")
    records: list[dict[str, Any]] = table.to_pylist()
    cols = table.column_names
    if fmt == "json":
        doc = {"tabel": name, "rijen": records}
        return (json.dumps(doc, ensure_ascii=False, indent=2, default=str) + "\n").encode()
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
        writer.writerow(cols)
        for r in records:
            writer.writerow([_nl(r[c]) for c in cols])
        return ("\ufeff" + buf.getvalue()).encode("utf-8")
    if fmt == "xlsx":
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        sheet = wb.create_sheet(name[:31])
        sheet.append(cols)
        for r in records:
            sheet.append([r[c] for c in cols])
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()
    raise ZichtError(f"onbekend formaat {fmt!r} (csv, xlsx of json)")


def _nl(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}".replace(".", ",")
    return str(value)


def keyed_combinations(cells: pa.Table) -> pa.Table:
    """The stapeling cells (:func:`zicht.analysis.stapeling.cells`), ungated, with each law
    combination as a member of a table family (``indicator_id|combination``), ready for
    the gate.

    The combinations are not categories that add up to the total: "" counts units with
    two or more laws, the combinations include single laws, and every combination has
    the full denominator. Only the geography sums hold (gemeente = Σ wijken = Σ buurten,
    per combination) and the family's sum ("" = Σ the combinations of two or more laws),
    so the combination goes into the table key and the breakdown is emptied.
    """
    n = cells.num_rows
    keyed = cells.set_column(
        cells.schema.get_field_index("indicator_id"),
        "indicator_id",
        pc.binary_join_element_wise(
            cells.column("indicator_id"), cells.column("breakdown"), FAMILY_SEP
        ),
    ).set_column(
        cells.schema.get_field_index("breakdown"), "breakdown", pa.array([""] * n, pa.string())
    )
    keyed = keyed.append_column("status", pa.nulls(n, pa.string()))
    keyed = keyed.append_column("category", pa.array([""] * n, pa.string()))
    return keyed.select(CUBE_SCHEMA.names).cast(CUBE_SCHEMA)


def unkeyed_combinations(gated: pa.Table) -> pa.Table:
    """Gated keyed cells back in the shape of ``keten_stapeling.parquet``: the
    combination in ``breakdown`` again."""
    parts = pc.split_pattern(gated.column("indicator_id"), FAMILY_SEP, max_splits=1)
    ids = pc.list_element(parts, 0)
    combination = pc.list_element(parts, 1)
    out = gated.set_column(gated.schema.get_field_index("indicator_id"), "indicator_id", ids)
    out = out.set_column(out.schema.get_field_index("breakdown"), "breakdown", combination)
    return out.select(CUBE_SCHEMA.names).cast(CUBE_SCHEMA)
