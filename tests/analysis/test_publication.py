"""The keten tables in the published layer: gated, atomic, exportable."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from tests.analysis.conftest import Built

from zicht.analysis import keten_publish
from zicht.indicators._incremental import KETEN_CACHE_DIR
from zicht.indicators.definitions import load_definitions
from zicht.indicators.engine import compute_cube
from zicht.indicators.refresh import gate, refresh
from zicht.privacy.disclosure import assert_gated
from zicht.workspace import Workspace

pytestmark = pytest.mark.slow


KETEN_FILES = sorted(f"keten_{n}.parquet" for n in keten_publish.TABLES)


@pytest.fixture(scope="module")
def published(gemeente: Callable[[int], Built]) -> Built:
    built = gemeente(3)
    report = refresh(Workspace.open(built.ws.root))
    assert sorted(report.keten) == KETEN_FILES  # one refresh publishes the keten tables too
    return built


def test_every_published_figure_passed_the_gate(published: Built) -> None:
    folder = keten_publish.current_folder(published.ws)
    assert folder is not None
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    assert meta["refresh_id"] == folder.name and len(meta["keten"]) == len(keten_publish.TABLES)
    assert (folder / "cube.parquet").is_file()  # the indicator snapshot came along
    m = int(meta["min_cell_count"])
    counts = {
        "doorlooptijden": ["n"],
        "termijnen": ["cases", "within_term"],
        "conformiteit": ["checked", "failed"],
        "varianten": ["cases"],
        "wachttijd": ["started"],
        "signalen": ["cases"],
        "lokaal_team": ["requests", "without_maatwerk"],
        "mix": ["households", "fewer", "same", "more"],
    }
    for name, cols in counts.items():
        t = keten_publish.read_table(folder, name)
        assert t is not None and t.num_rows
        shown = t.filter(pc.equal(t["status"], "gepubliceerd"))
        hidden = t.filter(pc.equal(t["status"], "onderdrukt"))
        for c in cols:
            assert pc.min(shown[c]).as_py() >= m, (name, c)
            assert hidden[c].null_count == hidden.num_rows, (name, c)
    for col in ("min_days", "max_days"):  # single persons' values never leave
        assert col not in keten_publish.read_table(folder, "doorlooptijden").column_names
    cube = keten_publish.read_table(folder, "stapeling")
    assert cube is not None
    assert_gated(cube, m)


def test_published_signals_are_the_planted_ones(published: Built) -> None:
    folder = keten_publish.current_folder(published.ws)
    assert folder is not None
    sig = keten_publish.read_table(folder, "signalen")
    assert sig is not None
    assert sorted(sig["pattern"].to_pylist()) == sorted(
        p["pattern"] for p in published.manifest["planted"]
    )


def test_export_by_the_command_line(published: Built) -> None:
    base = [sys.executable, "-m", "zicht", "keten", "--workspace", str(published.ws.root)]
    r = subprocess.run([*base, "--table", "conformiteit", "--format", "json"],
                       capture_output=True, text=True, check=False)  # fmt: skip
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["tabel"] == "conformiteit" and doc["rijen"]
    r = subprocess.run([*base, "--table", "varianten"], capture_output=True, check=False)
    assert r.returncode == 0
    text = r.stdout.decode("utf-8-sig")
    assert text.splitlines()[0] == "variant;cases;median_days;p90_days;status"
    r = subprocess.run([*base, "--table", "varianten", "--format", "xlsx"],
                       capture_output=True, text=True, check=False)  # fmt: skip
    assert r.returncode == 2 and "uitvoerbestand" in r.stderr


def _rows(table: pa.Table | None) -> list[str]:
    assert table is not None
    return sorted(map(repr, table.to_pylist()))


def _cli_refresh(root: Path) -> dict[str, Any]:
    r = subprocess.run(
        [sys.executable, "-m", "zicht", "refresh", "--workspace", str(root), "--json"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    report: dict[str, Any] = json.loads(r.stdout)
    return report


def test_cli_refresh_publishes_keten_tables_and_reuses_them_without_new_data(
    published: Built, tmp_path: Path
) -> None:
    root = tmp_path / "ws"
    shutil.copytree(published.ws.root, root)  # a copy: new data below must not leak
    shutil.rmtree(root / KETEN_CACHE_DIR, ignore_errors=True)
    first = _cli_refresh(root)
    assert sorted(first["keten"]) == KETEN_FILES and first["keten_recomputed"] is True
    ws = Workspace.open(root)
    folder = keten_publish.current_folder(ws)
    assert folder is not None and folder.name == first["refresh_id"]
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    assert sorted(meta["keten"]) == KETEN_FILES
    # What the refresh published is what the analyses give on the same data.
    year = int(meta["boundary_year"])
    with ws.store() as store:
        direct = keten_publish.chain_tables(store, ws.settings, year)
        # The stapeling cells come ungated: refresh gates them with the cube.
        areas = store.fetch_arrow(
            "SELECT level, code, parent_code FROM area WHERE boundary_year = ?", [year]
        )
        raw = compute_cube(store, load_definitions(root / "indicators"), ws.settings, year)
        _, direct["stapeling"] = gate(raw, direct["stapeling"], areas, ws.settings)
    for name in keten_publish.TABLES:
        assert _rows(keten_publish.read_table(folder, name)) == _rows(direct[name]), name

    # No new data: a new snapshot, the keten tables reused and unchanged.
    again = _cli_refresh(root)
    assert again["refresh_id"] != first["refresh_id"] and again["keten_recomputed"] is False
    assert again["recomputed"] == []
    folder2 = keten_publish.current_folder(Workspace.open(root))
    assert folder2 is not None and folder2.name == again["refresh_id"]
    for name in keten_publish.TABLES:
        assert _rows(keten_publish.read_table(folder2, name)) == _rows(direct[name]), name

    # A new load (one help request to the local team) makes them computed again.
    with Workspace.open(root).store() as store:
        row = store.fetch_arrow("SELECT * FROM provision WHERE law = 'wijkteam' LIMIT 1")
        assert row.num_rows == 1
        new = row.set_column(
            row.schema.get_field_index("load_id"), "load_id", pa.array(["extra"], pa.string())
        )
        store.insert_arrow("provision", new)
    third = _cli_refresh(root)
    assert third["keten_recomputed"] is True
