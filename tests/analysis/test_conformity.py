"""Conformity checks on hand-made canonical tables, and the real log against pm4py.

Hand-made (2024):

- T1 (P1, 01-01..06-30): beschikking, start 01-05 by P1, stop 06-30; declared January
  (fine) and July (outside the period).
- T2 (P2, 02-01..02-29): no beschikking, start 02-03 by P3 (another provider), stop 01-15
  (before the start); February declared twice (58 days for 29 assigned).
- T3 (P1, assigned 01-10): never started (more than 90 days before the last event).
- T9: a start without any toewijzing.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from tests.analysis.conftest import Built

from zicht.analysis import chain
from zicht.model.schema import CHAIN_STEPS, create_schema
from zicht.store import Store, open_store

d = dt.date


def _fill(store: Store) -> None:
    store.insert_arrow(
        "toewijzing",
        pa.table({
            "toewijzing_id": ["T1", "T2", "T3"], "person_id": ["a", "b", "c"],
            "law": ["jeugd"] * 3, "provider_code": ["P1", "P2", "P1"],
            "start_date": [d(2024, 1, 1), d(2024, 2, 1), d(2024, 1, 15)],
            "end_date": [d(2024, 6, 30), d(2024, 2, 29), None],
            "assigned_date": [d(2023, 12, 20), d(2024, 1, 25), d(2024, 1, 10)],
            "source": ["t"] * 3, "load_id": ["l"] * 3,
        }),
    )  # fmt: skip
    ev = [
        ("a", "beschikking", d(2023, 12, 15), "T1", None),
        ("a", "start_levering", d(2024, 1, 5), "T1", "P1"),
        ("a", "stop_levering", d(2024, 6, 30), "T1", "P1"),
        ("b", "start_levering", d(2024, 2, 3), "T2", "P3"),
        ("b", "stop_levering", d(2024, 1, 15), "T2", "P3"),
        ("e", "start_levering", d(2024, 3, 1), "T9", "P1"),
    ]
    store.insert_arrow(
        "chain_event",
        pa.table({
            "person_id": [e[0] for e in ev], "law": ["jeugd"] * len(ev),
            "step": [e[1] for e in ev], "event_date": [e[2] for e in ev],
            "toewijzing_id": [e[3] for e in ev], "provider_code": [e[4] for e in ev],
            "source": ["t"] * len(ev), "load_id": ["l"] * len(ev),
        }),
    )  # fmt: skip
    store.insert_arrow(
        "cost",
        pa.table({
            "declaratie_id": ["D1", "D2", "D3", "D4"], "person_id": ["a", "a", "b", "b"],
            "law": ["jeugd"] * 4, "provider_code": ["P1", "P1", "P2", "P2"],
            "toewijzing_id": ["T1", "T1", "T2", "T2"],
            "period_start": [d(2024, 1, 1), d(2024, 7, 1), d(2024, 2, 1), d(2024, 2, 1)],
            "period_end": [d(2024, 1, 31), d(2024, 7, 31), d(2024, 2, 29), d(2024, 2, 29)],
            "amount": pa.array([100, 100, 50, 50], pa.decimal128(14, 2)),
            "source": ["t"] * 4, "load_id": ["l"] * 4,
        }),
    )  # fmt: skip


def test_conformity_checks_by_hand(tmp_path: Path) -> None:
    with open_store(tmp_path / "c.duckdb") as store:
        create_schema(store)
        _fill(store)
        rows = chain.conformity(store).to_pylist()
    got: dict[str, list[int]] = {}
    for r in rows:
        acc = got.setdefault(r["check_id"], [0, 0])
        acc[0] += r["checked"]
        acc[1] += r["failed"]
    assert got == {
        "levering_zonder_toewijzing": [3, 1],
        "levering_zonder_beschikking": [3, 2],
        "start_na_stop": [2, 1],
        "andere_aanbieder": [6, 1],
        "declaratie_buiten_periode": [4, 1],
        "declaratie_boven_toewijzing": [2, 1],
        "toewijzing_nooit_gestart": [3, 1],
    }
    assert set(got) == set(chain.CHECKS)


@pytest.mark.slow
def test_real_log_checks_point_at_the_planted_provider(gemeente: Callable[[int], Built]) -> None:
    built = gemeente(3)
    (provider,) = [p["provider"] for p in built.manifest["planted"] if "provider" in p]
    with built.ws.store(read_only=True) as store:
        rows = chain.conformity(store).to_pylist()
    outside = {r["provider_code"] for r in rows if r["check_id"] == "declaratie_buiten_periode"
               and r["failed"]}  # fmt: skip
    above = {r["provider_code"] for r in rows if r["check_id"] == "declaratie_boven_toewijzing"
             and r["failed"]}  # fmt: skip
    assert outside == {provider} and above == {provider}
    clean = [r for r in rows if r["check_id"] in ("start_na_stop", "andere_aanbieder",
                                                  "levering_zonder_toewijzing")]  # fmt: skip
    assert sum(r["failed"] for r in clean) == 0  # the generator makes none of these


@pytest.mark.slow
def test_real_log_equals_pm4py(gemeente: Callable[[int], Built]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pm4py = pytest.importorskip("pm4py")
    built = gemeente(3)
    with built.ws.store() as store:
        n = chain.build_log(store)
        log = chain.events(store)
        ours = {(r["from_step"], r["to_step"]): r for r in chain.step_times(store).to_pylist()}
        variants = {r["variant"]: r["cases"] for r in chain.variants(store).to_pylist()}
    assert n == log.num_rows > 10_000
    steps = Counter(log.column("step").to_pylist())
    assert {"aanvraag", "beschikking", "toewijzing", "start_levering", "declaratie",
            "stop_levering"} <= set(steps)  # fmt: skip
    df = _frame(log)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        df = pm4py.format_dataframe(
            df, case_id="case_id", activity_key="step", timestamp_key="time:timestamp"
        )
        perf = pm4py.discover_performance_dfg(df)[0]
        theirs = pm4py.get_variants(df)
    assert set(perf) == set(ours)
    for edge, stats in perf.items():
        assert ours[edge]["median_days"] * 86400 == pytest.approx(stats["median"]), edge
        assert ours[edge]["n"] >= 1
    assert variants == {
        ",".join(k): (v if isinstance(v, int) else len(v)) for k, v in theirs.items()
    }


def _frame(log: pa.Table) -> Any:
    pd = pytest.importorskip("pandas")
    df = log.to_pandas()
    df["time:timestamp"] = pd.to_datetime(df["event_date"])
    df["rank"] = df["step"].map({s: i for i, s in enumerate(CHAIN_STEPS)})
    return df.sort_values(["case_id", "time:timestamp", "rank"], kind="stable").reset_index(
        drop=True
    )
