"""The ingest benchmark and the engine's floor it is compared with ingest the same rows.

docs/benchmarks.md sets zicht's CSV ingest against DuckDB alone writing the same export
(``bench_duckdb_floor``); the comparison is only fair when both keep the same rows. The
export plants its defects itself (2 % impossible start dates), so the truth here is the
export file, read independently with the csv module.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from zicht.sources._bench import bench_csv_ingest, bench_duckdb_floor, write_export


def _possible(text: str) -> bool:
    try:
        dt.datetime.strptime(text, "%d-%m-%Y")
    except ValueError:
        return False
    return True


def _truth(path: Path) -> tuple[int, int]:
    """Rows with a possible start date, and of those the ones with a possible aanvraag."""
    starts = events = 0
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f, delimiter=";"):
            if _possible(row["Ingangsdatum"]):
                starts += 1
                events += _possible(row["Datum aanvraag"])
    return starts, events


@pytest.mark.parametrize("events", [False, True])
def test_the_floor_writes_exactly_the_rows_with_a_possible_start_date(
    tmp_path: Path, events: bool
) -> None:
    export = tmp_path / "v.csv"
    write_export(export, 5_000, 5_000 // 5)  # the export bench_duckdb_floor(5_000) writes
    starts, aanvragen = _truth(export)
    assert 4_700 < starts < 5_000  # the export did plant defects
    floor = bench_duckdb_floor(5_000, events=events)
    assert floor["provision_rows"] == starts
    assert floor["chain_event_rows"] == (aanvragen if events else 0)


def test_zicht_accepts_the_rows_the_floor_writes() -> None:
    report = bench_csv_ingest(5_000)
    floor = bench_duckdb_floor(5_000)
    assert report["accepted"] == floor["provision_rows"]
    assert report["accepted"] + report["quarantined"] == 5_000
