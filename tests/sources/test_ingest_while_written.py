"""Exports ingested while the message files are still being written give the workspace
that the sequential path gives, and a failed writer is one clear error, not a hang.

``ingest_files(..., written=...)`` (the demo's path) loads the exports that are complete
and waits in a thread for ``written()`` before it lists and parses the message folders.
The truth is the same folder ingested after it is complete, in one plain call, into a
workspace with the same key (so pseudonyms agree and whole tables can be compared).
"""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path
from typing import Any

import pytest

import zicht.synth
from zicht.errors import GenerateError, SourceError
from zicht.sources import ingest as ingest_module
from zicht.sources import xml_load
from zicht.sources.ingest import LoadReport, ingest_files
from zicht.synth import generate, start
from zicht.workspace import KEY_NAME, Workspace

from ._compare import count_prefetched, report_rows, table_rows

pytest.importorskip("zicht.sources.istandaarden", reason="iJw/iWmo reader not there yet")


def _sequential(tmp_path: Path, like: Workspace, order: list[Path]) -> tuple[Any, Any]:
    ws = Workspace.init(tmp_path / "sequential")
    shutil.copyfile(like.root / KEY_NAME, ws.root / KEY_NAME)
    return report_rows(ingest_files(ws, order)), table_rows(ws)


@pytest.fixture(scope="module")
def complete(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("gemeente") / "exports"
    return out, generate(out, persons=3_000, seed=5)


def test_exports_load_before_the_messages_exist_and_give_the_sequential_tables(
    tmp_path: Path, complete: tuple[Path, dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    full, manifest = complete
    exports = tmp_path / "exports"
    shutil.copytree(full, exports, ignore=shutil.ignore_patterns("berichten"))
    order = [exports / rel for rel in manifest["ingest_order"]]
    first_folder = next(
        i for i, rel in enumerate(manifest["ingest_order"]) if rel.startswith("berichten")
    )
    assert first_folder > 0 and not (exports / "berichten").exists()

    # The "writer" puts the messages in place only after every export before them has
    # been loaded: the ingest cannot have waited for them first.
    loaded: list[Path] = []
    exports_done = threading.Event()
    load_table_file = ingest_module.load_table_file

    def counting_load(*args: Any, **kwargs: Any) -> LoadReport:
        report = load_table_file(*args, **kwargs)
        loaded.append(Path(report.file))
        if len(loaded) == first_folder:
            exports_done.set()
        return report

    def written() -> None:
        assert exports_done.wait(120), "the exports were not loaded before the messages"
        assert not (exports / "berichten").exists()
        shutil.copytree(full / "berichten", exports / "berichten")

    used = count_prefetched(monkeypatch)

    monkeypatch.setattr(ingest_module, "load_table_file", counting_load)
    ws = Workspace.init(tmp_path / "overlapped")
    reports = ingest_files(ws, order, written=written)
    assert loaded[:first_folder] == order[:first_folder]
    assert used and all(used), "every message should have been parsed ahead"
    assert len(used) > xml_load.PARALLEL_FROM  # enough messages for the worker pool
    monkeypatch.undo()

    want_reports, want_tables = _sequential(tmp_path, ws, order)
    assert report_rows(reports) == want_reports
    for r in reports:
        assert r.rows_in == r.accepted + r.quarantined
    got = table_rows(ws)
    assert all(got[t] for t in ("provision", "chain_event", "toewijzing", "message", "quarantine"))
    assert got == want_tables


def test_the_demo_path_with_a_real_message_writer_gives_the_sequential_tables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(zicht.synth, "BACKGROUND_FROM", 0)  # the worker process writes
    exports = tmp_path / "exports"
    with start(exports, persons=3_000, seed=5) as started:
        order = [exports / rel for rel in started.manifest["ingest_order"]]
        ws = Workspace.init(tmp_path / "overlapped")
        reports = ingest_files(ws, order, written=started.wait)
    assert (exports / "manifest.json").is_file()  # written once the messages were
    want_reports, want_tables = _sequential(tmp_path, ws, order)
    assert report_rows(reports) == want_reports
    assert table_rows(ws) == want_tables


def _one_line(exc: BaseException) -> str:
    text = str(exc)
    assert text and "\n" not in text and "Traceback" not in text
    return text


def test_a_failing_message_writer_is_one_line_from_synth_and_from_the_ingest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(zicht.synth, "BACKGROUND_FROM", 0)
    exports = tmp_path / "exports"
    (exports / "berichten").mkdir(parents=True)
    (exports / "berichten" / "iwmo").write_text("a file where the writer needs a folder")
    began = time.monotonic()
    with start(exports, persons=1_000, seed=5) as started:
        order = [exports / rel for rel in started.manifest["ingest_order"]]
        ws = Workspace.init(tmp_path / "ws")
        with pytest.raises(GenerateError) as caught:
            ingest_files(ws, order, written=started.wait)
        assert "berichten schrijven mislukt" in _one_line(caught.value)
        with pytest.raises(GenerateError):
            started.wait()
    assert time.monotonic() - began < 300  # an error, not a hang
    assert not (exports / "manifest.json").exists()  # the folder is not complete
    # The exports before the messages were loaded, each in its own transaction.
    with ws.store(read_only=True) as store:
        assert store.scalar("SELECT count(*) FROM load_log") == order.index(
            next(p for p in order if p.name == "ijw")
        )


def test_a_bad_export_stops_the_ingest_without_waiting_for_the_writer(
    tmp_path: Path, complete: tuple[Path, dict[str, Any]]
) -> None:
    full, manifest = complete
    exports = tmp_path / "exports"
    shutil.copytree(full, exports, ignore=shutil.ignore_patterns("berichten"))
    order = [exports / rel for rel in manifest["ingest_order"]]
    order[1].write_text("dit is geen export\n", encoding="utf-8")  # missing columns
    never = threading.Event()
    ws = Workspace.init(tmp_path / "ws")
    try:
        with pytest.raises(SourceError) as caught:
            ingest_files(ws, order, written=lambda: never.wait(600))
        _one_line(caught.value)
    finally:
        never.set()  # release the waiting thread
