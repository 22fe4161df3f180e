"""Logging in for the web tests: a user in the workspace, logged in through the real form."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from typing import Any

from zicht.privacy.accounts import Accounts
from zicht.privacy.roles import Role, User

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
_numbers = itertools.count(1)


def password_for(username: str) -> str:
    return f"geheim-{username}-wachtwoord"


def csrf_of(html: str) -> str:
    found = CSRF_RE.search(html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def add_user(
    root: Any,
    role: Role,
    gemeenten: Iterable[str] = (),
    teams: Iterable[str] = (),
    username: str | None = None,
) -> User:
    name = username or f"{role.value}{next(_numbers)}"
    Accounts(root).add(
        name, role, password=password_for(name), gemeenten=list(gemeenten), teams=list(teams)
    )
    return User(name, role, frozenset(gemeenten), frozenset(teams))


def login_as(
    client: Any,
    role: Role,
    gemeenten: Iterable[str] = (),
    teams: Iterable[str] = (),
    username: str | None = None,
) -> User:
    """Create a user with ``role`` in the client's workspace and log in through the form
    (GET /inloggen for the CSRF token, POST the form); the client keeps the session."""
    user = add_user(client.app.state.access.root, role, gemeenten, teams, username)
    token = csrf_of(client.get("/inloggen").text)
    r = client.post(
        "/inloggen",
        data={
            "username": user.username,
            "password": password_for(user.username),
            "csrf_token": token,
            "next": "/",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return user


def logged_in(root: Any, role: Role = Role.RAAD, **scope: Any) -> Any:
    """A TestClient on the dashboard of ``root``, logged in with ``role``."""
    from zicht.web.app import create_app

    from .snapshot_data import TestClient

    client = TestClient(create_app(root))
    login_as(client, role, **scope)
    return client
