"""`zicht vergelijkbaar` end to end: a synthetic gemeente placed as Den Haag (GM0518)
among the national attribute file, CBS's real Almere figures loaded, refreshed; the
command must show Almere's published CBS values next to the own published figures.

Almere is the 23rd most similar gemeente of Den Haag (checked in the test by an
independent computation), so ``-k 23`` brings it in.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from tests.analysis.peers_truth import ALL_TWELVE, nearest_by_hand
from tests.conftest import require_shared_data

from zicht.cli import main
from zicht.indicators.published import load_current
from zicht.indicators.refresh import refresh
from zicht.sources.cbs import load_kwb
from zicht.sources.ingest import ingest_files
from zicht.synth import generate
from zicht.workspace import Workspace

pytestmark = pytest.mark.slow

GEO = "geo/nl_gemeenten_2024.geojson"
KWB = "cbs/kwb_almere_GM0034_2018-2025.csv"
# Almere, gemeente row of 1-1-2024, read by hand from the KWB file:
# PercentageJongerenMetJeugdzorg_92 = 117 (one implied decimal), WmoClientenRelatief_94 = 42,
# PersonenPerSoortUitkeringBijstand_87 = 5460, AantalInwoners_5 = 226500.
ALMERE_2024 = {
    "jeugdhulp_pct": 11.7,
    "wmo_per_1000": 42.0,
    "bijstand_pct": 5460 / 226500 * 100,
}


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    shared_data = require_shared_data()
    root = tmp_path_factory.mktemp("peers")
    manifest = generate(root / "exports", persons=1500, seed=7, years=2)
    workspace = Workspace.init(root / "ws")
    for rel in manifest["ingest_order"]:
        ingest_files(workspace, [root / "exports" / rel])
    load_kwb(workspace, shared_data / KWB)
    workspace.set_setting("similar_attributes_file", str(shared_data / GEO))
    workspace.set_setting("similar_gemeente_code", "GM0518")
    refresh(Workspace.open(root / "ws"))
    return Workspace.open(root / "ws")


def test_almere_figures_next_to_the_own_ones(ws: Workspace, shared_data: Path) -> None:
    near = nearest_by_hand(shared_data / GEO, "GM0518", 23, ALL_TWELVE)
    assert near[-1] == "GM0034" and "GM0034" not in near[:-1]
    r = CliRunner().invoke(
        main, ["vergelijkbaar", "--workspace", str(ws.root), "-k", "23", "--json"]
    )
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    assert [p["code"] for p in doc["similar"]] == near
    figures = {f["indicator_id"]: f for f in doc["figures"]}
    assert set(figures) == set(ALMERE_2024)
    snap = load_current(ws.root)
    assert snap is not None
    cube = snap.cube.to_pylist()
    for indicator, expected in ALMERE_2024.items():
        f = figures[indicator]
        assert f["period"] == 2024
        assert f["similar"]["GM0034"] == pytest.approx(expected), indicator
        assert f["similar_mean"] == pytest.approx(expected)  # the only peer with figures
        # The own figure is the published gemeente total of the cube, through the gate.
        (cell,) = [
            c for c in cube
            if c["indicator_id"] == indicator and c["level"] == "gemeente"
            and c["period"] == 2024 and not c["breakdown"]
        ]  # fmt: skip
        if cell["status"] == "onderdrukt":
            assert f["own"] is None and f["difference"] is None
        else:
            assert f["own"] == pytest.approx(cell["value"])
            assert f["difference"] == pytest.approx(cell["value"] - expected)
    assert "GM0034" not in doc["missing_cbs"] and len(doc["missing_cbs"]) == 22


def test_text_output_and_clear_errors(ws: Workspace, tmp_path: Path) -> None:
    r = CliRunner().invoke(main, ["vergelijkbaar", "--workspace", str(ws.root), "-k", "23"])
    assert r.exit_code == 0, r.output
    assert "Meest vergelijkbaar met GM0518" in r.output and "GM0034 Almere" in r.output
    r = CliRunner().invoke(main, ["vergelijkbaar", "--workspace", str(ws.root), "-k", "0"])
    assert r.exit_code == 1 and "moet ten minste 1 zijn" in r.output
    assert "Traceback" not in r.output
    empty = Workspace.init(tmp_path / "leeg")
    r = CliRunner().invoke(main, ["vergelijkbaar", "--workspace", str(empty.root)])
    assert r.exit_code == 1 and "nog niets gepubliceerd" in r.output
