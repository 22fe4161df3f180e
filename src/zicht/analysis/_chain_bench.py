"""Benchmark: the client chain analyses of zicht against pm4py on the same event log.

A synthetic log of about ``events`` events is drawn (vectorised): cases follow one of
the chain's usual variants, with random gaps between the steps. zicht loads the Arrow
table into an in-memory DuckDB with :func:`zicht.analysis.chain.load_log` (the same
ordering core, ``zicht.analysis._chain_seq``, that ``build_log`` runs in the refresh) and
computes the step times (median, p90 per directly-follows pair), the variants and the
case durations with the functions the refresh publishes; pm4py gets the same log as a
pandas DataFrame (both get case_id, step and event_date only), formats it
(``format_dataframe``: typing and sorting) and computes the performance DFG, the
variants and the case durations. Both answers are compared (variant counts and edge
medians must agree), so the timings are of the same work.

Every measurement runs in its own process (``python -m zicht.analysis._chain_bench
TOOL EVENTS``), so that its peak resident memory is its own: wall and CPU time (user +
sys) of the timed part, peak RSS of the process and RSS before the timed part (the
drawn log and, for pm4py, its DataFrame). The tools alternate within a run, and the
run is repeated; the medians are reported with the ratio measured within each run.
``zicht-shuffled`` is zicht on the same log with its rows in random order (no case
grouping to exploit: every id hashed, every event sorted).

pm4py is a test-only dependency (the ``test`` extra); without it only zicht is timed.
"""

from __future__ import annotations

import gc
import json
import os
import resource
import statistics
import subprocess
import sys
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


def _pm4py_frame(log: pa.Table) -> Any:
    """The log as pm4py wants it (untimed): pandas, timestamps, zicht's order (date,
    then the usual step order) given as the input order."""
    import pandas as pd

    df = log.select(["case_id", "step", "event_date"]).to_pandas()
    df["time:timestamp"] = pd.to_datetime(df["event_date"])
    df["rank"] = df["step"].map({s: i for i, s in enumerate(CHAIN_STEPS)})
    df = df.sort_values(["case_id", "time:timestamp", "rank"], kind="stable")
    return df.reset_index(drop=True)


def _pm4py_run(df: Any) -> tuple[float, dict[str, int], dict[tuple[str, str], float]]:
    import pm4py

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
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


def _has_pm4py() -> bool:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            import pandas  # noqa: F401
            import pm4py  # noqa: F401
        except ImportError:
            return False
    return True


TOOLS = ("zicht", "pm4py", "zicht-shuffled")


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def measure(tool: str, events: int) -> dict[str, Any]:
    """One measurement of ``tool`` on the log of ``events`` events, in this process."""
    log = make_log(events)
    if tool == "zicht-shuffled":
        rng = np.random.default_rng(2)
        log = log.take(pa.array(rng.permutation(log.num_rows)))
    prepared: Any = log
    n = int(log.num_rows)
    if tool == "pm4py":
        if not _has_pm4py():
            return {"tool": tool, "missing": True}
        prepared = _pm4py_frame(log)
        del log
    gc.collect()
    rss_start, cpu0 = _rss_mib(), _cpu()
    if tool == "pm4py":
        seconds, v, edges = _pm4py_run(prepared)
    else:
        seconds, v, edges = _zicht(prepared)
    cpu = _cpu() - cpu0
    return {
        "tool": tool,
        "events": n,
        "wall_s": seconds,
        "cpu_s": cpu,
        "rss_start_mib": rss_start,
        "rss_peak_mib": _rss_mib(),
        "variants": v,
        "edges": [[a, b, m] for (a, b), m in sorted(edges.items())],
    }


