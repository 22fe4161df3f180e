"""Data quality (role analist): quarantine counts per source and rule, with example rows.

The example rows are microdata (pseudonymised: the quarantine holds no BSN, name or
address), so they are shown only to an analist whose scope covers the workspace's
gemeente, and every view is written to the audit log. Outside the scope the page shows
the counts only. The canonical database is opened read-only for the duration of one
request; while ingest or refresh holds it, the page says so instead of waiting.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from zicht.errors import WorkspaceError
from zicht.privacy.roles import Role, User
from zicht.quality.quarantine import files_with_quarantine, load_summary, rule_counts
from zicht.store import open_store
from zicht.web.access import AccessState, audit, require
from zicht.web.pages import render, snapshot_of

router = APIRouter()
DB_NAME = "zicht.duckdb"  # the canonical database (zicht.workspace.DB_NAME)
EXAMPLES = 3
FILES_SHOWN = 50  # files with quarantined rows listed one by one (a year of messages is 60,000)


@router.get("/datakwaliteit", include_in_schema=False)
def quality_page(request: Request, me: Annotated[User, Depends(require(Role.ANALIST))]) -> Response:
    state: AccessState = request.app.state.access
    snapshot = snapshot_of(request)
    gemeente_code = snapshot.gemeente_code if snapshot else ""
    may_see_rows = me.may_see_microdata(gemeente_code) if gemeente_code else not me.gemeenten
    context: dict[str, Any] = {
        "gemeente": snapshot.gemeente_naam if snapshot else "",
        "rules": [],
        "sources": [],
        "files": [],
        "files_total": 0,
        "notice": "",
        "rows_shown": may_see_rows,
        "out_of_scope": not may_see_rows,
    }
    db = Path(state.root) / DB_NAME
    if not db.exists():
        context["notice"] = "Er is nog niets ingelezen; draai eerst `zicht ingest`."
        return render(request, "quality.html", context)
    try:
        with open_store(db, read_only=True) as store:
            context["rules"] = rule_counts(store, examples=EXAMPLES if may_see_rows else 0)
            context["sources"] = load_summary(store)
            context["files"], context["files_total"] = files_with_quarantine(
                store, limit=FILES_SHOWN
            )
    except WorkspaceError:
        context["notice"] = (
            "De database is bezet (er wordt ingelezen of ververst). Probeer het zo opnieuw."
        )
        return render(request, "quality.html", context, status=503)
    shown = sum(len(r.examples) for r in context["rules"])
    if shown:
        audit(request, "bekijken microdata", f"quarantaine: {shown} voorbeeldregels")
    return render(request, "quality.html", context)
