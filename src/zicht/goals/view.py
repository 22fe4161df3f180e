"""Goals next to their published figures: what the council report and the goal pages show.

Everything here comes from the published snapshot (it passed the disclosure gate) and
the goal files; the canonical tables are never read. A suppressed cell has no value, and
no number is made for it: its text is the suppression text. Every figure shown is also
listed as a :class:`Figure`, which the Excel file and the tests read.

Example::

    snap = published_cells(load_current(ws_root))
    views = goal_views(load_goals(ws_root / "goals"), snap)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from zicht.goals.model import Duiding, Goal, GoalIndicator
from zicht.goals.progress import Progress, Status, assess, data_quality
from zicht.web._format import SUPPRESSED_TEXT, number
from zicht.web._format import value as fmt_value

SUPPRESSED = "onderdrukt"
# The status of a goal is the least favourable status of its indicators, in this order.
STATUS_ORDER: tuple[Status, ...] = ("niet op koers", "risico", "onbekend", "op koers")
STATUS_CLASS = {"op koers": "ok", "risico": "risk", "niet op koers": "bad", "onbekend": "unknown"}


@dataclass(frozen=True)
class Published:
    """The parts of a published snapshot this module reads (plain Python values)."""

    meta: Mapping[str, Any]
    indicators: Mapping[str, Mapping[str, Any]]
    cells: list[Mapping[str, Any]]  # cube rows: indicator_id, level, area_code, period, ...
    area_names: Mapping[str, str]
    wijken: list[tuple[str, str]]  # (code, name) of the published boundary year


def published_from_tables(
    meta: Mapping[str, Any],
    indicators: Mapping[str, Mapping[str, Any]],
    cells: Iterable[Mapping[str, Any]],
    areas: Iterable[Mapping[str, Any]],
) -> Published:
    """Build :class:`Published` from cube and area rows (``docs/model.md``)."""
    area_rows = list(areas)
    year = meta.get("boundary_year")
    wijk_rows = [a for a in area_rows if a["level"] == "wijk"]
    if year and any(a.get("boundary_year") == year for a in wijk_rows):
        wijk_rows = [a for a in wijk_rows if a.get("boundary_year") == year]
    return Published(
        meta=meta,
        indicators=indicators,
        cells=[c for c in cells if (c.get("breakdown") or "") == ""],
        area_names={str(a["code"]): str(a.get("name") or a["code"]) for a in area_rows},
        wijken=sorted({(str(a["code"]), str(a.get("name") or a["code"])) for a in wijk_rows}),
    )


def value_text(value: float | None, unit: str) -> str:
    """A figure as the report prints it; a suppressed one is never a number."""
    return SUPPRESSED_TEXT if value is None else fmt_value(value, unit)


@dataclass(frozen=True)
class Figure:
    """One figure shown in the report, as a row of the Excel file."""

    goal_id: str
    indicator_id: str
    kind: str  # waarde | basiswaarde | doelwaarde | tussendoel | verwacht | achterstand | ...
    level: str
    area_code: str
    area_name: str
    period: int | None
    value: float | None
    numerator: float | None
    denominator: float | None
    unit: str
    status: str
    text: str  # exactly as printed


@dataclass(frozen=True)
class Point:
    period: int
    value: float | None
    numerator: float | None
    denominator: float | None
    status: str
    text: str

    @property
    def suppressed(self) -> bool:
        return self.value is None


@dataclass(frozen=True)
class AreaValue:
    code: str
    name: str
    value: float | None
    numerator: float | None
    denominator: float | None
    status: str
    text: str


@dataclass
class IndicatorView:
    goal_id: str
    spec: GoalIndicator
    title: str
    description: str
    unit: str
    source: str
    reference: str
    published: bool  # the snapshot has this indicator
    series: list[Point]
    wijken: list[AreaValue]
    progress: Progress
    quality: float | None
    duiding: list[Duiding]
    figures: list[Figure] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.spec.indicator

    @property
    def anchor(self) -> str:
        return f"ind-{self.goal_id}-{self.id}"

    @property
    def status_class(self) -> str:
        return STATUS_CLASS[self.progress.status]

    @property
    def latest(self) -> Point | None:
        return self.series[-1] if self.series else None

    @property
    def baseline(self) -> Point | None:
        return next((p for p in self.series if p.period == self.spec.baseline_period), None)

    def text(self, value: float | None) -> str:
        return value_text(value, self.unit)

    @property
    def suppressed_periods(self) -> list[int]:
        return [p.period for p in self.series if p.suppressed]

    @property
    def suppressed_wijken(self) -> int:
        return sum(1 for w in self.wijken if w.value is None)


@dataclass
class GoalView:
    goal: Goal
    indicators: list[IndicatorView]

    @property
    def id(self) -> str:
        return self.goal.id

    @property
    def anchor(self) -> str:
        return f"doel-{self.goal.id}"

    @property
    def status(self) -> Status:
        found = {iv.progress.status for iv in self.indicators}
        return next(s for s in STATUS_ORDER if s in found)

    @property
    def status_class(self) -> str:
        return STATUS_CLASS[self.status]

    @property
    def duiding(self) -> list[Duiding]:
        return self.goal.duiding_for(None)

    @property
    def figures(self) -> list[Figure]:
        return [f for iv in self.indicators for f in iv.figures]


def _float(v: Any) -> float | None:
    return None if v is None else float(v)


def _indicator_view(goal: Goal, gi: GoalIndicator, pub: Published) -> IndicatorView:
    meta = pub.indicators.get(gi.indicator)
    cells = [c for c in pub.cells if c["indicator_id"] == gi.indicator]
    unit = str(meta.get("unit", "")) if meta else (str(cells[0]["unit"]) if cells else "")
    gm = sorted((c for c in cells if c["level"] == "gemeente"), key=lambda c: int(c["period"]))
    series = [
        Point(
            period=int(c["period"]),
            value=_float(c["value"]),
            numerator=_float(c["numerator"]),
            denominator=_float(c["denominator"]),
            status=str(c["status"]),
            text=value_text(_float(c["value"]), unit),
        )
        for c in gm
    ]
    quality = data_quality(pub.meta, meta)
    if meta is None:
        progress = Progress("onbekend", "Deze indicator is niet gepubliceerd.")
    else:
        progress = assess(
            series={p.period: p.value for p in series},
            baseline_period=gi.baseline_period,
            target=gi.target,
            target_period=gi.target_period,
            direction=gi.direction,
            milestones=[(m.period, m.value) for m in gi.milestones],
            quality=quality,
        )
    wijken: list[AreaValue] = []
    if series:
        latest = series[-1].period
        by_code = {
            str(c["area_code"]): c
            for c in cells
            if c["level"] == "wijk" and int(c["period"]) == latest
        }
        for code, name in pub.wijken:
            c = by_code.get(code)
            v, num, den = (
                (_float(c[k]) for k in ("value", "numerator", "denominator"))
                if c
                else (None, None, None)
            )
            status = str(c["status"]) if c else SUPPRESSED
            wijken.append(AreaValue(code, name, v, num, den, status, value_text(v, unit)))
    view = IndicatorView(
        goal_id=goal.id,
        spec=gi,
        title=str(meta.get("title", gi.indicator)) if meta else gi.indicator,
        description=str(meta.get("description", "")) if meta else "",
        unit=unit,
        source=str(meta.get("source", "")) if meta else "",
        reference=str(meta.get("reference", "")) if meta else "",
        published=meta is not None,
        series=series,
        wijken=wijken,
        progress=progress,
        quality=quality,
        duiding=goal.duiding_for(gi.indicator),
    )
    view.figures = _figures(view, pub)
    return view


def _figures(iv: IndicatorView, pub: Published) -> list[Figure]:
    gm_code = str(pub.meta.get("gemeente_code") or "")
    gm_name = str(pub.meta.get("gemeente_naam") or pub.area_names.get(gm_code, gm_code))

    def fig(
        kind: str,
        period: int | None,
        value: float | None,
        text: str,
        *,
        status: str = "",
        level: str = "gemeente",
        code: str = gm_code,
        name: str = gm_name,
        num: float | None = None,
        den: float | None = None,
        unit: str | None = None,
    ) -> Figure:
        return Figure(
            iv.goal_id, iv.id, kind, level, code, name, period, value, num, den,
            iv.unit if unit is None else unit, status, text,
        )  # fmt: skip

    out = [
        fig("waarde", p.period, p.value, p.text, status=p.status, num=p.numerator,
            den=p.denominator)
        for p in iv.series
    ]  # fmt: skip
    out.append(fig("doelwaarde", iv.spec.target_period, iv.spec.target, iv.text(iv.spec.target)))
    out += [fig("tussendoel", m.period, m.value, iv.text(m.value)) for m in iv.spec.milestones]
    pr = iv.progress
    if pr.expected_value is not None and pr.latest_period is not None:
        out.append(
            fig("verwacht_op_pad", pr.latest_period, pr.expected_value, iv.text(pr.expected_value))
        )
    if pr.lag is not None:
        pct = 100 * max(pr.lag, 0.0)
        out.append(fig("achterstand", pr.latest_period, pct, f"{number(pct, 1)}%", unit="%"))
    if pr.trend is not None:
        out.append(fig("trend_per_jaar", pr.latest_period, pr.trend, trend_text(pr.trend, iv.unit)))
    if iv.quality is not None:
        q = 100 * iv.quality
        out.append(fig("datakwaliteit", None, q, f"{number(q, 1)}%", unit="%"))
    latest = iv.series[-1].period if iv.series else None
    out += [
        fig("waarde", latest, w.value, w.text, status=w.status, level="wijk", code=w.code,
            name=w.name, num=w.numerator, den=w.denominator)
        for w in iv.wijken
    ]  # fmt: skip
    return out


def trend_text(slope: float, unit: str) -> str:
    """A trend per year in words: ``+0,3 procentpunt per jaar``."""
    sign = "+" if slope > 0 else ("−" if slope < 0 else "")
    size = {"%": "procentpunt", "euro": "euro", "dagen": "dagen"}.get(unit, unit)
    return f"{sign}{number(abs(slope), 2)} {size} per jaar"


def goal_views(goals: Mapping[str, Goal], pub: Published) -> list[GoalView]:
    """Every goal with its indicators' published figures and status, in id order."""
    return [
        GoalView(goal, [_indicator_view(goal, gi, pub) for gi in goal.indicators])
        for goal in goals.values()
    ]
