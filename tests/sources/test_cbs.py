"""CBS Kerncijfers wijken en buurten: the published values come through exactly.

The expected values are read here with the csv module from the year's own columns,
named by hand per year (the numeric suffixes differ per year), plus literal spot checks
copied from the file by hand; the reader under test matches columns on their stem."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from zicht.errors import SourceError
from zicht.sources.cbs import load_kwb, read_kwb
from zicht.workspace import Workspace

FILE = "cbs/kwb_almere_GM0034_2018-2025.csv"
# concept → column of that year, looked up by hand in the file's header.
COLUMNS = {
    2018: ("_5", "_84", "_86", "_80", "_42"),
    2019: ("_5", "_87", "_89", "_83", "_42"),
    2020: ("_5", "_87", "_89", "_83", "_42"),
    2021: ("_5", "_87", "_89", "_83", "_42"),
    2022: ("_5", "_87", "_89", "_83", "_42"),
    2023: ("_5", "_96", "_98", "_92", "_43"),
    2024: ("_5", "_91", "_93", "_87", "_49"),
}
STEMS = (
    ("inwoners", "AantalInwoners"),
    ("jongeren_met_jeugdzorg", "JongerenMetJeugdzorgInNatura"),
    ("wmo_clienten", "WmoClienten"),
    ("bijstand", "PersonenPerSoortUitkeringBijstand"),
    ("pct_woningcorporatie", "InBezitWoningcorporatie"),
)


def _expected(path: Path) -> dict[tuple[int, str, str], float | None]:
    out: dict[tuple[int, str, str], float | None] = {}
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh, delimiter=";"):
            year = int(row["Peildatum"].split("-")[2])
            if year not in COLUMNS:
                continue
            code = row["WijkenEnBuurten"].strip()
            for (concept, stem), suffix in zip(STEMS, COLUMNS[year], strict=True):
                raw = row[stem + suffix].strip()
                out[(year, code, concept)] = float(raw) if raw else None
    return out


def test_every_published_value_for_2018_to_2024(shared_data: Path) -> None:
    path = shared_data / FILE
    expected = _expected(path)
    got = {
        (r["year"], r["code"], r["concept"]): r["value"]
        for r in read_kwb(path).to_pylist()
        if r["year"] in COLUMNS
    }
    assert len(expected) > 5 * 1000
    levels = {code[:2] for _, code, _ in expected}
    assert levels == {"GM", "WK", "BU"}
    for key, value in expected.items():
        assert got[key] == value, key
    # Spot values copied by hand from the file (Almere, gemeente level).
    assert got[(2023, "GM0034", "inwoners")] == 222825
    assert got[(2023, "GM0034", "wmo_clienten")] == 9375
    assert got[(2018, "GM0034", "jongeren_met_jeugdzorg")] == 5805
    assert got[(2024, "GM0034", "bijstand")] == 5460
    assert got[(2024, "GM0034", "pct_woningcorporatie")] == 27


def test_implied_decimal_and_missing_values(shared_data: Path) -> None:
    rows = read_kwb(shared_data / FILE).to_pylist()
    value = {(r["year"], r["code"], r["concept"]): r["value"] for r in rows}
    assert value[(2023, "GM0034", "pct_jongeren_met_jeugdzorg")] == pytest.approx(11.4)
    assert value[(2024, "GM0034", "pct_jongeren_met_jeugdzorg")] == pytest.approx(11.7)
    # 2025 has no social columns yet: missing, not zero.
    assert value[(2025, "GM0034", "wmo_clienten")] is None
    assert value[(2025, "GM0034", "inwoners")] == 229574


def test_loading_twice_changes_nothing(shared_data: Path, tmp_path: Path) -> None:
    ws = Workspace.init(tmp_path / "ws")
    first = load_kwb(ws, shared_data / FILE)
    with ws.store() as store:
        before = store.fetchall("SELECT count(*), sum(value) FROM cbs_context")
    second = load_kwb(ws, shared_data / FILE)
    with ws.store() as store:
        after = store.fetchall("SELECT count(*), sum(value) FROM cbs_context")
    assert first == second and before == after
    assert first["rows_in"] == first["accepted"] + first["quarantined"] == 1536


def test_bad_files_are_one_line_errors(tmp_path: Path) -> None:
    not_kwb = tmp_path / "x.csv"
    not_kwb.write_text("a;b\n1;2\n", encoding="utf-8")
    with pytest.raises(SourceError, match="KWB-bestand"):
        read_kwb(not_kwb)
    ragged = tmp_path / "r.csv"
    ragged.write_text(
        "Peildatum;WijkenEnBuurten;SoortRegio_2;WmoClienten_1;WmoClienten_2\n"
        "1-1-2024;GM0001;Gemeente;5;\n1-1-2024;GM0002\n",
        encoding="utf-8",
    )
    with pytest.raises(SourceError, match="regel 3"):
        read_kwb(ragged)
    double = tmp_path / "d.csv"
    double.write_text(
        "Peildatum;WijkenEnBuurten;SoortRegio_2;WmoClienten_1;WmoClienten_2\n"
        "1-1-2024;GM0001;Gemeente;5;7\n",
        encoding="utf-8",
    )
    with pytest.raises(SourceError, match="meer dan één waarde"):
        read_kwb(double)
