"""Refresh: canonical tables → indicator cube and keten tables → disclosure gate →
published snapshot.

The whole read happens in one transaction on one connection, so all indicators and the
keten tables (chain, stapeling, signals, data quality:
:mod:`zicht.analysis.keten_publish`) see the same state of the canonical tables; the
write connection also keeps a second refresh (or an ingest) from running at the same
time. Publishing is atomic (see
:mod:`zicht.indicators.publish`): a refresh that fails leaves the previous snapshot
current.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from tqdm import tqdm

from zicht.analysis.context import context_cells
from zicht.analysis.keten_publish import keten_tables, unkeyed_combinations
from zicht.config import Settings
from zicht.errors import RefreshError
from zicht.indicators import _incremental, _steps, publish
from zicht.indicators.definitions import IndicatorDefinition, load_definitions
from zicht.indicators.engine import (
    CUBE_SCHEMA,
    RAW_SCHEMA,
    compute_indicator,
    settled,
    shared_tables,
)
from zicht.privacy.disclosure import (
    EMPTY_COLUMN,
    SUPPRESSED,
    ZERO_COLUMN,
    apply_gate,
    assert_gated,
    contradicted_zeros,
)
from zicht.quality.lineage import indicator_quality
from zicht.quality.scores import SourceScore, score
from zicht.store import Store
from zicht.workspace import Workspace

WORKSPACE_INDICATORS_DIR = "indicators"
"""Workspace folder whose ``*.yaml`` override or extend the shipped definitions."""


@dataclass
class RefreshReport:
    refresh_id: str
    periods: list[int]
    cells: int
    published: int
    suppressed: int
    seconds: float
    recomputed: list[str] = field(default_factory=list)
    """Indicators computed afresh; the others were reused (their inputs did not change)."""
    keten: list[str] = field(default_factory=list)
    """The ``keten_*.parquet`` files of the snapshot."""
    keten_recomputed: bool = False
    """Whether the keten tables were computed afresh (False: reused, inputs unchanged)."""
    seconds_keten: float = 0.0
    contradicted_zeros: list[str] = field(default_factory=list)
    """Categories a definition says are 0 by definition (``structural_zeros``,
    ``structural_empty``) where the data have someone after all: "indicator
    breakdown=category (n cellen)". The gate treats them as ordinary counts; the data or
    the definition is wrong."""
    unsettled_zeros: list[str] = field(default_factory=list)
    """Definitions whose zeros by definition were not used because a setting their
    facts read is not its default: "indicator (setting = value)"."""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def warnings(self) -> list[str]:
        """What the refresh noticed but did not stop for, one Dutch line each."""
        return [
            f"Let op: {item} is volgens de definitie altijd 0, maar niet in de gegevens; "
            "behandeld als gewone telling"
            for item in self.contradicted_zeros
        ] + [
            f"Let op: {item}: de nullen volgens de definitie gelden bij de "
            "standaardinstelling; nu behandeld als gewone telling"
            for item in self.unsettled_zeros
        ]


@dataclass(frozen=True)
class _Inputs:
    boundary_year: int
    periods: list[int]
    gemeente_code: str
    gemeente_naam: str
    cube: pa.Table
    areas: pa.Table
    loads: list[dict[str, Any]]
    recomputed: list[str]
    keten: dict[str, pa.Table]
    keten_recomputed: bool
    seconds_keten: float
    source_scores: list[SourceScore]
    contradicted_zeros: list[str]


def _boundary_year(store: Store, settings: Settings) -> int:
    configured = settings.get_int("boundary_year")
    if configured:
        n = store.scalar("SELECT count(*) FROM area WHERE boundary_year = ?", [configured])
        if not n:
            raise RefreshError(
                f"geen gebieden met grensjaar {configured} ingelezen "
                "(lees de geografie van dat jaar in of pas boundary_year aan)"
            )
        return configured
    latest = store.scalar("SELECT max(boundary_year) FROM area")
    if latest is None:
        raise RefreshError(
            "niets te verversen: er zijn nog geen gebieden ingelezen "
            "(lees eerst de geografie in met `zicht ingest`)"
        )
    return int(latest)


def _gemeente(store: Store, settings: Settings, boundary_year: int) -> tuple[str, str]:
    code, name = settings.get_str("gemeente_code"), settings.get_str("gemeente_naam")
    if code and name:
        return code, name
    row = store.fetchone(
        "SELECT code, name FROM area WHERE level = 'gemeente' AND boundary_year = ? ORDER BY code",
        [boundary_year],
    )
    if row is None:
        return code, name
    return code or str(row[0]), name or str(row[1])


def _read_inputs(
    store: Store,
    settings: Settings,
    definitions: dict[str, IndicatorDefinition],
    progress: bool,
    root: Path,
) -> _Inputs:
    if not store.scalar("SELECT count(*) FROM person_period"):
        raise RefreshError(
            "niets te verversen: er is nog geen bevolking ingelezen "
            "(lees eerst geografie en BRP in met `zicht ingest`)"
        )
    boundary_year = _boundary_year(store, settings)
    periods = [
        int(r[0]) for r in store.fetchall("SELECT DISTINCT period FROM person_period ORDER BY 1")
    ]
    code, name = _gemeente(store, settings, boundary_year)
    areas = store.fetch_arrow(
        "SELECT level, code, name, parent_code, gemeente_code, "
        "CAST(boundary_year AS INTEGER) AS boundary_year, geometry "
        "FROM area WHERE boundary_year = ? "
        "ORDER BY CASE level WHEN 'gemeente' THEN 1 WHEN 'wijk' THEN 2 ELSE 3 END, code",
        [boundary_year],
    )
    show = progress and sys.stderr.isatty()
    store.prepare_for_indicators()
    tables = _incremental.table_fingerprints(
        store, {t for d in definitions.values() for t in _incremental.tables_read(d)}
    )
    parts: list[pa.Table] = []
    recomputed: list[str] = []
    for d in tqdm(definitions.values(), desc="indicatoren", disable=not show, unit="ind"):
        fp = _incremental.fingerprint(d, settings, boundary_year, tables)
        cells = _incremental.load(root, d.id, fp, RAW_SCHEMA)
        if cells is None:
            cells = compute_indicator(store, d, settings, boundary_year).cast(RAW_SCHEMA)
            _incremental.store_cells(root, d.id, fp, cells)
            recomputed.append(d.id)
        parts.append(cells)
    with _steps.step("cube assembly"):
        raw_cube = pa.concat_tables(parts) if parts else RAW_SCHEMA.empty_table()
        zeros = {k: d.zeros() for k, d in definitions.items()}
        empty = {k: d.structural_empty for k, d in definitions.items()}
        wrong = contradicted_zeros(raw_cube, zeros)
        for k, n in contradicted_zeros(raw_cube, empty, "denominator").items():
            wrong[k] = max(wrong.get(k, 0), n)
        contradicted = [f"{i} {bd}={cat} ({n} cellen)" for (i, bd, cat), n in wrong.items()]
    loads = _load_summary(
        store.fetchall(
            "SELECT file, rows_in, accepted, quarantined FROM load_log ORDER BY loaded_at, file"
        )
    )
    started = time.perf_counter()
    with _steps.step("quality scores"):
        # Once per refresh: the keten tables and every indicator's score read them.
        source_scores = score(store)
    with _steps.step("keten tables"):
        keten, keten_recomputed = keten_tables(store, settings, boundary_year, root, source_scores)
    with _steps.step("gate"):
        inputs = (raw_cube, keten["stapeling"], areas.select(["code", "parent_code"]))
        fp = _incremental.gated_fingerprint(inputs, settings)
        cached = _incremental.load_tables(root, GATED, fp, _incremental.GATED_CACHE_DIR)
        if cached is None:
            cube, staple = gate(raw_cube, keten["stapeling"], areas, settings)
            cached = {"cube": cube, "stapeling": staple}
            _incremental.store_tables(root, cached, fp, _incremental.GATED_CACHE_DIR)
        cube, keten["stapeling"] = cached["cube"], cached["stapeling"]
    return _Inputs(
        boundary_year,
        periods,
        code,
        name,
        cube,
        areas,
        loads,
        recomputed,
        {f"keten_{k}.parquet": t for k, t in keten.items()},
        keten_recomputed,
        time.perf_counter() - started,
        source_scores,
        contradicted,
    )


GATED = ("cube", "stapeling")
"""The gate's output, kept in the workspace cache for a refresh without new data."""


