"""Planted defects: extra rows that each break exactly one validation rule.

A defect row is built from a copy of a true row of the same block with a fresh key and a
fresh (valid, unused) BSN, so it can collide with nothing, and then one field is broken.
A ``duplicate_row`` is an exact copy of a true row, placed after it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from zicht.synth._writers import fmt_date, to_date


@dataclass(frozen=True)
class Layout:
    """Where the fields a defect touches sit in a file's rows (column indices)."""

    rules: tuple[str, ...]
    bsn: int
    key: int | None  # None: the key is (date column, bsn), as in the BRP extract
    date: int  # the date column to break for invalid_date
    end: int | None = None  # end date column (end_before_start)
    start: int | None = None  # start date column the end is compared with
    category: int | None = None
    bad_category: str = "99"
    reference: int | None = None  # reference column: cleared, or made unknown
    bad_reference: str = ""
    amount: int | None = None
    clear: tuple[int, ...] = ()  # columns emptied in fresh rows (e.g. toewijzing number)
    xlsx: bool = False  # dates are date objects rather than strings


def _as_day(value: Any) -> int:
    if isinstance(value, date):
        return (value - date(1970, 1, 1)).days
    d, m, y = str(value).split("-")
    return (date(int(y), int(m), int(d)) - date(1970, 1, 1)).days


def plant(
    rng: np.random.Generator,
    columns: Sequence[Sequence[Any]],
    layout: Layout,
    rate: float,
    first_block: bool,
    fresh_bsn: Callable[[], int],
    fresh_key: Callable[[], str],
) -> list[tuple[int, list[Any], str]]:
    """Extra rows (insert position, row, rule) for one block of true rows."""
    n = len(columns[0]) if columns else 0
    if n == 0 or rate <= 0:
        return []
    count = int(rng.binomial(n, rate))
    rules = list(layout.rules)
    chosen = list(rules) if first_block else []  # every rule at least once per file
    chosen += [rules[int(i)] for i in rng.integers(0, len(rules), max(0, count - len(chosen)))]
    out: list[tuple[int, list[Any], str]] = []
    for rule in chosen:
        src = int(rng.integers(0, n))
        row = [col[src] for col in columns]
        if rule == "duplicate_row":
            out.append((int(rng.integers(src + 1, n + 1)), row, rule))
            continue
        out.append(
            (
                int(rng.integers(0, n + 1)),
                _break(rng, row, layout, rule, fresh_bsn, fresh_key),
                rule,
            )
        )
    return out


def _break(  # noqa: C901 - one branch per rule is the clearest form
    rng: np.random.Generator,
    row: list[Any],
    layout: Layout,
    rule: str,
    fresh_bsn: Callable[[], int],
    fresh_key: Callable[[], str],
) -> list[Any]:
    row = list(row)
    bsn = fresh_bsn()
    row[layout.bsn] = f"{bsn:09d}"
    if layout.key is not None:
        row[layout.key] = fresh_key()
    for c in layout.clear:
        row[c] = ""
    year = 2000 + int(rng.integers(15, 25))
    if rule == "invalid_bsn":
        # Changing the check digit by any amount other than 0 or 11 fails the 11-proef.
        row[layout.bsn] = f"{(bsn // 10) * 10 + (bsn % 10 + 1) % 10:09d}"
    elif rule == "missing_bsn":
        row[layout.bsn] = ""
    elif rule == "invalid_date":
        row[layout.date] = f"31-06-{year}" if rng.random() < 0.5 else f"ca. maart {year}"
    elif rule == "end_before_start":
        assert layout.end is not None and layout.start is not None
        start = _as_day(row[layout.start])
        end = start - int(rng.integers(1, 60))
        row[layout.end] = to_date(end) if layout.xlsx else fmt_date(end)
    elif rule == "unknown_code":
        assert layout.category is not None
        row[layout.category] = layout.bad_category
    elif rule == "unknown_reference":
        assert layout.reference is not None
        row[layout.reference] = layout.bad_reference or str(
            900_000_000 + int(rng.integers(0, 99_999_999))
        )
    elif rule == "invalid_number":
        assert layout.amount is not None
        row[layout.amount] = "n.v.t."
    else:
        raise ValueError(f"unknown defect rule {rule}")
    return row
