"""Vectorised Dutch-Excel formatting and streaming CSV/XLSX writers.

Dates are int64 day numbers (days since 1970-01-01) throughout the generator; formatting
looks them up in one precomputed table of ``dd-mm-jjjj`` strings, which is far faster
than formatting each date. Writers append blocks of rows and may insert extra (defect)
rows; they keep the spreadsheet row number (header = 1) so defects can be recorded.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from types import TracebackType
from typing import IO, Any, TypeVar

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
ObjArray = npt.NDArray[np.object_]

EPOCH = date(1970, 1, 1)
_TABLE_START = date(1880, 1, 1)
_TABLE_DAYS = 100_000  # up to about 2153
_TABLE_OFFSET = (_TABLE_START - EPOCH).days
NO_DATE = np.iinfo(np.int64).max // 4  # "no end date" sentinel, far beyond any real day


def day(d: date) -> int:
    return (d - EPOCH).days


def to_date(n: int) -> date:
    return EPOCH + timedelta(days=int(n))


@cache
def _date_table() -> ObjArray:
    days = np.arange(_TABLE_DAYS, dtype=np.int64) + _TABLE_OFFSET
    iso = days.astype("datetime64[D]").astype(str)
    return np.array([f"{s[8:10]}-{s[5:7]}-{s[0:4]}" for s in iso.tolist()], dtype=object)


def fmt_dates(days: IntArray) -> ObjArray:
    """``dd-mm-jjjj`` strings; the NO_DATE sentinel becomes an empty string."""
    table = _date_table()
    missing = days >= NO_DATE
    idx = np.where(missing, 0, days - _TABLE_OFFSET)
    out = table[idx]
    out[missing] = ""
    return out


def fmt_date(n: int) -> str:
    return str(_date_table()[n - _TABLE_OFFSET])


@cache
def _small_ints() -> ObjArray:
    return np.array([str(i) for i in range(100_000)], dtype=object)


def fmt_ints(values: IntArray) -> ObjArray:
    """Decimal strings of non-negative integers (fast path for small values)."""
    if len(values) and int(values.max()) < 100_000 and int(values.min()) >= 0:
        return _small_ints()[values]
    return np.array(values.astype(str), dtype=object)


def fmt_cents(cents: IntArray) -> ObjArray:
    """Euro amounts with a decimal comma, e.g. 123456 -> '1234,56'."""
    frac = np.array([f"{i:02d}" for i in range(100)], dtype=object)
    out: ObjArray = fmt_ints(cents // 100) + "," + frac[cents % 100]
    return out


def fmt_bsn(bsn: IntArray, lost_zero: npt.NDArray[np.bool_]) -> ObjArray:
    """Nine digits, except where Excel 'lost' the leading zero (then plain digits)."""
    text = np.array(bsn.astype(str), dtype=object)
    padded = np.array(np.char.zfill(bsn.astype(str), 9), dtype=object)
    return np.where(lost_zero, text, padded)


Row = list[Any]
T = TypeVar("T")


class BlockWriter:
    """Common bookkeeping: row numbers, row counts and the defects planted."""

    def __init__(self, rel: str) -> None:
        self.rel = rel
        self.rows = 0  # data rows written (true + defect)
        self.true_rows = 0
        self.defects: list[dict[str, Any]] = []

    def _merge(self, rows: list[T], extra: Sequence[tuple[int, T, str]]) -> list[T]:
        """``rows`` with each extra row inserted before position ``pos``."""
        self.true_rows += len(rows)
        if not extra:
            return rows
        out: list[T] = []
        order = sorted(range(len(extra)), key=lambda i: extra[i][0])
        k = 0
        for i, row in enumerate(rows):
            while k < len(order) and extra[order[k]][0] <= i:
                self._plant(out, extra[order[k]])
                k += 1
            out.append(row)
        while k < len(order):
            self._plant(out, extra[order[k]])
            k += 1
        return out

    def _plant(self, out: list[T], item: tuple[int, T, str]) -> None:
        row_number = self.rows + len(out) + 2  # header is row 1
        self.defects.append({"file": self.rel, "row": row_number, "rule": item[2]})
        out.append(item[1])


class CsvWriter(BlockWriter):
    """``;``-separated CSV with CRLF line ends, as Excel writes it."""

    def __init__(self, root: Path, rel: str, header: Sequence[str], encoding: str) -> None:
        super().__init__(rel)
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        self._fh: IO[str] = path.open("w", encoding=encoding, newline="")
        self._fh.write(";".join(header) + "\r\n")

    def write(
        self, columns: Sequence[Sequence[Any]], extra: Sequence[tuple[int, Row, str]] = ()
    ) -> None:
        # Each row joined once, straight from the columns (no list per row first).
        lines = list(map(";".join, zip(*columns, strict=True))) if columns else []
        rows = self._merge(lines, [(pos, ";".join(row), rule) for pos, row, rule in extra])
        if rows:
            self._fh.write("\r\n".join(rows) + "\r\n")
        self.rows += len(rows)

    def close(self) -> None:
        self._fh.close()

    def __enter__(self) -> CsvWriter:
        return self

    def __exit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class XlsxWriter(BlockWriter):
    """A streaming (write-only) workbook; date cells are real Excel dates."""

    def __init__(self, root: Path, rel: str, header: Sequence[str]) -> None:
        from openpyxl import Workbook

        super().__init__(rel)
        self._path = root / rel
        self._path.parent.mkdir(parents=True, exist_ok=True)
        self._wb = Workbook(write_only=True)
        self._ws = self._wb.create_sheet("Uitkeringen")
        self._ws.append(list(header))

    def write(
        self, columns: Sequence[Sequence[Any]], extra: Sequence[tuple[int, Row, str]] = ()
    ) -> None:
        listed: list[Row] = [list(r) for r in zip(*columns, strict=True)] if columns else []
        rows = self._merge(listed, extra)
        for row in rows:
            self._ws.append(row)
        self.rows += len(rows)

    def close(self) -> None:
        self._wb.save(self._path)
