"""Helpers for tests of the dashboard and of modules that add routes to it.

Every page needs a login, so a test creates a user in the workspace and logs in
through the real form, CSRF token included::

    from fastapi.testclient import TestClient
    from zicht.web.testing import login

    client = TestClient(create_app(workspace))
    user = login(client, Role.BELEID, gemeenten=["GM0363"])
    assert client.get("/keten").status_code == 200

The pytest fixture ``login`` in ``tests/conftest.py`` returns :func:`login`.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from zicht.privacy.accounts import Accounts
from zicht.privacy.roles import Role, User

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
_numbers = itertools.count(1)


def password_for(username: str) -> str:
    """The password :func:`add_user` gives ``username`` (tests only)."""
    return f"geheim-{username}-wachtwoord"


def csrf_of(html: str) -> str:
    """The CSRF token of the first form in ``html``."""
    found = CSRF_RE.search(html)
    if found is None:
        raise AssertionError("no CSRF token in the page")
    return found.group(1)


def add_user(
    root: Path,
    role: Role,
    gemeenten: Iterable[str] = (),
    teams: Iterable[str] = (),
    username: str | None = None,
) -> User:
    """An account in the workspace at ``root`` with the password :func:`password_for`."""
    name = username or f"{role.value}{next(_numbers)}"
    Accounts(root).add(
        name, role, password=password_for(name), gemeenten=list(gemeenten), teams=list(teams)
    )
    return User(name, role, frozenset(gemeenten), frozenset(teams))


def login(
    client: Any,
    role: Role,
    gemeenten: Iterable[str] = (),
    teams: Iterable[str] = (),
    username: str | None = None,
) -> User:
    """Create a user with ``role`` in the workspace of ``client`` (a TestClient of
    :func:`zicht.web.app.create_app`) and log in through the form; the client keeps
    the session cookie."""
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
    if r.status_code != 303:
        raise AssertionError(f"login failed: {r.status_code}")
    return user
