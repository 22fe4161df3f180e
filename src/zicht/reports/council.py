"""`zicht report`: the council report on goals, as HTML or PDF, with an Excel file.

Every figure comes from the published snapshot, which passed the disclosure gate; the
report checks that once more (:func:`zicht.privacy.disclosure.assert_gated`) and never
reads the canonical tables; only the story patterns come from the stored stories, whose
text is scrubbed (:mod:`zicht.reports._stories`). The layout is print quality (A4, page
numbers, a table of contents whose page numbers WeasyPrint fills in with
``target-counter``); charts are static SVG with alternative text. Next to ``FILE.pdf``
or ``FILE.html`` comes ``FILE.xlsx`` with every figure in the report. A goal that names
story patterns (``stories:`` in its YAML) gets them with scrubbed stories.

Example::

    write_report(Path("mijn-werkruimte"), Path("raad.pdf"))          # all goals
    write_report(Path("mijn-werkruimte"), Path("armoede.html"), goal_id="kinderarmoede")
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import jinja2

from zicht.errors import ZichtError
from zicht.goals.load import WORKSPACE_GOALS_DIR, load_goals
from zicht.goals.progress import MIN_QUALITY, ON_TRACK_LAG, RISK_LAG, TREND_PERIODS
from zicht.goals.view import (
    GoalView,
    IndicatorView,
    Published,
    goal_views,
    published_from_tables,
    trend_text,
)
from zicht.reports import _excel, _svg
from zicht.reports._stories import StoryBlock, story_blocks
from zicht.web._format import number, timestamp

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
FORMATS = (".html", ".pdf")
MONTHS_NL = (
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
)  # fmt: skip


class ReportError(ZichtError):
    """The report cannot be made (nothing published, unknown goal, wrong file type)."""


@dataclass(frozen=True)
class ReportResult:
    path: Path
    excel: Path
    goals: int
    indicators: int


def load_published(ws_root: Path) -> Published:
    """The current snapshot as :class:`Published`, after the gate's last check."""
    from zicht.indicators.published import load_current
    from zicht.privacy.disclosure import assert_gated, zeros_of

    snap = load_current(ws_root)
    if snap is None:
        raise ReportError("er is nog niets gepubliceerd; draai eerst `zicht refresh`")
    assert_gated(snap.cube, int(snap.meta.get("min_cell_count", 10)), zeros_of(snap.indicators))
    return published_from_tables(
        snap.meta, snap.indicators, snap.cube.to_pylist(), snap.areas.to_pylist()
    )


def build_views(ws_root: Path, goal_id: str | None = None) -> tuple[Published, list[GoalView]]:
    pub = load_published(ws_root)
    goals = load_goals(Path(ws_root) / WORKSPACE_GOALS_DIR)
    if goal_id is not None:
        if goal_id not in goals:
            raise ReportError(f"onbekend doel {goal_id!r}; bekend: {', '.join(goals)}")
        goals = {goal_id: goals[goal_id]}
    if not goals:
        raise ReportError("er zijn geen doelen vastgelegd (map goals/ in de werkruimte)")
    return pub, goal_views(goals, pub)


def dutch_date(day: date) -> str:
    return f"{day.day} {MONTHS_NL[day.month - 1]} {day.year}"


def _chart_src(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["datum"] = dutch_date
    env.filters["getal"] = number
    env.globals["chart_src"] = lambda iv: _chart_src(_svg.line_chart(iv))
    env.globals["alt_text"] = _svg.alt_text
    env.globals["trend_text"] = _trend
    return env


def _trend(iv: IndicatorView) -> str:
    return "" if iv.progress.trend is None else trend_text(iv.progress.trend, iv.unit)


def _load_groups(loads: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Loads summed per folder (thousands of message files make one line per folder)."""
    groups: dict[str, dict[str, Any]] = {}
    for x in loads:
        path = Path(str(x.get("file", "")))
        # A folder of many files is one entry already (with ``files``; refresh.py).
        key = path.name if "files" in x else (path.parent.name or path.name)
        g = groups.setdefault(key, {"name": key, "files": 0, "rows_in": 0, "accepted": 0,
                                    "quarantined": 0})  # fmt: skip
        g["files"] += int(x.get("files", 1))
        for k in ("rows_in", "accepted", "quarantined"):
            g[k] += int(x.get(k, 0))
    return list(groups.values())


def render_html(
    pub: Published,
    views: list[GoalView],
    *,
    today: date | None = None,
    stories: dict[str, StoryBlock] | None = None,
    story_k: int = 5,
) -> str:
    """The report as one self-contained HTML page (CSS and charts inline); ``stories``
    are the story patterns per goal id (:func:`zicht.reports._stories.story_blocks`)."""
    env = _environment()
    css = (TEMPLATES_DIR / "council.css").read_text(encoding="utf-8")
    meta = pub.meta
    loads = _load_groups(meta.get("loads") or [])
    return env.get_template("council.html").render(
        css=css,
        views=views,
        stories=stories or {},
        story_k=story_k,
        gemeente=str(meta.get("gemeente_naam") or meta.get("gemeente_code") or ""),
        created=timestamp(str(meta.get("created_at", ""))),
        refresh_id=str(meta.get("refresh_id", "")),
        min_cell_count=int(meta.get("min_cell_count", 10)),
        loads=loads,
        today=today or date.today(),  # noqa: DTZ011 - the printing date, local calendar day
        rule={
            "on_track": number(100 * ON_TRACK_LAG, 0),
            "risk": number(100 * RISK_LAG, 0),
            "trend_periods": TREND_PERIODS,
            "quality": number(100 * MIN_QUALITY, 0),
        },
    )


def _story_k(ws_root: Path) -> int:
    from zicht.config import Settings

    return Settings.load(ws_root / "zicht.toml").get_int("stories_k")


def write_report(ws_root: Path, out: Path, *, goal_id: str | None = None) -> ReportResult:
    """Write the report to ``out`` (.html or .pdf) and its figures to ``out`` .xlsx."""
    out = Path(out)
    if out.suffix.lower() not in FORMATS:
        raise ReportError(f"{out}: kies een bestandsnaam op .html of .pdf")
    pub, views = build_views(Path(ws_root), goal_id)
    blocks = story_blocks(Path(ws_root), {v.id: v.goal for v in views})
    html = render_html(pub, views, stories=blocks, story_k=_story_k(Path(ws_root)))
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() == ".pdf":
        from weasyprint import HTML

        HTML(string=html, base_url=str(TEMPLATES_DIR)).write_pdf(out, pdf_variant="pdf/ua-1")
    else:
        out.write_text(html, encoding="utf-8")
    excel = out.with_suffix(".xlsx")
    _excel.write_figures(views, excel, snapshot=str(pub.meta.get("refresh_id", "")), stories=blocks)
    return ReportResult(
        path=out,
        excel=excel,
        goals=len(views),
        indicators=sum(len(v.indicators) for v in views),
    )
