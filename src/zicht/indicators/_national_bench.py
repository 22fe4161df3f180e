"""National-scale benchmarks: the disclosure gate on the national buurt table, and a
refresh of 17.9 million generated inhabitants.

Run as ``python -m zicht.indicators._national_bench gate`` (secondary suppression of
every buurt, wijk and gemeente of the Netherlands: 25 indicators × 5 years) or
``... refresh [SCALE] [--no-gate] [--per-table] [--memory-mib=N]`` (canonical tables of
17.9 million persons × SCALE generated in DuckDB, then the real refresh with DuckDB's
memory bounded to N MiB, default 6144, printing every step's wall and CPU seconds and
memory to stderr as it ends; ``--no-gate``: primary suppression only; ``--per-table``:
every table gated on its own, as all national runs before 2026-12-04, instead of the
default linked gating). Prints one JSON object.

The geography is the real one where the shared data has it (``nl_wijken_2024.geojson``:
every wijk with its gemeente; ``nl_gemeenten_2024.geojson``: inhabitants per gemeente);
buurten are not in the shared data, so every wijk gets 1 + Poisson(3.2) generated
buurten (about 14,500 in all, as CBS has), and the inhabitants of a gemeente are spread
over its buurten with log-normal weights, so many buurten are small, as real ones are.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

PERIODS = (2021, 2022, 2023, 2024, 2025)
INDICATORS = 25
_ABROAD = "GM0998"
_SHARED_GEO = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "geo"


def _geo_dir() -> Path:
    env = os.environ.get("ZICHT_SHARED_GEO")
    return Path(env) if env else _SHARED_GEO


def national_areas(seed: int = 1) -> tuple[pa.Table, dict[str, int]]:
    """Areas (level, code, parent_code, gemeente_code) of the whole country and the
    inhabitants of every buurt."""
    geo = _geo_dir()
    rng = np.random.default_rng(seed)
    wijken = json.loads((geo / "nl_wijken_2024.geojson").read_text(encoding="utf-8"))
    gemeenten = json.loads((geo / "nl_gemeenten_2024.geojson").read_text(encoding="utf-8"))
    people = {
        f["properties"]["gemeentecode"]: int(f["properties"].get("aantal_inwoners") or 0)
        for f in gemeenten["features"]
        if f["properties"]["gemeentecode"] != _ABROAD
    }
    per_gm: dict[str, list[str]] = {}
    for f in wijken["features"]:
        p = f["properties"]
        if p["gemeentecode"] in people:
            per_gm.setdefault(p["gemeentecode"], []).append(p["wijkcode"])
    level: list[str] = []
    code: list[str] = []
    parent: list[str | None] = []
    gm_of: list[str] = []
    inhabitants: dict[str, int] = {}
    for gm in sorted(per_gm):
        level.append("gemeente")
        code.append(gm)
        parent.append(None)
        gm_of.append(gm)
        buurten: list[str] = []
        for wk in sorted(per_gm[gm]):
            level.append("wijk")
            code.append(wk)
            parent.append(gm)
            gm_of.append(gm)
            for b in range(1 + int(rng.poisson(3.2))):
                bu = "BU" + wk[2:] + f"{b:02d}"
                level.append("buurt")
                code.append(bu)
                parent.append(wk)
                gm_of.append(gm)
                buurten.append(bu)
        weights = rng.lognormal(0.0, 1.3, len(buurten))
        counts = rng.multinomial(people[gm], weights / weights.sum())
        inhabitants.update(zip(buurten, (int(c) for c in counts), strict=True))
    areas = pa.table({"level": level, "code": code, "parent_code": parent, "gemeente_code": gm_of})
    return areas, inhabitants


def national_cube(areas: pa.Table, inhabitants: dict[str, int], seed: int = 2) -> pa.Table:
    """Cells of ``INDICATORS`` rates × ``PERIODS`` at every level, with an age breakdown
    (3 groups) at gemeente and wijk level, as the engine would compute them."""
    rng = np.random.default_rng(seed)
    codes = areas.column("code").to_pylist()
    levels = dict(zip(codes, areas.column("level").to_pylist(), strict=True))
    parents = dict(zip(codes, areas.column("parent_code").to_pylist(), strict=True))
    buurten = [c for c in codes if levels[c] == "buurt"]
    wijk_of = np.array([parents[b] for b in buurten], dtype=object)
    gm_of = np.array([parents[str(w)] for w in wijk_of], dtype=object)
    pop = np.array([inhabitants[b] for b in buurten], dtype=np.int64)
    ages = np.array([0.2, 0.6, 0.2])
    parts: list[pa.Table] = []
    for k in range(INDICATORS):
        share = 0.004 + 0.08 * rng.random()
        for period in PERIODS:
            den = np.stack([rng.binomial(pop, p) for p in ages[:-1]], axis=1)
            den = np.column_stack([den, pop - den.sum(axis=1)])
            den = np.maximum(den, 0)
            num = rng.binomial(den, share)
            rows = _levels(buurten, wijk_of, gm_of, den, num)
            n = len(rows["area_code"])
            parts.append(
                pa.table(
                    {
                        "indicator_id": [f"ind{k:02d}"] * n,
                        "level": rows["level"],
                        "area_code": rows["area_code"],
                        "period": pa.array([period] * n, pa.int32()),
                        "breakdown": rows["breakdown"],
                        "category": rows["category"],
                        "value": pa.array(
                            np.where(
                                rows["den"] > 0,
                                100.0 * rows["num"] / np.maximum(rows["den"], 1),
                                np.nan,
                            )
                        ),
                        "numerator": pa.array(rows["num"].astype(np.float64)),
                        "denominator": pa.array(rows["den"], pa.int64()),
                        "unit": ["%"] * n,
                    }
                )
            )
    return pa.concat_tables(parts)


def _levels(
    buurten: list[str],
    wijk_of: np.ndarray,
    gm_of: np.ndarray,
    den: np.ndarray,
    num: np.ndarray,
) -> dict[str, Any]:
    """Buurt totals, and wijk and gemeente totals plus age cells, summed with numpy."""
    out: dict[str, list[Any]] = {k: [] for k in ("level", "area_code", "breakdown", "category")}
    dens: list[np.ndarray] = []
    nums: list[np.ndarray] = []
    out["level"] += ["buurt"] * len(buurten)
    out["area_code"] += buurten
    out["breakdown"] += [""] * len(buurten)
    out["category"] += [""] * len(buurten)
    dens.append(den.sum(axis=1))
    nums.append(num.sum(axis=1))
    for level, keys in (("wijk", wijk_of), ("gemeente", gm_of)):
        names, inverse = np.unique(keys, return_inverse=True)
        d = np.zeros((len(names), den.shape[1]), dtype=np.int64)
        m = np.zeros_like(d)
        np.add.at(d, inverse, den)
        np.add.at(m, inverse, num)
        labels = [str(x) for x in names]
        out["level"] += [level] * len(labels)
        out["area_code"] += labels
        out["breakdown"] += [""] * len(labels)
        out["category"] += [""] * len(labels)
        dens.append(d.sum(axis=1))
        nums.append(m.sum(axis=1))
        for j, cat in enumerate(("0-17", "18-64", "65+")):
            out["level"] += [level] * len(labels)
            out["area_code"] += labels
            out["breakdown"] += ["leeftijd"] * len(labels)
            out["category"] += [cat] * len(labels)
            dens.append(d[:, j])
            nums.append(m[:, j])
    return {**out, "den": np.concatenate(dens), "num": np.concatenate(nums)}


def _usage() -> tuple[float, float]:
    """CPU seconds of this process and of its finished children (the gate's worker
    processes), and this process's peak resident memory in MiB."""
    from zicht.indicators import _steps

    return _steps.cpu_seconds(), float(_steps.peak_rss_mib())


