"""Administration (role beheer): users, roles and scopes, with CSRF-protected forms.

A new or reset password is generated and shown once on the result page; it is not
stored anywhere but as its argon2 hash. Every change goes to the audit log.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from zicht.errors import AccessError
from zicht.privacy.roles import ROLE_TEXT, Role, User, parse_role
from zicht.web.access import AccessState, audit, require
from zicht.web.pages import render, snapshot_of

router = APIRouter(prefix="/beheer")
Admin = Annotated[User, Depends(require(Role.BEHEER))]


def _split(text: str) -> list[str]:
    return [p for p in text.replace(";", ",").replace(" ", ",").split(",") if p]


def _page(
    request: Request, me: User, extra: dict[str, Any] | None = None, status: int = 200
) -> Response:
    state: AccessState = request.app.state.access
    snapshot = snapshot_of(request)
    context: dict[str, Any] = {
        "gemeente": snapshot.gemeente_naam if snapshot else "",
        "accounts": state.accounts.list_accounts(),
        "roles": [(r.value, ROLE_TEXT[r]) for r in Role],
        "me": me,
        "error": "",
        "message": "",
        "new_password": None,
        "form": {"username": "", "role": "raad", "gemeenten": "", "teams": ""},
    }
    return render(request, "admin.html", context | (extra or {}), status)


@router.get("/gebruikers", include_in_schema=False)
def users(request: Request, me: Admin) -> Response:
    return _page(request, me)


@router.post("/gebruikers", include_in_schema=False)
def add_user(
    request: Request,
    me: Admin,
    username: str = Form(""),
    role: str = Form(""),
    gemeenten: str = Form(""),
    teams: str = Form(""),
) -> Response:
    form = {"username": username, "role": role, "gemeenten": gemeenten, "teams": teams}
    state: AccessState = request.app.state.access
    try:
        chosen_role = parse_role(role)
        name = username.strip().lower()
        password = state.accounts.add(
            name, chosen_role, gemeenten=_split(gemeenten), teams=_split(teams)
        )
    except AccessError as exc:
        return _page(request, me, {"error": _sentence(exc), "form": form}, status=400)
    audit(request, "gebruiker toegevoegd", f"{name} ({chosen_role.value})")
    return _page(
        request,
        me,
        {"message": f"Gebruiker {name} is toegevoegd.", "new_password": (name, password)},
    )


@router.post("/gebruikers/{username}/wachtwoord", include_in_schema=False)
def reset_password(request: Request, username: str, me: Admin) -> Response:
    state: AccessState = request.app.state.access
    try:
        password = state.accounts.set_password(username)
    except AccessError as exc:
        return _page(request, me, {"error": _sentence(exc)}, status=400)
    state.forget(username)
    audit(request, "gebruiker nieuw wachtwoord", username)
    return _page(
        request,
        me,
        {
            "message": f"{username} heeft een nieuw wachtwoord; open sessies zijn beëindigd.",
            "new_password": (username, password),
        },
    )


@router.post("/gebruikers/{username}/rol", include_in_schema=False)
def change_role(
    request: Request,
    username: str,
    me: Admin,
    role: str = Form(""),
    gemeenten: str = Form(""),
    teams: str = Form(""),
) -> Response:
    state: AccessState = request.app.state.access
    if username == me.username and role != Role.BEHEER.value:
        return _page(request, me, {"error": "U kunt uw eigen beheerrol niet afnemen."}, status=400)
    try:
        chosen = parse_role(role)
        state.accounts.update(username, chosen, gemeenten=_split(gemeenten), teams=_split(teams))
    except AccessError as exc:
        return _page(request, me, {"error": _sentence(exc)}, status=400)
    state.forget(username)
    audit(request, "gebruiker gewijzigd", f"{username} ({chosen.value}; {gemeenten or 'alle'})")
    return _page(request, me, {"message": f"Rol en bereik van {username} zijn gewijzigd."})


@router.post("/gebruikers/{username}/verwijderen", include_in_schema=False)
def remove_user(request: Request, username: str, me: Admin) -> Response:
    state: AccessState = request.app.state.access
    if username == me.username:
        return _page(
            request, me, {"error": "U kunt uw eigen account niet verwijderen."}, status=400
        )
    try:
        state.accounts.remove(username)
    except AccessError as exc:
        return _page(request, me, {"error": _sentence(exc)}, status=400)
    state.forget(username)
    audit(request, "gebruiker verwijderd", username)
    return _page(request, me, {"message": f"Gebruiker {username} is verwijderd."})


def _sentence(exc: Exception) -> str:
    text = str(exc)
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")
