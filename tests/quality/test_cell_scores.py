"""The data-quality score every published cell carries, against the generator.

Two gemeenten from the same seed, one with planted defects (the manifest lists each
broken row) and one without: the indicators fed by a source with planted defects must
score lower, the others not. The sources behind each indicator are checked against a
hand-written table read from the definitions, and the export must carry the score on
every cell and the score's definition in the file.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from zicht.indicators.definitions import load_definitions
from zicht.indicators.refresh import refresh
from zicht.quality import scores
from zicht.quality.lineage import DEFINITION_NL, indicator_quality
from zicht.reports.export import export_indicator
from zicht.sources.ingest import ingest_files
from zicht.synth import generate
from zicht.workspace import Workspace

pytestmark = pytest.mark.slow

SEED = 5
PERSONS = 1500

# Read from the definitions' facts by hand: which generator sources feed the figure.
# (chain_event rows also come from the iJw/iWmo messages and the declaraties, which
# carry events of the same laws.)
EXPECTED_SOURCES = {
    "jeugdhulp_pct": {"brp", "jeugd_zaaksysteem"},
    "wmo_per_1000": {"brp", "wmo_zaaksysteem"},
    "bijstand_pct": {"brp", "participatie_zaaksysteem"},
    "kosten_per_client_wmo": {"brp", "declaraties"},
    "schuldhulp_eerste_gesprek_mediaan": {"brp", "schuldhulp_zaaksysteem"},
    "stapeling_hh_pct": {
        "brp", "jeugd_zaaksysteem", "wmo_zaaksysteem", "participatie_zaaksysteem",
    },
}  # fmt: skip


class Built:
    def __init__(self, root: Path, defect_rate: float) -> None:
        self.manifest: dict[str, Any] = generate(
            root / "exports", persons=PERSONS, seed=SEED, years=2, defect_rate=defect_rate
        )
        self.ws = Workspace.init(root / "ws")
        for rel in self.manifest["ingest_order"]:
            ingest_files(self.ws, [root / "exports" / rel])
        with self.ws.store(read_only=True) as store:
            self.sources = scores.score(store)
            self.quality = indicator_quality(store, load_definitions(), self.sources)


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return Built(tmp_path_factory.mktemp("clean"), 0.0)


@pytest.fixture(scope="module")
def dirty(tmp_path_factory: pytest.TempPathFactory) -> Built:
    built = Built(tmp_path_factory.mktemp("dirty"), 0.03)
    refresh(built.ws)
    return built


def _defect_sources(built: Built) -> set[str]:
    files = built.manifest["files"]
    return {files[d["file"]]["source"] for d in built.manifest["defects"]}


def test_planted_defects_lower_the_score_of_what_they_feed(clean: Built, dirty: Built) -> None:
    assert clean.manifest["defects"] == []
    assert len(dirty.manifest["defects"]) > 20
    broken = _defect_sources(dirty)
    assert {"brp", "jeugd_zaaksysteem"} <= broken
    with dirty.ws.store(read_only=True) as store:
        quarantined = store.scalar("SELECT sum(quarantined) FROM load_log")
    assert quarantined == len(dirty.manifest["defects"])
    ours = clean.quality["indicators"]
    theirs = dirty.quality["indicators"]
    assert set(ours) == set(load_definitions())
    before = {s.source: s.score for s in clean.sources}
    after = {s.source: s.score for s in dirty.sources}
    for source in broken:
        assert after[source] < before[source], source  # type: ignore[operator]
    lower = 0
    for indicator, got in theirs.items():
        assert got["score"] is not None and ours[indicator]["score"] is not None, indicator
        assert 0 <= got["score"] <= ours[indicator]["score"] <= 100, indicator
        # A figure is as good as its weakest source: when that source got defects, the
        # figure's score drops.
        weakest = ours[indicator]["sources"][0]["source"]
        if weakest in broken:
            assert got["score"] < ours[indicator]["score"], indicator
            lower += 1
    assert lower >= 10


def test_the_sources_behind_an_indicator(dirty: Built) -> None:
    got = dirty.quality["indicators"]
    by_source = {s.source: s.score for s in dirty.sources}
    for indicator, expected in EXPECTED_SOURCES.items():
        assert {s["source"] for s in got[indicator]["sources"]} == expected, indicator
        # The score is the weakest of them.
        assert got[indicator]["score"] == min(by_source[s] for s in expected), indicator


def test_export_carries_the_score_per_cell_and_the_definition(dirty: Built) -> None:
    expected = dirty.quality["indicators"]["jeugdhulp_pct"]["score"]
    doc = json.loads(export_indicator(dirty.ws, "jeugdhulp_pct", fmt="json"))
    assert doc["cells"] and {c["quality_score"] for c in doc["cells"]} == {expected}
    assert doc["indicator"]["datakwaliteit"]["uitleg"] == DEFINITION_NL
    assert doc["indicator"]["datakwaliteit"]["score"] == expected

    text = export_indicator(dirty.ws, "jeugdhulp_pct", fmt="csv").decode("utf-8-sig")
    lines = text.splitlines()
    header = lines[0].split(";")
    col = header.index("datakwaliteit")
    assert {line.split(";")[col] for line in lines[1:]} == {f"{expected:.6g}".replace(".", ",")}

    book = load_workbook(io.BytesIO(export_indicator(dirty.ws, "jeugdhulp_pct", fmt="xlsx")))
    sheet = book["Cijfers"]
    rows = list(sheet.iter_rows(values_only=True))
    col = rows[0].index("datakwaliteit")
    assert len(rows) == len(doc["cells"]) + 1
    assert {r[col] for r in rows[1:]} == {expected}
    about = {r[0]: r[1] for r in book["Definitie"].iter_rows(values_only=True)}
    assert about["datakwaliteit"] == expected
    assert about["datakwaliteit_uitleg"] == DEFINITION_NL
