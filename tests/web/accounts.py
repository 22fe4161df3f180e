"""Logging in for the web tests (the helpers live in zicht.web.testing)."""

from __future__ import annotations

from typing import Any

from zicht.privacy.roles import Role
from zicht.web.testing import add_user, csrf_of, password_for
from zicht.web.testing import login as login_as

__all__ = ["add_user", "csrf_of", "logged_in", "login_as", "password_for"]


def logged_in(root: Any, role: Role = Role.RAAD, **scope: Any) -> Any:
    """A TestClient on the dashboard of ``root``, logged in with ``role``."""
    from zicht.web.app import create_app

    from .snapshot_data import TestClient

    client = TestClient(create_app(root))
    login_as(client, role, **scope)
    return client