def bench_gate(seed: int = 1, indicators: int | None = None) -> dict[str, Any]:
    """Time the gate (primary + secondary suppression) on the national table."""
    from zicht.privacy.disclosure import SUPPRESSED, apply_gate

    t0 = time.perf_counter()
    areas, inhabitants = national_areas(seed)
    cube = national_cube(areas, inhabitants, seed + 1)
    if indicators is not None:
        keep = [f"ind{k:02d}" for k in range(indicators)]
        cube = cube.filter(pc.is_in(cube.column("indicator_id"), pa.array(keep)))
    setup = time.perf_counter() - t0
    cpu0, _ = _usage()
    w0 = time.perf_counter()
    gated = apply_gate(cube, 10, areas=areas)  # one call over every table, as refresh does
    suppressed = int(pc.sum(pc.equal(gated.column("status"), SUPPRESSED)).as_py() or 0)
    wall = time.perf_counter() - w0
    cpu1, peak = _usage()
    levels = areas.column("level").to_pylist()
    return {
        "benchmark": "national_gate",
        "gemeenten": levels.count("gemeente"),
        "wijken": levels.count("wijk"),
        "buurten": levels.count("buurt"),
        "inhabitants": sum(inhabitants.values()),
        "small_buurten_under_10": sum(v < 10 for v in inhabitants.values()),
        "indicators": len(pc.unique(cube.column("indicator_id"))),
        "periods": len(PERIODS),
        "cells": cube.num_rows,
        "suppressed": suppressed,
        "setup_seconds": round(setup, 2),
        "gate_wall_seconds": round(wall, 2),
        "gate_cpu_seconds": round(cpu1 - cpu0, 2),
        "peak_rss_mib": round(peak),
        "load_average": os.getloadavg(),
        "target_seconds": 120.0,
    }


