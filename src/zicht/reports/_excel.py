"""The Excel file next to a council report: every figure in the report, one per row."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

from zicht.goals.view import GoalView
from zicht.reports._stories import StoryBlock

FIGURE_HEADERS = (
    "doel",
    "indicator",
    "soort",
    "niveau",
    "gebiedscode",
    "gebied",
    "jaar",
    "waarde",
    "teller",
    "noemer",
    "eenheid",
    "status",
    "tekst in rapport",
)
GOAL_HEADERS = (
    "doel",
    "titel",
    "programma",
    "indicator",
    "basisjaar",
    "doelwaarde",
    "doeldatum",
    "richting",
    "status",
    "toelichting status",
)


STORY_HEADERS = (
    "doel",
    "formulier",
    "patroon",
    "beschrijving",
    "toets",
    "n",
    "effectmaat",
    "effect",
    "sterkte",
    "p",
    "q",
    "verhalen getoond",
)


def write_figures(
    views: list[GoalView],
    path: Path,
    *,
    snapshot: str,
    stories: dict[str, StoryBlock] | None = None,
) -> None:
    """Write ``path`` (.xlsx): sheet *Cijfers* (every figure), sheet *Doelen* and, when
    a goal names story patterns, sheet *Verhalen* (one row per pattern shown, or the
    line the report prints when none was found)."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None  # a new workbook always has one sheet
    ws.title = "Cijfers"
    ws.append(FIGURE_HEADERS)
    for view in views:
        for f in view.figures:
            ws.append(
                [
                    f.goal_id,
                    f.indicator_id,
                    f.kind,
                    f.level,
                    f.area_code,
                    f.area_name,
                    f.period,
                    f.value,
                    f.numerator,
                    f.denominator,
                    f.unit,
                    f.status,
                    f.text,
                ]
            )
    goals = wb.create_sheet("Doelen")
    goals.append(GOAL_HEADERS)
    for view in views:
        for iv in view.indicators:
            goals.append(
                [
                    view.id,
                    view.goal.title,
                    view.goal.programme,
                    iv.id,
                    iv.spec.baseline_period,
                    iv.spec.target,
                    iv.spec.target_date,
                    iv.spec.direction,
                    iv.progress.status,
                    iv.progress.reason,
                ]
            )
    sheets = [ws, goals]
    if stories:
        sheet = wb.create_sheet("Verhalen")
        sheet.append(STORY_HEADERS)
        for view in views:
            block = stories.get(view.id)
            if block is None:
                continue
            for sp in block.patterns:
                p = sp.pattern
                sheet.append(
                    [view.id, sp.form_title, p.key, p.description, p.test, p.n,
                     p.effect_name, p.effect, sp.strength, p.p, p.q, len(sp.examples)]
                )  # fmt: skip
            for msg in block.messages:
                sheet.append([view.id, None, None, msg])
        sheets.append(sheet)
    about = wb.create_sheet("Bron")
    about.append(["Gepubliceerde stand", snapshot])
    about.append(
        ["Toelichting", "Alle cijfers komen uit de gepubliceerde stand (na de privacytoets)."]
    )
    for sheet in sheets:
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
    wb.save(path)
