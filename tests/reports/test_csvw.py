"""A CSV export carries its definition as W3C CSVW metadata beside it, read back by an
independent CSVW processor (the ``csvw`` package): its dialect and datatypes must give
the same figures as the JSON export, and its notes the published definition."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from csvw import Table

from zicht.cli import main
from zicht.workspace import Workspace

from .conftest import Demo

INDICATOR = "jeugdhulp_pct"


def _read_csvw(metadata: Path) -> list[dict[str, Any]]:
    table = Table.from_file(metadata)
    return [dict(row) for row in table.iterdicts()]


def _as_number(x: Any) -> float | None:
    return None if x is None else float(x)


def test_cli_csv_export_writes_csvw_metadata_a_processor_reads(demo: Demo, tmp_path: Path) -> None:
    out = tmp_path / "jeugd.csv"
    runner = CliRunner()
    args = ["export", "--workspace", str(demo.ws), "--indicator", INDICATOR]
    result = runner.invoke(main, [*args, "--format", "csv", "-o", str(out)])
    assert result.exit_code == 0, result.output
    about = tmp_path / "jeugd.csv-metadata.json"
    assert about.is_file(), result.output
    doc = json.loads(about.read_text(encoding="utf-8"))

    # The definition as indicators.json publishes it, and the gate it passed.
    snap = Workspace.open(demo.ws).published_dir
    current = (snap / "CURRENT").read_text().strip()
    published = json.loads((snap / current / "indicators.json").read_text(encoding="utf-8"))
    note = doc["notes"][0]
    assert {k: note["indicator"][k] for k in published[INDICATOR]} == published[INDICATOR]
    assert note["indicator"]["id"] == INDICATOR
    assert note["refresh_id"] == current
    assert note["min_cell_count"] == 60
    assert doc["dc:title"] == published[INDICATOR]["title"]

    # An independent CSVW processor reads the Dutch CSV (";", decimal comma, BOM) to the
    # very figures of the JSON export.
    rows = _read_csvw(about)
    result = runner.invoke(main, [*args, "--format", "json"])
    cells = json.loads(result.stdout_bytes)["cells"]
    assert len(rows) == len(cells) > 0
    suppressed = 0
    for row, cell in zip(rows, cells, strict=True):
        assert row["area_code"] == cell["area_code"] and row["period"] == cell["period"]
        for name in ("value", "numerator", "denominator", "quality_score"):
            got = row[name]
            assert got is None or isinstance(got, Decimal), (name, got)
            want = _as_number(cell[name])
            if want is None:
                assert got is None, (name, row)
            else:
                assert abs(float(got) - want) <= 1e-5 * max(1.0, abs(want)), (name, row, cell)
        suppressed += cell["status"] == "onderdrukt"
    assert suppressed > 0  # the strict gate of the fixture hides some cells: empty fields


def test_json_and_stdout_csv_write_no_metadata(
    demo: Demo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "jeugd.json"
    args = ["export", "--workspace", str(demo.ws), "--indicator", INDICATOR]
    result = CliRunner().invoke(main, [*args, "--format", "json", "-o", str(out)])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(main, [*args, "--format", "csv"])
    assert result.exit_code == 0 and result.stdout_bytes.startswith(b"\xef\xbb\xbf")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["jeugd.json"]