def _measure_apart(tool: str, events: int) -> dict[str, Any]:
    """:func:`measure` in a fresh Python process."""
    out = subprocess.run(  # noqa: S603  # this module, fixed arguments
        [sys.executable, "-m", "zicht.analysis._chain_bench", tool, str(events)],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    if a["variants"] != b["variants"] or len(a["edges"]) != len(b["edges"]):
        return False
    return all(
        (x[0], x[1]) == (y[0], y[1]) and abs(x[2] - y[2]) < 1e-9
        for x, y in zip(a["edges"], b["edges"], strict=True)
    )


def run_chain_bench(sizes: list[int], pm4py_max: int, runs: int = 3) -> list[dict[str, Any]]:
    """Time the tools at each size, ``runs`` times, each measurement in its own process
    (pm4py only up to ``pm4py_max`` events); medians, and the ratio within each run."""
    tools = [t for t in TOOLS if t != "pm4py" or _has_pm4py()]
    out: list[dict[str, Any]] = []
    for size in sizes:
        got: dict[str, list[dict[str, Any]]] = {t: [] for t in tools}
        loads: list[float] = []
        for _ in range(runs):
            loads.append(os.getloadavg()[0])
            for tool in tools:
                if tool == "pm4py" and size > pm4py_max:
                    continue
                got[tool].append(_measure_apart(tool, size))
        z = got["zicht"]
        row: dict[str, Any] = {
            "events": z[0]["events"],
            "cases": int(sum(z[0]["variants"].values())),
            "runs": runs,
            "load": f"{min(loads):.1f}-{max(loads):.1f}",
        }
        for tool, key in (("zicht", "zicht"), ("zicht-shuffled", "shuffled"), ("pm4py", "pm4py")):
            if got.get(tool):
                row[f"{key}_s"] = round(_median([m["wall_s"] for m in got[tool]]), 2)
                row[f"{key}_cpu_s"] = round(_median([m["cpu_s"] for m in got[tool]]), 2)
                row[f"{key}_rss_mib"] = round(_median([m["rss_peak_mib"] for m in got[tool]]))
                row[f"{key}_log_mib"] = round(_median([m["rss_start_mib"] for m in got[tool]]))
        if got.get("zicht-shuffled"):
            row["same_result_shuffled"] = all(_same(m, z[0]) for m in got["zicht-shuffled"])
        p = got.get("pm4py", [])
        if p:
            ratios = [b["wall_s"] / a["wall_s"] for a, b in zip(z, p, strict=False)]
            cpu_ratios = [b["cpu_s"] / a["cpu_s"] for a, b in zip(z, p, strict=False)]
            row["speedup"] = round(_median(ratios), 1)
            row["speedup_range"] = f"{min(ratios):.1f}-{max(ratios):.1f}"
            row["cpu_speedup"] = round(_median(cpu_ratios), 1)
            row["same_result"] = all(_same(a, b) for a, b in zip(z, p, strict=False))
        out.append(row)
    return out


def _median(values: list[float]) -> float:
    return float(statistics.median(values))


def format_markdown(rows: list[dict[str, Any]], machine: str, today: str) -> str:
    """A dated section for docs/benchmarks.md."""
    runs = rows[0]["runs"] if rows else 0
    lines = [
        f"### {today}: client chain, zicht against pm4py",
        "",
        f"Machine: {machine}. `zicht bench --keten-events N`: median of {runs} runs, each",
        "tool in its own process, the tools alternating within a run; wall and CPU",
        "(user + sys) seconds of the timed part; peak RSS of the process (in brackets:",
        "before the timed part, i.e. the drawn log and pm4py's DataFrame); ratio = pm4py",
        "over zicht within each run (median, range).",
        "",
        "| events | cases | load | zicht s (CPU) | zicht MiB | shuffled s (CPU) "
        "| pm4py s (CPU) | pm4py MiB | pm4py / zicht wall (range) | CPU ratio | same result |",
        "|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['events']:,} | {r['cases']:,} | {r['load']} "
            f"| {r['zicht_s']} ({r['zicht_cpu_s']}) "
            f"| {r['zicht_rss_mib']} ({r['zicht_log_mib']}) "
            f"| {r.get('shuffled_s', '–')} ({r.get('shuffled_cpu_s', '–')}) "
            f"| {r.get('pm4py_s', '–')} ({r.get('pm4py_cpu_s', '–')}) "
            f"| {r.get('pm4py_rss_mib', '–')} ({r.get('pm4py_log_mib', '–')}) "
            f"| {r.get('speedup', '–')} ({r.get('speedup_range', '–')}) "
            f"| {r.get('cpu_speedup', '–')} "
            f"| {_yes(r.get('same_result'))}, shuffled {_yes(r.get('same_result_shuffled'))} |"
        )
    return "\n".join(lines) + "\n"


def _yes(value: object) -> str:
    return "–" if value is None else ("yes" if value else "NO")


if __name__ == "__main__":
    print(json.dumps(measure(sys.argv[1], int(sys.argv[2]))))
