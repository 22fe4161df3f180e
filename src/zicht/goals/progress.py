"""Progress of a goal indicator: op koers, risico, niet op koers or onbekend.

The rule is deliberately simple, so a council member can check it by hand
(docs/goals.md, "How the status is decided"). Inputs are published gemeente figures only.

1. **onbekend** when the latest figure is suppressed or missing, the baseline figure is
   suppressed or missing, there is no figure after the baseline period yet, or the data
   quality is below :data:`MIN_QUALITY`.
2. The target period has come (latest period ≥ year of the target date): **op koers** when
   the target is met, else **niet op koers**.
3. The target is already met before its date: **op koers**.
4. Otherwise compare with the agreed path: a straight line from the baseline through the
   milestones to the target. The *achterstand* (lag) is the distance behind the path in
   the target's direction, as a share of the whole change agreed (target − baseline).
   - lag ≤ :data:`ON_TRACK_LAG` (10%) and the trend does not run against the direction:
     **op koers**; with the trend against it: **risico**.
   - lag ≤ :data:`RISK_LAG` (25%), or the trend carried forward reaches the target by its
     date: **risico**.
   - otherwise **niet op koers**.

The trend is the least-squares slope per year over the last :data:`TREND_PERIODS`
published figures up to the latest one (at least two are needed; else no trend).

Example::

    assess(series={2021: 6.0, 2022: 5.8, 2023: 5.5}, baseline_period=2021, target=4.5,
           target_period=2026, direction="omlaag")   # -> Progress(status="op koers", ...)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

Status = Literal["op koers", "risico", "niet op koers", "onbekend"]
STATUSES: tuple[Status, ...] = ("op koers", "risico", "niet op koers", "onbekend")

ON_TRACK_LAG = 0.10
"""At most this share of the agreed change behind the path is still op koers."""
RISK_LAG = 0.25
"""Further behind than this (and a trend that does not reach the target) is niet op koers."""
TREND_PERIODS = 3
"""The trend is fitted on at most this many latest published figures."""
MIN_QUALITY = 0.95
"""Below this data-quality score (share of input rows accepted) the status is onbekend."""
HOLD_SCALE = 0.05
"""For a goal to hold a level (the baseline already meets the target) there is no agreed
change to measure the lag against; this share of the target is used instead."""


@dataclass(frozen=True)
class Progress:
    """The status of one goal indicator and everything that decided it."""

    status: Status
    reason: str  # Dutch, one or two sentences, for the report and the pages
    latest_period: int | None = None
    latest_value: float | None = None
    baseline_value: float | None = None
    expected_value: float | None = None  # on the agreed path in the latest period
    lag: float | None = None  # share of the agreed change behind the path (< 0: ahead)
    trend: float | None = None  # slope per year
    projected: float | None = None  # trend carried forward to the target period


def _sign(direction: str) -> float:
    """+1 when the value must go up, −1 when it must go down."""
    return 1.0 if direction == "omhoog" else -1.0


def meets(value: float, target: float, direction: str) -> bool:
    """Whether ``value`` is at or beyond ``target`` in the goal's direction."""
    return (value - target) * _sign(direction) >= 0


def expected_on_path(
    baseline_period: int,
    baseline_value: float,
    milestones: Sequence[tuple[int, float]],
    period: int,
) -> float:
    """The value the agreed path has in ``period``: straight lines from the baseline
    through each (period, value) of ``milestones`` (the target last)."""
    points = [(baseline_period, baseline_value), *sorted(milestones)]
    for (p0, v0), (p1, v1) in zip(points, points[1:], strict=False):
        if p0 <= period <= p1:
            return v0 + (v1 - v0) * (period - p0) / (p1 - p0)
    return points[-1][1] if period > points[-1][0] else baseline_value


def trend(series: Mapping[int, float | None], up_to: int, n: int = TREND_PERIODS) -> float | None:
    """Least-squares slope per year of the last ``n`` published figures up to ``up_to``."""
    points = sorted((p, v) for p, v in series.items() if v is not None and p <= up_to)[-n:]
    if len(points) < 2:
        return None
    mx = sum(p for p, _ in points) / len(points)
    my = sum(v for _, v in points) / len(points)
    sxx = sum((p - mx) ** 2 for p, _ in points)
    return sum((p - mx) * (v - my) for p, v in points) / sxx


