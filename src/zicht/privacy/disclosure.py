"""The disclosure-control gate: the one function every outgoing figure passes.

Rule (first version, primary suppression only):

- a *rate* (unit ``%`` or ``per 1.000``) is suppressed when its numerator, its
  denominator or its complement (denominator − numerator) is below ``min_count``: a
  small numerator singles out the few people who have the provision, a small
  complement the few who do not, a small denominator the few people it is about;
- any other figure (a median, an amount per client) is suppressed when the number of
  cases or clients behind it (the denominator) is below ``min_count``;
- a cell without a denominator, or with denominator 0, carries no figure and is
  suppressed whatever ``min_count`` is (a numerator of 0 is only a problem when
  ``min_count`` is above 0, as it always is outside tests). With ``linked`` such a 0 is
  protected by the secondary suppression like any small count.

A suppressed cell gets status ``onderdrukt`` and NULL value, numerator and denominator:
what is not published is not in the file. Every other cell gets ``gepubliceerd``.

Secondary suppression (with ``areas``): a suppressed buurt cannot be recovered by
subtracting published buurten from their wijk, nor a wijk from the gemeente, nor a
category from its area's total; see :mod:`zicht.privacy.secondary`. With ``linked``,
every table gated in one call knows what the others publish of the quantities they
share (the inhabitants behind several rates), so that no table gives away what another
hides (:mod:`zicht.privacy.linked`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from zicht.errors import ZichtError

PUBLISHED = "gepubliceerd"
SUPPRESSED = "onderdrukt"
ROUNDED = "afgerond"
STATUSES = frozenset({PUBLISHED, SUPPRESSED, ROUNDED})

COUNT_UNIT = "aantal"
"""Unit of ``kind: count`` figures: the value is itself a count."""

RATE_UNITS = frozenset({"%", "per 1.000"})
"""Units of figures whose numerator is a count of people (checked against min_count)."""

AMOUNT_UNIT = "euro"
"""Unit of cost figures: the numerator is a sum of money (a magnitude, not a count)."""

AMOUNT_PROTECTION_PCT = 15.0
"""Secondary suppression of cost sums: the largest value an attacker can derive for a
hidden sum lies at least this percentage of the sum above it (tau-ARGUS's upper
protection level for magnitude tables), so a sum hidden because one client pays most of
it cannot be capped close to that client's amount by subtraction."""

_GATED = ("value", "numerator", "denominator")


class DisclosureError(ZichtError):
    """A figure about to leave the system did not pass the disclosure gate."""


ZERO_COLUMN = "zero_by_definition"
"""Optional boolean column of the gate's input: the cell is a rate whose numerator is 0
by definition (a category its definition's ``structural_zeros`` or ``structural_empty``
names, where the count is indeed 0). Everyone knows that 0, so it needs no protection
and is no small count."""

EMPTY_COLUMN = "empty_by_definition"
"""Optional boolean column of the gate's input: nobody is counted in the cell by
definition (a category of ``structural_empty``: among people with bijstand nobody is
under 18), so its denominator 0 is known to everyone as well. A denominator 0 that is
not so by definition (no household of minors only in a wijk) is a fact about the people
there, protected like any small count where empty cells are (linked gating)."""

Zeros = Mapping[str, Mapping[Any, Iterable[str]]]
"""Per indicator, per breakdown, the categories that are 0 by definition (the
definitions' ``structural_zeros`` or ``structural_empty``, as ``indicators.json``
publishes them)."""


def zero_mask(cube: pa.Table, zeros: Zeros, column: str = "numerator") -> np.ndarray:
    """Per row of ``cube``, whether it is a category of ``zeros`` whose ``column``
    (numerator or denominator) is 0 in every row of ``cube`` that shows it. A category
    where the data contradict the definition (:func:`contradicted_zeros`) is an
    ordinary count: the gate must not assume a 0 that is not there everywhere."""
    out = np.zeros(cube.num_rows, dtype=bool)
    for hit, wrong in _zero_groups(cube, zeros, column).values():
        if not wrong:
            out |= hit
    return out


def contradicted_zeros(
    cube: pa.Table, zeros: Zeros, column: str = "numerator"
) -> dict[tuple[str, str, str], int]:
    """Per (indicator, breakdown, category) of ``zeros`` that ``cube`` contradicts, the
    number of its cells whose ``column`` is not 0."""
    return {k: wrong for k, (_, wrong) in _zero_groups(cube, zeros, column).items() if wrong}


