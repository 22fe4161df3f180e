"""Turn a snapshot into what a page shows: overview cards, trends and ranking rows.

Everything a page prints passes through here, so the disclosure rule lives in one
place: a suppressed cell carries no value, numerator or denominator, and its text is
"onderdrukt (privacybescherming)".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from zicht.indicators.definitions import THEMES
from zicht.web import _format as fmt
from zicht.web import _labels
from zicht.web._snapshot import Area, Cell, Snapshot

POLARITY_TEXT = {
    "hoger_beter": "hoger is beter",
    "lager_beter": "lager is beter",
    "neutraal": "geen voorkeursrichting",
}
SORT_KEYS = ("naam", "code", "waarde", "teller", "noemer", "status")
SORT_LABELS = {
    "naam": "Gebied",
    "code": "Code",
    "waarde": "Waarde",
    "teller": "Teller",
    "noemer": "Noemer",
    "status": "Status",
}
NO_DATA_STATUS = "geen gegevens"


@dataclass(frozen=True)
class Point:
    """One period of a trend, ready to print."""

    period: int
    value: float | None
    text: str
    numerator: str
    denominator: str
    status: str
    suppressed: bool


@dataclass(frozen=True)
class Change:
    """Latest against previous period, in words and as a CSS class."""

    direction: str  # gestegen | gedaald | gelijk | onbekend
    text: str
    assessment: str  # gunstig | ongunstig | neutraal | onbekend
    arrow: str


@dataclass(frozen=True)
class Card:
    indicator_id: str
    title: str
    unit: str
    polarity: str
    polarity_text: str
    latest: Point | None
    previous: Point | None
    change: Change
    trend: list[Point]
    theme: str = "overig"
    order: int = 100


@dataclass(frozen=True)
class Theme:
    """A heading of the overview with the cards of its indicators."""

    key: str
    title: str
    cards: list[Card]


@dataclass(frozen=True)
class RankRow:
    code: str
    name: str
    parent: str
    rank: int | None
    value: float | None
    value_text: str
    numerator: float | None
    numerator_text: str
    denominator: float | None
    denominator_text: str
    status: str
    suppressed: bool


def point(cell: Cell) -> Point:
    if cell.suppressed:
        return Point(
            cell.period, None, fmt.SUPPRESSED_TEXT, "–", "–", fmt.status("onderdrukt"), True
        )
    return Point(
        period=cell.period,
        value=cell.value,
        text=fmt.value(cell.value, cell.unit),
        numerator=fmt.count(cell.numerator),
        denominator=fmt.count(cell.denominator),
        status=fmt.status(cell.status),
        suppressed=False,
    )


def gemeente_trend(snapshot: Snapshot, indicator_id: str) -> list[Point]:
    """Every period of the indicator at gemeente level, oldest first."""
    code = snapshot.gemeente_code
    cells = snapshot.cells_of(indicator_id, level="gemeente")
    if code and any(c.area_code == code for c in cells):
        cells = [c for c in cells if c.area_code == code]
    return [point(c) for c in sorted(cells, key=lambda c: c.period)]


def change(latest: Point | None, previous: Point | None, unit: str, polarity: str) -> Change:
    """Compare two periods on the values as printed (so "gelijk" means it looks equal)."""
    if latest is None or previous is None:
        return Change("onbekend", "geen vorige periode om mee te vergelijken", "onbekend", "")
    if latest.value is None or previous.value is None:
        return Change("onbekend", "geen vergelijking mogelijk (onderdrukt)", "onbekend", "")
    digits = fmt.decimals_for(unit)
    diff = round(latest.value, digits) - round(previous.value, digits)
    if diff == 0:
        return Change("gelijk", f"gelijk gebleven t.o.v. {previous.period}", "neutraal", "■")
    up = diff > 0
    direction = "gestegen" if up else "gedaald"
    # A change in a percentage is in percentage points, not in percent.
    if unit == "%":
        amount = fmt.number(abs(diff), digits) + " procentpunt"
    else:
        amount = fmt.value(abs(diff), unit)
    if polarity == "hoger_beter":
        assessment = "gunstig" if up else "ongunstig"
    elif polarity == "lager_beter":
        assessment = "ongunstig" if up else "gunstig"
    else:
        assessment = "neutraal"
    suffix = "" if assessment == "neutraal" else f" ({assessment})"
    text = f"{direction} met {amount} t.o.v. {previous.period}{suffix}"
    return Change(direction, text, assessment, "▲" if up else "▼")


def cards(snapshot: Snapshot) -> list[Card]:
    """One overview card per indicator, in the order of indicators.json."""
    out = []
    for indicator_id, info in snapshot.indicators.items():
        unit = str(info.get("unit", ""))
        polarity = str(info.get("polarity", "neutraal"))
        trend = gemeente_trend(snapshot, indicator_id)
        latest = trend[-1] if trend else None
        previous = trend[-2] if len(trend) > 1 else None
        out.append(
            Card(
                indicator_id=indicator_id,
                title=str(info.get("title", indicator_id)),
                unit=unit,
                polarity=polarity,
                polarity_text=POLARITY_TEXT.get(polarity, polarity),
                latest=latest,
                previous=previous,
                change=change(latest, previous, unit, polarity),
                trend=trend,
                theme=str(info.get("theme") or "overig"),
                order=int(info.get("order", 100)),
            )
        )
    return out


def themes(cards: list[Card]) -> list[Theme]:
    """The cards grouped under their theme, themes in the order of ``THEMES``.

    A snapshot published before definitions had a theme, or a workspace definition with
    an unknown one, lands under "Overige indicatoren" rather than disappearing.
    """
    grouped: dict[str, list[Card]] = {key: [] for key in THEMES}
    for card in sorted(cards, key=lambda c: c.order):  # stable: ties keep their order
        grouped[card.theme if card.theme in THEMES else "overig"].append(card)
    return [Theme(key, THEMES[key], group) for key, group in grouped.items() if group]


def _rank_by_value(cells: list[Cell]) -> dict[str, int]:
    """Competition ranking, highest value first; suppressed cells get no rank."""
    values = sorted(
        (c.value for c in cells if not c.suppressed and c.value is not None), reverse=True
    )
    first_at: dict[float, int] = {}
    for i, v in enumerate(values, start=1):
        first_at.setdefault(v, i)
    return {
        c.area_code: first_at[c.value] for c in cells if not c.suppressed and c.value is not None
    }


def ranking(
    snapshot: Snapshot, indicator_id: str, level: str, period: int, sort: str, descending: bool
) -> list[RankRow]:
    """Every area of the level in one period; suppressed and empty rows always last."""
    cells = {c.area_code: c for c in snapshot.cells_of(indicator_id, level=level, period=period)}
    areas: dict[str, Area] = {a.code: a for a in snapshot.areas_at(level)}
    names = snapshot.area_names()
    ranks = _rank_by_value(list(cells.values()))
    rows = []
    for code in sorted(set(areas) | set(cells)):
        area = areas.get(code)
        parent = names.get(area.parent_code or "", "") if area and level == "buurt" else ""
        cell = cells.get(code)
        name = area.name if area else names.get(code, code)
        if cell is None:
            rows.append(
                RankRow(
                    code, name, parent, None, None, "–", None, "–", None, "–", NO_DATA_STATUS, True
                )
            )
        elif cell.suppressed:
            rows.append(
                RankRow(
                    code,
                    name,
                    parent,
                    None,
                    None,
                    fmt.SUPPRESSED_TEXT,
                    None,
                    "–",
                    None,
                    "–",
                    fmt.status("onderdrukt"),
                    True,
                )
            )
        else:
            rows.append(
                RankRow(
                    code,
                    name,
                    parent,
                    ranks.get(code),
                    cell.value,
                    fmt.value(cell.value, cell.unit),
                    cell.numerator,
                    fmt.count(cell.numerator),
                    cell.denominator,
                    fmt.count(cell.denominator),
                    fmt.status(cell.status),
                    False,
                )
            )
    return sort_rows(rows, sort, descending)


def sort_rows(rows: list[RankRow], sort: str, descending: bool) -> list[RankRow]:
    def key(row: RankRow) -> Any:
        if sort == "naam":
            return row.name.casefold()
        if sort == "code":
            return row.code
        if sort == "status":
            return row.status
        number = {"waarde": row.value, "teller": row.numerator, "noemer": row.denominator}
        return number.get(sort, row.value) or 0.0

    if sort in {"waarde", "teller", "noemer"}:
        shown = sorted((r for r in rows if not r.suppressed), key=key, reverse=descending)
        return shown + sorted((r for r in rows if r.suppressed), key=lambda r: r.name)
    return sorted(rows, key=key, reverse=descending)


@dataclass(frozen=True)
class CompareRow:
    code: str
    name: str
    own_text: str
    cbs_text: str
    difference_text: str
    suppressed: bool


def cbs_comparison(
    snapshot: Snapshot, indicator_id: str, level: str, period: int
) -> tuple[str, str, list[CompareRow]]:
    """Own figure next to the CBS figure per area: (CBS title, note, rows); no rows when
    the workspace has no CBS figures for this indicator and year. The difference is only
    shown where both are published; a suppressed own figure stays suppressed."""
    cells = {c.area_code: c for c in snapshot.cells_of(indicator_id, level=level, period=period)}
    title = note = ""
    rows = []
    for area in sorted(snapshot.areas_at(level), key=lambda a: a.code):
        found = snapshot.context.get((indicator_id, area.code, period))
        if found is None:
            continue
        cbs_value, title, note = found
        cell = cells.get(area.code)
        unit = cell.unit if cell is not None else ""
        if cell is None or cell.suppressed or cell.value is None:
            own, diff, hidden = fmt.SUPPRESSED_TEXT, "–", True
        else:
            own = fmt.value(cell.value, cell.unit)
            diff = fmt.value(cell.value - cbs_value, cell.unit)
            if cell.value - cbs_value > 0:
                diff = "+" + diff
            hidden = False
        rows.append(CompareRow(area.code, area.name, own, fmt.value(cbs_value, unit), diff, hidden))
    return title, note, rows


def breakdown_rows(snapshot: Snapshot, indicator_id: str, period: int) -> list[tuple[str, Point]]:
    """The gemeente's figure per breakdown value (e.g. ``leeftijd=0-3``) in ``period``;
    empty when the indicator has no breakdowns."""
    code = snapshot.gemeente_code
    cells = [
        c
        for c in snapshot.cells_of(indicator_id, level="gemeente", period=period, breakdown=None)
        if c.breakdown and (not code or c.area_code == code)
    ]
    ordered = sorted(
        cells, key=lambda c: (c.breakdown, _labels.category_order(c.breakdown, c.category))
    )
    return [(_breakdown_label(c.breakdown, c.category), point(c)) for c in ordered]


def _breakdown_label(breakdown: str, category: str) -> str:
    """``leeftijd`` + ``0-5`` → ``Leeftijd: 0 t/m 5 jaar`` (cubes of the first format have
    no category and carry ``leeftijd=0-3`` in the breakdown itself)."""
    if not category:
        return breakdown
    return f"{_labels.breakdown_text(breakdown)}: {_labels.category_text(breakdown, category)}"
