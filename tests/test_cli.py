"""The command line as a user meets it: exit codes and one-line errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def zicht(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "zicht", *args], capture_output=True, text=True, cwd=cwd
    )


def test_init_then_init_again_is_a_one_line_error(tmp_path: Path) -> None:
    ok = zicht("init", str(tmp_path / "ws"))
    assert ok.returncode == 0, ok.stderr
    again = zicht("init", str(tmp_path / "ws"))
    assert again.returncode == 1
    assert again.stderr.count("\n") == 1 and "Traceback" not in again.stderr


def test_missing_workspace_is_exit_1_without_traceback(tmp_path: Path) -> None:
    r = zicht("refresh", "--workspace", str(tmp_path / "none"))
    assert r.returncode == 1
    assert "zicht init" in r.stderr and "Traceback" not in r.stderr


def test_bad_usage_is_exit_2(tmp_path: Path) -> None:
    r = zicht("export", "--workspace", str(tmp_path))
    assert r.returncode == 2


def test_path_problems_are_one_line_errors(tmp_path: Path) -> None:
    assert zicht("init", str(tmp_path / "ws")).returncode == 0
    ws = str(tmp_path / "ws")
    missing = zicht("ingest", "--workspace", ws, str(tmp_path / "nope.csv"))
    assert missing.returncode == 1 and "bestaat niet" in missing.stderr
    (tmp_path / "leeg").mkdir()
    empty = zicht("ingest", "--workspace", ws, str(tmp_path / "leeg"))
    assert empty.returncode == 1 and "geen bestanden" in empty.stderr
    (tmp_path / "bestand").write_text("x")
    taken = zicht("synth", "--out", str(tmp_path / "bestand"), "--persons", "1000")
    assert taken.returncode == 1 and "Traceback" not in taken.stderr
    for r in (missing, empty, taken):
        assert r.stderr.count("\n") == 1, r.stderr
