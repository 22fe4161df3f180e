"""Tabular ingest against hand-written expectations (tests/data)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from zicht.sources.ingest import ingest_files
from zicht.workspace import Workspace

DATA = Path(__file__).resolve().parents[1] / "data"
TABLES = (
    "area",
    "person_period",
    "provider",
    "provision",
    "toewijzing",
    "chain_event",
    "cost",
    "message",
    "quarantine",
    "load_log",
)


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return Workspace.init(tmp_path / "ws")


def counts(ws: Workspace) -> dict[str, int]:
    with ws.store(read_only=True) as s:
        return {t: int(s.scalar(f"SELECT count(*) FROM {t}")) for t in TABLES}


def quarantined(ws: Workspace, file: str) -> list[tuple[int, str]]:
    with ws.store(read_only=True) as s:
        rows = s.fetchall(
            "SELECT row_number, rule FROM quarantine WHERE file LIKE ? ORDER BY row_number",
            ["%" + file],
        )
    return [(int(r), str(rule)) for r, rule in rows]


def load_all(ws: Workspace) -> list[dict[str, object]]:
    files = [
        "gebieden.geojson",
        "bevolking.csv",
        "aanbieders.csv",
        "jeugd_voorzieningen.csv",
        "declaraties.csv",
    ]
    return [r.as_dict() for r in ingest_files(ws, [DATA / f for f in files])]


# Hand-written: (spreadsheet row, rule) of every rejected row per file.
EXPECTED = {
    "jeugd_voorzieningen.csv": [
        (4, "missing_bsn"),
        (5, "invalid_bsn"),
        (6, "invalid_bsn"),
        (7, "missing_value"),
        (8, "invalid_date"),
        (9, "end_before_start"),
        (10, "unknown_code"),
        (11, "unknown_code"),
        (12, "invalid_number"),
        (13, "duplicate_row"),
        (14, "missing_bsn"),
        (15, "invalid_date"),
        (16, "unknown_code"),
    ],
    "bevolking.csv": [
        (5, "duplicate_row"),
        (6, "unknown_code"),
        (7, "unknown_reference"),
        (8, "missing_value"),
        (9, "invalid_date"),
    ],
    "declaraties.csv": [
        (2, "unknown_reference"),
        (4, "invalid_number"),
        (5, "end_before_start"),
        (6, "duplicate_row"),
    ],
    "gebieden.geojson": [(5, "unknown_code"), (6, "duplicate_row"), (7, "invalid_number")],
    "aanbieders.csv": [(4, "missing_value")],
}
ROWS_IN = {
    "jeugd_voorzieningen.csv": 16,
    "bevolking.csv": 8,
    "declaraties.csv": 6,
    "gebieden.geojson": 7,
    "aanbieders.csv": 3,
}


def test_every_rule_as_expected(ws: Workspace) -> None:
    reports = load_all(ws)
    for rep in reports:
        name = Path(str(rep["file"])).name
        assert rep["rows_in"] == ROWS_IN[name], name
        assert rep["rows_in"] == rep["accepted"] + rep["quarantined"]
        assert quarantined(ws, name) == EXPECTED[name], name
        reasons: dict[str, int] = {}
        for _, rule in EXPECTED[name]:
            reasons[rule] = reasons.get(rule, 0) + 1
        assert rep["reasons"] == reasons
    c = counts(ws)
    assert c["provision"] == 3 and c["person_period"] == 3 and c["cost"] == 2
    assert c["area"] == 4 and c["provider"] == 2
    assert c["quarantine"] == sum(len(v) for v in EXPECTED.values())
    assert c["load_log"] == 5


def test_canonical_values(ws: Workspace) -> None:
    load_all(ws)
    with ws.store(read_only=True) as s:
        prov = s.fetchall(
            "SELECT provision_id, referrer, volume, end_date IS NULL, toewijzing_id "
            "FROM provision ORDER BY provision_id"
        )
        events = s.fetchall(
            "SELECT step, event_date::VARCHAR, provision_id FROM chain_event "
            "WHERE provision_id IS NOT NULL ORDER BY provision_id, step"
        )
        cost = s.fetchall(
            "SELECT declaratie_id, amount::VARCHAR, toewijzing_id FROM cost ORDER BY 1"
        )
        pop = s.fetchall("SELECT period, birth_year, sex FROM person_period ORDER BY 1, 2")
        decl = s.scalar("SELECT count(*) FROM chain_event WHERE step = 'declaratie'")
    assert prov == [
        ("jeugd_zaaksysteem:B001", "02", 4.5, False, "T100"),
        ("jeugd_zaaksysteem:B002", "01", None, True, None),
        ("jeugd_zaaksysteem:B015", "02", None, True, None),
    ]
    assert events == [
        ("aanvraag", "2023-01-02", "jeugd_zaaksysteem:B001"),
        ("beschikking", "2023-01-20", "jeugd_zaaksysteem:B001"),
        ("aanvraag", "2023-05-15", "jeugd_zaaksysteem:B015"),
    ]
    assert cost == [("D2", "1234.50", None), ("D5", "99.99", "T100")]
    assert decl == 2
    assert pop == [(2023, 1980, "1"), (2024, 1980, "1"), (2024, 2012, "2")]
    assert ws.settings.get_str("gemeente_code") == "GM9901"
    assert ws.settings.get_str("gemeente_naam") == "Zichtdam"
    assert ws.settings.get_int("boundary_year") == 2025


def test_reload_changes_nothing(ws: Workspace, tmp_path: Path) -> None:
    first = load_all(ws)
    before = counts(ws)
    copy = tmp_path / "kopie.csv"
    shutil.copy(DATA / "declaraties.csv", copy)
    again = ingest_files(
        ws, [DATA / "jeugd_voorzieningen.csv", copy], mapping=DATA / "declaraties.mapping.yaml"
    )
    assert counts(ws) == before
    assert all(r.skipped for r in again)
    second = [r.as_dict() for r in ingest_files(ws, [DATA / "jeugd_voorzieningen.csv"])]
    assert second[0]["skipped"] is True
    assert {k: v for k, v in second[0].items() if k != "skipped"} == next(
        r for r in first if str(r["file"]).endswith("jeugd_voorzieningen.csv")
    )


def test_pii_never_written(ws: Workspace) -> None:
    load_all(ws)
    with ws.store(read_only=True) as s:
        dump = json.dumps([s.fetchall(f"SELECT * FROM {t}") for t in TABLES], default=str)
    secrets = [
        "Jan",
        "Vries",
        "Dorpsstraat",
        "0612345678",
        "Émile",
        "Kerkweg",
        "Henk",
        "Ina Idema",
        "dringend",
        "Laan",
        "100039030",
        "10015838",
        "010015838",
        "100062788",
        "100165734",
        '"12345"',
        '"HH1"',
    ]
    for word in secrets:
        assert word not in dump, word
    raw = (ws.root / "zicht.duckdb").read_bytes()
    for word in ("Dorpsstraat", "0612345678", "100039030", "dringend"):
        assert word.encode() not in raw, word


def test_quarantine_record_and_message(ws: Workspace) -> None:
    ingest_files(ws, [DATA / "jeugd_voorzieningen.csv"])
    with ws.store(read_only=True) as s:
        rows = s.fetchall("SELECT row_number, message, record FROM quarantine ORDER BY row_number")
    by_row = {int(r[0]): (str(r[1]), json.loads(str(r[2]))) for r in rows}
    msg, rec = by_row[8]
    assert "start_date" in msg and "31-06-2023" in msg
    assert rec["provision_ref"] == "B007" and len(rec["person_id"]) == 24
    assert "bsn" not in rec
    msg, rec = by_row[5]
    assert "***" in msg and "person_id" not in rec and "bsn" not in rec


def test_missing_mapping_is_one_line(ws: Workspace, tmp_path: Path) -> None:
    from zicht.errors import MappingError

    f = tmp_path / "los.csv"
    f.write_text("a;b\n1;2\n", encoding="utf-8")
    with pytest.raises(MappingError) as err:
        ingest_files(ws, [f])
    assert "\n" not in str(err.value) and "los.csv" in str(err.value)


def test_source_override(ws: Workspace) -> None:
    rep = ingest_files(ws, [DATA / "aanbieders.csv"], source="mijn_bron")
    assert rep[0].source == "mijn_bron"
    with ws.store(read_only=True) as s:
        assert s.scalar("SELECT source FROM load_log") == "mijn_bron"