def _generate(store: Any, areas: pa.Table, inhabitants: dict[str, int], seed: int) -> None:
    """Canonical tables of the whole country, generated in DuckDB SQL (no Python rows):
    persons numbered 0..N-1 and laid out buurt after buurt, households of two
    consecutive persons, provisions for one person in six (as :func:`bench_refresh`)."""
    codes = areas.column("code").to_pylist()
    n = len(codes)
    store.insert_arrow(
        "area",
        pa.table(
            {
                "level": areas.column("level"),
                "code": codes,
                "name": codes,
                "parent_code": areas.column("parent_code"),
                "gemeente_code": areas.column("gemeente_code"),
                "boundary_year": pa.array([PERIODS[-1]] * n, pa.int32()),
                "geometry": pa.nulls(n, pa.string()),
                "load_id": ["bench"] * n,
            }
        ),
    )
    buurten = sorted(inhabitants)
    counts = np.array([inhabitants[b] for b in buurten], dtype=np.int64)
    hi = np.cumsum(counts)
    total = int(hi[-1])
    s = int(seed)
    store.execute(
        "CREATE OR REPLACE TABLE bench_buurt AS SELECT * FROM (VALUES "
        + ",".join(f"('{b}', {lo}, {h})" for b, lo, h in zip(buurten, hi - counts, hi, strict=True))
        + ") t(code, lo, hi)"
    )
    periods = ", ".join(str(p) for p in PERIODS)
    store.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE bench_person AS
        SELECT i, 'p' || i AS person_id,
               CAST(1930 + hash(i, {s}) % 96 AS INTEGER) AS birth_year,
               CASE WHEN hash(i, {s} + 1) % 2 = 0 THEN '1' ELSE '2' END AS sex,
               'h' || (i // 2) AS household_id, b.code AS buurt_code
        FROM range({total}) r(i)
        JOIN bench_buurt b ON r.i >= b.lo AND r.i < b.hi
        """
    )
    store.execute(
        f"""
        INSERT INTO person_period (period, person_id, birth_year, sex, household_id,
                                   buurt_code, load_id)
        SELECT y.period, p.person_id, p.birth_year, p.sex, p.household_id, p.buurt_code,
               'bench'
        FROM bench_person p CROSS JOIN (SELECT unnest([{periods}]) AS period) y
        WHERE p.birth_year <= y.period
        """
    )
    n_prov = total // 6
    store.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE bench_prov AS
        SELECT k, 'v' || k AS provision_id, 'p' || (hash(k, {s} + 2) % {total}) AS person_id,
               CASE WHEN hash(k, {s} + 3) % 10 < 4 THEN 'jeugd'
                    WHEN hash(k, {s} + 3) % 10 < 8 THEN 'wmo' ELSE 'pwet' END AS law,
               DATE '2019-01-01' + CAST(hash(k, {s} + 4) % 2555 AS INTEGER) AS start_date,
               CAST(30 + hash(k, {s} + 5) % 870 AS INTEGER) AS length,
               hash(k, {s} + 6) % 5 = 0 AS open_end,
               ['01', '02', '03', '06'][1 + CAST(hash(k, {s} + 7) % 4 AS INTEGER)] AS referrer
        FROM range({n_prov}) r(k)
        """
    )
    store.execute(
        """
        INSERT INTO provision (provision_id, person_id, law, product_category, referrer,
                               start_date, end_date, source, load_id)
        SELECT provision_id, person_id, law,
               CASE law WHEN 'pwet' THEN 'bijstandsuitkering' ELSE '01' END,
               referrer, start_date,
               CASE WHEN open_end THEN NULL ELSE start_date + length END, 'bench', 'bench'
        FROM bench_prov
        """
    )
    store.execute(
        f"""
        INSERT INTO chain_event (person_id, law, step, event_date, provision_id, source,
                                 load_id)
        SELECT person_id, law, step, event_date, provision_id, 'bench', 'bench'
        FROM (
          SELECT person_id, law, provision_id,
                 start_date - CAST(20 + hash(k, {s} + 8) % 100 AS INTEGER) AS aanvraag,
                 k
          FROM bench_prov
        ) a,
        LATERAL (VALUES ('aanvraag', a.aanvraag),
                        ('beschikking', a.aanvraag + CAST(3 + hash(k, {s} + 9) % 77 AS INTEGER)))
          v(step, event_date)
        """
    )
    store.execute(
        f"""
        INSERT INTO cost (declaratie_id, person_id, law, period_start, period_end, amount,
                          source, load_id)
        SELECT 'd' || k || '-' || j, person_id, law, start_date + CAST(30 * j AS INTEGER),
               start_date + CAST(30 * j + 29 AS INTEGER),
               CAST(50 + (hash(k, j, {s} + 10) % 295000) / 100.0 AS DECIMAL(14, 2)),
               'bench', 'bench'
        FROM bench_prov CROSS JOIN range(4) r(j)
        WHERE law <> 'pwet'
        """
    )


