"""iJw/iWmo messages through ingest (needs zicht.sources.istandaarden and shared XSDs)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from zicht.sources.ingest import ingest_files
from zicht.workspace import Workspace

pytest.importorskip("zicht.sources.istandaarden", reason="iJw/iWmo reader not there yet")


def test_example_messages(shared_data: Path, tmp_path: Path) -> None:
    src = shared_data / "istandaarden" / "iwmo" / "berichten"
    folder = tmp_path / "iwmo"
    shutil.copytree(src, folder)
    ws = Workspace.init(tmp_path / "ws")
    reports = ingest_files(ws, [folder])
    by_name = {Path(r.file).name: r for r in reports}
    assert len(reports) == len(list(folder.iterdir()))
    for r in reports:
        assert r.rows_in == r.accepted + r.quarantined
    # Hand-read from the example messages: WMO301 assigns one product (toewijzing 101).
    assert (by_name["WMO301.xml"].target, by_name["WMO301.xml"].accepted) == ("toewijzing", 1)
    # WMO323 bills toewijzingen that were never assigned in this workspace.
    assert by_name["WMO323.xml"].reasons == {"unknown_reference": by_name["WMO323.xml"].rows_in}
    with ws.store(read_only=True) as s:
        assert s.fetchall("SELECT toewijzing_id, law, assigned_date::VARCHAR FROM toewijzing") == [
            ("101", "wmo", "2023-08-13")
        ]
        assert s.scalar("SELECT count(*) FROM message") == len(reports)
        steps = {r[0] for r in s.fetchall("SELECT DISTINCT step FROM chain_event")}
        dump = repr(s.fetchall("SELECT * FROM quarantine"))
    assert {"toewijzing", "start_levering", "stop_levering"} <= steps
    assert "999900006" not in dump  # the example client's BSN never in clear
    before = len(reports)
    again = ingest_files(ws, [folder])
    assert len(again) == before and all(r.skipped for r in again)


def test_schema_invalid_quarantines_every_record(shared_data: Path, tmp_path: Path) -> None:
    ws = Workspace.init(tmp_path / "ws")
    f = tmp_path / "JW315.xml"
    shutil.copy(shared_data / "istandaarden" / "ijw" / "berichten" / "JW315.xml", f)
    [rep] = ingest_files(ws, [f])
    assert rep.accepted == 0 and rep.reasons == {"schema_invalid": rep.rows_in}
    with ws.store(read_only=True) as s:
        assert s.scalar("SELECT count(*) FROM chain_event") == 0
        assert "2027-06-31" in str(s.scalar("SELECT message FROM quarantine LIMIT 1"))
