"""`zicht bench`: time and peak memory of each step of the real path.

Each step runs in a fresh process so that its peak resident memory is its own
(``ru_maxrss`` of that process). Figures are single runs on a noisy machine; the
docs quote medians of several runs.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp
import os
import platform
import resource
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _step_synth(out: str, persons: int, years: int) -> None:
    from zicht.synth import generate

    generate(Path(out), persons=persons, years=years, seed=1)


def _step_ingest(exports: str, ws_dir: str) -> None:
    import json

    from zicht.sources.ingest import ingest_files
    from zicht.workspace import Workspace

    manifest = json.loads((Path(exports) / "manifest.json").read_text(encoding="utf-8"))
    ws = Workspace.init(Path(ws_dir))
    for rel in manifest["ingest_order"]:
        ingest_files(ws, [Path(exports) / rel])
    if manifest.get("cbs_kwb"):
        from zicht.sources.cbs import load_kwb

        load_kwb(ws, Path(exports) / manifest["cbs_kwb"])


def _step_refresh(ws_dir: str) -> None:
    from zicht.indicators.refresh import refresh
    from zicht.workspace import Workspace

    refresh(Workspace.open(Path(ws_dir)))


def peak_rss_mib() -> float:
    """Peak resident memory of this process since its program started, in MiB.

    ``VmHWM`` of ``/proc/self/status`` belongs to the process's own address space, which
    ``exec`` replaces. ``ru_maxrss`` is not: Linux carries the parent's high-water mark
    over a fork and exec, so a child started by a 2 GiB test runner reports ≥ 2 GiB.
    """
    try:
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(fn_name: str, args: tuple[Any, ...], queue: Any) -> None:
    fn = globals()[fn_name]
    t0 = time.perf_counter()
    fn(*args)
    seconds = time.perf_counter() - t0
    queue.put({"seconds": seconds, "peak_mib": peak_rss_mib()})


def _measure(fn_name: str, *args: Any) -> dict[str, float]:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(fn_name, args, queue))
    proc.start()
    proc.join()
    if proc.exitcode != 0:
        raise RuntimeError(f"bench step {fn_name} failed with exit code {proc.exitcode}")
    result: dict[str, float] = queue.get()
    return result


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _first_page(ws_dir: str) -> dict[str, float]:
    """Seconds from starting `zicht serve` until the overview page answers 200."""
    port = _free_port()
    cmd = [sys.executable, "-m", "zicht.cli", "serve", "--workspace", ws_dir, "--port", str(port)]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
    try:
        deadline = t0 + 60
        while time.perf_counter() < deadline:
            try:
                url = f"http://127.0.0.1:{port}/"
                with urllib.request.urlopen(url, timeout=2) as resp:  # noqa: S310
                    if resp.status == 200:
                        return {"seconds": time.perf_counter() - t0}
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("server did not answer within 60 s")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def run_bench(
    *, persons: int = 120_000, years: int = 5, echo: Callable[[str], None] | None = None
) -> dict[str, Any]:
    say = echo or (lambda _msg: None)
    result: dict[str, Any] = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}",
        "persons": persons,
        "years": years,
        "steps": {},
    }
    with tempfile.TemporaryDirectory(prefix="zicht-bench-") as tmp:
        exports, ws_dir = str(Path(tmp) / "exports"), str(Path(tmp) / "ws")
        say("synth…")
        result["steps"]["synth"] = _measure("_step_synth", exports, persons, years)
        say("ingest…")
        result["steps"]["ingest"] = _measure("_step_ingest", exports, ws_dir)
        say("refresh…")
        result["steps"]["refresh"] = _measure("_step_refresh", ws_dir)
        say("refresh zonder nieuwe data…")
        result["steps"]["refresh_again"] = _measure("_step_refresh", ws_dir)
        say("eerste pagina…")
        result["steps"]["first_page"] = _first_page(ws_dir)
    total = sum(result["steps"][k]["seconds"] for k in ("synth", "ingest", "refresh"))
    result["demo_seconds"] = total + result["steps"]["first_page"]["seconds"]
    try:
        from zicht.sources._bench import bench_csv_ingest

        say("CSV-ingest doorvoer…")
        result["csv_ingest"] = bench_csv_ingest(2_000_000)
    except ImportError:  # pragma: no cover - the ingest layer always ships it
        pass
    return result


def format_text(result: dict[str, Any]) -> str:
    lines = [
        f"zicht bench {result['date']} — {result['machine']}",
        f"{result['persons']:,} inwoners × {result['years']} jaar".replace(",", "."),
    ]
    for name, step in result["steps"].items():
        mem = f", piek {step['peak_mib']:.0f} MiB" if "peak_mib" in step else ""
        lines.append(f"  {name:<14} {step['seconds']:7.2f} s{mem}")
    lines.append(f"  {'demo totaal':<14} {result['demo_seconds']:7.2f} s (doel < 60 s)")
    if "csv_ingest" in result:
        rps = result["csv_ingest"].get("rows_per_s", 0)
        lines.append(f"  CSV-ingest     {rps / 1e6:7.2f} M rijen/s (doel ≥ 1 M/s)")
    return "\n".join(lines)


def append_markdown(path: Path, result: dict[str, Any]) -> None:
    """Append one dated section with the figures to a markdown file."""
    rows = ["| step | seconds | peak MiB |", "|---|---:|---:|"]
    for name, step in result["steps"].items():
        peak = f"{step['peak_mib']:.0f}" if "peak_mib" in step else "—"
        rows.append(f"| {name} | {step['seconds']:.2f} | {peak} |")
    rows.append(
        f"| **demo total** (synth+ingest+refresh+first page) | {result['demo_seconds']:.2f} | |"
    )
    if "csv_ingest" in result:
        ci = result["csv_ingest"]
        rows.append(
            f"| CSV ingest ({ci.get('rows', 0):,} rows) | {ci.get('seconds', 0):.2f} | "
            f"{ci.get('rows_per_s', 0) / 1e6:.2f} M rows/s |"
        )
    section = (
        f"\n### {result['date']}: {result['persons']:,} inhabitants × {result['years']} years\n\n"
        f"Machine: {result['machine']}. Single run of `zicht bench`.\n\n" + "\n".join(rows) + "\n"
    )
    with path.open("a", encoding="utf-8") as fh:
        fh.write(section)
