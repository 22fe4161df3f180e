"""Encodings, delimiters, XLSX, Parquet and malformed files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from zicht.errors import MappingError, SourceError
from zicht.sources.ingest import ingest_files
from zicht.workspace import Workspace

TABLES = ("provision", "chain_event", "quarantine", "load_log")
MAPPING = """source: test
target: provision
law: wmo
{extra}columns:
  bsn: BSN
  provision_ref: Nummer
  product_category: Categorie
  start_date: Start
  volume: Volume
"""
HEADER = ["BSN", "Naam", "Nummer", "Categorie", "Start", "Volume"]
ROWS = [
    ["100039030", "René Müller", "W1", "01", "01-02-2023", "1,5"],
    ["100062787", "Zoë Çelik", "W2", "02", "15-03-2023", ""],
]


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return Workspace.init(tmp_path / "ws")


def write(tmp_path: Path, name: str, data: bytes, extra: str = "") -> Path:
    f = tmp_path / name
    f.write_bytes(data)
    f.with_name(f.stem + ".mapping.yaml").write_text(MAPPING.format(extra=extra))
    return f


def text(delimiter: str) -> str:
    return "\r\n".join(delimiter.join(r) for r in [HEADER, *ROWS]) + "\r\n"


def loaded(ws: Workspace) -> list[tuple[str, str, float | None]]:
    with ws.store(read_only=True) as s:
        rows = s.fetchall(
            "SELECT provision_id, start_date::VARCHAR, volume FROM provision ORDER BY 1"
        )
    return [(str(a), str(b), c) for a, b, c in rows]


EXPECTED = [("test:W1", "2023-02-01", 1.5), ("test:W2", "2023-03-15", None)]


@pytest.mark.parametrize(
    ("encoding", "bom", "delimiter"),
    [("utf-8", True, ";"), ("utf-8", False, ","), ("cp1252", False, "\t"), ("cp1252", False, ";")],
)
def test_encodings_and_delimiters(
    ws: Workspace, tmp_path: Path, encoding: str, bom: bool, delimiter: str
) -> None:
    data = text(delimiter).replace("1,5", '"1,5"' if delimiter == "," else "1,5")
    raw = ("\ufeff" if bom else "").encode() + data.encode(encoding)
    f = write(tmp_path, "x.csv", raw)
    [rep] = ingest_files(ws, [f])
    assert (rep.rows_in, rep.accepted, rep.quarantined) == (2, 2, 0)
    assert loaded(ws) == EXPECTED


def test_xlsx_real_and_text_dates(ws: Workspace, tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    sheet = wb.active
    assert sheet is not None
    sheet.append(HEADER)
    sheet.append([100039030, "René", "W1", "01", dt.datetime(2023, 2, 1), 1.5])
    sheet.append(["100062787", "Zoë", "W2", "02", "15-03-2023", None])
    sheet.append([10015838, "Bas", "W3", "02", dt.date(2023, 6, 31 - 1), "x"])
    f = tmp_path / "x.xlsx"
    wb.save(f)
    f.with_name("x.mapping.yaml").write_text(MAPPING.format(extra=""))
    [rep] = ingest_files(ws, [f])
    assert (rep.rows_in, rep.accepted, rep.reasons) == (3, 2, {"invalid_number": 1})
    assert loaded(ws) == EXPECTED
    with ws.store(read_only=True) as s:
        assert s.fetchall("SELECT row_number, rule FROM quarantine") == [(4, "invalid_number")]


def test_parquet(ws: Workspace, tmp_path: Path) -> None:
    table = pa.table(
        {
            "BSN": ["100039030", "100062787"],
            "Naam": ["René", "Zoë"],
            "Nummer": ["W1", "W2"],
            "Categorie": ["01", "02"],
            "Start": [dt.date(2023, 2, 1), dt.date(2023, 3, 15)],
            "Volume": [1.5, None],
        }
    )
    f = tmp_path / "x.parquet"
    pq.write_table(table, f)
    f.with_name("x.mapping.yaml").write_text(MAPPING.format(extra=""))
    [rep] = ingest_files(ws, [f])
    assert (rep.rows_in, rep.accepted) == (2, 2)
    assert loaded(ws) == EXPECTED


MALFORMED = {
    "truncated_quote": (text(";") + '100165734;"Kapot;W3;01;01-02-2023;\r\n').encode(),
    "ragged": (text(";") + "100165734;Te kort;W3\r\n").encode(),
    "missing_column": b"BSN;Naam;Nummer;Start\r\n1;a;W1;01-01-2023\r\n",
    "binary": b"\x00\x01\x02\x03" * 100,
    "xlsx_as_csv": b"PK\x03\x04" + b"\x00" * 50,
    "empty": b"",
    "undecodable": b"BSN;Naam\r\n" + b"\x81\x8d\x8f\x90\x9d",
}


@pytest.mark.parametrize("kind", sorted(MALFORMED))
def test_malformed_writes_nothing(ws: Workspace, tmp_path: Path, kind: str) -> None:
    f = write(tmp_path, f"{kind}.csv", MALFORMED[kind])
    with pytest.raises(SourceError) as err:
        ingest_files(ws, [f])
    message = str(err.value)
    assert "\n" not in message and f.name in message
    assert "Kapot" not in message and "Te kort" not in message
    with ws.store(read_only=True) as s:
        for t in TABLES:
            assert s.scalar(f"SELECT count(*) FROM {t}") == 0, t


def test_wrong_encoding_declared(ws: Workspace, tmp_path: Path) -> None:
    f = write(tmp_path, "x.csv", text(";").encode("cp1252"), extra="encoding: utf-8\n")
    with pytest.raises(SourceError, match="UTF-8"):
        ingest_files(ws, [f])


def test_earlier_files_stay_when_a_later_one_fails(ws: Workspace, tmp_path: Path) -> None:
    good = write(tmp_path, "goed.csv", text(";").encode())
    bad = write(tmp_path, "fout.csv", MALFORMED["ragged"].replace(b"W1", b"W9"))
    with pytest.raises(SourceError):
        ingest_files(ws, [good, bad])
    with ws.store(read_only=True) as s:
        assert s.scalar("SELECT count(*) FROM load_log") == 1


def test_mapping_error_names_file_line_field(tmp_path: Path) -> None:
    from zicht.sources.mapping import load_mapping

    f = tmp_path / "m.mapping.yaml"
    f.write_text(
        "source: s\ntarget: provision\nlaw: jeugd\ncolumns:\n  bsn: BSN\n"
        "  provision_ref: N\n  start_date: S\n  kleur: K\n"
    )
    with pytest.raises(MappingError) as err:
        load_mapping(f)
    assert str(err.value).startswith(f"{f}:8: veld columns")
    assert "kleur" in str(err.value)
    f.write_text("source: s\ntarget: provisie\ncolumns: {}\n")
    with pytest.raises(MappingError, match=r":2: veld target"):
        load_mapping(f)


def _python_csv(path: Path, columns: list[str]) -> dict[str, list[str]]:
    """The independent reading: Python's csv module (quote-aware, line breaks in values)."""
    import csv

    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    header = rows[0]
    return {c: [r[header.index(c)] for r in rows[1:]] for c in columns}


