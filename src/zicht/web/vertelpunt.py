"""The vertelpunt: a public page per story form where residents and professionals tell
a story and give it meaning themselves. No login.

Abuse protection: the session's CSRF token (checked for every POST by
``zicht.web.access.enforce``), a honeypot field that people never see or fill, and a
rate limit per network address (setting ``stories_rate_limit`` per hour). The story is
scrubbed of personal data before it is stored; the unscrubbed text is kept only,
encrypted, when the form allows follow-up and the teller asks for it.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import defaultdict, deque
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates

from zicht.config import Settings
from zicht.errors import ZichtError
from zicht.model.stories import Choice, StoryForm
from zicht.privacy.scrub import get_scrubber
from zicht.store import open_store
from zicht.stories import vault
from zicht.stories.forms import load_forms
from zicht.stories.importer import build_story, wijk_codes
from zicht.stories.storage import save_stories
from zicht.web import access

router = APIRouter(dependencies=[Depends(access.public)])

HONEYPOT = "website"
WINDOW_SECONDS = 3600.0


class SubmitLimiter:
    """At most ``limit`` stories per client address per hour (in memory, per process)."""

    def __init__(self) -> None:
        self._times: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def allow(self, client: str, limit: int) -> bool:
        now = time.monotonic()
        with self._lock:
            q = self._times[client]
            while q and q[0] <= now - WINDOW_SECONDS:
                q.popleft()
            if len(q) >= limit:
                return False
            q.append(now)
            return True


def _limiter(request: Request) -> SubmitLimiter:
    """One limiter per app (so two apps in one process, as in tests, do not share)."""
    state = request.app.state
    if not hasattr(state, "vertelpunt_limiter"):
        state.vertelpunt_limiter = SubmitLimiter()
    limiter: SubmitLimiter = state.vertelpunt_limiter
    return limiter


def _root(request: Request) -> Path:
    root: Path = request.app.state.access.root
    return root


def _forms(request: Request) -> dict[str, StoryForm]:
    return load_forms(_root(request) / "forms")


def _wijken(root: Path) -> list[tuple[str, str]]:
    """(code, name) of the workspace's wijken, empty when no geography is loaded."""
    path = root / "zicht.duckdb"
    if not path.exists():
        return []
    try:
        with open_store(path, read_only=True) as store:
            if wijk_codes(store) is None:
                return []
            rows = store.fetchall(
                "SELECT DISTINCT code, name FROM area WHERE level = 'wijk' ORDER BY name"
            )
    except ZichtError:
        return []
    return [(str(r[0]), str(r[1])) for r in rows]


def _render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(
        request, name, {"gemeente": "", **context}, status_code=status
    )


def _form_page(
    request: Request,
    form: StoryForm,
    *,
    values: dict[str, Any] | None = None,
    error: str = "",
    status: int = 200,
) -> Response:
    return _render(
        request,
        "vertelpunt_form.html",
        {
            "form": form,
            "wijken": _wijken(_root(request)),
            "values": values or {},
            "error": error,
            "honeypot": HONEYPOT,
        },
        status,
    )


@router.get("/vertel", include_in_schema=False)
def vertelpunt_index(request: Request) -> Response:
    return _render(request, "vertelpunt_index.html", {"forms": list(_forms(request).values())})


@router.get("/vertel/{form_id}", include_in_schema=False)
def vertelpunt_form(request: Request, form_id: str) -> Response:
    forms = _forms(request)
    if form_id not in forms:
        raise HTTPException(404, "Dit vertelpunt bestaat niet.")
    return _form_page(request, forms[form_id])


def _raw_answers(form: StoryForm, data: Any) -> dict[str, str]:
    """The submitted fields in the answer text format of zicht.stories.answers."""
    raw: dict[str, str] = {}
    for key in ("verhaal", "titel"):
        raw[key] = str(data.get(key, ""))
    if data.get("identiteit") == "schuilnaam":
        raw["schuilnaam"] = str(data.get("schuilnaam", ""))
    for sig in form.signifiers:
        if data.get(f"nvt_{sig.id}"):
            raw[sig.id] = "nvt"
        elif isinstance(sig, Choice):
            raw[sig.id] = "|".join(str(v) for v in data.getlist(sig.id) if v)
        else:
            raw[sig.id] = str(data.get(sig.id, ""))
    for q in form.context:
        raw[q.field] = str(data.get(q.field, ""))
    raw["verteld_op"] = datetime.now(UTC).date().isoformat()
    return raw


@router.post("/vertel/{form_id}", include_in_schema=False)
async def vertelpunt_submit(request: Request, form_id: str) -> Response:
    forms = _forms(request)
    if form_id not in forms:
        raise HTTPException(404, "Dit vertelpunt bestaat niet.")
    form = forms[form_id]
    data = await request.form()
    raw = _raw_answers(form, data)
    values: dict[str, Any] = {k: v for k, v in raw.items() if k != "verteld_op"}
    values["choices"] = {
        s.id: [str(v) for v in data.getlist(s.id)] for s in form.signifiers if isinstance(s, Choice)
    }
    values["identiteit"] = str(data.get("identiteit", "anoniem"))
    if data.get(HONEYPOT):
        # A field people cannot see was filled: a robot. Say nothing useful to it.
        return _render(request, "vertelpunt_dank.html", {"form": form, "story": None})
    if not data.get("toestemming"):
        return _form_page(
            request,
            form,
            values=values,
            error="Geef toestemming om uw verhaal te gebruiken (het vakje onderaan).",
            status=400,
        )
    root = _root(request)
    settings = Settings.load(root / "zicht.toml")
    wijken = {code for code, _ in _wijken(root)} or None
    scrubber = get_scrubber()
    try:
        story = build_story(
            form,
            raw,
            story_id="web-" + secrets.token_hex(8),
            source="web",
            scrubber=scrubber,
            wijken=wijken,
        )
    except ValueError as exc:
        return _form_page(request, form, values=values, error=_dutch(form, exc), status=400)
    client = access.client_of(request)
    if not _limiter(request).allow(client, settings.get_int("stories_rate_limit")):
        return _form_page(
            request,
            form,
            values=values,
            error="U heeft het afgelopen uur al veel verhalen verteld. Probeer het later opnieuw.",
            status=429,
        )
    originals: dict[str, str] = {}
    if form.follow_up_allowed and data.get("vervolg"):
        contact = str(data.get("contact", "")).strip()[:200]
        originals[story.story_id] = vault.encrypt(
            root, f"Contact: {contact}\n\n{raw['titel']}\n\n{raw['verhaal']}"
        )
    kinds = {s.id: s.type for s in form.signifiers}
    try:
        with open_store(root / "zicht.duckdb") as store:
            save_stories(store, [story], kinds, f"web-{story.told_on.isoformat()}", originals)
    except ZichtError:
        return _form_page(
            request,
            form,
            values=values,
            error="Uw verhaal kon nu niet worden opgeslagen. Probeer het over een minuut opnieuw.",
            status=503,
        )
    return _render(request, "vertelpunt_dank.html", {"form": form, "story": story})


def _dutch(form: StoryForm, exc: ValueError) -> str:
    """Name the question the error is about in words the teller saw."""
    field, _, msg = str(exc).partition(":")
    names = {s.id: s.question for s in form.signifiers}
    names.update({q.field: q.question for q in form.context})
    names.update({"verhaal": "Uw verhaal", "verteld_op": "Datum"})
    return f"{names.get(field, field)}: {msg.strip()}"