def _zero_groups(
    cube: pa.Table, zeros: Zeros, column: str
) -> dict[tuple[str, str, str], tuple[np.ndarray, int]]:
    """Per declared (indicator, breakdown, category): its rows, and how many of them
    have a ``column`` other than 0 (NULL, suppressed, counts as no contradiction)."""
    out: dict[tuple[str, str, str], tuple[np.ndarray, int]] = {}
    if not cube.num_rows or not any(zeros.values()):
        return out
    ids, bds = cube.column("indicator_id"), cube.column("breakdown")
    cats, value = cube.column("category"), cube.column(column)
    other = np.asarray(pc.fill_null(pc.not_equal(value, 0), False).to_numpy(zero_copy_only=False))
    for indicator, per in zeros.items():
        mine = pc.equal(ids, indicator)
        if not pc.any(mine).as_py():
            continue
        for breakdown, categories in per.items():
            there = pc.and_(mine, pc.equal(bds, breakdown))
            for category in categories:
                hit = pc.fill_null(pc.and_(there, pc.equal(cats, category)), False)
                rows = np.asarray(hit.to_numpy(zero_copy_only=False), dtype=bool)
                out[(indicator, breakdown, category)] = (rows, int((rows & other).sum()))
    return out


def merged_zeros(*declared: Mapping[Any, Iterable[str]]) -> dict[str, tuple[str, ...]]:
    """Per breakdown the categories of all ``declared`` mappings (``structural_zeros``
    and ``structural_empty``: in both the numerator is 0 by definition), in order."""
    out: dict[str, tuple[str, ...]] = {}
    for per in declared:
        for bd, cats in per.items():
            out[str(bd)] = tuple(dict.fromkeys((*out.get(str(bd), ()), *cats)))
    return out


def zeros_of(indicators: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, tuple[str, ...]]]:
    """The :data:`Zeros` of published indicator descriptions (``indicators.json``):
    the categories whose numerator is 0 by definition."""
    return {
        k: merged_zeros(v.get("structural_zeros") or {}, v.get("structural_empty") or {})
        for k, v in indicators.items()
    }


def _flag(cube: pa.Table, column: str) -> np.ndarray | None:
    """A boolean column of the gate's input as an array (None: absent or never set)."""
    if column not in cube.column_names:
        return None
    col = pc.fill_null(cube.column(column), False)
    zero: np.ndarray = np.asarray(col.to_numpy(zero_copy_only=False), dtype=bool)
    return zero if zero.any() else None


def _suppress_mask(
    cube: pa.Table, min_count: int, zero: np.ndarray | None = None
) -> pa.ChunkedArray:
    den = cube.column("denominator")
    num = cube.column("numerator")
    is_rate = pc.is_in(cube.column("unit"), value_set=pa.array(sorted(RATE_UNITS)))
    # Denominator 0 means there is no figure at all, whatever min_count says.
    den_small = pc.fill_null(pc.less(den, max(int(min_count), 1)), True)
    # NULL numerator of a rate means "unknown", which is never safe to publish.
    num_small = pc.fill_null(pc.less(num, int(min_count)), True)
    if zero is not None:  # a 0 everyone knows is no small count
        num_small = pc.and_(num_small, pa.array(~zero))
    # The complement: when nearly everyone has the provision, the few without it are
    # singled out just the same (den − num below the minimum).
    rest_small = pc.fill_null(
        pc.less(pc.subtract(pc.cast(den, pa.float64()), num), min_count), True
    )
    rate_small = pc.and_(pc.fill_null(is_rate, False), pc.or_(num_small, rest_small))
    return pc.or_(den_small, rate_small)