def _gate_probe(gate: bool) -> Callable[..., Any]:
    """A stand-in for refresh's gate call that records it as a step; without ``gate``
    only the primary rules run (no secondary suppression over the geography)."""
    from zicht.indicators import _steps
    from zicht.privacy.disclosure import apply_gate

    def probe(cube: pa.Table, min_count: int, **kwargs: Any) -> pa.Table:
        if not gate:
            kwargs.pop("areas", None)
        with _steps.step("gate" if gate else "gate (primary only)"):
            return apply_gate(cube, min_count, **kwargs)

    return probe


def _summary(steps: list[Any]) -> dict[str, Any]:
    """Steps of one kind (every ``compute X``, every gate call) summed; the others as
    they came."""
    out: dict[str, dict[str, float]] = {}
    for st in steps:
        key = "compute (all indicators)" if st.name.startswith("compute ") else st.name
        row = out.setdefault(key, {"calls": 0, "wall_s": 0.0, "cpu_s": 0.0, "peak_rss_mib": 0})
        row["calls"] += 1
        row["wall_s"] = round(row["wall_s"] + st.wall_s, 2)
        row["cpu_s"] = round(row["cpu_s"] + st.cpu_s, 2)
        row["peak_rss_mib"] = max(row["peak_rss_mib"], st.peak_rss_mib)
    return out


