"""Goal pages for the raad, beleid and analisten: every goal with its status, and one
page per goal with its indicators, charts, figures and duiding.

Figures come from the published snapshot only (as every page); the goals from the
shipped goal files and the workspace's ``goals/`` folder (docs/goals.md). The charts are
the same static SVG as in the council report, inlined, with their text alternative.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup

from zicht.errors import ZichtError
from zicht.goals.edit import GoalEditError, add_duiding
from zicht.goals.load import WORKSPACE_GOALS_DIR, load_goals
from zicht.goals.model import Goal
from zicht.goals.view import GoalView, Published, goal_views, published_from_tables
from zicht.reports import _svg
from zicht.web._nav import add_link
from zicht.web._snapshot import Snapshot
from zicht.web.access import Role, User, audit, require
from zicht.web.pages import base_context, nothing_published, render, snapshot_of

router = APIRouter(dependencies=[Depends(require(Role.RAAD, Role.BELEID, Role.ANALIST))])
ANALIST_ONLY = require(Role.ANALIST)  # writing a duiding
add_link("/doelen", "Doelen", Role.RAAD, Role.BELEID, Role.ANALIST)


def _published(snapshot: Snapshot) -> Published:
    return published_from_tables(
        snapshot.meta,
        snapshot.indicators,
        [dataclasses.asdict(c) for c in snapshot.cells],
        [dataclasses.asdict(a) for a in snapshot.areas],
    )


def _goals(request: Request) -> dict[str, Goal]:
    root = Path(request.app.state.access.root)
    try:
        return load_goals(root / WORKSPACE_GOALS_DIR)
    except ZichtError as exc:  # a broken goal file: say which, do not crash the page
        raise HTTPException(503, f"De doelen konden niet worden gelezen: {exc}") from None


def _views(request: Request, snapshot: Snapshot, goal_id: str | None = None) -> list[GoalView]:
    goals = _goals(request)
    if goal_id is not None:
        if goal_id not in goals:
            raise HTTPException(404, f"Het doel ‘{goal_id}’ bestaat niet.")
        goals = {goal_id: goals[goal_id]}
    return goal_views(goals, _published(snapshot))


@router.get("/doelen", include_in_schema=False)
def goals_overview(request: Request) -> Response:
    snapshot = snapshot_of(request)
    if snapshot is None:
        return nothing_published(request)
    context: dict[str, Any] = base_context(snapshot) | {"views": _views(request, snapshot)}
    return render(request, "doelen_overzicht.html", context)


@router.get("/doelen/{goal_id}", include_in_schema=False)
def goal_page(request: Request, goal_id: str) -> Response:
    snapshot = snapshot_of(request)
    if snapshot is None:
        return nothing_published(request)
    view = _views(request, snapshot, goal_id)[0]
    audit(request, "bekijken", f"doel {goal_id}")
    charts = {iv.id: Markup(_svg.line_chart(iv)) for iv in view.indicators}  # noqa: S704 - our own SVG; every text in it is escaped
    periods = sorted({int(p) for p in snapshot.meta.get("periods") or []}, reverse=True)
    context = base_context(snapshot) | {"view": view, "charts": charts, "periods": periods}
    return render(request, "doelen_doel.html", context)


@router.post("/doelen/{goal_id}/duiding", include_in_schema=False)
def add_goal_duiding(
    request: Request,
    goal_id: str,
    user: Annotated[User, Depends(ANALIST_ONLY)],
    periode: Annotated[int, Form()],
    tekst: Annotated[str, Form()],
    indicator: Annotated[str, Form()] = "",
) -> Response:
    """An analist adds a duiding (CSRF-checked like every POST); it lands in the
    workspace's goal file and shows on the goal page and in the next council report."""
    if goal_id not in _goals(request):
        raise HTTPException(404, f"Het doel ‘{goal_id}’ bestaat niet.")
    try:
        add_duiding(
            Path(request.app.state.access.root),
            goal_id,
            period=periode,
            indicator=indicator or None,
            author=user.username,
            text=tekst,
            today=date.today(),  # noqa: DTZ011 - the analyst's calendar day
        )
    except GoalEditError as exc:
        raise HTTPException(400, f"De duiding is niet opgeslagen: {exc}.") from None
    audit(request, "duiding toevoegen", f"doel {goal_id}")
    return RedirectResponse(f"/doelen/{goal_id}#duiding-toevoegen", status_code=303)
