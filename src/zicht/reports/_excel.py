"""The Excel file next to a council report: every figure in the report, one per row."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

from zicht.goals.view import GoalView

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


def write_figures(views: list[GoalView], path: Path, *, snapshot: str) -> None:
    """Write ``path`` (.xlsx): sheet *Cijfers* (every figure) and sheet *Doelen*."""
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
    about = wb.create_sheet("Bron")
    about.append(["Gepubliceerde stand", snapshot])
    about.append(
        ["Toelichting", "Alle cijfers komen uit de gepubliceerde stand (na de privacytoets)."]
    )
    for sheet in (ws, goals):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
    wb.save(path)
