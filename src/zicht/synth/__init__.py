"""The synthetic gemeente: every export zicht reads, with a manifest of the truth.

``generate`` writes the layout of docs/model.md ("Files the generator writes") and returns
the manifest. Work proceeds per chunk of whole buurten (about ``CHUNK_PERSONS``
inhabitants), so memory stays bounded at any size; see docs/synth.md.

Example::

    from zicht.synth import generate
    manifest = generate(Path("demo-data"), persons=20_000, seed=7)
"""

from __future__ import annotations

import json
import multiprocessing
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from zicht.errors import GenerateError
from zicht.synth import _berichten, _files, _geo, _kwb, _lokaal, _mappings, _population, _provisions
from zicht.synth._defects import plant
from zicht.synth._planted import Plan
from zicht.synth._population import BsnSource, day_of_year_start
from zicht.synth._stories import write as write_stories
from zicht.synth._truth import Truth
from zicht.synth._writers import BlockWriter, CsvWriter, XlsxWriter, fmt_ints

__all__ = ["generate", "start", "Started", "CHUNK_PERSONS"]

CHUNK_PERSONS = 100_000
BACKGROUND_FROM = 20_000
"""From this many inhabitants the message files are written by a worker process."""
_REF_PREFIX = {"jeugd": "BJ", "wmo": "BW", "pwet": "P", "schuld": "S", "wijkteam": "H"}


class _Counter:
    def __init__(self, start: int = 1) -> None:
        self.value = start

    def take(self, n: int) -> np.ndarray[Any, np.dtype[np.int64]]:
        out = np.arange(self.value, self.value + n, dtype=np.int64)
        self.value += n
        return out

    def one(self) -> int:
        self.value += 1
        return self.value - 1


def _chunks(
    sizes: np.ndarray[Any, np.dtype[np.int64]],
) -> list[np.ndarray[Any, np.dtype[np.int64]]]:
    out: list[np.ndarray[Any, np.dtype[np.int64]]] = []
    current: list[int] = []
    total = 0
    for b, size in enumerate(sizes.tolist()):
        current.append(b)
        total += size
        if total >= CHUNK_PERSONS:
            out.append(np.array(current, dtype=np.int64))
            current, total = [], 0
    if current:
        out.append(np.array(current, dtype=np.int64))
    return out


def generate(
    out: Path,
    *,
    persons: int = 120_000,
    seed: int = 1,
    years: int = 5,
    last_year: int = 2025,
    defect_rate: float = 0.003,
    progress: bool = False,
) -> dict[str, Any]:
    """Write a synthetic gemeente into `out` (layout as in docs/model.md).

    Returns the manifest, which is also written to ``out/manifest.json``.
    """
    with start(
        out,
        persons=persons,
        seed=seed,
        years=years,
        last_year=last_year,
        defect_rate=defect_rate,
        progress=progress,
    ) as started:
        return started.wait()


class Started:
    """A synthetic gemeente whose exports are written while its iJw/iWmo message files
    may still be in the works (a worker process writes them).

    :meth:`wait` returns when every message file is written, writes ``manifest.json``
    (so that file marks a complete folder) and returns the manifest; a failed writer
    raises :class:`~zicht.errors.GenerateError` (one line). Used as a context manager,
    leaving it stops the writer (jobs not yet begun are cancelled).
    """

    def __init__(self, out: Path, manifest: dict[str, Any], messages: _berichten.Background):
        self.out = out
        self.manifest = manifest
        self._messages = messages

    def wait(self) -> dict[str, Any]:
        self._messages.wait()
        (self.out / "manifest.json").write_text(
            json.dumps(self.manifest, ensure_ascii=False, indent=1), encoding="utf-8"
        )
        return self.manifest

    def close(self) -> None:
        self._messages.close()

    def __enter__(self) -> Started:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _refuse_in_a_starting_worker() -> None:
    """Raise when called in a spawned worker that is still starting. Such a worker runs
    its parent's script again; without a ``__main__`` guard that is a second
    :func:`start`, which would open (truncate) the exports the parent is writing,
    leaving holes of NUL bytes. It stops here, before any file is opened; the worker then
    fails and the parent writes the messages itself. (``_inheriting`` is
    multiprocessing's own flag for a worker still starting.)"""
    if getattr(multiprocessing.current_process(), "_inheriting", False):
        raise GenerateError("synth in een opstartend werkproces: het script mist een __main__-blok")