def gate(
    cube: pa.Table, stapeling: pa.Table, areas: pa.Table, settings: Settings
) -> tuple[pa.Table, pa.Table]:
    """The indicator cube and the keten stapeling cells (keyed per combination,
    :func:`zicht.analysis.keten_publish.keyed_combinations`), through the gate together:
    they count the same persons and households, so a quantity hidden in one is hidden in
    the other (:mod:`zicht.privacy.linked`). Returns both in their published shape."""
    staple = stapeling.append_column("dominant", pa.nulls(stapeling.num_rows, pa.float64()))
    for name in (ZERO_COLUMN, EMPTY_COLUMN):
        staple = staple.append_column(name, pa.nulls(stapeling.num_rows, pa.bool_()))
    both = pa.concat_tables([cube.cast(RAW_SCHEMA), staple.cast(RAW_SCHEMA)])
    gated = apply_gate(
        both,
        settings.get_int("min_cell_count"),
        areas=areas,
        dominance_pct=settings.get_int("dominance_pct"),
        round_to=settings.get_int("round_counts_to"),
        linked=bool(settings.get_int("gate_linked_tables")),
    ).select(CUBE_SCHEMA.names)
    gated = gated.cast(CUBE_SCHEMA)
    n = cube.num_rows
    return gated.slice(0, n), unkeyed_combinations(gated.slice(n))


