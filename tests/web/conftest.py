"""Fixtures of the web tests: a workspace holding the hand-made snapshot, and clients.

``client`` is logged in as a raad user (the role with the least rights that sees the
published figures); ``anonymous`` has no session; ``login(client, role, gemeenten=…)``
(tests/conftest.py) creates a user in the client's workspace and logs in through the
real form.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from zicht.privacy.roles import Role
from zicht.web.app import create_app

from .accounts import login_as
from .snapshot_data import TestClient, write_snapshot


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    ws.mkdir()
    write_snapshot(ws)
    return ws


@pytest.fixture
def anonymous(workspace: Path) -> TestClient:
    return TestClient(create_app(workspace))


@pytest.fixture
def client(workspace: Path) -> TestClient:
    c = TestClient(create_app(workspace))
    login_as(c, Role.RAAD)
    return c
