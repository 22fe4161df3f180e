"""The synthetic gemeente: determinism, realism, Dutch-Excel format, defects, memory."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from zicht.privacy.bsn import is_valid
from zicht.synth import generate

CSVS = {
    "brp/bevolking.csv": "utf-8-sig",
    "zaaksysteem/jeugd_voorzieningen.csv": "utf-8-sig",
    "zaaksysteem/wmo_voorzieningen.csv": "utf-8-sig",
    "zaaksysteem/schuldhulp_trajecten.csv": "cp1252",
    "wijkteam/hulpvragen.csv": "utf-8-sig",
    "declaraties/declaraties.csv": "utf-8-sig",
}
XLSX = "zaaksysteem/participatie_uitkeringen.xlsx"


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("synth") / "a"
    return out, generate(out, persons=20_000, seed=3, defect_rate=0.003)


def _rows(path: Path, encoding: str) -> list[list[str]]:
    with path.open(encoding=encoding, newline="") as fh:
        return list(csv.reader(fh, delimiter=";"))


def _xlsx_rows(path: Path) -> list[list[Any]]:
    wb = load_workbook(path, read_only=True)
    try:
        return [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
    finally:
        wb.close()  # read-only workbooks keep the file open until closed


def _digest(root: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        if p.is_file() and p.suffix != ".xlsx":  # xlsx zips carry a timestamp
            h.update(str(p.relative_to(root)).encode())
            h.update(p.read_bytes())
    return h.hexdigest()


def test_same_seed_same_bytes_other_seed_differs(tmp_path: Path) -> None:
    generate(tmp_path / "a", persons=1_500, seed=5, years=2)
    generate(tmp_path / "b", persons=1_500, seed=5, years=2)
    generate(tmp_path / "c", persons=1_500, seed=6, years=2)
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    assert _digest(tmp_path / "a") != _digest(tmp_path / "c")
    assert _xlsx_rows(tmp_path / "a" / XLSX) == _xlsx_rows(tmp_path / "b" / XLSX)


def _gemeente(manifest: dict[str, Any], indicator: str) -> list[float]:
    return [c["value"] for c in manifest["truth"][indicator] if c["level"] == "gemeente"]


def test_rates_are_realistic(small: tuple[Path, dict[str, Any]]) -> None:
    _, m = small
    assert all(8.0 <= v <= 14.0 for v in _gemeente(m, "jeugdhulp_pct"))
    assert all(35.0 <= v <= 65.0 for v in _gemeente(m, "wmo_per_1000"))
    assert all(1.5 <= v <= 3.5 for v in _gemeente(m, "bijstand_pct"))
    assert all(25.0 <= v <= 45.0 for v in _gemeente(m, "jeugdhulp_huisarts_pct"))
    assert all(v > 0 for v in _gemeente(m, "stapeling_hh_pct"))
    # Stapeling concentrates where deprivation is high: compare buurten by social rent.
    feats = json.loads((small[0] / "geografie/gebieden.geojson").read_text("utf-8"))["features"]
    rent = {f["properties"]["code"]: f["properties"].get("aandeel_sociale_huur") for f in feats}
    cells = [c for c in m["truth"]["bijstand_pct"] if c["level"] == "buurt"]
    high = [c["value"] for c in cells if rent[c["area_code"]] > 0.5]
    low = [c["value"] for c in cells if rent[c["area_code"]] < 0.3]
    assert high and low and sum(high) / len(high) > sum(low) / len(low)


def test_every_indicator_every_level_and_period(small: tuple[Path, dict[str, Any]]) -> None:
    _, m = small
    ids = {
        "jeugdhulp_pct", "wmo_per_1000", "bijstand_pct", "stapeling_hh_pct",
        "doorlooptijd_beschikking_mediaan", "beschikking_binnen_termijn_pct",
        "kosten_per_client_jeugd", "kosten_per_client_wmo", "jeugdhulp_huisarts_pct",
        "kinderen_in_bijstandsgezin_pct", "jeugdhulp_via_gemeente_pct",
    }  # fmt: skip
    assert set(m["truth"]) == ids
    for cells in m["truth"].values():
        assert {c["level"] for c in cells} == {"gemeente", "wijk", "buurt"}
        assert {c["period"] for c in cells} == set(m["periods"])
    # Buurt counts add up to the gemeente for a count indicator.
    cells = m["truth"]["wmo_per_1000"]
    for year in m["periods"]:
        buurt = sum(c["numerator"] for c in cells if c["level"] == "buurt" and c["period"] == year)
        gem = [c["numerator"] for c in cells if c["level"] == "gemeente" and c["period"] == year]
        assert gem == [buurt]


def test_bsns_pass_the_11_proef_and_some_lost_their_zero(
    small: tuple[Path, dict[str, Any]],
) -> None:
    root, m = small
    planted = {
        (d["file"], d["row"]) for d in m["defects"] if d["rule"] in ("invalid_bsn", "missing_bsn")
    }
    for rel, enc in CSVS.items():
        rows = _rows(root / rel, enc)
        col = rows[0].index("BSN")
        values = [
            (i + 1, r[col]) for i, r in enumerate(rows) if i > 0 and (rel, i + 1) not in planted
        ]
        assert all(is_valid(v) for _, v in values), rel
        if rel == "brp/bevolking.csv":
            short = sum(len(v) == 8 for _, v in values) / len(values)
            zero = sum(v.startswith("0") for _, v in values) / len(values)
            assert 0.03 < short < 0.08 and 0.03 < zero < 0.08


def test_dutch_excel_csv_format(small: tuple[Path, dict[str, Any]]) -> None:
    root, _ = small
    assert (root / "brp/bevolking.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    raw = (root / "zaaksysteem/schuldhulp_trajecten.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # names such as Öztürk are cp1252 bytes
    rows = _rows(root / "declaraties/declaraties.csv", "utf-8-sig")
    assert rows[0][-1] == "Bedrag" and "," in rows[1][-1] and rows[1][-1].replace(",", "").isdigit()
    datetime.strptime(rows[1][7], "%d-%m-%Y")  # noqa: DTZ007 - plain dates
    header = _rows(root / "zaaksysteem/jeugd_voorzieningen.csv", "utf-8-sig")[0]
    assert {"Naam cliënt", "Opmerking"} <= set(header)
    xl = _xlsx_rows(root / XLSX)
    assert isinstance(xl[1][4], datetime)


def _has_defect(rule: str, header: list[Any], row: list[Any]) -> bool:  # noqa: C901
    col = {h: i for i, h in enumerate(header)}
    bsn = row[col["BSN"]]
    if rule == "missing_bsn":
        return bsn in ("", None)
    if rule == "invalid_bsn":
        return not is_valid(str(bsn))
    if rule == "unknown_code":
        name = next(h for h in ("Productcategorie", "Regeling", "Soort", "Geslacht") if h in col)
        return row[col[name]] in ("99", "7", "Loonkostensubsidie", "Budgetbeheer")
    if rule == "invalid_date":
        for v in row:
            if isinstance(v, str) and ("31-06-" in v or "maart" in v):
                return True
        return False
    if rule == "end_before_start":
        names = (
            ("Ingangsdatum", "Einddatum")
            if "Einddatum" in col
            else ("Periode begin", "Periode einde")
        )
        s, e = row[col[names[0]]], row[col[names[1]]]
        if isinstance(s, str):
            s, e = (datetime.strptime(x, "%d-%m-%Y") for x in (s, e))  # noqa: DTZ007
        return bool(e < s)
    if rule == "unknown_reference":
        return row[col.get("Toewijzingnummer", col.get("Buurtcode", 0))] in ("BU99999999",) or (
            "Toewijzingnummer" in col and int(row[col["Toewijzingnummer"]]) >= 900_000_000
        )
    if rule == "invalid_number":
        return row[col["Bedrag"]] == "n.v.t."
    raise AssertionError(rule)


def test_defects_point_at_rows_that_have_them(small: tuple[Path, dict[str, Any]]) -> None:
    root, m = small
    tables: dict[str, list[list[Any]]] = {rel: _rows(root / rel, enc) for rel, enc in CSVS.items()}
    tables[XLSX] = _xlsx_rows(root / XLSX)
    assert {d["rule"] for d in m["defects"]} >= {
        "invalid_bsn", "missing_bsn", "invalid_date", "end_before_start", "unknown_code",
        "duplicate_row", "unknown_reference", "invalid_number",
    }  # fmt: skip
    for d in m["defects"]:
        rows = tables[d["file"]]
        row = rows[d["row"] - 1]
        if d["rule"] == "duplicate_row":
            assert row in rows[1 : d["row"] - 1], d
        else:
            assert _has_defect(d["rule"], rows[0], row), (d, row)
    for rel, load in m["expected_load"].items():
        assert load["rows_in"] == load["accepted"] + load["quarantined"]
        if rel in tables:
            assert len(tables[rel]) - 1 == load["rows_in"]
            assert sum(load["reasons"].values()) == load["quarantined"]


def test_memory_is_bounded(tmp_path: Path) -> None:
    """300,000 persons (3 chunks of about 100,000) must stay under 700 MiB peak RSS.

    The design bound is one chunk of about 100,000 persons (all periods, provisions,
    declaraties and their text) at a few hundred MiB; RSS does not grow with chunk count.
    """
    code = (
        "import sys\nfrom pathlib import Path\nfrom zicht.bench import peak_rss_mib\n"
        "from zicht.synth import generate\n"
        "generate(Path(sys.argv[1]), persons=300_000, years=2, seed=2)\n"
        "print(peak_rss_mib())"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "big")],
        capture_output=True,
        text=True,
        check=True,
    )
    # VmHWM of the child itself: ru_maxrss would inherit the test runner's own peak.
    peak_mib = float(done.stdout.strip().splitlines()[-1])
    assert peak_mib < 700, peak_mib


def _xsd_dir() -> Path:
    shared = Path(__file__).resolve().parents[3] / "shared" / "data" / "istandaarden"
    if not shared.is_dir():
        shared = Path("/work/shared/data/istandaarden")
    if not shared.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail("shared/data/istandaarden (the iJw/iWmo XSDs) is required in CI")
        pytest.skip("shared/data/istandaarden (the iJw/iWmo XSDs) is not present")
    return shared


def test_messages_exist_and_validate(small: tuple[Path, dict[str, Any]]) -> None:
    from lxml import etree

    xsd = _xsd_dir()
    root, m = small
    for folder, prefix in (("ijw", "JW"), ("iwmo", "WMO")):
        files = sorted((root / "berichten" / folder).glob("*.xml"))
        assert len(files) == m["files"][f"berichten/{folder}"]["files"] > 0
        for kind in ("301", "305", "307"):
            sample = [f for f in files if f.name.startswith(f"{prefix}{kind}_")][:20]
            assert sample, (folder, kind)
            schema = etree.XMLSchema(etree.parse(str(xsd / folder / "xsd" / f"{prefix}{kind}.xsd")))
            for f in sample:
                doc = etree.parse(io.BytesIO(f.read_bytes()))
                assert schema.validate(doc), (f.name, schema.error_log)