def bench_national_refresh(
    seed: int = 1,
    memory_mib: int = 6144,
    workdir: Path | None = None,
    gate: bool = True,
    scale: float = 1.0,
    linked: bool = True,
) -> dict[str, Any]:
    """Generate the country in DuckDB (timed on its own), then time the real
    :func:`zicht.indicators.refresh.refresh` step by step (every indicator's query,
    every gate call, cube assembly, keten tables, quality, publish) with the refresh's
    DuckDB working memory bounded to ``memory_mib``."""
    import tempfile
    from unittest import mock

    from zicht.analysis import keten_publish
    from zicht.indicators import _steps
    from zicht.indicators import refresh as refresh_mod
    from zicht.workspace import Workspace

    areas, inhabitants = national_areas(seed)
    inhabitants = {b: int(v * scale) for b, v in inhabitants.items()}
    with tempfile.TemporaryDirectory(prefix="zicht-national-", dir=workdir) as tmp:
        ws = Workspace.init(
            Path(tmp) / "ws", gemeente_code="GM0000", gemeente_naam="Nederland",
            boundary_year=PERIODS[-1],
        )  # fmt: skip
        ws.set_setting("refresh_memory_mib", memory_mib)
        ws.set_setting("gate_linked_tables", int(linked))
        w0, c0 = time.perf_counter(), _steps.cpu_seconds()
        with ws.store() as store:
            store.limit_memory(memory_mib)
            store.execute(f"SET temp_directory = '{Path(tmp) / 'spill'}'")
            _generate(store, areas, inhabitants, seed)
            store.execute("CHECKPOINT")
            rows = {
                t: int(store.scalar(f"SELECT count(*) FROM {t}") or 0)
                for t in ("person_period", "provision", "chain_event", "cost")
            }
        print(f"generate: {time.perf_counter() - w0:.1f} s wall", file=sys.stderr, flush=True)
        generate = {
            "wall_s": round(time.perf_counter() - w0, 1),
            "cpu_s": round(_steps.cpu_seconds() - c0, 1),
            "rss_mib_after": _steps.rss_mib(),
            "peak_rss_mib": _steps.peak_rss_mib(),
        }
        w0, c0 = time.perf_counter(), _steps.cpu_seconds()
        with (
            _steps.recording(sys.stderr) as steps,
            mock.patch.object(refresh_mod, "apply_gate", _gate_probe(gate)),
            mock.patch.object(keten_publish, "apply_gate", _gate_probe(gate)),
        ):
            report = refresh_mod.refresh(ws)
        wall = time.perf_counter() - w0
        cpu = _steps.cpu_seconds() - c0
    return {
        "benchmark": "national_refresh",
        "inhabitants": sum(inhabitants.values()),
        "rows": rows,
        "refresh_memory_mib": memory_mib,
        "gate": (
            f"primary and secondary ({'linked' if linked else 'per table'})"
            if gate
            else "primary only"
        ),
        "generate": generate,
        "refresh_wall_s": round(wall, 1),
        "refresh_cpu_s": round(cpu, 1),
        "peak_rss_mib": _steps.peak_rss_mib(),
        "cells": report.cells,
        "suppressed": report.suppressed,
        "steps": _summary(steps),
        "slowest_indicators": sorted(
            ((st.name[8:], st.wall_s, st.cpu_s) for st in steps if st.name.startswith("compute ")),
            key=lambda r: -r[1],
        )[:8],
        "load_average": os.getloadavg(),
        "target_seconds": 180.0,
    }


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    what = args[0] if args else "gate"
    runs: dict[str, Callable[[], dict[str, Any]]] = {
        "gate": lambda: bench_gate(indicators=int(args[1]) if len(args) > 1 else None),
        "refresh": lambda: bench_national_refresh(
            gate="--no-gate" not in args,
            memory_mib=int(
                next((a.split("=", 1)[1] for a in args if a.startswith("--memory-mib=")), 6144)
            ),
            scale=float(next((a for a in args[1:] if not a.startswith("-")), "1")),
            linked="--per-table" not in args,
        ),
    }
    if what not in runs:
        print(f"onbekende benchmark {what!r}; kies uit {', '.join(runs)}", file=sys.stderr)
        return 2
    print(json.dumps(runs[what](), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
