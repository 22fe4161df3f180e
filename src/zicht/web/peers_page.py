"""The similar-gemeenten page: the gemeente next to the k gemeenten most like it.

Own figures come from the published snapshot (gemeente totals that passed the
disclosure gate; a suppressed one stays suppressed), the similar gemeenten's figures
from CBS (public, disclosure-controlled by CBS) as far as the workspace has loaded
them, their attributes from the configured attribute file. Every logged-in role sees it,
as it shows published aggregates only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from zicht.analysis import peers
from zicht.config import Settings
from zicht.web import _format as fmt
from zicht.web._nav import add_link
from zicht.web._snapshot import Snapshot
from zicht.web.access import require
from zicht.web.pages import base_context, nothing_published, render, snapshot_of

router = APIRouter(dependencies=[Depends(require())])
PATH = "/vergelijkbare-gemeenten"
add_link(PATH, "Vergelijkbare gemeenten")


def own_cells(snapshot: Snapshot) -> dict[tuple[str, int], tuple[float | None, str]]:
    """(indicator, period) → (published value or None, status) of the gemeente total."""
    code = snapshot.gemeente_code
    out: dict[tuple[str, int], tuple[float | None, str]] = {}
    for indicator_id in snapshot.indicators:
        for c in snapshot.cells_of(indicator_id, level="gemeente"):
            if code and c.area_code != code:
                continue
            out[(indicator_id, c.period)] = (None if c.suppressed else c.value, c.status)
    return out


def _attribute_text(name: str, value: float | None) -> str:
    if value is None:
        return "–"
    if name == "aantal_inwoners" or name == "bevolkingsdichtheid":
        return fmt.number(value, 0)
    return fmt.number(value, 1 if name == "gem_huishouden_grootte" else 0)


def _difference_text(value: float | None, unit: str) -> str:
    if value is None:
        return "–"
    text = fmt.value(value, unit)
    return "+" + text if value > 0 else text


@router.get(PATH, include_in_schema=False)
def similar_page(request: Request) -> Response:
    snapshot = snapshot_of(request)
    if snapshot is None:
        return nothing_published(request)
    root: Path = request.app.state.access.root
    settings = Settings.load(root / "zicht.toml")
    context: dict[str, Any] = base_context(snapshot) | {
        "path": PATH,
        "problem": "",
        "comparison": None,
        "labels": peers.ATTRIBUTE_LABELS,
        "attribute_text": _attribute_text,
        "value_text": lambda v, unit: "–" if v is None else fmt.value(v, unit),
        "difference_text": _difference_text,
        "suppressed_text": fmt.SUPPRESSED_TEXT,
    }
    try:
        context["comparison"] = peers.compare(
            settings,
            snapshot.gemeente_code,
            snapshot.indicators,
            own_cells(snapshot),
            snapshot.context,
        )
    except peers.PeersUnavailable as exc:
        context["problem"] = str(exc)
    return render(request, "vergelijkbare_gemeenten.html", context)
