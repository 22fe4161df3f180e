"""The burgerservicenummer and its 11-proef.

9·d1 + 8·d2 + 7·d3 + 6·d4 + 5·d5 + 4·d6 + 3·d7 + 2·d8 − 1·d9 ≡ 0 (mod 11).
Exports often lose the leading zero (Excel turns the column into a number), so values of
8 digits are padded to 9 before the check. Vectorised variants work on Arrow arrays.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_WEIGHTS = np.array([9, 8, 7, 6, 5, 4, 3, 2, -1], dtype=np.int64)


def normalise(raw: str | None) -> str | None:
    """Strip blanks and pad an 8-digit value to 9 digits; None when it cannot be a BSN."""
    if raw is None:
        return None
    text = raw.strip()
    if not text.isdigit() or not 8 <= len(text) <= 9:
        return None
    return text.zfill(9)


def is_valid(raw: str | None) -> bool:
    """True when ``raw`` (after padding) passes the 11-proef and is not all zeros.

    >>> is_valid("123456782"), is_valid("123456783"), is_valid("23456782")
    (True, False, False)
    """
    bsn = normalise(raw)
    if bsn is None or bsn == "000000000":
        return False
    total = sum(int(d) * int(w) for d, w in zip(bsn, _WEIGHTS, strict=True))
    return total % 11 == 0


def normalise_array(values: pa.Array | pa.ChunkedArray) -> pa.ChunkedArray:
    """Vectorised :func:`normalise`: trimmed, 8 digits padded to 9, otherwise null."""
    arr = pc.utf8_trim_whitespace(pc.cast(values, pa.string()))
    ok = pc.and_(
        pc.match_substring_regex(arr, r"^[0-9]{8,9}$"),
        pc.invert(pc.is_null(arr)),
    )
    padded = pc.utf8_lpad(arr, 9, "0")
    result = pc.if_else(ok, padded, pa.scalar(None, pa.string()))
    if isinstance(result, pa.Array):
        return pa.chunked_array([result])
    return result


def valid_mask(normalised: pa.ChunkedArray) -> np.ndarray:
    """Boolean mask: which normalised values pass the 11-proef (nulls fail)."""
    filled = pc.fill_null(normalised, "000000000").combine_chunks()
    if len(filled) == 0:
        return np.zeros(0, dtype=bool)
    buf = np.frombuffer(filled.buffers()[2], dtype=np.uint8)
    offsets = np.frombuffer(filled.buffers()[1], dtype=np.int32)
    offsets = offsets[filled.offset : filled.offset + len(filled) + 1]
    # Every value is exactly 9 ASCII digits here, so the digits form an (n, 9) matrix.
    starts = offsets[:-1]
    idx = starts[:, None] + np.arange(9)[None, :]
    digits = buf[idx].astype(np.int64) - ord("0")
    total = digits @ _WEIGHTS
    nonzero = digits.any(axis=1)
    mask: np.ndarray = (total % 11 == 0) & nonzero
    return mask
