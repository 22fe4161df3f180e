"""A small static SVG line chart of a goal indicator, made without a browser.

The chart shows the published gemeente figures (a gap where a figure is suppressed), the
agreed path from the baseline through the milestones to the target (dashed) and the
target (a diamond). It is plain SVG text, so WeasyPrint puts it in the PDF as vectors
and the dashboard can inline it; :func:`alt_text` says the same in words.
"""

from __future__ import annotations

import math
from html import escape

from zicht.goals.view import IndicatorView
from zicht.web._format import number

WIDTH, HEIGHT = 640, 250
LEFT, RIGHT, TOP, BOTTOM = 56, 150, 16, 34
SERIES_COLOUR = "#1f4e79"
PATH_COLOUR = "#8a5a00"


def _nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    if hi <= lo:
        hi = lo + 1.0
    raw = (hi - lo) / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    start = math.floor(lo / step) * step
    ticks = []
    t = start
    while t <= hi + step * 1e-9:
        ticks.append(round(t, 10))
        t += step
    if ticks[-1] < hi:
        ticks.append(ticks[-1] + step)
    return ticks


def _decimals(ticks: list[float]) -> int:
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0
    return 0 if step >= 1 else (1 if step >= 0.1 else 2)


def line_chart(iv: IndicatorView) -> str:
    """The SVG of one indicator of a goal (no XML declaration; fit for inlining)."""
    spec = iv.spec
    points = [(p.period, p.value) for p in iv.series]
    base = iv.baseline
    path: list[tuple[int, float]] = []
    if base is not None and base.value is not None:
        path = [(spec.baseline_period, base.value), *spec.path()]
    values = [v for _, v in points if v is not None] + [v for _, v in path] + [spec.target]
    periods = [p for p, _ in points] + [spec.baseline_period, spec.target_period]
    x0, x1 = min(periods), max(periods)
    ticks = _nice_ticks(min([0.0, *values]) if min(values) >= 0 else min(values), max(values))
    y0, y1 = ticks[0], ticks[-1]
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(period: float) -> float:
        return LEFT + (plot_w * (period - x0) / (x1 - x0) if x1 > x0 else plot_w / 2)

    def y(value: float) -> float:
        return TOP + plot_h * (1 - (value - y0) / (y1 - y0))

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="{escape(alt_text(iv))}" '
        'font-family="DejaVu Sans, sans-serif" font-size="11">'
    ]
    dec = _decimals(ticks)
    for t in ticks:
        out.append(
            f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y(t):.1f}" y2="{y(t):.1f}" '
            'stroke="#ddd" stroke-width="1"/>'
            f'<text x="{LEFT - 6}" y="{y(t) + 4:.1f}" text-anchor="end" fill="#444">'
            f"{number(t, dec)}</text>"
        )
    for period in range(x0, x1 + 1):
        out.append(
            f'<text x="{x(period):.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" '
            f'fill="#444">{period}</text>'
        )
    if len(path) > 1:
        coords = " ".join(f"{x(p):.1f},{y(v):.1f}" for p, v in path)
        out.append(
            f'<polyline points="{coords}" fill="none" stroke="{PATH_COLOUR}" '
            'stroke-width="1.5" stroke-dasharray="5 4"/>'
        )
    # The published series, broken where a figure is suppressed.
    runs: list[list[str]] = [[]]
    for period, v in points:
        if v is None:
            runs.append([])
        else:
            runs[-1].append(f"{x(period):.1f},{y(v):.1f}")
    for run in runs:
        if len(run) > 1:
            out.append(
                f'<polyline points="{" ".join(run)}" fill="none" '
                f'stroke="{SERIES_COLOUR}" stroke-width="2.5"/>'
            )
    for period, v in points:
        if v is not None:
            out.append(
                f'<circle cx="{x(period):.1f}" cy="{y(v):.1f}" r="3.5" fill="{SERIES_COLOUR}"/>'
            )
        else:
            out.append(
                f'<text x="{x(period):.1f}" y="{TOP + plot_h - 4}" text-anchor="middle" '
                'fill="#a00">×</text>'
            )
    tx, ty = x(spec.target_period), y(spec.target)
    out.append(
        f'<path d="M{tx:.1f},{ty - 6:.1f} L{tx + 6:.1f},{ty:.1f} L{tx:.1f},{ty + 6:.1f} '
        f'L{tx - 6:.1f},{ty:.1f} Z" fill="{PATH_COLOUR}"/>'
    )
    lx = WIDTH - RIGHT + 14
    out.append(
        f'<line x1="{lx}" x2="{lx + 22}" y1="24" y2="24" stroke="{SERIES_COLOUR}" '
        f'stroke-width="2.5"/><text x="{lx + 28}" y="28">gemeente</text>'
        f'<line x1="{lx}" x2="{lx + 22}" y1="44" y2="44" stroke="{PATH_COLOUR}" '
        f'stroke-width="1.5" stroke-dasharray="5 4"/><text x="{lx + 28}" y="48">'
        "afgesproken pad</text>"
        f'<path d="M{lx + 11},58 L{lx + 17},64 L{lx + 11},70 L{lx + 5},64 Z" '
        f'fill="{PATH_COLOUR}"/><text x="{lx + 28}" y="68">doel</text>'
        f'<text x="{lx + 6}" y="88" fill="#a00">×</text>'
        f'<text x="{lx + 28}" y="88">onderdrukt</text>'
    )
    out.append("</svg>")
    return "".join(out)


def alt_text(iv: IndicatorView) -> str:
    """The chart in words, for screen readers and the PDF's alternative text."""
    parts = [f"{p.period}: {p.text}" for p in iv.series]
    where = "; ".join(parts) if parts else "geen gepubliceerde cijfers"
    return (
        f"Lijngrafiek van {iv.title.lower()} in de gemeente per jaar. {where}. "
        f"Doel: {iv.text(iv.spec.target)} in {iv.spec.target_period}."
    )
