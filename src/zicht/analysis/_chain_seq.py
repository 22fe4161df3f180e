"""Ordering the client chain's event log once, in vectorised numpy (no Python loop over
events): the core that :func:`zicht.analysis.chain.build_log` and
:func:`~zicht.analysis.chain.load_log` share.

Steps:

1. Case keys: each case id becomes an integer (``case_no``). Runs of equal ids are found
   by comparing neighbours; only the first id of every run is hashed (Arrow's
   ``dictionary_encode``), so a log that arrives grouped by case (the usual export)
   hashes one string per case instead of one per event, and none at all when those
   first ids strictly increase (as text or as numbers), which proves them distinct.
   Equal ids in separate runs get the same key, so the result does not depend on the
   input order.
2. One sort key per event: ``(case_no, day, step_rank)`` packed into one int64. A log
   already in that order is detected and not sorted again; otherwise one ``np.sort``.
3. Segment arithmetic on the sorted arrays: the place in the case, the directly
   following step and date, and per case the first and last date, the number of events
   and the variant as an integer code (digit ``step_rank + 1`` at place ``pos`` in base
   ``BASE``; null when a case has more than ``MAX_CODED`` events).

The results are two Arrow tables (events and cases) that the analyses query with SQL.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from zicht.model.schema import CHAIN_STEPS

__all__ = ["BASE", "CASE_SCHEMA", "LOG_SCHEMA", "MAX_CODED", "case_numbers", "decode", "sequence"]

BASE = len(CHAIN_STEPS) + 1
MAX_CODED = 15  # BASE ** 15 < 2 ** 53: exact as int64 and as a DOUBLE
_RANK_BITS = 4  # room for 16 step ranks in the sort key
assert len(CHAIN_STEPS) < 1 << _RANK_BITS

LOG_SCHEMA = pa.schema(
    [
        ("case_no", pa.int32()),
        ("step_rank", pa.int32()),
        ("event_date", pa.date32()),
        ("pos", pa.int32()),
        ("next_rank", pa.int32()),
        ("next_date", pa.date32()),
    ]
)
CASE_SCHEMA = pa.schema(
    [
        ("case_no", pa.int32()),
        ("case_id", pa.string()),
        ("first_date", pa.date32()),
        ("last_date", pa.date32()),
        ("days", pa.float64()),
        ("events", pa.int32()),
        ("variant_code", pa.int64()),
    ]
)

_I64 = npt.NDArray[np.int64]


def case_numbers(case_id: pa.Array) -> tuple[npt.NDArray[np.int32], pa.Array]:
    """An integer per event (index into the returned array of distinct case ids)."""
    n = len(case_id)
    head = np.ones(n, dtype=bool)
    if n > 1:
        same = pc.equal(case_id.slice(1), case_id.slice(0, n - 1))
        head[1:] = ~same.to_numpy(zero_copy_only=False)
    starts = np.flatnonzero(head)
    runs = case_id.take(_arrow(starts))
    lengths = np.diff(np.append(starts, n))
    if _increasing(runs):
        # Every run is a different case: the run is the key, no hashing needed.
        return np.repeat(np.arange(len(starts), dtype=np.int32), lengths), runs
    enc = pc.dictionary_encode(runs)
    run_codes = enc.indices.to_numpy(zero_copy_only=False).astype(np.int32)
    return np.repeat(run_codes, lengths), enc.dictionary


def _increasing(ids: pa.Array) -> bool:
    """Whether the ids strictly increase, as text or as numbers (shorter first: C9 <
    C10), which proves them distinct without a hash table. Logs exported per case in
    id order pass; anything else is hashed."""
    if len(ids) < 2:
        return True
    a, b = ids.slice(0, len(ids) - 1), ids.slice(1)
    if pc.all(pc.less(a, b)).as_py():
        return True
    la, lb = pc.binary_length(a), pc.binary_length(b)
    shorter_or_less = pc.or_(pc.less(la, lb), pc.and_(pc.equal(la, lb), pc.less(a, b)))
    return bool(pc.all(shorter_or_less).as_py())


def sequence(
    case_no: npt.NDArray[np.int32],
    step_rank: npt.NDArray[np.int32],
    day: npt.NDArray[np.int32],
    case_ids: pa.Array,
) -> tuple[pa.Table, pa.Table]:
    """Order the events (case_no, day, step_rank; all non-null) and derive the event
    table (LOG_SCHEMA) and the case table (CASE_SCHEMA, in case_no order)."""
    n = len(case_no)
    if n == 0:
        return LOG_SCHEMA.empty_table(), CASE_SCHEMA.empty_table()
    dmin = int(day.min())
    span = int(day.max()) - dmin + 1
    width = np.int64(span) << _RANK_BITS
    key: _I64 = np.multiply(case_no, width, dtype=np.int64)
    offset = np.subtract(day, dmin, dtype=np.int64)
    offset <<= _RANK_BITS
    key += offset
    key += step_rank
    del offset
    if not bool(np.all(key[1:] >= key[:-1])):
        key.sort()
        case_no = (key // width).astype(np.int32)
        rest = key - case_no.astype(np.int64) * width
        day = (rest >> _RANK_BITS).astype(np.int32) + np.int32(dmin)
        step_rank = (rest & ((1 << _RANK_BITS) - 1)).astype(np.int32)
    del key

    head = np.ones(n, dtype=bool)
    np.not_equal(case_no[1:], case_no[:-1], out=head[1:])
    starts = np.flatnonzero(head)
    ends = np.append(starts[1:], n)
    lengths = (ends - starts).astype(np.int32)
    pos = np.ones(n, dtype=np.int32)  # 1-based place in the case: restart at every head
    pos[starts[1:]] = 1 - lengths[:-1]
    pos = np.cumsum(pos, dtype=np.int32)

    last = np.append(head[1:], True)  # last event of its case: no next step
    next_rank = np.empty(n, dtype=np.int32)
    next_rank[:-1] = step_rank[1:]
    next_rank[-1] = 0
    next_day = np.empty(n, dtype=np.int32)
    next_day[:-1] = day[1:]
    next_day[-1] = 0
    log = pa.table(
        [
            _arrow(case_no),
            _arrow(step_rank),
            _arrow(day).view(pa.date32()),
            _arrow(pos),
            pa.array(next_rank, mask=last),
            pa.array(next_day, mask=last).view(pa.date32()),
        ],
        schema=LOG_SCHEMA,
    )

    first_day = day[starts]
    last_day = day[ends - 1]
    if int(lengths.max()) <= MAX_CODED:
        place = np.append(0, BASE ** np.arange(MAX_CODED, dtype=np.int64))  # by pos
        digits = np.add(step_rank, 1, dtype=np.int64)
        digits *= place[pos]
        codes = _arrow(np.add.reduceat(digits, starts))
    else:
        codes = pa.nulls(len(starts), pa.int64())
    numbers = case_no[starts]  # 0, 1, ...: the keys are dense and now sorted
    if len(numbers) != len(case_ids):  # pragma: no cover  # invariant of case_numbers
        raise AssertionError("case keys are not dense")
    cases = pa.table(
        [
            _arrow(numbers),
            case_ids.cast(pa.string()),
            _arrow(first_day).view(pa.date32()),
            _arrow(last_day).view(pa.date32()),
            _arrow((last_day - first_day).astype(np.float64)),
            _arrow(lengths),
            codes,
        ],
        schema=CASE_SCHEMA,
    )
    return log, cases


def _arrow(values: npt.NDArray[Any]) -> pa.Array:
    """A numpy array as Arrow without a copy (``pa.array`` with an explicit type walks
    the values one by one: 0.4 s for 10 M)."""
    return pa.array(np.ascontiguousarray(values))


def decode(code: int) -> list[str]:
    """The steps of a variant code."""
    steps: list[str] = []
    while code:
        code, digit = divmod(code, BASE)
        steps.append(CHAIN_STEPS[digit - 1])
    return steps
