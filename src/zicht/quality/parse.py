"""Vectorised parsing of text columns into dates and numbers.

Every function takes an Arrow string array (nulls = empty) and returns the typed array
plus a NumPy mask of values that were present but did not parse. Dates and numbers are
parsed once per distinct value (:func:`per_distinct`), so a million rows with a few
thousand dates or amounts cost a few thousand parses and one hash pass.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeAlias

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

ArrayLike: TypeAlias = pa.Array | pa.ChunkedArray

MIN_YEAR = 1800
MAX_YEAR = 2200
"""Dates outside these years are treated as unparseable (a lost century, ``01-02-23``)."""

_NUMBER = r"^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)$"
_LEADING_ZEROS = r"(^|[^0-9])0+([0-9])"


def as_array(values: ArrayLike) -> pa.Array:
    if isinstance(values, pa.ChunkedArray):
        return values.combine_chunks()
    return values


def to_mask(values: ArrayLike) -> np.ndarray:
    """Boolean Arrow array → NumPy bool array (null = False)."""
    filled = as_array(pc.fill_null(values, False))
    return np.asarray(filled.to_numpy(zero_copy_only=False), dtype=bool)


def clean(values: ArrayLike) -> pa.Array:
    """Trim blanks; an empty value becomes null."""
    arr = as_array(pc.utf8_trim_whitespace(pc.cast(values, pa.string())))
    return null_where_empty(arr)


def null_where_empty(arr: pa.Array) -> pa.Array:
    """``arr`` with its empty strings turned into nulls.

    Without copying the strings: the new validity bitmap (valid and non-empty) is laid
    over the same offsets and data buffers.
    """
    filled = as_array(pc.fill_null(pc.greater(pc.binary_length(arr), 0), False))
    if filled.null_count == 0 and filled.true_count == len(arr) - arr.null_count:
        return arr  # nothing empty
    if arr.offset != 0 or filled.offset != 0 or arr.type != pa.string():
        return as_array(pc.if_else(filled, arr, pa.scalar(None, arr.type)))
    _, offsets, data = arr.buffers()
    return pa.Array.from_buffers(pa.string(), len(arr), [filled.buffers()[1], offsets, data])


def per_distinct(
    values: ArrayLike, parse: Callable[[pa.Array], pa.Array]
) -> tuple[pa.Array, np.ndarray]:
    """Apply ``parse`` (element-wise, nulls stay null) to each distinct value once.

    Returns the parsed values spread back over the rows and the mask of rows that had a
    value but whose value did not parse. Equal to ``parse(values)`` by construction.
    """
    arr = as_array(values)
    encoded = as_array(pc.dictionary_encode(arr))
    parsed = parse(encoded.dictionary)
    result = as_array(pc.take(parsed, encoded.indices))
    return result, present(arr) & ~present(result)


def present(values: ArrayLike) -> np.ndarray:
    return to_mask(pc.is_valid(values))


def parse_dates(values: ArrayLike, fmt: str) -> tuple[pa.Array, np.ndarray]:
    """Parse with a strptime format; impossible dates (31-06-2023) do not parse.

    Arrow's strptime rolls 31-06 over to 01-07, so every parsed value is formatted back
    and compared with its input, ignoring leading zeros of numbers (1-7-2023 is fine).
    """
    arr = as_array(values)
    if len(arr) == 0:
        return pa.array([], pa.date32()), np.zeros(0, dtype=bool)
    encoded = pc.dictionary_encode(arr)
    uniq = encoded.dictionary
    stamps = pc.strptime(uniq, format=fmt, unit="s", error_is_null=True)
    back = pc.strftime(stamps, format=fmt)
    same = pc.equal(
        pc.replace_substring_regex(uniq, _LEADING_ZEROS, r"\1\2"),
        pc.replace_substring_regex(back, _LEADING_ZEROS, r"\1\2"),
    )
    years = pc.year(stamps)
    in_range = pc.and_(pc.greater_equal(years, MIN_YEAR), pc.less_equal(years, MAX_YEAR))
    ok = pc.fill_null(pc.and_(same, in_range), False)
    dates = pc.if_else(ok, pc.cast(stamps, pa.date32()), pa.scalar(None, pa.date32()))
    result = as_array(pc.take(dates, encoded.indices))
    bad = present(arr) & ~present(result)
    return result, bad


def parse_numbers(values: ArrayLike, decimal: str) -> tuple[pa.Array, np.ndarray]:
    """Parse decimal numbers written with ``decimal`` as separator (``1.234,56``)."""
    return per_distinct(values, lambda uniq: _numbers(uniq, decimal))


def _numbers(arr: pa.Array, decimal: str) -> pa.Array:
    thousands = "." if decimal == "," else ","
    text = pc.replace_substring_regex(arr, r"[€\s]", "")
    grouped = pc.match_substring_regex(
        text, rf"^[+-]?[0-9]{{1,3}}([{thousands}][0-9]{{3}})+([{decimal}][0-9]*)?$"
    )
    text = pc.if_else(grouped, pc.replace_substring(text, thousands, ""), text)
    stray = pc.match_substring(text, thousands)
    if decimal == ",":
        text = pc.replace_substring(text, ",", ".")
    ok = pc.and_(pc.match_substring_regex(text, _NUMBER), pc.invert(stray))
    number = pc.cast(pc.if_else(ok, text, pa.scalar(None, pa.string())), pa.float64())
    return as_array(number)


def parse_integers(values: ArrayLike) -> tuple[pa.Array, np.ndarray]:
    return per_distinct(values, _integers)


def _integers(arr: pa.Array) -> pa.Array:
    ok = pc.match_substring_regex(arr, r"^[+-]?[0-9]{1,9}$")
    return as_array(pc.cast(pc.if_else(ok, arr, pa.scalar(None, pa.string())), pa.int64()))
