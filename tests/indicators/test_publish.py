"""The published layer is swapped atomically and old snapshots are pruned."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from zicht.errors import RefreshError
from zicht.indicators import publish
from zicht.indicators.definitions import load_definitions
from zicht.indicators.published import load_current
from zicht.indicators.refresh import refresh
from zicht.workspace import Workspace

MakeWs = Callable[..., Workspace]
# The hand-made workspace (conftest.py): every indicator x 7 areas x 2 periods.
N_CELLS = len(load_definitions()) * 7 * 2


def _current(ws: Workspace) -> str:
    snap = load_current(ws.root)
    assert snap is not None
    return str(snap.meta["refresh_id"])


def _dirs(ws: Workspace) -> list[str]:
    return sorted(p.name for p in ws.published_dir.iterdir())


def test_crash_at_the_final_swap_keeps_previous_snapshot(
    make_ws: MakeWs, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = make_ws(min_cell_count=0)
    first = refresh(ws)

    def broken_replace(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(RefreshError, match="vorige publicatie blijft staan"):
        refresh(ws)
    monkeypatch.undo()
    snap = load_current(ws.root)
    assert snap is not None and snap.meta["refresh_id"] == first.refresh_id
    assert snap.cube.num_rows == first.cells
    # The half-made snapshot is gone; the stale CURRENT.tmp is cleaned by the next run.
    assert first.refresh_id in _dirs(ws)
    assert [d for d in _dirs(ws) if d not in ("CURRENT", "CURRENT.tmp")] == [first.refresh_id]
    second = refresh(ws)
    assert _current(ws) == second.refresh_id
    assert "CURRENT.tmp" not in _dirs(ws)


def test_crash_while_writing_keeps_previous_snapshot(
    make_ws: MakeWs, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = make_ws(min_cell_count=0)
    first = refresh(ws)
    real = publish._write_json

    def fail_on_meta(path: Path, data: object) -> None:
        if path.name == "meta.json":
            raise OSError(5, "Input/output error")
        real(path, data)

    monkeypatch.setattr(publish, "_write_json", fail_on_meta)
    with pytest.raises(RefreshError):
        refresh(ws)
    snap = load_current(ws.root)
    assert snap is not None and snap.meta["refresh_id"] == first.refresh_id
    assert _dirs(ws) == sorted(["CURRENT", first.refresh_id])


def test_killed_refresh_leftovers_are_ignored_then_removed(make_ws: MakeWs) -> None:
    ws = make_ws(min_cell_count=0)
    first = refresh(ws)
    # What a refresh killed halfway leaves: a partial folder and a CURRENT.tmp.
    partial = ws.published_dir / "29991231T000000000000Z-dead00.tmp"
    partial.mkdir()
    (partial / "cube.parquet").write_bytes(b"PAR1 half")
    (ws.published_dir / "CURRENT.tmp").write_text(partial.name)
    assert _current(ws) == first.refresh_id
    refresh(ws)
    assert not partial.exists() and not (ws.published_dir / "CURRENT.tmp").exists()


def test_only_the_last_two_snapshots_are_kept(make_ws: MakeWs) -> None:
    ws = make_ws(min_cell_count=0)
    reports = [refresh(ws) for _ in range(3)]
    ids = [r.refresh_id for r in reports]
    assert ids == sorted(ids)
    assert _dirs(ws) == sorted(["CURRENT", ids[1], ids[2]])
    assert _current(ws) == ids[2]
    for name in ids[1:]:
        rows = pq.read_table(ws.published_dir / name / "cube.parquet").num_rows
        assert rows == reports[0].cells


def test_nothing_published_yet(tmp_path: Path) -> None:
    assert load_current(tmp_path) is None
    assert publish.current_id(tmp_path / "published") is None


def test_read_side_imports_no_database_engine() -> None:
    code = "import sys, zicht.indicators.published; print('duckdb' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
