"""HTML pages: the overview and one page per indicator.

Filters and sorting live in the query string, so every view is a link that can be
shared, and the forms are plain GET forms that work without JavaScript.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates

from zicht.web import _areas, _charts, _views
from zicht.web import _format as fmt
from zicht.web._snapshot import Snapshot, SnapshotCache
from zicht.web.access import require

# Published, disclosure-controlled aggregates: every logged-in role sees them.
router = APIRouter(dependencies=[Depends(require())])

PAGE_LEVELS = ("wijk", "buurt")


def snapshot_of(request: Request) -> Snapshot | None:
    cache: SnapshotCache = request.app.state.snapshots
    return cache.get()


def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, name, context, status_code=status)


def base_context(snapshot: Snapshot) -> dict[str, Any]:
    meta = snapshot.meta
    return {
        "gemeente": snapshot.gemeente_naam,
        "gemeente_code": snapshot.gemeente_code,
        "refresh_id": str(meta.get("refresh_id", snapshot.snapshot_id)),
        "created_at": fmt.timestamp(str(meta.get("created_at", ""))),
        "min_cell_count": meta.get("min_cell_count"),
        "suppressed_text": fmt.SUPPRESSED_TEXT,
    }


def nothing_published(request: Request) -> Response:
    return render(request, "empty.html", {"gemeente": ""})


@router.get("/", include_in_schema=False)
def overview(request: Request) -> Response:
    snapshot = snapshot_of(request)
    if snapshot is None:
        return nothing_published(request)
    cards = _views.cards(snapshot)
    charts = {
        card.indicator_id: _charts.to_json(_charts.trend_figure(card.trend, card.unit))
        for card in cards
        if card.trend
    }
    context = base_context(snapshot) | {
        "themes": _views.themes(cards),
        "charts": charts,
        "with_charts": True,
    }
    return render(request, "overview.html", context)


def _choose_period(periods: list[int], jaar: str | None) -> tuple[int | None, str]:
    """The requested year if published, else the latest, with a notice why."""
    latest = periods[-1] if periods else None
    if jaar is None or jaar == "":
        return latest, ""
    if jaar.isdigit() and int(jaar) in periods:
        return int(jaar), ""
    shown = f"; getoond wordt {latest}" if latest is not None else ""
    return latest, f"Voor jaar {jaar} zijn geen gegevens gepubliceerd{shown}."


def _sort_links(base: dict[str, str], sort: str, descending: bool) -> dict[str, dict[str, str]]:
    """Per column: the URL that sorts on it, and its aria-sort state."""
    links = {}
    for key in _views.SORT_KEYS:
        active = key == sort
        # Clicking the active column flips the order; a new numeric column starts high.
        if active:
            next_desc = not descending
        else:
            next_desc = key in {"waarde", "teller", "noemer"}
        query = base | {"sorteer": key, "volgorde": "af" if next_desc else "op"}
        state = ("descending" if descending else "ascending") if active else "none"
        links[key] = {"url": "?" + urlencode(query) + "#ranglijst", "aria": state}
    return links


@router.get("/indicator/{indicator_id}", include_in_schema=False)
def indicator_page(
    request: Request,
    indicator_id: str,
    niveau: str = "wijk",
    jaar: str | None = None,
    sorteer: str = "waarde",
    volgorde: str = "af",
) -> Response:
    snapshot = snapshot_of(request)
    if snapshot is None:
        return nothing_published(request)
    info = snapshot.indicators.get(indicator_id)
    if info is None:
        raise HTTPException(404, f"De indicator ‘{indicator_id}’ bestaat niet.")
    notices = []
    if niveau not in PAGE_LEVELS:
        notices.append(f"Onbekend niveau ‘{niveau}’; getoond worden de wijken.")
        niveau = "wijk"
    if sorteer not in _views.SORT_KEYS:
        sorteer = "waarde"
    descending = volgorde != "op"
    periods = snapshot.periods_of(indicator_id, level=niveau)
    period, notice = _choose_period(periods, jaar)
    if notice:
        notices.append(notice)

    unit = str(info.get("unit", ""))
    title = str(info.get("title", indicator_id))
    rows = (
        _views.ranking(snapshot, indicator_id, niveau, period, sorteer, descending)
        if period is not None
        else []
    )
    trend = _views.gemeente_trend(snapshot, indicator_id)
    # The gemeente's own CBS figure per year, next to the own one (where CBS has it).
    trend_cbs: dict[int, tuple[str, str]] = {}
    for p in trend:
        found = snapshot.context.get((indicator_id, snapshot.gemeente_code, p.period))
        if found is not None:
            trend_cbs[p.period] = (
                fmt.value(found[0], unit),
                _areas.difference_text(p, found[0], unit),
            )
    cbs_title, cbs_note, cbs_rows = (
        _views.cbs_comparison(snapshot, indicator_id, niveau, period)
        if period is not None
        else ("", "", [])
    )
    filters = {"niveau": niveau, "jaar": str(period) if period is not None else ""}
    polarity = str(info.get("polarity", "neutraal"))
    context = base_context(snapshot) | {
        "indicator_id": indicator_id,
        "info": info,
        "title": title,
        "unit": unit,
        "polarity_text": _views.POLARITY_TEXT.get(polarity, polarity),
        "niveau": niveau,
        "levels": PAGE_LEVELS,
        "period": period,
        "periods": periods,
        "notices": notices,
        "rows": rows,
        "suppressed_count": sum(1 for r in rows if r.suppressed),
        "sort": sorteer,
        "descending": descending,
        "sort_labels": _views.SORT_LABELS,
        "sort_links": _sort_links(filters, sorteer, descending),
        "trend": trend,
        "trend_cbs": trend_cbs,
        "cbs_title": cbs_title,
        "cbs_note": cbs_note,
        "cbs_rows": cbs_rows,
        "breakdowns": (
            _views.breakdown_rows(snapshot, indicator_id, period) if period is not None else []
        ),
        "quality_score": snapshot.quality_score(indicator_id),
        "quality_sources": snapshot.quality_sources(indicator_id),
        "quality_definition": snapshot.quality_definition,
        "csv_url": f"/api/indicator/{indicator_id}.csv?" + urlencode(filters),
        "json_url": f"/api/indicator/{indicator_id}?" + urlencode(filters),
        "map_json": _charts.to_json(
            {
                "figure": _charts.map_figure(rows, unit, title),
                "geojson": snapshot.geojson(niveau),
            }
        ),
        "trend_json": _charts.to_json(_charts.trend_figure(trend, unit, height=220)),
        "with_charts": True,
        "map_label": (
            f"Kaart van {fmt.LEVEL_TEXT[niveau]}: {title}, {period}. "
            "Dezelfde gegevens staan in de ranglijst hieronder."
        ),
    }
    return render(request, "indicator.html", context)
