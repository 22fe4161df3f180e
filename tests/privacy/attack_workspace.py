"""The attacker against everything one workspace publishes (for the demo's full size).

``python -m tests.privacy.attack_workspace WORKSPACE`` reads the current snapshot (the
cube and ``keten_stapeling``), recomputes the true figures with the ungated engine, and
solves, per period, min and max of every hidden count over all tables at once
(:mod:`tests.privacy._published_attack`, linked tables included). Prints one JSON
object: hidden counts, intervals narrower than the minimum cell count (with the first
few), CPU seconds. Too slow for ``make test`` at 120,000 inhabitants × 5 years; the suite
runs the same attacker on a smaller generated gemeente
(``test_attacker_on_every_table.py``). Exit status 1 when a count can be narrowed.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from zicht.analysis import stapeling
from zicht.indicators.definitions import load_definitions
from zicht.indicators.engine import compute_cube
from zicht.privacy.secondary import attack
from zicht.workspace import Workspace

from ._published_attack import build


def rows(table: pa.Table, keten: bool) -> list[dict[str, Any]]:
    """Rows with the attacker's ``table`` key (a stapeling combination is a table)."""
    out = table.to_pylist()
    for r in out:
        if keten:
            r["table"] = "keten:" + r["indicator_id"] + "|" + (r["breakdown"] or "")
            r["breakdown"] = r["category"] = ""
        else:
            r["table"] = r["indicator_id"]
    return out


def publication(
    ws: Workspace,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, str], int]:
    """Published rows, true rows, each area's parent and the minimum cell count."""
    snap = ws.published_dir / (ws.published_dir / "CURRENT").read_text().strip()
    meta = json.loads((snap / "meta.json").read_text(encoding="utf-8"))
    published = rows(pq.read_table(snap / "cube.parquet"), False)
    published += rows(pq.read_table(snap / "keten_stapeling.parquet"), True)
    areas = pq.read_table(snap / "areas.parquet").to_pylist()
    parent = {a["code"]: a["parent_code"] for a in areas if a["parent_code"]}
    definitions = load_definitions(ws.root / "indicators")
    with ws.store(read_only=True) as store:
        truth = rows(compute_cube(store, definitions, ws.settings, meta["boundary_year"]), False)
        truth += rows(stapeling.cells(store, meta["boundary_year"]), True)
    return published, truth, parent, int(meta["min_cell_count"])


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    ws = Workspace.open(Path(args[0]))
    started = time.process_time()
    published, truth, parent, protection = publication(ws)
    hidden = 0
    narrow: list[str] = []
    for period, per in sorted(build(published, truth, parent, link_tables=True).items()):
        hidden += len(per.hidden)
        for iv in attack(per.values, per.hidden, per.constraints):
            if iv.width < protection - 1e-6:
                narrow.append(f"{period} {iv.cell}: [{iv.low:g}, {iv.high:g}]")
    print(
        json.dumps(
            {
                "workspace": str(ws.root),
                "hidden_counts": hidden,
                "narrower_than_protection": len(narrow),
                "first": narrow[:10],
                "protection": protection,
                "cpu_seconds": round(time.process_time() - started, 1),
            }
        )
    )
    return 1 if narrow else 0


if __name__ == "__main__":
    raise SystemExit(main())
