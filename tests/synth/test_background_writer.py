"""The message files written by a worker process are the files written in-process."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

import zicht.synth
from zicht.synth import generate


def _contents(root: Path) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = str(path.relative_to(root))
        if path.suffix == ".xlsx":  # a workbook stamps its creation time in core.xml
            with zipfile.ZipFile(path) as z:
                for name in z.namelist():
                    if name != "docProps/core.xml":
                        out[f"{rel}!{name}"] = z.read(name)
        else:
            out[rel] = path.read_bytes()
    return out


def test_background_message_writer_writes_the_same_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(zicht.synth, "BACKGROUND_FROM", 10**9)
    inline = generate(tmp_path / "inline", persons=3_000, seed=5)
    monkeypatch.setattr(zicht.synth, "BACKGROUND_FROM", 0)
    worker = generate(tmp_path / "worker", persons=3_000, seed=5)
    assert json.dumps(worker, sort_keys=True) == json.dumps(inline, sort_keys=True)
    a, b = _contents(tmp_path / "inline"), _contents(tmp_path / "worker")
    messages = [k for k in a if k.startswith("berichten/")]
    assert len(messages) == sum(
        f["files"] for k, f in inline["files"].items() if k.startswith("berichten/")
    )
    assert messages and a.keys() == b.keys()
    assert [k for k in a if a[k] != b[k]] == []


def test_the_worker_queue_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Memory must not grow with the gemeente: the caller waits when the worker lags."""
    from zicht.synth import _berichten

    monkeypatch.setattr(zicht.synth, "CHUNK_PERSONS", 1)  # a chunk per buurt: 6 chunks
    monkeypatch.setattr(_berichten, "PART_FILES", 50)  # several jobs per chunk
    monkeypatch.setattr(zicht.synth, "BACKGROUND_FROM", 10**9)
    inline = generate(tmp_path / "inline", persons=12_000, seed=5)
    monkeypatch.setattr(zicht.synth, "BACKGROUND_FROM", 0)
    pending: list[int] = []
    submit = _berichten.Background.submit

    def watched(self: _berichten.Background, *args: object) -> tuple[int, int]:
        out = submit(self, *args)  # type: ignore[arg-type]
        pending.append(sum(any(not job.done() for job in parts) for parts in self._chunks))
        return out

    monkeypatch.setattr(_berichten.Background, "submit", watched)
    worker = generate(tmp_path / "worker", persons=12_000, seed=5)
    assert len(pending) >= 10  # two laws per chunk
    assert max(pending) <= _berichten.Background.PENDING
    a, b = _contents(tmp_path / "inline"), _contents(tmp_path / "worker")
    assert json.dumps(worker, sort_keys=True) == json.dumps(inline, sort_keys=True)
    assert a.keys() == b.keys() and [k for k in a if a[k] != b[k]] == []


def test_messages_split_into_parts_over_two_workers_are_the_same_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from zicht.synth import _berichten

    monkeypatch.setattr(zicht.synth, "BACKGROUND_FROM", 10**9)
    inline = generate(tmp_path / "inline", persons=3_000, seed=5)
    monkeypatch.setattr(zicht.synth, "BACKGROUND_FROM", 0)
    monkeypatch.setattr(_berichten, "PART_FILES", 37)  # many small jobs, in any order
    worker = generate(tmp_path / "worker", persons=3_000, seed=5)
    assert sum(f.get("files", 0) for f in inline["files"].values()) > 10 * 37
    assert json.dumps(worker, sort_keys=True) == json.dumps(inline, sort_keys=True)
    a, b = _contents(tmp_path / "inline"), _contents(tmp_path / "worker")
    assert a.keys() == b.keys()
    assert [k for k in a if a[k] != b[k]] == []


def test_a_script_without_a_main_guard_gets_whole_files(tmp_path: Path) -> None:
    """A spawned writer runs the parent's script again. Without a ``__main__`` guard that
    second run called ``generate`` and opened (truncated) the exports the parent was
    writing: bevolking.csv came out full of NUL bytes. The worker must fail before it
    touches a file, and the files be written in the parent, as with a guard."""
    import subprocess
    import sys

    script = tmp_path / "unguarded.py"
    out = tmp_path / "unguarded"
    script.write_text(
        "import multiprocessing, time\n"
        "from pathlib import Path\n"
        "from zicht.synth import generate\n"
        "if multiprocessing.parent_process() is not None:\n"
        "    time.sleep(2)  # a worker slow to start: the parent has written its exports\n"
        f"generate(Path({str(out)!r}), persons=21_000, seed=5)\n",
        encoding="utf-8",
    )
    run = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=300, check=False
    )
    assert run.returncode == 0, run.stderr[-2000:]
    generate(tmp_path / "guarded", persons=21_000, seed=5)
    got, want = _contents(out), _contents(tmp_path / "guarded")
    assert sorted(got) == sorted(want)
    assert b"\x00" not in got["brp/bevolking.csv"]
    assert [k for k in want if got[k] != want[k]] == []
