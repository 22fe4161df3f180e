"""`zicht vergelijkbaar`: the similar gemeenten and the own figures against theirs.

Reads only the published snapshot (the gemeente's total cells that passed the gate, and
the CBS figures in ``context.parquet``) and the attribute file, as the page
``/vergelijkbare-gemeenten`` does.
"""

from __future__ import annotations

from typing import Any

import pyarrow.compute as pc
import pyarrow.parquet as pq

from zicht.analysis import peers
from zicht.errors import ZichtError
from zicht.indicators.published import load_current
from zicht.privacy.disclosure import SUPPRESSED
from zicht.workspace import Workspace


def comparison(ws: Workspace, k: int | None = None) -> peers.Comparison:
    """The comparison of the workspace's published gemeente with its ``k`` peers."""
    snap = load_current(ws.root)
    if snap is None:
        raise ZichtError("er is nog niets gepubliceerd; draai eerst `zicht refresh`")
    code = str(snap.meta.get("gemeente_code") or "")
    own: dict[tuple[str, int], tuple[float | None, str]] = {}
    # The gemeente's totals only; a suppressed cell keeps no number.
    cells = snap.cube.filter(pc.equal(snap.cube["level"], "gemeente"))
    for rec in cells.to_pylist():
        if rec.get("breakdown") or rec.get("category") or (code and rec["area_code"] != code):
            continue
        hidden = rec["status"] == SUPPRESSED or rec["value"] is None
        own[(rec["indicator_id"], int(rec["period"]))] = (
            None if hidden else float(rec["value"]),
            str(rec["status"]),
        )
    cbs: dict[tuple[str, str, int], tuple[float, str, str]] = {}
    path = snap.path / "context.parquet"
    if path.exists():
        for r in pq.read_table(path).to_pylist():
            key = (str(r["indicator_id"]), str(r["area_code"]), int(r["period"]))
            cbs[key] = (float(r["cbs_value"]), str(r["cbs_title"]), str(r["cbs_note"]))
    return peers.compare(ws.settings, code, snap.indicators, own, cbs, k=k)


def as_dict(c: peers.Comparison) -> dict[str, Any]:
    """The comparison as one JSON object (``--json``)."""
    return {
        "gemeente_code": c.gemeente_code,
        "attribute_file": str(c.attribute_file),
        "attributes": c.own_attributes,
        "similar": [
            {
                "code": p.code,
                "name": p.name,
                "distance": p.distance,
                "closest": list(p.closest),
                "attributes": p.attributes,
            }
            for p in c.peers
        ],
        "figures": [
            {
                "indicator_id": f.indicator_id,
                "title": f.title,
                "unit": f.unit,
                "period": f.period,
                "own": f.own,
                "own_status": f.own_status,
                "own_cbs": f.own_cbs,
                "cbs_title": f.cbs_title,
                "note": f.note,
                "similar": dict(zip([p.code for p in c.peers], f.peers, strict=True)),
                "similar_mean": f.peer_mean,
                "difference": f.difference,
            }
            for f in c.figures
        ],
        "missing_cbs": c.missing_codes,
    }


def _num(v: float | None) -> str:
    return "–" if v is None else f"{v:.1f}".replace(".", ",")


def as_lines(c: peers.Comparison) -> list[str]:
    """Dutch text for a terminal."""
    out = [f"Meest vergelijkbaar met {c.gemeente_code} ({c.attribute_file.name}):"]
    for i, p in enumerate(c.peers, 1):
        reasons = ", ".join(p.closest)
        out.append(f"  {i:>2}. {p.code} {p.name}  afstand {_num(p.distance)}  ({reasons})")
    for f in c.figures:
        own = _num(f.own) if f.own is not None else f.own_status
        peer_text = ", ".join(
            f"{p.code} {_num(v)}" for p, v in zip(c.peers, f.peers, strict=True) if v is not None
        )
        out.append(
            f"{f.title} ({f.unit}, {f.period}): eigen {own}; vergelijkbaar {peer_text}; "
            f"gemiddeld {_num(f.peer_mean)}; verschil {_num(f.difference)}"
        )
    if c.missing_codes:
        out.append(
            "Geen CBS-cijfers ingelezen van: " + ", ".join(c.missing_codes)
            + " (zicht cbs download --gemeente CODE --year JAAR -o kwb.csv --workspace MAP)"
        )  # fmt: skip
    return out
