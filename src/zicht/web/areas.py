"""Area pages: the list of wijken and buurten, one area's profile, and a comparison of
two or more areas. Published aggregates only, so every logged-in role sees them; the
filters (year, chosen areas) live in the query string."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response

from zicht.web import _areas
from zicht.web import _format as fmt
from zicht.web._snapshot import Area
from zicht.web.access import require
from zicht.web.pages import base_context, nothing_published, render, snapshot_of

router = APIRouter(dependencies=[Depends(require())])
MAX_COMPARE = 6


@router.get("/gebieden", include_in_schema=False)
def areas_list(request: Request) -> Response:
    snapshot = snapshot_of(request)
    if snapshot is None:
        return nothing_published(request)
    buurten: dict[str, list[Any]] = {}
    for b in snapshot.areas_at("buurt"):
        buurten.setdefault(b.parent_code or "", []).append(b)
    context = base_context(snapshot) | {
        "wijken": snapshot.areas_at("wijk"),
        "buurten": buurten,
    }
    return render(request, "areas.html", context)


def _year(jaar: str | None, periods: list[int]) -> tuple[int | None, str]:
    if not jaar:
        return None, ""
    if jaar.isdigit() and int(jaar) in periods:
        return int(jaar), ""
    return (
        None,
        f"Voor jaar {jaar} zijn geen gegevens gepubliceerd; getoond wordt het laatste jaar.",
    )


@router.get("/gebied/{code}", include_in_schema=False)
def area_profile(request: Request, code: str, jaar: str | None = None) -> Response:
    snapshot = snapshot_of(request)
    if snapshot is None:
        return nothing_published(request)
    area = _areas.find_area(snapshot, code)
    if area is None:
        raise HTTPException(404, f"Het gebied ‘{code}’ bestaat niet in deze publicatie.")
    periods = _areas.all_periods(snapshot)
    period, notice = _year(jaar, periods)
    parent = _areas.find_area(snapshot, area.parent_code or "") if area.level == "buurt" else None
    children = [b for b in snapshot.areas_at("buurt") if b.parent_code == area.code]
    context = base_context(snapshot) | {
        "area": area,
        "level_word": fmt.LEVEL_SINGULAR[area.level],
        "parent": parent,
        "children": children,
        "rows": _areas.profile(snapshot, area, period),
        "cbs_facts": _areas.cbs_facts(snapshot, area, period),
        "periods": periods,
        "period": period,
        "notices": [notice] if notice else [],
        "compare_url": "/vergelijk?" + urlencode({"gebied": area.code}),
    }
    return render(request, "area.html", context)


@router.get("/vergelijk", include_in_schema=False)
def compare_page(
    request: Request,
    gebied: list[str] = Query(default=[]),  # noqa: B008 - FastAPI's way to read a repeated parameter
    jaar: str | None = None,
) -> Response:
    snapshot = snapshot_of(request)
    if snapshot is None:
        return nothing_published(request)
    notices = []
    chosen: list[Area] = []
    for code in dict.fromkeys(gebied):  # keep order, drop repeats
        area = _areas.find_area(snapshot, code)
        if area is None:
            notices.append(f"Onbekend gebied ‘{code}’ is overgeslagen.")
        elif len(chosen) < MAX_COMPARE:
            chosen.append(area)
    if len(gebied) > MAX_COMPARE:
        notices.append(f"Hoogstens {MAX_COMPARE} gebieden tegelijk; de eerste zijn getoond.")
    periods = _areas.all_periods(snapshot)
    period, notice = _year(jaar, periods)
    if notice:
        notices.append(notice)
    if len(chosen) < 2:
        notices.append("Kies twee of meer wijken of buurten om te vergelijken.")
    context = base_context(snapshot) | {
        "chosen": chosen,
        "chosen_codes": {a.code for a in chosen},
        "lines": _areas.compare(snapshot, chosen, period) if len(chosen) >= 2 else [],
        "wijken": snapshot.areas_at("wijk"),
        "buurten": snapshot.areas_at("buurt"),
        "periods": periods,
        "period": period,
        "notices": notices,
    }
    return render(request, "compare.html", context)
