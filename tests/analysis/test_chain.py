"""The client chain on a small hand-made log: against hand-computed tables and pm4py.

Six cases (2024 is a leap year; days counted by hand):

- A jeugd P1 W1: aanvraag 01-01, beschikking 01-20, toewijzing 01-22, start 02-01,
  declaratie 02-29, stop 05-31
- B jeugd P2 W1: aanvraag 01-05, beschikking 03-15, toewijzing 03-15 (same day: the
  usual step order decides), start 04-01
- C wmo P1 W2: melding 02-01, aanvraag 02-10, beschikking 02-20, toewijzing 02-21 (waits)
- D wmo P1 W2: melding 03-01, aanvraag 03-02, beschikking 03-30, toewijzing 04-01,
  start 04-10, stop 06-30
- E, F pwet: aanvraag 01-10 / 03-01, beschikking 02-01 / 03-31
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from zicht.analysis import chain
from zicht.model.schema import CHAIN_STEPS, create_schema
from zicht.store import Store, open_store

D = dt.date
CASES: dict[str, tuple[str, str | None, str | None, list[tuple[str, dt.date]]]] = {
    "A": ("jeugd", "P1", "W1", [
        ("aanvraag", D(2024, 1, 1)), ("beschikking", D(2024, 1, 20)),
        ("toewijzing", D(2024, 1, 22)), ("start_levering", D(2024, 2, 1)),
        ("declaratie", D(2024, 2, 29)), ("stop_levering", D(2024, 5, 31))]),
    "B": ("jeugd", "P2", "W1", [
        ("aanvraag", D(2024, 1, 5)), ("toewijzing", D(2024, 3, 15)),
        ("beschikking", D(2024, 3, 15)), ("start_levering", D(2024, 4, 1))]),
    "C": ("wmo", "P1", "W2", [
        ("melding", D(2024, 2, 1)), ("aanvraag", D(2024, 2, 10)),
        ("beschikking", D(2024, 2, 20)), ("toewijzing", D(2024, 2, 21))]),
    "D": ("wmo", "P1", "W2", [
        ("melding", D(2024, 3, 1)), ("aanvraag", D(2024, 3, 2)),
        ("beschikking", D(2024, 3, 30)), ("toewijzing", D(2024, 4, 1)),
        ("start_levering", D(2024, 4, 10)), ("stop_levering", D(2024, 6, 30))]),
    "E": ("pwet", None, "W1", [("aanvraag", D(2024, 1, 10)), ("beschikking", D(2024, 2, 1))]),
    "F": ("pwet", None, "W2", [("aanvraag", D(2024, 3, 1)), ("beschikking", D(2024, 3, 31))]),
}  # fmt: skip


def hand_log() -> pa.Table:
    rows: dict[str, list[Any]] = {c: [] for c in chain.LOG_COLUMNS}
    for case, (law, provider, wijk, events) in CASES.items():
        for step, day in events:
            rows["case_id"].append(case)
            rows["person_id"].append("p" + case)
            rows["law"].append(law)
            rows["step"].append(step)
            rows["event_date"].append(day)
            rows["product_category"].append("45" if law == "jeugd" else None)
            rows["provider_code"].append(provider)
            rows["referrer"].append("02" if case == "A" else None)
            rows["wijk_code"].append(wijk)
    return pa.table(rows)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with open_store(tmp_path / "t.duckdb") as s:
        create_schema(s)
        chain.load_log(s, hand_log())
        yield s


def _edges(t: pa.Table) -> dict[tuple[str, str], dict[str, Any]]:
    return {(r["from_step"], r["to_step"]): r for r in t.to_pylist()}


def test_step_times_equal_the_hand_table(store: Store) -> None:
    got = _edges(chain.step_times(store))
    expected = {  # (from, to): (n, median, p90) computed by hand, linear interpolation
        ("aanvraag", "beschikking"): (6, 25.0, 50.0),  # 10 19 22 28 30 70
        ("melding", "aanvraag"): (2, 5.0, 8.2),  # 1 9
        ("beschikking", "toewijzing"): (4, 1.5, 2.0),  # 0 1 2 2
        ("toewijzing", "start_levering"): (3, 10.0, 15.6),  # 9 10 17
        ("start_levering", "declaratie"): (1, 28.0, 28.0),
        ("declaratie", "stop_levering"): (1, 92.0, 92.0),
        ("start_levering", "stop_levering"): (1, 81.0, 81.0),
    }
    assert set(got) == set(expected)
    for edge, (n, med, p90) in expected.items():
        assert (got[edge]["n"], got[edge]["median_days"]) == (n, med), edge
        assert got[edge]["p90_days"] == pytest.approx(p90), edge


def test_step_times_by_dimension(store: Store) -> None:
    by_law = chain.step_times(store, "law").to_pylist()
    ab = {
        r["dim_value"]: (r["n"], r["median_days"])
        for r in by_law
        if (r["from_step"], r["to_step"]) == ("aanvraag", "beschikking")
    }
    assert ab == {"jeugd": (2, 44.5), "wmo": (2, 19.0), "pwet": (2, 26.0)}
    by_wijk = chain.step_times(store, "wijk_code").to_pylist()
    w1 = [r for r in by_wijk if r["dim_value"] == "W1" and r["from_step"] == "aanvraag"]
    assert [(r["n"], r["median_days"]) for r in w1] == [(3, 22.0)]  # A 19, B 70, E 22
    with pytest.raises(ValueError):
        chain.step_times(store, "naam")


def test_variants_and_durations_equal_the_hand_table(store: Store) -> None:
    v = {r["variant"]: (r["cases"], r["median_days"]) for r in chain.variants(store).to_pylist()}
    assert v == {
        "aanvraag,beschikking": (2, 26.0),  # E 22, F 30
        "aanvraag,beschikking,toewijzing,start_levering,declaratie,stop_levering": (1, 151.0),
        "aanvraag,beschikking,toewijzing,start_levering": (1, 87.0),  # B: the tie ordered
        "melding,aanvraag,beschikking,toewijzing": (1, 20.0),
        "melding,aanvraag,beschikking,toewijzing,start_levering,stop_levering": (1, 121.0),
    }
    d = {r["case_id"]: r["days"] for r in chain.case_durations(store).to_pylist()}
    assert d == {"A": 151, "B": 87, "C": 20, "D": 121, "E": 22, "F": 30}


def test_compliance_with_the_legal_terms(store: Store) -> None:
    rows = chain.compliance(store, chain.Terms()).to_pylist()
    got = {r["rule"]: (r["cases"], r["within_term"], r["within_term_pct"]) for r in rows}
    assert got == {
        "jeugd_beschikking": (2, 1, 50.0),  # A 19 ≤ 56, B 70 > 56
        "wmo_beschikking": (2, 1, 50.0),  # C 10 ≤ 14, D 28 > 14
        "pwet_beschikking": (2, 2, 100.0),
    }
    strict = chain.compliance(store, chain.Terms(jeugd_beschikking=18)).to_pylist()
    assert [r["within_term"] for r in strict if r["rule"] == "jeugd_beschikking"] == [0]


def test_waiting_time_and_waiting_list(store: Store) -> None:
    (total,) = chain.waiting(store).to_pylist()
    assert (total["started"], total["median_days"], total["on_waiting_list"]) == (3, 10.0, 1)
    assert total["median_open_days"] == 130.0  # C: 02-21 .. 06-30
    by_provider = {r["dim_value"]: r for r in chain.waiting(store, "provider_code").to_pylist()}
    assert (by_provider["P2"]["started"], by_provider["P2"]["median_days"]) == (1, 17.0)


# -- pm4py on the same log ----------------------------------------------------------------


def _pm4py_frame() -> Any:
    pd = pytest.importorskip("pandas")
    log = hand_log().to_pandas()
    log["rank"] = log["step"].map({s: i for i, s in enumerate(CHAIN_STEPS)})
    log["time:timestamp"] = pd.to_datetime(log["event_date"])
    # The same total order as zicht's: date, then the usual step order.
    log = log.sort_values(["case_id", "time:timestamp", "rank"], kind="stable")
    return log.reset_index(drop=True)


def _pm4py() -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pytest.importorskip("pm4py")


def test_throughput_times_equal_pm4py(store: Store) -> None:
    pm4py = _pm4py()
    df = pm4py.format_dataframe(
        _pm4py_frame(), case_id="case_id", activity_key="step", timestamp_key="time:timestamp"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        perf = pm4py.discover_performance_dfg(df)[0]
        durations = pm4py.get_all_case_durations(df)
    ours = _edges(chain.step_times(store))
    assert set(perf) == set(ours)
    for edge, stats in perf.items():
        assert ours[edge]["median_days"] * 86400 == pytest.approx(stats["median"]), edge
        assert ours[edge]["mean_days"] * 86400 == pytest.approx(stats["mean"]), edge
        assert ours[edge]["max_days"] * 86400 == pytest.approx(stats["max"]), edge
    mine = sorted(r["days"] * 86400 for r in chain.case_durations(store).to_pylist())
    assert mine == sorted(durations)


def test_variant_counts_equal_pm4py(store: Store) -> None:
    pm4py = _pm4py()
    df = pm4py.format_dataframe(
        _pm4py_frame(), case_id="case_id", activity_key="step", timestamp_key="time:timestamp"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = pm4py.get_variants(df)
    theirs_n = {",".join(k): (v if isinstance(v, int) else len(v)) for k, v in theirs.items()}
    ours = {r["variant"]: r["cases"] for r in chain.variants(store).to_pylist()}
    assert ours == theirs_n


def test_long_cases_fall_back_to_spelled_out_variants(tmp_path: Path) -> None:
    # 20 events in one case: more digits than the integer code holds exactly.
    steps = [CHAIN_STEPS[i % 2 + 1] for i in range(20)]  # onderzoek, aanvraag, ...
    log = pa.table(
        {
            "case_id": ["L"] * 20 + ["S", "S"],
            "law": ["wmo"] * 22,
            "step": steps + ["aanvraag", "beschikking"],
            "event_date": [D(2024, 1, 1) + dt.timedelta(days=i) for i in range(20)]
            + [D(2024, 1, 1), D(2024, 1, 3)],
        }
    )
    with open_store(tmp_path / "l.duckdb") as s:
        chain.load_log(s, log)
        got = {r["variant"]: r["cases"] for r in chain.variants(s).to_pylist()}
    assert got == {",".join(steps): 1, "aanvraag,beschikking": 1}


def test_postgresql_gives_the_same_tables(store: Store, postgres_dsn: str) -> None:
    with open_store(postgres_dsn) as pg:
        chain.load_log(pg, hand_log())
        for fn in (
            lambda s: chain.step_times(s),
            lambda s: chain.step_times(s, "wijk_code"),
            chain.variants,
            lambda s: chain.case_durations(s).sort_by("case_id"),  # unordered on PostgreSQL
            lambda s: chain.compliance(s, chain.Terms()),
            lambda s: chain.waiting(s, "law"),
        ):
            ours, theirs = fn(store).to_pylist(), fn(pg).to_pylist()
            assert len(ours) == len(theirs)
            for a, b in zip(ours, theirs, strict=True):
                assert a.keys() == b.keys()
                for k in a:
                    if isinstance(a[k], float) or isinstance(b[k], float):
                        assert float(a[k]) == pytest.approx(float(b[k])), k
                    else:
                        assert a[k] == b[k], k


# -- the ordering core: input order, case keys, percentiles --------------------------------


def _answers(s: Store) -> tuple[Any, ...]:
    steps = sorted(tuple(r.values()) for r in chain.step_times(s, "law").to_pylist())
    var = chain.variants(s).to_pylist()
    dur = sorted(tuple(r.values()) for r in chain.case_durations(s).to_pylist())
    comp = chain.compliance(s, chain.Terms()).to_pylist()
    return steps, var, dur, comp


def test_the_order_of_the_input_does_not_matter(store: Store, tmp_path: Path) -> None:
    # Reversed and interleaved: cases arrive in several runs, ids in no order, so the
    # ids are hashed and the events sorted (the hand log itself takes the fast path).
    log = hand_log()
    n = log.num_rows
    order = [i for k in range(3) for i in range(n - 1 - k, -1, -3)]
    assert sorted(order) == list(range(n))
    with open_store(tmp_path / "o.duckdb") as s:
        assert chain.load_log(s, log.take(pa.array(order))) == n
        assert _answers(s) == _answers(store)


def test_events_without_case_date_or_known_step_are_left_out(tmp_path: Path) -> None:
    log = pa.table(
        {
            "case_id": ["A", "A", None, "A", "B"],
            "step": ["aanvraag", "beschikking", "aanvraag", "onbekend", "aanvraag"],
            "event_date": [D(2024, 1, 1), D(2024, 1, 11), D(2024, 1, 1), D(2024, 1, 2), None],
        }
    )
    with open_store(tmp_path / "x.duckdb") as s:
        assert chain.load_log(s, log) == 2
        assert [r["variant"] for r in chain.variants(s).to_pylist()] == ["aanvraag,beschikking"]
        assert chain.case_durations(s)["days"].to_pylist() == [10.0]


def test_step_time_percentiles_equal_numpy_on_a_drawn_log(tmp_path: Path) -> None:
    """The counted-gap percentiles against numpy's on the per-edge lists of gaps, built
    in plain Python from the raw log (many edges, many group sizes, many ties)."""
    import numpy as np

    from zicht.analysis._chain_bench import make_log

    log = make_log(20_000, seed=7)
    per_case: dict[str, list[tuple[dt.date, int]]] = {}
    for case_id, step, day in zip(
        log["case_id"].to_pylist(),
        log["step"].to_pylist(),
        log["event_date"].to_pylist(),
        strict=True,
    ):
        per_case.setdefault(case_id, []).append((day, chain.RANK[step]))
    gaps: dict[tuple[str, str], list[int]] = {}
    for events in per_case.values():
        events.sort()
        for (d0, a), (d1, b) in zip(events, events[1:], strict=False):
            gaps.setdefault((CHAIN_STEPS[a], CHAIN_STEPS[b]), []).append((d1 - d0).days)
    with open_store(tmp_path / "p.duckdb") as s:
        chain.load_log(s, log)
        got = _edges(chain.step_times(s))
    assert set(got) == set(gaps)
    for edge, values in gaps.items():
        row = got[edge]
        assert row["n"] == len(values)
        assert row["median_days"] == pytest.approx(np.percentile(values, 50), abs=1e-9)
        assert row["p90_days"] == pytest.approx(np.percentile(values, 90), abs=1e-9)
        assert row["mean_days"] == pytest.approx(np.mean(values))
        assert (row["min_days"], row["max_days"]) == (min(values), max(values))
    # A small edge with every fraction of the p90 position: n = 1 .. 12.
    for n in range(1, 13):
        values = [int(v) for v in np.random.default_rng(n).integers(0, 40, n)]
        small = pa.table(
            {
                "case_id": [f"c{i}" for i in range(n) for _ in (0, 1)],
                "step": ["aanvraag", "beschikking"] * n,
                "event_date": [
                    D(2024, 1, 1) + dt.timedelta(days=v * k) for v in values for k in (0, 1)
                ],
            }
        )
        with open_store(tmp_path / f"s{n}.duckdb") as s:
            chain.load_log(s, small)
            (row,) = chain.step_times(s).to_pylist()
        assert row["median_days"] == pytest.approx(np.percentile(values, 50), abs=1e-9), n
        assert row["p90_days"] == pytest.approx(np.percentile(values, 90), abs=1e-9), n


def test_a_drawn_log_in_random_order_equals_pm4py(tmp_path: Path) -> None:
    """5,000 drawn events with their rows shuffled (zicht hashes every id and sorts);
    pm4py gets them in zicht's order, as in the benchmark."""
    import numpy as np

    from zicht.analysis._chain_bench import make_log

    pm4py = _pm4py()
    pd = pytest.importorskip("pandas")
    log = make_log(5_000, seed=11)
    shuffled = log.take(pa.array(np.random.default_rng(3).permutation(log.num_rows)))
    with open_store(tmp_path / "r.duckdb") as s:
        chain.load_log(s, shuffled)
        ours = _edges(chain.step_times(s))
        variants = {r["variant"]: r["cases"] for r in chain.variants(s).to_pylist()}
        durations = sorted(r["days"] * 86400 for r in chain.case_durations(s).to_pylist())
    df = log.to_pandas()
    df["time:timestamp"] = pd.to_datetime(df["event_date"])
    df["rank"] = df["step"].map(chain.RANK)
    df = df.sort_values(["case_id", "time:timestamp", "rank"], kind="stable")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        df = pm4py.format_dataframe(
            df.reset_index(drop=True),
            case_id="case_id",
            activity_key="step",
            timestamp_key="time:timestamp",
        )
        perf = pm4py.discover_performance_dfg(df)[0]
        theirs = pm4py.get_variants(df)
        their_durations = sorted(pm4py.get_all_case_durations(df))
    assert set(perf) == set(ours)
    for edge, stats in perf.items():
        assert ours[edge]["median_days"] * 86400 == pytest.approx(stats["median"]), edge
        assert ours[edge]["mean_days"] * 86400 == pytest.approx(stats["mean"]), edge
        assert ours[edge]["max_days"] * 86400 == pytest.approx(stats["max"]), edge
    assert variants == {
        ",".join(k): (v if isinstance(v, int) else len(v)) for k, v in theirs.items()
    }
    assert durations == pytest.approx(their_durations)