def start(
    out: Path,
    *,
    persons: int = 120_000,
    seed: int = 1,
    years: int = 5,
    last_year: int = 2025,
    defect_rate: float = 0.003,
    progress: bool = False,
) -> Started:
    """Write the exports of :func:`generate` and return while a worker process may still
    be writing the message files (from :data:`BACKGROUND_FROM` inhabitants); call
    :meth:`Started.wait` for the rest. The files are those of :func:`generate`.
    """
    if persons < 100 or years < 1 or not 0 <= defect_rate < 0.5:
        raise ValueError("persons >= 100, years >= 1 and 0 <= defect_rate < 0.5 are required")
    _refuse_in_a_starting_worker()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    periods = list(range(last_year - years + 1, last_year + 1))
    geo = _geo.build(persons, np.random.default_rng([seed, 0]))
    n_features = _geo.write_geojson(geo, out / _mappings.GEO.rel, last_year)
    _mappings.write_mapping(out, _mappings.GEO)
    provider_rows, by_law = _files.provider_table(np.random.default_rng([seed, 1]))
    with CsvWriter(out, _mappings.PROVIDERS.rel, _mappings.PROVIDERS.header, "utf-8-sig") as w:
        w.write([list(c) for c in zip(*provider_rows, strict=True)])
    _mappings.write_mapping(out, _mappings.PROVIDERS)
    agb = {law: np.array(codes, dtype=object) for law, codes in by_law.items()}
    plan = Plan.choose(seed, len(geo.buurt_codes), len(agb["jeugd"]))

    writers: dict[str, BlockWriter] = {}
    for spec in _mappings.TABULAR:
        _mappings.write_mapping(out, spec)
        if spec.rel.endswith(".xlsx"):
            writers[spec.rel] = XlsxWriter(out, spec.rel, spec.header)
        else:
            writers[spec.rel] = CsvWriter(out, spec.rel, spec.header, spec.encoding)

    truth = Truth(geo, periods)
    lokaal = _lokaal.LokaalTruth([geo.wijk_codes[w] for w in geo.buurt_wijk.tolist()], periods)
    bsns = BsnSource(seed)
    refs = {law: _Counter() for law in _REF_PREFIX}
    toewijzing = _Counter(100_000_001)
    declaratie = _Counter(1)
    message_id = 1
    hh_counter = 1
    message_files = {"jeugd": 0, "wmo": 0}
    first_day = day_of_year_start(periods[0])
    extraction = day_of_year_start(last_year + 1) - 1
    defect_rng = np.random.default_rng([seed, 2])

    def fresh_bsn() -> int:
        return int(bsns.take(1)[0])

    def emit(spec: _mappings.FileSpec, columns: list[Any], key: Any) -> None:
        w = writers[spec.rel]
        assert spec.layout is not None
        extra = plant(
            defect_rng, columns, spec.layout, defect_rate, w.true_rows == 0, fresh_bsn, key
        )
        if isinstance(w, CsvWriter | XlsxWriter):
            w.write(columns, extra)

    chunks = _chunks(geo.buurt_persons)
    # Most of the time goes into tens of thousands of small message files: a worker
    # process writes them (the same files, byte for byte) while this one goes on.
    messages = _berichten.Background(worker=persons >= BACKGROUND_FROM)
    for c, buurten in enumerate(
        tqdm(chunks, desc="synth", unit="chunk", file=sys.stderr, disable=not progress)
    ):
        rng = np.random.default_rng([seed, 3, c])
        pop = _population.generate(
            rng,
            buurten,
            geo.buurt_persons[buurten],
            geo.deprivation[buurten],
            periods,
            bsns,
            hh_counter,
            len(_files.SURNAMES),
            1000,
        )
        hh_counter += len(pop.hh_number)
        # About 10% of BSNs start with 0 (uniform prefixes); Excel 'lost' half of those zeros.
        lost = (pop.bsn < 100_000_000) & (rng.random(pop.n) < 0.5)
        for k in range(len(periods)):
            emit(_mappings.BRP, _files.bevolking(geo, pop, k, lost), lambda: "")
        spells: dict[str, _provisions.Spells] = {}
        costs: dict[str, Any] = {}
        for law in ("jeugd", "wmo", "pwet", "schuld"):
            n_prov = len(agb["jeugd" if law == "jeugd" else "wmo"])
            s = plan.adjust(_provisions.make(rng, pop, law, periods, n_prov), pop, c, buurten)
            spells[law] = s
            prefix = _REF_PREFIX[law]
            ids = refs[law].take(s.n)
            ref_text = prefix + fmt_ints(ids) if s.n else np.zeros(0, dtype=object)

            def key(law: str = law, prefix: str = prefix) -> str:
                return f"{prefix}{refs[law].one()}"

            if law in ("jeugd", "wmo"):
                s.toewijzing = toewijzing.take(s.n)
                spec = _mappings.JEUGD if law == "jeugd" else _mappings.WMO
                emit(spec, _files.voorzieningen(s, pop, ref_text, agb[law], lost, rng), key)
                bills = plan.overbill(s, _files.declaraties(s, first_day, extraction), extraction)
                bill_ids = declaratie.take(len(bills[0]))
                cols = _files.declaratie_columns(s, pop, bills, bill_ids, agb[law], lost)
                emit(_mappings.DECLARATIES, cols, lambda: f"D{declaratie.one()}")
                costs[law] = (s.person[bills[0]], bills[1], bills[3])
                files, message_id = messages.submit(
                    out, s, pop, geo.gemeente_codes[0][2:], agb[law], extraction, message_id
                )
                message_files[law] += files
            elif law == "pwet":
                emit(_mappings.PWET, _files.participatie(s, pop, ref_text, lost), key)
            else:
                emit(_mappings.SCHULD, _files.schuldhulp(s, pop, ref_text, lost, rng), key)
        hulp = _lokaal.make(
            np.random.default_rng([seed, 4, c]), pop, [spells["jeugd"], spells["wmo"]]
        )
        ids = refs["wijkteam"].take(hulp.n)
        hulp_refs = "H" + fmt_ints(ids) if hulp.n else np.zeros(0, dtype=object)
        hulp_cols = _lokaal.columns(
            hulp,
            hulp_refs,
            _files.bsn_text(pop, hulp.person, lost),
            _files.full_names(pop, hulp.person),
        )
        emit(_mappings.WIJKTEAM, hulp_cols, lambda: f"H{refs['wijkteam'].one()}")
        lokaal.add(pop, hulp)
        truth.add_chunk(pop, spells, costs)
        del pop, spells, costs

    for writer in writers.values():
        if isinstance(writer, CsvWriter | XlsxWriter):
            writer.close()
    manifest = _manifest(
        geo, periods, seed, persons, n_features, len(provider_rows), writers, message_files
    )
    manifest["truth"] = truth.result()
    manifest["planted"] = plan.manifest(geo.buurt_codes, agb["jeugd"])
    manifest["lokaal_team"] = lokaal.result()
    manifest["cbs_kwb"] = _kwb.write_kwb(out, manifest["truth"], geo.gemeente_names[0])
    manifest["stories"] = write_stories(out, geo.wijk_codes, periods, seed)
    return Started(out, manifest, messages)


