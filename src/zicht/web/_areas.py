"""View models of the area pages: one wijk or buurt with every indicator (profile), and
several areas side by side (compare). Only published cells are read; a suppressed cell
becomes the suppression text, never a number."""

from __future__ import annotations

from dataclasses import dataclass

from zicht.web import _format as fmt
from zicht.web._snapshot import Area, Snapshot
from zicht.web._views import Change, Point, change, point

AREA_LEVELS = ("wijk", "buurt")


@dataclass(frozen=True)
class ProfileRow:
    indicator_id: str
    title: str
    unit: str
    period: int | None
    latest: Point | None
    previous: Point | None
    change: Change
    gemeente: Point | None
    cbs_text: str
    trend: list[Point]
    cbs_difference: str = "–"
    """Own figure minus the CBS figure, where both exist (never for a suppressed one)."""


@dataclass(frozen=True)
class CbsFact:
    """One CBS key figure of an area (inhabitants, social rent, low income, ...)."""

    concept: str
    label: str
    period: int
    text: str


# = zicht.analysis.context.FACT_PREFIX and the order of its FACTS (that module imports
# the store, which the web layer must not load).
FACT_PREFIX = "cbs:"
FACT_ORDER = (
    "inwoners", "pct_woningcorporatie", "pct_laag_inkomen", "pct_rond_sociaal_minimum",
    "bijstand", "jongeren_met_jeugdzorg", "pct_jongeren_met_jeugdzorg", "wmo_clienten",
    "wmo_clienten_per_1000",
)  # fmt: skip


def cbs_facts(snapshot: Snapshot, area: Area, period: int | None) -> list[CbsFact]:
    """CBS key figures of ``area``: of ``period`` where CBS has them, else the latest
    year before it (CBS publishes some figures a year or two later)."""
    found: dict[str, tuple[int, float, str, str]] = {}
    for (key, code, year), (value, label, unit) in snapshot.context.items():
        if code != area.code or not key.startswith(FACT_PREFIX):
            continue
        if period is not None and year > period:
            continue
        concept = key[len(FACT_PREFIX) :]
        if concept not in found or found[concept][0] < year:
            found[concept] = (year, value, label, unit)
    out = []
    for concept, (year, value, label, unit) in found.items():
        text = fmt.count(value) if unit == "aantal" else fmt.value(value, unit)
        out.append(CbsFact(concept, label, year, text))
    rank = {c: i for i, c in enumerate(FACT_ORDER)}
    return sorted(out, key=lambda f: (rank.get(f.concept, len(rank)), f.label))


def difference_text(own: Point | None, cbs: float | None, unit: str) -> str:
    """``+1,5%``: own minus CBS, only where the own figure is published."""
    if own is None or own.suppressed or own.value is None or cbs is None:
        return "–"
    diff = own.value - cbs
    text = fmt.value(diff, unit)
    return "+" + text if diff > 0 else text


def find_area(snapshot: Snapshot, code: str) -> Area | None:
    for level in AREA_LEVELS:
        for area in snapshot.areas_at(level):
            if area.code == code:
                return area
    return None


def area_trend(snapshot: Snapshot, indicator_id: str, area: Area) -> list[Point]:
    cells = [
        c for c in snapshot.cells_of(indicator_id, level=area.level) if c.area_code == area.code
    ]
    return [point(c) for c in sorted(cells, key=lambda c: c.period)]


def _at(points: list[Point], period: int | None) -> tuple[Point | None, Point | None]:
    """The point of ``period`` (latest when None) and the one before it."""
    if not points:
        return None, None
    if period is None:
        idx = len(points) - 1
    else:
        matches = [i for i, p in enumerate(points) if p.period == period]
        if not matches:
            return None, None
        idx = matches[0]
    return points[idx], points[idx - 1] if idx > 0 else None


def profile(snapshot: Snapshot, area: Area, period: int | None) -> list[ProfileRow]:
    """Every indicator for one area in ``period`` (each indicator's latest when None)."""
    rows = []
    gemeente_code = snapshot.gemeente_code
    for indicator_id, info in snapshot.indicators.items():
        unit = str(info.get("unit", ""))
        polarity = str(info.get("polarity", "neutraal"))
        trend = area_trend(snapshot, indicator_id, area)
        latest, previous = _at(trend, period)
        shown = latest.period if latest else period
        gemeente = None
        if shown is not None:
            gem = [
                c
                for c in snapshot.cells_of(indicator_id, level="gemeente", period=shown)
                if not gemeente_code or c.area_code == gemeente_code
            ]
            gemeente = point(gem[0]) if gem else None
        cbs = snapshot.context.get((indicator_id, area.code, shown)) if shown else None
        rows.append(
            ProfileRow(
                indicator_id=indicator_id,
                title=str(info.get("title", indicator_id)),
                unit=unit,
                period=shown,
                latest=latest,
                previous=previous,
                change=change(latest, previous, unit, polarity),
                gemeente=gemeente,
                cbs_text=fmt.value(cbs[0], unit) if cbs else "–",
                trend=trend,
                cbs_difference=difference_text(latest, cbs[0] if cbs else None, unit),
            )
        )
    return rows


@dataclass(frozen=True)
class CompareLine:
    indicator_id: str
    title: str
    unit: str
    period: int | None
    values: list[Point | None]  # one per chosen area, in the order chosen
    gemeente: Point | None


def all_periods(snapshot: Snapshot) -> list[int]:
    return sorted({c.period for c in snapshot.cells})


def compare(snapshot: Snapshot, areas: list[Area], period: int | None) -> list[CompareLine]:
    """Per indicator, the value of each area in ``period`` (the indicator's latest period
    at area level when None), next to the gemeente."""
    out = []
    gemeente_code = snapshot.gemeente_code
    for indicator_id, info in snapshot.indicators.items():
        periods = sorted(
            {c.period for lvl in AREA_LEVELS for c in snapshot.cells_of(indicator_id, level=lvl)}
        )
        shown = period if period is not None else (periods[-1] if periods else None)
        values: list[Point | None] = []
        for area in areas:
            cells = [
                c
                for c in snapshot.cells_of(indicator_id, level=area.level, period=shown)
                if c.area_code == area.code
            ]
            values.append(point(cells[0]) if cells and shown is not None else None)
        gem = [
            c
            for c in snapshot.cells_of(indicator_id, level="gemeente", period=shown)
            if not gemeente_code or c.area_code == gemeente_code
        ]
        out.append(
            CompareLine(
                indicator_id,
                str(info.get("title", indicator_id)),
                str(info.get("unit", "")),
                shown,
                values,
                point(gem[0]) if gem and shown is not None else None,
            )
        )
    return out