FOLDER_SUMMED_FROM = 20
"""A folder from which more files were loaded is one entry of ``meta.json`` ``loads``,
with ``files``: the demo loads 64,648 iJw/iWmo message files, which made meta.json 9 MB
(written by every refresh, read by every page's snapshot)."""


def _load_summary(rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    """``loads`` of meta.json: one entry per file, or per folder with many files."""
    per_folder: dict[str, int] = {}
    for r in rows:
        folder = os.path.dirname(str(r[0]))
        per_folder[folder] = per_folder.get(folder, 0) + 1
    out: list[dict[str, Any]] = []
    summed: dict[str, dict[str, Any]] = {}
    for file, rows_in, accepted, quarantined in rows:
        folder = os.path.dirname(str(file))
        if per_folder[folder] < FOLDER_SUMMED_FROM:
            out.append({"file": str(file), "rows_in": int(rows_in), "accepted": int(accepted),
                        "quarantined": int(quarantined)})  # fmt: skip
            continue
        entry = summed.get(folder)
        if entry is None:
            entry = summed[folder] = {"file": folder, "files": 0, "rows_in": 0, "accepted": 0,
                                      "quarantined": 0}  # fmt: skip
            out.append(entry)
        entry["files"] += 1
        entry["rows_in"] += int(rows_in)
        entry["accepted"] += int(accepted)
        entry["quarantined"] += int(quarantined)
    return out


def refresh(ws: Workspace, *, progress: bool = False) -> RefreshReport:
    """Rebuild the published layer of ``ws`` and make it current.

    Raises :class:`RefreshError` (one Dutch line) when there is nothing to publish or
    the snapshot cannot be written; the previous snapshot then stays current.
    """
    started = time.perf_counter()
    settings = ws.settings
    min_count = settings.get_int("min_cell_count")
    definitions, unsettled = settled(load_definitions(ws.root / WORKSPACE_INDICATORS_DIR), settings)
    published_dir = ws.published_dir
    with ws.store() as store:
        store.limit_memory(settings.get_int("refresh_memory_mib"))
        with store.transaction(), shared_tables(store, settings):
            inputs = _read_inputs(store, settings, definitions, progress, ws.root)
        cube = inputs.cube
        with _steps.step("context cells"):
            context = context_cells(store, inputs.areas.column("code").to_pylist())
        assert_gated(cube, min_count, {k: d.zeros() for k, d in definitions.items()})
        now = datetime.now(UTC)
        refresh_id = publish.new_refresh_id(now)
        meta = {
            "refresh_id": refresh_id,
            "created_at": now.isoformat(timespec="seconds"),
            "gemeente_code": inputs.gemeente_code,
            "gemeente_naam": inputs.gemeente_naam,
            "periods": inputs.periods,
            "boundary_year": inputs.boundary_year,
            "min_cell_count": min_count,
            "loads": inputs.loads,
            "keten": list(inputs.keten),
        }
        indicators = {k: d.public(settings) for k, d in definitions.items()}
        # Still holding the store: two refreshes never publish at the same time.
        published_dir.mkdir(parents=True, exist_ok=True)
        publish.clean_stale(published_dir)
        with _steps.step("quality"):
            quality = indicator_quality(store, definitions, inputs.source_scores)
        try:
            with _steps.step("publish"):
                publish.write_snapshot(
                    published_dir,
                    refresh_id,
                    cube=cube,
                    areas=inputs.areas,
                    indicators=indicators,
                    meta=meta,
                    context=context,
                    quality=quality,
                    extra=inputs.keten,
                )
            publish.make_current(published_dir, refresh_id)
        except OSError as exc:
            publish.discard(published_dir, refresh_id)
            raise RefreshError(
                f"publiceren mislukt ({exc.strerror or exc}); de vorige publicatie blijft staan"
            ) from None
        publish.prune(published_dir)
    suppressed = int(pc.sum(pc.equal(cube.column("status"), SUPPRESSED)).as_py() or 0)
    return RefreshReport(
        refresh_id=refresh_id,
        periods=inputs.periods,
        cells=cube.num_rows,
        published=cube.num_rows - suppressed,
        suppressed=suppressed,
        seconds=round(time.perf_counter() - started, 3),
        recomputed=inputs.recomputed,
        keten=list(inputs.keten),
        keten_recomputed=inputs.keten_recomputed,
        seconds_keten=round(inputs.seconds_keten, 3),
        contradicted_zeros=inputs.contradicted_zeros,
        unsettled_zeros=unsettled,
    )