def _fmt(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")


def assess(
    *,
    series: Mapping[int, float | None],
    baseline_period: int,
    target: float,
    target_period: int,
    direction: str,
    milestones: Sequence[tuple[int, float]] = (),
    quality: float | None = None,
) -> Progress:
    """The status of one indicator of a goal from its published gemeente ``series``
    (period → value; None when suppressed). ``milestones`` exclude the target."""
    if quality is not None and quality < MIN_QUALITY:
        return Progress(
            "onbekend",
            f"De datakwaliteit ({_fmt(100 * quality)}% van de rijen goedgekeurd) is lager dan "
            f"de ondergrens van {_fmt(100 * MIN_QUALITY)}%.",
        )
    if not series:
        return Progress("onbekend", "Er is nog geen gepubliceerd cijfer.")
    latest = max(series)
    value = series[latest]
    if latest <= baseline_period:
        return Progress(
            "onbekend",
            f"Er is nog geen cijfer na de basisperiode {baseline_period}.",
            latest_period=latest,
            latest_value=value,
        )
    if value is None:
        return Progress(
            "onbekend",
            f"Het cijfer over {latest} is onderdrukt om herleidbaarheid te voorkomen.",
            latest_period=latest,
        )
    baseline = series.get(baseline_period)
    if baseline is None:
        return Progress(
            "onbekend",
            f"Het cijfer over de basisperiode {baseline_period} is onderdrukt of ontbreekt.",
            latest_period=latest,
            latest_value=value,
        )
    slope = trend(series, latest)
    facts: dict[str, Any] = {
        "latest_period": latest,
        "latest_value": value,
        "baseline_value": baseline,
    }
    reached = meets(value, target, direction)
    if latest >= target_period:
        if reached:
            return Progress("op koers", f"Het doel voor {target_period} is gehaald.", **facts)
        return Progress("niet op koers", f"Het doel voor {target_period} is niet gehaald.", **facts)
    if reached:
        return Progress("op koers", "Het doel is nu al gehaald.", trend=slope, **facts)
    sign = _sign(direction)
    path = [*milestones, (target_period, target)]
    expected = expected_on_path(baseline_period, baseline, path, latest)
    # A goal to hold a level (baseline already meets the target) has no agreed change.
    hold = meets(baseline, target, direction)
    scale = (HOLD_SCALE * abs(target) if hold else abs(target - baseline)) or 1.0
    lag = (expected - value) * sign / scale
    projected = None if slope is None else value + slope * (target_period - latest)
    against = slope is not None and slope * sign < 0
    detail: dict[str, Any] = {**facts, "expected_value": expected, "lag": lag, "trend": slope}
    behind = f"{_fmt(100 * max(lag, 0.0))}% van de afgesproken verandering achter op het pad"
    if lag <= ON_TRACK_LAG:
        if not against:
            where = "op of voor" if lag <= 0 else "vlak achter"
            return Progress(
                "op koers",
                f"Het cijfer ligt {where} het afgesproken pad naar het doel.",
                projected=projected,
                **detail,
            )
        return Progress(
            "risico",
            "Het cijfer ligt op het afgesproken pad, maar de trend gaat de verkeerde kant op.",
            projected=projected,
            **detail,
        )
    catches_up = projected is not None and meets(projected, target, direction)
    if lag <= RISK_LAG:
        return Progress("risico", f"Het cijfer ligt {behind}.", projected=projected, **detail)
    if catches_up:
        return Progress(
            "risico",
            f"Het cijfer ligt {behind}, maar met de huidige trend wordt het doel in "
            f"{target_period} gehaald.",
            projected=projected,
            **detail,
        )
    return Progress(
        "niet op koers",
        f"Het cijfer ligt {behind} en met de huidige trend wordt het doel in "
        f"{target_period} niet gehaald.",
        projected=projected,
        **detail,
    )


def data_quality(
    meta: Mapping[str, Any], indicator: Mapping[str, Any] | None = None
) -> float | None:
    """The data-quality score (0–1) that rule 1 compares with :data:`MIN_QUALITY`.

    An indicator's own ``quality`` in ``indicators.json`` wins when a refresh publishes
    one; otherwise the share of input rows accepted over every load of the snapshot
    (``meta.json`` ``loads``: accepted / rows_in). None when nothing is known.
    """
    if indicator is not None and isinstance(indicator.get("quality"), int | float):
        return float(indicator["quality"])
    loads = meta.get("loads") or []
    rows_in = sum(int(x.get("rows_in", 0)) for x in loads)
    if rows_in == 0:
        return None
    return sum(int(x.get("accepted", 0)) for x in loads) / rows_in
