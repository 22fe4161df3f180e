"""Readers: one export file → an Arrow table of text columns named by canonical field.

Only the columns named in the mapping are kept; everything else (names, addresses,
phone numbers, comments) is dropped here, right after reading, and never reaches the
workspace, the quarantine, a log or an error message. Values stay text: validation
(zicht.quality.validate) types them. A file that cannot be read at all raises
SourceError with one line naming the file and the problem (never its content).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from zicht.errors import SourceError
from zicht.sources.mapping import Mapping

_CHUNK = 1 << 24
_DELIMITERS = (";", ",", "\t")
_MAGIC = {
    b"PK\x03\x04": "een ZIP-bestand (XLSX?)",
    b"PAR1": "een Parquet-bestand",
    b"%PDF": "een PDF-bestand",
    b"\xd0\xcf\x11\xe0": "een oud Excel-bestand (XLS)",
}
EVENT_PREFIX = "event:"


@dataclass(frozen=True)
class RawTable:
    """Text columns by canonical field name (events as ``event:<step>``) plus the
    spreadsheet row number of every row (header = 1, first data row = 2)."""

    table: pa.Table


def wanted_columns(mapping: Mapping) -> dict[str, str]:
    """Canonical column name → header in the file."""
    cols = dict(mapping.columns)
    cols.update({EVENT_PREFIX + step: header for step, header in mapping.events.items()})
    return cols


def read_file(path: Path, mapping: Mapping) -> RawTable:
    fmt = mapping.file_format(path)
    try:
        size = path.stat().st_size
    except OSError:
        raise SourceError(f"{path}: bestand niet gevonden of niet leesbaar") from None
    if size == 0:
        raise SourceError(f"{path}: leeg bestand")
    if fmt == "csv":
        table = _read_csv(path, mapping)
    elif fmt == "xlsx":
        table = _read_xlsx(path, mapping)
    elif fmt == "parquet":
        table = _read_parquet(path, mapping)
    else:
        table = _read_geojson(path, mapping)
    return RawTable(_drop_empty_rows(table))


def _drop_empty_rows(table: pa.Table) -> pa.Table:
    """Rows with every kept column empty carry nothing (a trailing ``;;;;`` line)."""
    data_cols = [c for c in table.column_names if c not in ("row_number", "geometry")]
    if table.num_rows == 0 or not data_cols:
        return table
    any_value = None
    for name in data_cols:
        col = table.column(name)
        # A value counts when it is not empty after trimming: non-empty and not all
        # blanks (utf8_is_space uses the same notion of blank as utf8_trim_whitespace).
        has = pc.and_(
            pc.fill_null(pc.greater(pc.binary_length(col), 0), False),
            pc.invert(pc.fill_null(pc.utf8_is_space(col), False)),
        )
        any_value = has if any_value is None else pc.or_(any_value, has)
    assert any_value is not None
    if pc.all(any_value).as_py():
        return table  # no empty rows: no copy
    return table.filter(any_value)


def _row_numbers(first: int, n: int) -> pa.Array:
    return pa.array(np.arange(first, first + n, dtype=np.int64))


def _missing(path: Path, missing: list[str]) -> SourceError:
    names = ", ".join(repr(m) for m in missing)
    return SourceError(f"{path}: kolom(men) uit de mapping ontbreken in het bestand: {names}")


def _resolve_headers(path: Path, header: list[str], mapping: Mapping) -> dict[str, str]:
    """Canonical name → header exactly as in the file (trimmed, else case-insensitive)."""
    exact = {h.strip(): h for h in header}
    lower = {h.strip().lower(): h for h in header}
    out: dict[str, str] = {}
    missing: list[str] = []
    for name, wanted in wanted_columns(mapping).items():
        found = exact.get(wanted.strip()) or lower.get(wanted.strip().lower())
        if found is None:
            missing.append(wanted)
        else:
            out[name] = found
    if missing:
        raise _missing(path, missing)
    stripped = [h.strip() for h in header]
    dupes = sorted({h for h in out.values() if stripped.count(h.strip()) > 1})
    if dupes:
        raise SourceError(f"{path}: kolom {dupes[0]!r} staat meer dan eens in de kop")
    return out


# --- CSV -------------------------------------------------------------------------------


def _decodes(path: Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    with path.open("rb") as fh:
        try:
            while chunk := fh.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def _scan(path: Path, encoding: str) -> tuple[str, int, bytes]:
    """Check the file decodes; return the encoding, its quote count and its head."""
    quotes = 0
    head = b""
    utf8_ok = encoding != "cp1252"
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            if not head:
                head = chunk[:65536]
                for magic, what in _MAGIC.items():
                    if head.startswith(magic):
                        raise SourceError(f"{path}: geen CSV maar {what}")
                if b"\x00" in head:
                    raise SourceError(f"{path}: binair bestand, geen CSV")
            quotes += chunk.count(b'"')
            # An ASCII chunk after a complete character is valid UTF-8: no decoding.
            if utf8_ok and not (chunk.isascii() and not decoder.getstate()[0]):
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8_ok = False
        if utf8_ok:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                utf8_ok = False
    if utf8_ok:
        return "utf-8", quotes, head
    if encoding in ("auto", "cp1252") and _decodes(path, "cp1252"):
        return "cp1252", quotes, head
    wanted = "UTF-8 of cp1252" if encoding == "auto" else encoding.upper()
    raise SourceError(f"{path}: tekens niet te lezen als {wanted} (verkeerde codering?)")


def _sniff(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in _DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ";"


def _unterminated_quote(path: Path, encoding: str, delimiter: str) -> bool:
    """Confirm an odd quote count really is an unterminated quoted value."""
    with path.open(encoding=encoding, newline="") as fh:
        try:
            for _ in csv.reader(fh, delimiter=delimiter, strict=True):
                pass
        except csv.Error:
            return True
    return False


_ARROW_ROW = re.compile(r"Expected (\d+) columns?, got (\d+)")


def _arrow_csv(
    path: Path, encoding: str, delimiter: str, include: list[str], *, newlines_in_values: bool
) -> pa.Table:
    return pacsv.read_csv(
        path,
        read_options=pacsv.ReadOptions(encoding=encoding, block_size=1 << 22),
        parse_options=pacsv.ParseOptions(
            delimiter=delimiter,
            newlines_in_values=newlines_in_values,
            ignore_empty_lines=False,
        ),
        convert_options=pacsv.ConvertOptions(
            include_columns=include,
            column_types={h: pa.string() for h in include},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )


def _read_csv(path: Path, mapping: Mapping) -> pa.Table:
    encoding, quotes, head = _scan(path, mapping.encoding)
    text = head.decode(encoding, errors="ignore").removeprefix("\ufeff")
    first_line = text.splitlines()[0] if text.strip() else ""
    if not first_line.strip():
        raise SourceError(f"{path}: geen kopregel gevonden")
    delimiter = mapping.delimiter or _sniff(first_line)
    header = next(csv.reader(io.StringIO(first_line), delimiter=delimiter))
    names = _resolve_headers(path, header, mapping)
    if quotes % 2 and _unterminated_quote(path, encoding, delimiter):
        raise SourceError(f"{path}: aanhalingsteken niet afgesloten (afgebroken bestand?)")
    include = sorted(set(names.values()))
    try:
        # Arrow's parser reads a quoted line break as part of the value either way;
        # newlines_in_values only tells its chunker not to cut blocks at line breaks
        # inside quotes, which costs a serial pass. A cut inside a quoted value makes the
        # parse fail (wrong column count, or "out of sync with chunker"), so the fast
        # read either gives exactly the careful read's table or fails, and then the
        # careful read decides.
        table = _arrow_csv(path, encoding, delimiter, include, newlines_in_values=False)
    except (pa.ArrowInvalid, UnicodeDecodeError):
        table = None
    try:
        if table is None:
            table = _arrow_csv(path, encoding, delimiter, include, newlines_in_values=True)
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        # Arrow's message quotes the offending row; never pass that on (PII).
        found = _ARROW_ROW.search(str(exc))
        if found:
            raise SourceError(
                f"{path}: rij met {found.group(2)} kolommen waar de kop er "
                f"{found.group(1)} heeft (rafelige of afgebroken rij)"
            ) from None
        raise SourceError(f"{path}: CSV niet te lezen ({type(exc).__name__})") from None
    columns = {name: table.column(header) for name, header in names.items()}
    columns["row_number"] = _row_numbers(2, table.num_rows)
    return pa.table(columns)


# --- XLSX ------------------------------------------------------------------------------


def _cell_text(value: Any, mapping: Mapping) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime(mapping.date_format)
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = str(int(value)) if value.is_integer() else repr(value)
        return text.replace(".", mapping.decimal)
    return str(value)


def _read_xlsx(path: Path, mapping: Mapping) -> pa.Table:
    import zipfile

    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise SourceError(f"{path}: geen geldig XLSX-bestand ({type(exc).__name__})") from None
    try:
        if mapping.sheet is not None and mapping.sheet not in wb.sheetnames:
            raise SourceError(f"{path}: werkblad {mapping.sheet!r} ontbreekt")
        ws = wb[mapping.sheet] if mapping.sheet is not None else wb.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        header_row = next(rows, None)
        if header_row is None:
            raise SourceError(f"{path}: leeg werkblad")
        header = ["" if h is None else str(h) for h in header_row]
        names = _resolve_headers(path, header, mapping)
        positions = {name: header.index(h) for name, h in names.items()}
        data: dict[str, list[str | None]] = {name: [] for name in names}
        numbers: list[int] = []
        for number, row in enumerate(rows, start=2):
            numbers.append(number)
            for name, pos in positions.items():
                data[name].append(_cell_text(row[pos] if pos < len(row) else None, mapping))
    finally:
        wb.close()
    columns: dict[str, pa.Array] = {k: pa.array(v, pa.string()) for k, v in data.items()}
    columns["row_number"] = pa.array(numbers, pa.int64())
    return pa.table(columns)


# --- Parquet ---------------------------------------------------------------------------


def _parquet_text(col: pa.ChunkedArray, mapping: Mapping) -> pa.ChunkedArray:
    if pa.types.is_date(col.type) or pa.types.is_timestamp(col.type):
        return pc.strftime(col, format=mapping.date_format)
    if pa.types.is_floating(col.type) or pa.types.is_decimal(col.type):
        text = pc.cast(col, pa.string())
        return pc.replace_substring(text, ".", mapping.decimal)
    return pc.cast(col, pa.string())


def _read_parquet(path: Path, mapping: Mapping) -> pa.Table:
    try:
        schema = pq.read_schema(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise SourceError(f"{path}: geen geldig Parquet-bestand ({type(exc).__name__})") from None
    names = _resolve_headers(path, list(schema.names), mapping)
    try:
        table = pq.read_table(path, columns=sorted(set(names.values())))
    except (pa.ArrowInvalid, OSError) as exc:
        raise SourceError(f"{path}: Parquet niet te lezen ({type(exc).__name__})") from None
    columns = {name: _parquet_text(table.column(h), mapping) for name, h in names.items()}
    columns["row_number"] = _row_numbers(2, table.num_rows)
    return pa.table(columns)


# --- GeoJSON ---------------------------------------------------------------------------


def _read_geojson(path: Path, mapping: Mapping) -> pa.Table:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SourceError(f"{path}: geen geldige GeoJSON ({type(exc).__name__})") from None
    if not isinstance(data, dict) or not isinstance(data.get("features"), list):
        raise SourceError(f"{path}: geen GeoJSON FeatureCollection")
    features: list[Any] = data["features"]
    seen: set[str] = set()
    for feat in features:
        if isinstance(feat, dict) and isinstance(feat.get("properties"), dict):
            seen.update(feat["properties"])
    wanted = wanted_columns(mapping)
    missing = [h for h in wanted.values() if h not in seen]
    if missing and features:
        raise _missing(path, missing)
    data_cols: dict[str, list[str | None]] = {name: [] for name in wanted}
    geometry: list[str | None] = []
    for feat in features:
        props = feat.get("properties") if isinstance(feat, dict) else None
        props = props if isinstance(props, dict) else {}
        for name, header in wanted.items():
            value = props.get(header)
            data_cols[name].append(None if value is None else str(value))
        geom = feat.get("geometry") if isinstance(feat, dict) else None
        geometry.append(None if geom is None else json.dumps(geom, separators=(",", ":")))
    columns: dict[str, pa.Array] = {k: pa.array(v, pa.string()) for k, v in data_cols.items()}
    columns["geometry"] = pa.array(geometry, pa.string())
    # A feature's row number is its 1-based position in the collection.
    columns["row_number"] = _row_numbers(1, len(features))
    return pa.table(columns)