def _manifest(
    geo: _geo.Geography,
    periods: list[int],
    seed: int,
    persons: int,
    n_features: int,
    n_providers: int,
    writers: dict[str, BlockWriter],
    message_files: dict[str, int],
) -> dict[str, Any]:
    files: dict[str, Any] = {
        _mappings.GEO.rel: {"source": _mappings.GEO.source, "target": "area", "rows": n_features},
        _mappings.PROVIDERS.rel: {
            "source": _mappings.PROVIDERS.source,
            "target": "provider",
            "rows": n_providers,
        },
    }
    expected: dict[str, Any] = {
        rel: {"rows_in": n, "accepted": n, "quarantined": 0, "reasons": {}}
        for rel, n in ((_mappings.GEO.rel, n_features), (_mappings.PROVIDERS.rel, n_providers))
    }
    defects: list[dict[str, Any]] = []
    for spec in _mappings.TABULAR:
        w = writers[spec.rel]
        files[spec.rel] = {"source": spec.source, "target": spec.target, "rows": w.rows}
        reasons = Counter(d["rule"] for d in w.defects)
        expected[spec.rel] = {
            "rows_in": w.rows,
            "accepted": w.true_rows,
            "quarantined": len(w.defects),
            "reasons": dict(sorted(reasons.items())),
        }
        defects += w.defects
    for folder, law in zip(_mappings.MESSAGE_FOLDERS, ("jeugd", "wmo"), strict=True):
        files[folder] = {
            "source": folder.split("/")[1],
            "target": "toewijzing",
            "files": message_files[law],
        }
    gemeenten = [
        {"code": c, "name": n} for c, n in zip(geo.gemeente_codes, geo.gemeente_names, strict=True)
    ]
    manifest: dict[str, Any] = {
        "seed": seed,
        "persons": persons,
        "periods": periods,
        "gemeente": gemeenten[0],
        "boundary_year": periods[-1],
        "files": files,
        "ingest_order": list(_mappings.INGEST_ORDER),
        "defects": defects,
        "expected_load": expected,
    }
    if len(gemeenten) > 1:
        manifest["gemeenten"] = gemeenten
    return manifest
