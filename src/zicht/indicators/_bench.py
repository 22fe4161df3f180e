"""Refresh benchmark: canonical rows straight from numpy, then a timed refresh.

Skips ingest on purpose (that has its own benchmark): this measures canonical tables →
published snapshot, the "refresh without new data" target of DESIGN.md (< 10 s for
120,000 inhabitants and five years).
"""

from __future__ import annotations

import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from zicht.indicators.refresh import refresh
from zicht.workspace import Workspace

PERIODS = (2021, 2022, 2023, 2024, 2025)
_WIJKEN, _BUURTEN_PER_WIJK = 12, 6
_EPOCH = date(1970, 1, 1)


def _ids(prefix: str, n: int) -> np.ndarray:
    return np.array([f"{prefix}{i:020x}" for i in range(n)], dtype=object)


def _days(d: date) -> int:
    return (d - _EPOCH).days


def _dates(days: np.ndarray) -> pa.Array:
    return pa.array(days.astype("int32"), type=pa.int32()).cast(pa.date32())


def _areas(
    wijken: int = _WIJKEN, per_wijk: int = _BUURTEN_PER_WIJK, periods: tuple[int, ...] = PERIODS
) -> pa.Table:
    rows: list[tuple[str, str, str, str | None]] = [("gemeente", "GM9901", "Benchstad", None)]
    for w in range(wijken):
        wk = f"WK9901{w:02d}"
        rows.append(("wijk", wk, f"Wijk {w}", "GM9901"))
        rows += [("buurt", f"BU9901{w:02d}{b:02d}", f"Buurt {w}.{b}", wk) for b in range(per_wijk)]
    level, code, name, parent = (list(c) for c in zip(*rows, strict=True))
    n = len(rows)
    return pa.table(
        {
            "level": level,
            "code": code,
            "name": name,
            "parent_code": parent,
            "gemeente_code": ["GM9901"] * n,
            "boundary_year": pa.array([periods[-1]] * n, pa.int32()),
            "geometry": [None] * n,
            "load_id": ["bench"] * n,
        }
    )