def apply_gate(
    cube: pa.Table,
    min_count: int,
    *,
    areas: pa.Table | None = None,
    protection: float | None = None,
    dominance_pct: float = 0,
    round_to: int = 0,
    amount_protection_pct: float = AMOUNT_PROTECTION_PCT,
    linked: bool = False,
) -> pa.Table:
    """Return ``cube`` with ``status`` set and suppressed cells nulled.

    Dominance rule (``dominance_pct`` > 0, needs a ``dominant`` column: the largest
    single contribution to the numerator, e.g. one client's costs): a cell where one
    unit contributes more than ``dominance_pct`` % of the numerator is suppressed, since
    the sum would tell that unit's amount almost exactly.

    Rounding (``round_to`` > 1): after suppression, the counts of every published cell
    (denominators, numerators of rates, the figure of a count) are rounded to the
    nearest multiple of ``round_to`` and the cell gets status ``afgerond``; values of
    rates, medians and amounts stay as computed from the exact counts, as CBS does.

    ``cube`` needs the columns value, numerator, denominator and unit; a ``status``
    column is replaced (or added). Nothing else changes. With ``areas`` (level, code,
    parent_code) the cells that would let a suppressed cell be recomputed from its
    wijk or gemeente are suppressed too (:mod:`zicht.privacy.secondary`), so that every
    suppressed count stays uncertain by at least ``protection`` (default: ``min_count``)
    and every suppressed cost sum (unit ``euro``) cannot be capped closer than
    ``amount_protection_pct`` % above its value.

    >>> t = pa.table({"value": [50.0], "numerator": [3.0], "denominator": [6],
    ...               "unit": ["%"]})
    >>> apply_gate(t, 10).column("status").to_pylist()
    ['onderdrukt']
    """
    zero, empty = _flag(cube, ZERO_COLUMN), _flag(cube, EMPTY_COLUMN)
    mask = _suppress_mask(cube, min_count, zero)
    if dominance_pct > 0 and "dominant" in cube.column_names:
        share = pc.multiply(pc.cast(cube.column("numerator"), pa.float64()), dominance_pct / 100)
        dominated = pc.fill_null(pc.greater(cube.column("dominant"), share), False)
        mask = pc.or_(mask, dominated)
    width = float(min_count if protection is None else protection)
    if areas is not None and cube.num_rows and width > 0:
        # (min_count 0, in tests only: no small count to protect, so no secondary cells)
        if linked:
            from zicht.privacy.linked import linked_mask

            mask = linked_mask(
                cube,
                areas,
                mask,
                protection=width,
                amount_protection_pct=amount_protection_pct,
                protect_below=min_count,
                zero=zero,
                empty=empty,
            )
        else:
            from zicht.privacy._hierarchy import hierarchy_mask

            mask = hierarchy_mask(
                cube,
                areas,
                mask,
                protection=width,
                amount_protection_pct=amount_protection_pct,
                zero=zero,
                empty=empty,
            )
    out = cube
    for name in _GATED:
        col = out.column(name)
        nulled = pc.if_else(mask, pa.scalar(None, type=col.type), col)
        out = out.set_column(out.schema.get_field_index(name), name, nulled)
    shown = PUBLISHED
    if round_to > 1:
        out = _round_counts(out, int(round_to))
        shown = ROUNDED
    status = pc.if_else(mask, SUPPRESSED, shown)
    if "status" in out.column_names:
        return out.set_column(out.schema.get_field_index("status"), "status", status)
    return out.append_column("status", status)


def _round_counts(cube: pa.Table, step: int) -> pa.Table:
    """Counts rounded half up to a multiple of ``step`` (NULLs stay NULL)."""

    def rounded(col: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
        as_float = pc.cast(col, pa.float64())
        return pc.multiply(pc.floor(pc.divide(pc.add(as_float, step / 2), step)), float(step))

    is_rate = pc.fill_null(
        pc.is_in(cube.column("unit"), value_set=pa.array(sorted(RATE_UNITS))), False
    )
    is_count = pc.fill_null(pc.equal(cube.column("unit"), COUNT_UNIT), False)
    den = cube.column("denominator")
    out = cube.set_column(
        cube.schema.get_field_index("denominator"),
        "denominator",
        pc.cast(rounded(den), den.type),
    )
    num = out.column("numerator")
    out = out.set_column(
        out.schema.get_field_index("numerator"),
        "numerator",
        pc.if_else(is_rate, pc.cast(rounded(num), num.type), num),
    )
    value = out.column("value")
    return out.set_column(
        out.schema.get_field_index("value"),
        "value",
        pc.if_else(is_count, pc.cast(rounded(value), value.type), value),
    )


def assert_gated(cube: pa.Table, min_count: int | None = None, zeros: Zeros | None = None) -> None:
    """Raise :class:`DisclosureError` unless every row of ``cube`` obeys the gate.

    Without ``min_count`` only the structure is checked: a known status, NULL value,
    numerator and denominator on suppressed rows, a positive denominator on the others.
    With ``min_count`` (the snapshot's ``meta.json`` has it) the thresholds are checked
    too; a published numerator of 0 passes only in a category of ``zeros`` (0 by
    definition, :func:`zeros_of` the snapshot's ``indicators.json``). Web pages and
    exports call this as a last line of defence.
    """
    if cube.num_rows == 0:
        return
    status = cube.column("status")
    unknown = pc.invert(pc.fill_null(pc.is_in(status, pa.array(sorted(STATUSES))), False))
    if pc.any(unknown).as_py():
        raise DisclosureError("onthullingscontrole: onbekende status in de kubus")
    suppressed = pc.equal(status, SUPPRESSED)
    for name in _GATED:
        leaked = pc.and_(suppressed, pc.is_valid(cube.column(name)))
        if pc.any(leaked).as_py():
            raise DisclosureError(
                f"onthullingscontrole: onderdrukte cel heeft toch een waarde in {name}"
            )
    # Rounded counts may sit just below the minimum when it is not a multiple of the
    # rounding base; the threshold check is for the exact ones, the rounded ones got it
    # before they were rounded.
    shown = pc.equal(status, PUBLISHED)
    threshold = 0 if min_count is None else min_count
    zero = zero_mask(cube, zeros) if zeros else None
    if pc.any(pc.and_(shown, _suppress_mask(cube, threshold, zero))).as_py():
        raise DisclosureError(
            f"onthullingscontrole: gepubliceerde cel met te kleine aantallen (minimum {threshold})"
        )
