"""Benchmark: the client chain analyses of zicht against pm4py on the same event log.

A synthetic log of about ``events`` events is drawn (vectorised): cases follow one of
the chain's usual variants, with random gaps between the steps. zicht loads the Arrow
table into an in-memory DuckDB and computes the step times (median, p90 per
directly-follows pair), the variants and the case durations; pm4py gets the same log as
a pandas DataFrame (both get case_id, step and
event_date only), formats it (``format_dataframe``: typing and sorting) and computes
the performance DFG, the variants and the case durations. Both answers are compared
(variant counts and edge medians must agree), so the timings are of the same work.

pm4py is a test-only dependency (the ``test`` extra); without it only zicht is timed.
"""

from __future__ import annotations

import gc
import time
import warnings
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from zicht.analysis import chain
from zicht.model.schema import CHAIN_STEPS
from zicht.store import open_store

__all__ = ["make_log", "run_chain_bench"]

_VARIANTS: tuple[tuple[tuple[str, ...], float], ...] = (
    (("aanvraag", "beschikking", "toewijzing", "start_levering", "declaratie",
      "stop_levering"), 0.40),
    (("aanvraag", "beschikking", "toewijzing", "start_levering", "declaratie"), 0.25),
    (("melding", "aanvraag", "beschikking", "toewijzing", "start_levering", "declaratie",
      "stop_levering"), 0.15),
    (("aanvraag", "beschikking"), 0.10),
    (("aanvraag", "eerste_gesprek"), 0.05),
    (("aanvraag", "beschikking", "toewijzing"), 0.03),
    (("verzoek_toewijzing", "toewijzing", "start_levering", "declaratie"), 0.02),
)  # fmt: skip


def make_log(events: int, seed: int = 1) -> pa.Table:
    """A log of about ``events`` events: case_id, law, step, event_date."""
    rng = np.random.default_rng(seed)
    mean_len = sum(len(v) * p for v, p in _VARIANTS)
    n_cases = max(1, int(events / mean_len))
    probs = np.array([p for _, p in _VARIANTS])
    which = rng.choice(len(_VARIANTS), size=n_cases, p=probs / probs.sum())
    lengths = np.array([len(v) for v, _ in _VARIANTS])[which]
    total = int(lengths.sum())
    case = np.repeat(np.arange(n_cases), lengths)
    pos = np.arange(total) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    step_table = np.full((len(_VARIANTS), max(len(v) for v, _ in _VARIANTS)), -1, dtype=np.int64)
    index = {s: i for i, s in enumerate(CHAIN_STEPS)}
    for i, (v, _) in enumerate(_VARIANTS):
        step_table[i, : len(v)] = [index[s] for s in v]
    step = step_table[np.repeat(which, lengths), pos]
    gap = np.where(pos == 0, 0, rng.integers(0, 60, total))
    start = rng.integers(18_628, 20_454, n_cases)  # 2021-01-01 .. 2025-12-31
    cum = np.cumsum(gap)
    day = np.repeat(start, lengths) + cum - np.repeat(cum[np.cumsum(lengths) - lengths], lengths)
    laws = np.array(["jeugd", "wmo", "pwet", "schuld"], dtype=object)
    case_law = laws[rng.integers(0, 4, n_cases)]
    case_ids = pc.binary_join_element_wise("C", pa.array(case).cast(pa.string()), "")
    return pa.table(
        {
            "case_id": case_ids,
            "law": pa.array(case_law[case], pa.string()),
            "step": pa.array(np.array(CHAIN_STEPS, dtype=object)[step], pa.string()),
            "event_date": pa.array(day.astype("datetime64[D]")),
        }
    )


def _zicht(log: pa.Table) -> tuple[float, dict[str, int], dict[tuple[str, str], float]]:
    t0 = time.perf_counter()
    with open_store(":memory:") as store:
        chain.load_log(store, log.select(["case_id", "step", "event_date"]))
        steps = chain.step_times(store)
        variants = chain.variants(store)
        chain.case_durations(store)
    seconds = time.perf_counter() - t0
    names, counts = variants.column("variant").to_pylist(), variants.column("cases").to_pylist()
    v = dict(zip(names, counts, strict=True))
    edges = {
        (a, b): m
        for a, b, m in zip(
            steps.column("from_step").to_pylist(),
            steps.column("to_step").to_pylist(),
            steps.column("median_days").to_pylist(),
            strict=True,
        )
    }
    return seconds, v, edges


def _pm4py(log: pa.Table) -> tuple[float, dict[str, int], dict[tuple[str, str], float]] | None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            import pandas as pd
            import pm4py
        except ImportError:
            return None
        df = log.select(["case_id", "step", "event_date"]).to_pandas()
        df["time:timestamp"] = pd.to_datetime(df["event_date"])
        df["rank"] = df["step"].map({s: i for i, s in enumerate(CHAIN_STEPS)})
        # zicht's order (date, then the usual step order) given as the input order.
        df = df.sort_values(["case_id", "time:timestamp", "rank"], kind="stable")
        df = df.reset_index(drop=True)
        t0 = time.perf_counter()
        df = pm4py.format_dataframe(
            df, case_id="case_id", activity_key="step", timestamp_key="time:timestamp"
        )
        perf = pm4py.discover_performance_dfg(df)[0]
        variants = pm4py.get_variants(df)
        pm4py.get_all_case_durations(df)
        seconds = time.perf_counter() - t0
    v = {",".join(k): (n if isinstance(n, int) else len(n)) for k, n in variants.items()}
    edges = {k: float(s["median"]) / 86400 for k, s in perf.items()}
    return seconds, v, edges


def run_chain_bench(sizes: list[int], pm4py_max: int) -> list[dict[str, Any]]:
    """Time both at each size (pm4py only up to ``pm4py_max`` events)."""
    out: list[dict[str, Any]] = []
    for size in sizes:
        log = make_log(size)
        z_s, z_v, z_e = _zicht(log)
        row: dict[str, Any] = {
            "events": log.num_rows,
            "cases": int(sum(z_v.values())),
            "zicht_s": round(z_s, 2),
        }
        gc.collect()
        if size <= pm4py_max:
            got = _pm4py(log)
            if got is not None:
                p_s, p_v, p_e = got
                row["pm4py_s"] = round(p_s, 2)
                row["speedup"] = round(p_s / z_s, 1)
                row["same_result"] = (
                    p_v == z_v
                    and all(abs(p_e[k] - z_e[k]) < 1e-9 for k in p_e)
                    and set(p_e) == set(z_e)
                )
        out.append(row)
        del log
        gc.collect()
    return out


def format_markdown(rows: list[dict[str, Any]], machine: str, today: str) -> str:
    """A dated section for docs/benchmarks.md."""
    lines = [
        f"### {today}: client chain, zicht against pm4py",
        "",
        f"Machine: {machine}. `zicht bench --keten-events N` (one run per size).",
        "",
        "| events | cases | zicht s | pm4py s | pm4py / zicht | same result |",
        "|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['events']:,} | {r['cases']:,} | {r['zicht_s']} | {r.get('pm4py_s', '–')} "
            f"| {r.get('speedup', '–')} | {r.get('same_result', '–')} |"
        )
    return "\n".join(lines) + "\n"
