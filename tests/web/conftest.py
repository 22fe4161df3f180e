"""Fixtures of the web tests: a workspace holding the hand-made snapshot, and a client."""

from __future__ import annotations

from pathlib import Path

import pytest

from zicht.web.app import create_app

from .snapshot_data import TestClient, write_snapshot


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    ws.mkdir()
    write_snapshot(ws)
    return ws


@pytest.fixture
def client(workspace: Path) -> TestClient:
    return TestClient(create_app(workspace))