@pytest.mark.parametrize("seed", [1, 2])
def test_quoted_line_breaks_across_read_blocks(tmp_path: Path, seed: int) -> None:
    """Values with line breaks in quotes, in a file larger than two read blocks (4 MiB)
    and with a long multi-line value across each block boundary: every row is read as
    Python's csv module reads it."""
    import random

    from zicht.sources.mapping import load_mapping
    from zicht.sources.readers import read_file

    rng = random.Random(seed)
    block = 1 << 22
    lines = ["BSN;Naam;Nummer;Categorie;Start;Volume;Opmerking"]
    size, boundary, n = len(lines[0]) + 1, block, 0
    while size < 2 * block + 100_000:
        note = rng.choice(["", "belt terug", '"twee\nregels"', '"drie\r\nregels; ""quote"""'])
        if size > boundary - 300:  # a value of 50 lines across the boundary
            note, boundary = '"' + "regel;\n" * 50 + '"', boundary + block
        name = rng.choice(["Jan", '"de\nVries"', "Anna"])
        line = f"100039030;{name};W{n};01;{rng.randint(1, 28):02d}-02-2023;1,5;{note}"
        lines.append(line)
        size += len(line) + 1
        n += 1
    f = write(tmp_path, "lang.csv", ("\n".join(lines) + "\n").encode())
    table = read_file(f, load_mapping(f.with_name("lang.mapping.yaml"))).table
    truth = _python_csv(f, ["Nummer", "Start", "Volume"])
    assert table.num_rows == n
    assert table.column("provision_ref").to_pylist() == truth["Nummer"]
    assert table.column("start_date").to_pylist() == truth["Start"]
    assert table.column("row_number").to_pylist() == list(range(2, n + 2))
