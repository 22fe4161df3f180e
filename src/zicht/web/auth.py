"""Logging in and out: ``/inloggen`` (form, rate limited) and ``/uitloggen``.

Both forms carry the session's CSRF token; :func:`zicht.web.access.enforce` checks it
before these handlers run.
"""

from __future__ import annotations

import math
from typing import Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from zicht.web.access import (
    LOGIN_PATH,
    AccessState,
    audit,
    client_of,
    current_user,
    end_session,
    public,
    require,
    start_session,
)

router = APIRouter()


def safe_next(target: str | None) -> str:
    """Only a path on this site (no ``//host`` or ``https://``): no open redirect."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _form(request: Request, context: dict[str, Any], status: int = 200) -> Response:
    templates: Jinja2Templates = request.app.state.templates
    state: AccessState = request.app.state.access
    base = {
        "gemeente": "",
        "error": "",
        "username": "",
        "next": "/",
        "no_accounts": state.accounts.count() == 0,
    }
    return templates.TemplateResponse(request, "login.html", base | context, status_code=status)


@router.get(LOGIN_PATH, include_in_schema=False, dependencies=[Depends(public)])
def login_form(request: Request, next: str | None = None) -> Response:
    target = safe_next(next)
    if current_user(request) is not None and next is None:
        return RedirectResponse(target, status_code=303)
    return _form(request, {"next": target})


@router.post(LOGIN_PATH, include_in_schema=False, dependencies=[Depends(public)])
def login(
    request: Request,
    username: str = Form(""),
    password: str = Form(""),
    next: str = Form("/"),
) -> Response:
    state: AccessState = request.app.state.access
    username = username.strip().lower()
    client = client_of(request)
    target = safe_next(next)
    wait = state.limiter.wait_seconds(username, client)
    if wait > 0:
        minutes = max(1, math.ceil(wait / 60))
        return _form(
            request,
            {
                "error": "Te veel mislukte pogingen om in te loggen. "
                f"Probeer het over {minutes} minuten opnieuw.",
                "username": username,
                "next": target,
            },
            status=429,
        )
    account = state.accounts.authenticate(username, password) if username else None
    if account is None:
        state.limiter.failed(username, client)
        audit_failed(request, username)
        return _form(
            request,
            {
                "error": "Gebruikersnaam of wachtwoord is onjuist.",
                "username": username,
                "next": target,
            },
            status=401,
        )
    state.limiter.succeeded(username)
    state.forget(username)
    start_session(request, account)
    audit(request, "inloggen", "sessie gestart")
    return RedirectResponse(target, status_code=303)


def audit_failed(request: Request, username: str) -> None:
    state: AccessState = request.app.state.access
    state.audit.write(
        username or "-",
        "-",
        "inloggen mislukt",
        "onjuist wachtwoord of onbekende naam",
        client_of(request),
    )


@router.post("/uitloggen", include_in_schema=False, dependencies=[Depends(require())])
def logout(request: Request) -> Response:
    audit(request, "uitloggen", "sessie beëindigd")
    end_session(request)
    return RedirectResponse(LOGIN_PATH, status_code=303)
