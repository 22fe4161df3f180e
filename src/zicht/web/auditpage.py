"""The audit log page (role fg): who saw which microdata and exported what, when.

Filters (user, action) live in the query string. Reading the log is itself logged.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from zicht.privacy import audit as audit_log
from zicht.privacy.roles import Role, User
from zicht.web.access import AccessState, audit, require
from zicht.web.pages import render, snapshot_of

router = APIRouter()
LIMIT = 500


@router.get("/audit", include_in_schema=False)
def audit_page(
    request: Request,
    me: Annotated[User, Depends(require(Role.FG))],
    gebruiker: str = "",
    actie: str = "",
) -> Response:
    state: AccessState = request.app.state.access
    entries = audit_log.entries(state.root, username=gebruiker, action=actie, limit=LIMIT)
    actions = audit_log.actions(state.root)
    what = (
        ", ".join(
            p
            for p in (f"gebruiker={gebruiker}" * bool(gebruiker), f"actie={actie}" * bool(actie))
            if p
        )
        or "alles"
    )
    audit(request, "bekijken auditlog", what)
    snapshot = snapshot_of(request)
    return render(
        request,
        "audit.html",
        {
            "gemeente": snapshot.gemeente_naam if snapshot else "",
            "entries": entries,
            "actions": actions,
            "gebruiker": gebruiker,
            "actie": actie,
            "limit": LIMIT,
        },
    )