def canonical(
    persons: int,
    seed: int,
    *,
    wijken: int = _WIJKEN,
    per_wijk: int = _BUURTEN_PER_WIJK,
    periods: tuple[int, ...] = PERIODS,
    wmo_categories: tuple[str, ...] = ("01",),
) -> dict[str, pa.Table]:
    """Canonical tables of one generated gemeente (``wijken`` × ``per_wijk`` buurten);
    wmo provisions get a product category drawn from ``wmo_categories``."""
    rng = np.random.default_rng(seed)
    buurten = np.array(
        [f"BU9901{w:02d}{b:02d}" for w in range(wijken) for b in range(per_wijk)],
        dtype=object,
    )
    pid = _ids("p", persons)
    birth = rng.integers(1930, periods[-1] + 1, persons)
    household = rng.integers(0, max(persons // 2, 1), persons)
    hh_buurt = rng.integers(0, len(buurten), max(persons // 2, 1))
    hid = _ids("h", max(persons // 2, 1))
    sex = rng.choice(np.array(["1", "2"], dtype=object), persons)
    pp: dict[str, list[Any]] = {k: [] for k in ("period", "i")}
    for y in periods:
        alive = np.nonzero(birth <= y)[0]
        pp["period"].append(np.full(len(alive), y, dtype="int32"))
        pp["i"].append(alive)
    idx = np.concatenate(pp["i"])
    person_period = pa.table(
        {
            "period": np.concatenate(pp["period"]),
            "person_id": pid[idx],
            "birth_year": birth[idx].astype("int32"),
            "sex": sex[idx],
            "household_id": hid[household[idx]],
            "buurt_code": buurten[hh_buurt[household[idx]]],
            "load_id": np.full(len(idx), "bench", dtype=object),
        }
    )
    n_prov = persons // 6
    owner = rng.integers(0, persons, n_prov)
    law = rng.choice(np.array(["jeugd", "wmo", "pwet"], dtype=object), n_prov, p=[0.4, 0.4, 0.2])
    # One category draws nothing, so the default keeps the benchmark's data as it was.
    wmo_cat = (
        rng.choice(np.array(wmo_categories, dtype=object), n_prov)
        if len(wmo_categories) > 1
        else wmo_categories[0]
    )
    category = np.where(law == "pwet", "bijstandsuitkering", wmo_cat).astype(object)
    start = rng.integers(_days(date(2019, 1, 1)), _days(date(2025, 12, 31)), n_prov)
    end = start + rng.integers(30, 900, n_prov)
    open_end = rng.random(n_prov) < 0.2
    referrer = rng.choice(np.array(["01", "02", "03", "06"], dtype=object), n_prov)
    prov_id = _ids("v", n_prov)
    provision = pa.table(
        {
            "provision_id": prov_id,
            "person_id": pid[owner],
            "law": law,
            "product_category": category,
            "referrer": referrer,
            "start_date": _dates(start),
            "end_date": pa.array(end.astype("int32"), mask=open_end).cast(pa.date32()),
            "source": np.full(n_prov, "bench", dtype=object),
            "load_id": np.full(n_prov, "bench", dtype=object),
        }
    )
    aanvraag = start - rng.integers(20, 120, n_prov)
    beschikking = aanvraag + rng.integers(3, 80, n_prov)
    chain_event = pa.table(
        {
            "person_id": np.concatenate([pid[owner], pid[owner]]),
            "law": np.concatenate([law, law]),
            "step": np.array(["aanvraag"] * n_prov + ["beschikking"] * n_prov, dtype=object),
            "event_date": _dates(np.concatenate([aanvraag, beschikking])),
            "provision_id": np.concatenate([prov_id, prov_id]),
            "source": np.full(2 * n_prov, "bench", dtype=object),
            "load_id": np.full(2 * n_prov, "bench", dtype=object),
        }
    )
    billed = np.nonzero(law != "pwet")[0]
    lines = np.repeat(billed, 4)
    p_start = start[lines] + np.tile(np.arange(4) * 30, len(billed))
    cost = pa.table(
        {
            "declaratie_id": _ids("d", len(lines)),
            "person_id": pid[owner[lines]],
            "law": law[lines],
            "period_start": _dates(p_start),
            "period_end": _dates(p_start + 29),
            "amount": pa.array(np.round(rng.uniform(50, 3000, len(lines)), 2)).cast(
                pa.decimal128(14, 2)
            ),
            "source": np.full(len(lines), "bench", dtype=object),
            "load_id": np.full(len(lines), "bench", dtype=object),
        }
    )
    return {
        "area": _areas(wijken, per_wijk, periods),
        "person_period": person_period,
        "provision": provision,
        "chain_event": chain_event,
        "cost": cost,
    }


def bench_refresh(
    persons: int = 120_000, *, seed: int = 1, workdir: Path | None = None
) -> dict[str, Any]:
    """Build a workspace of ``persons`` inhabitants × 5 years and time one refresh."""
    with tempfile.TemporaryDirectory(prefix="zicht-bench-", dir=workdir) as tmp:
        t0 = time.perf_counter()
        ws = Workspace.init(
            Path(tmp) / "ws",
            gemeente_code="GM9901",
            gemeente_naam="Benchstad",
            boundary_year=PERIODS[-1],
        )
        tables = canonical(persons, seed)
        with ws.store() as store:
            rows = {name: store.insert_arrow(name, t) for name, t in tables.items()}
        setup = time.perf_counter() - t0
        report = refresh(ws)
        second = refresh(ws)
    return {
        "benchmark": "refresh",
        "persons": persons,
        "periods": list(PERIODS),
        "rows": rows,
        "setup_seconds": round(setup, 3),
        "refresh_seconds": report.seconds,
        "refresh_seconds_second_run": second.seconds,
        "cells": report.cells,
        "published": report.published,
        "suppressed": report.suppressed,
        "target_seconds": 10.0,
    }
