"""Synthetic stories and the CSV import: the generator's manifest is the truth."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from zicht.privacy.scrub import Scrubber
from zicht.stories.importer import import_csv
from zicht.stories.storage import load_stories
from zicht.synth import generate
from zicht.workspace import Workspace


@pytest.fixture(scope="module")
def synth_out(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("synth")
    manifest = generate(out, persons=2_000, seed=11, years=2)
    return out, manifest


def test_generator_writes_stories_and_records_patterns_and_pii(
    synth_out: tuple[Path, dict[str, Any]],
) -> None:
    out, manifest = synth_out
    stories = manifest["stories"]
    path = out / stories["file"]
    with path.open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh, delimiter=";"))
    assert len(rows) == stories["rows"] == 600
    assert {p["id"] for p in stories["patterns"]} == {"wachten", "bijstand_boos"}
    # Every planted value is really in the text of the row the manifest names.
    assert len(stories["personal_data"]) > 100
    for item in stories["personal_data"]:
        assert item["value"] in rows[item["row"] - 2]["verhaal"]
    geo = json.loads((out / "geografie" / "gebieden.geojson").read_text(encoding="utf-8"))
    wijken = {
        f["properties"]["code"] for f in geo["features"] if f["properties"]["level"] == "wijk"
    }
    assert {r["wijk"] for r in rows} <= wijken


def test_import_scrubs_every_planted_bsn_and_iban(
    synth_out: tuple[Path, dict[str, Any]], tmp_path: Path, scrubber: Scrubber
) -> None:
    out, manifest = synth_out
    ws = Workspace.init(tmp_path / "ws")
    report = import_csv(ws, "bewoner", out / manifest["stories"]["file"], scrubber)
    assert (report.rows_in, report.accepted, report.quarantined) == (600, 600, 0)
    with ws.store(read_only=True) as store:
        stories = {s.story_id.rsplit("-", 1)[1]: s for s in load_stories(store, "bewoner")}
    planted = manifest["stories"]["personal_data"]
    leaked = [p for p in planted if p["value"] in stories[str(p["row"])].text]
    assert [p for p in leaked if p["kind"] in ("bsn", "iban")] == []
    assert len(leaked) / len(planted) <= 0.05
    # The signifiers came through as written: a long wait goes with a low 'gehoord'.
    lang = [
        s.answers["gehoord"].values[0]
        for s in stories.values()
        if "lang" in s.answers["wachttijd"].options
    ]
    assert 0.1 < sum(lang) / len(lang) < 0.4
    again = import_csv(ws, "bewoner", out / manifest["stories"]["file"], scrubber)
    assert again.skipped and again.accepted == 0


BAD_CSV = """verteld_op;titel;verhaal;law;gehoord;wat_bepaalde;wachttijd
12-03-2025;Goed;Het wijkteam hielp ons snel en goed, bel 06-12345678.;wmo;0.8;1/1/1;kort
31-02-2025;Datum;Een verhaal met een datum die niet bestaat.;wmo;0.5;;
13-03-2025;Dyade;Een verhaal waarvan de schuifregelaar buiten bereik ligt.;wmo;1.7;;
14-03-2025;Wet;Mijn BSN is 999991115 en de wet bestaat niet.;wet_x;0.5;;
15-03-2025;Kort;Te kort.;wmo;0.5;;
"""


def test_bad_rows_go_to_quarantine_without_personal_data(
    tmp_path: Path, scrubber: Scrubber
) -> None:
    ws = Workspace.init(tmp_path / "ws")
    path = tmp_path / "papier.csv"
    path.write_text(BAD_CSV, encoding="utf-8")
    report = import_csv(ws, "bewoner", path, scrubber)
    assert (report.rows_in, report.accepted, report.quarantined) == (5, 1, 4)
    assert report.reasons == {
        "story_verteld_op": 1,
        "story_gehoord": 1,
        "story_law": 1,
        "story_verhaal": 1,
    }
    with ws.store(read_only=True) as store:
        rows = store.fetchall("SELECT row_number, message, record FROM quarantine ORDER BY 1")
        [story] = load_stories(store, "bewoner")
    assert [r[0] for r in rows] == [3, 4, 5, 6]
    assert "999991115" not in rows[2][2] and "[BSN]" in rows[2][2]
    assert story.text == "Het wijkteam hielp ons snel en goed, bel [TELEFOON]."


def test_cli_one_line_errors(tmp_path: Path) -> None:
    ws = Workspace.init(tmp_path / "ws")
    path = tmp_path / "x.csv"
    path.write_text("verteld_op;verhaal;onbekend\n", encoding="utf-8")
    for args, needle in [
        (["--form", "bewoner", str(path)], "onbekende kolom 'onbekend'"),
        (["--form", "nope", str(path)], "onbekend formulier 'nope'"),
    ]:
        run = subprocess.run(
            [sys.executable, "-m", "zicht", "stories", "import", "--workspace", str(ws.root)]
            + args,
            capture_output=True,
            text=True,
        )
        assert run.returncode == 1
        assert run.stderr.count("\n") == 1 and needle in run.stderr
