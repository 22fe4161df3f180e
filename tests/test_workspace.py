from __future__ import annotations

import stat
from pathlib import Path

import pytest

from zicht.errors import ConfigError, WorkspaceError
from zicht.model.schema import TABLES
from zicht.workspace import Workspace


def test_init_creates_settings_database_and_private_key(tmp_path: Path) -> None:
    ws = Workspace.init(tmp_path / "ws")
    assert (ws.root / "zicht.toml").is_file()
    assert ws.db_path.is_file()
    mode = stat.S_IMODE(ws.key_path.stat().st_mode)
    assert mode == 0o600
    assert len(ws.key()) == 32
    # The key lives outside the database: no table or value holds it.
    key_hex = ws.key().hex()
    assert key_hex.encode() not in ws.db_path.read_bytes()
    with ws.store() as store:
        for table in TABLES:
            assert store.table_exists(table), table


def test_init_refuses_existing_workspace(tmp_path: Path) -> None:
    Workspace.init(tmp_path / "ws")
    with pytest.raises(WorkspaceError, match="al een zicht-werkruimte"):
        Workspace.init(tmp_path / "ws")


def test_open_missing_workspace_names_the_fix(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match="zicht init"):
        Workspace.open(tmp_path / "nothing")


def test_two_workspaces_have_different_keys(tmp_path: Path) -> None:
    a = Workspace.init(tmp_path / "a")
    b = Workspace.init(tmp_path / "b")
    assert a.key() != b.key()


def test_settings_precedence_env_over_file_over_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = Workspace.init(tmp_path / "ws")
    assert ws.settings.get_int("youth_max_age") == 17
    ws.set_setting("min_cell_count", 5)
    assert Workspace.open(ws.root).settings.get_int("min_cell_count") == 5
    monkeypatch.setenv("ZICHT_MIN_CELL_COUNT", "20")
    assert Workspace.open(ws.root).settings.get_int("min_cell_count") == 20
    monkeypatch.setenv("ZICHT_MIN_CELL_COUNT", "tien")
    with pytest.raises(ConfigError, match="min_cell_count"):
        Workspace.open(ws.root)


def test_unknown_setting_is_refused(tmp_path: Path) -> None:
    ws = Workspace.init(tmp_path / "ws")
    with (ws.root / "zicht.toml").open("a") as fh:
        fh.write("min_cel_count = 3\n")
    with pytest.raises(ConfigError, match="min_cel_count"):
        Workspace.open(ws.root)
