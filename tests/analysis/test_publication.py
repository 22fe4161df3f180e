"""The keten tables in the published layer: gated, atomic, exportable."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable

import pyarrow.compute as pc
import pytest
from tests.analysis.conftest import Built

from zicht.analysis import keten_publish
from zicht.indicators.refresh import refresh
from zicht.privacy.disclosure import assert_gated
from zicht.workspace import Workspace

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def published(gemeente: Callable[[int], Built]) -> Built:
    built = gemeente(3)
    refresh(Workspace.open(built.ws.root))
    files = keten_publish.publish_chain(Workspace.open(built.ws.root))
    assert sorted(files) == sorted(f"keten_{n}.parquet" for n in keten_publish.TABLES)
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
