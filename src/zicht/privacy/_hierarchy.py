"""Secondary suppression of a cube over the geography and the breakdowns.

One table per (indicator, period), holding every cell of that indicator and year: the
totals at every level and the breakdown cells (age group, sex, ...) at the levels that
have them. Its sums are:

- geography, per breakdown category and for the total: gemeente = Σ wijken,
  wijk = Σ buurten (where both sides are in the table);
- breakdowns: an area's total = Σ the categories of one breakdown (each unit counted
  has exactly one category, so the sum is exact).

The counted fields share these sums: the denominator always (people, households or
cases); for rates also the numerator and the complement (denominator − numerator, the
people *without* the provision, which a published total would otherwise give away). A
cell hidden in one field goes in all of them (the whole cell is suppressed).
"""

from __future__ import annotations

import itertools
import math
import multiprocessing
import os
import re
import sys
from collections import defaultdict
from collections.abc import Hashable, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from zicht.privacy.disclosure import AMOUNT_UNIT, RATE_UNITS
from zicht.privacy.secondary import Constraint, suppress_fields

Key = tuple[str, str, str]
"""(area_code, breakdown, category); the total of an area is (code, "", "")."""


def _children(areas: pa.Table) -> dict[str, list[str]]:
    kids: dict[str, list[str]] = defaultdict(list)
    for code, parent in zip(
        areas.column("code").to_pylist(), areas.column("parent_code").to_pylist(), strict=True
    ):
        if parent is not None:
            kids[parent].append(code)
    return {p: sorted(k) for p, k in kids.items()}


def table_constraints(children: dict[str, list[str]], cells: set[Key]) -> list[Constraint]:
    """Every sum that holds between the ``cells`` of one table."""
    out: list[Constraint] = []
    slices: dict[tuple[str, str], set[str]] = defaultdict(set)  # (breakdown, cat) → areas
    categories: dict[tuple[str, str], list[str]] = defaultdict(list)  # (area, bd) → cats
    for code, bd, cat in cells:
        slices[(bd, cat)].add(code)
        if bd:
            categories[(code, bd)].append(cat)
    for (bd, cat), codes in sorted(slices.items()):
        for parent, kids in children.items():
            if parent in codes and all(k in codes for k in kids) and kids:
                out.append(Constraint((parent, bd, cat), tuple((k, bd, cat) for k in kids)))
    for (code, bd), cats in sorted(categories.items()):
        if (code, "", "") in cells and bd not in UNIONS and bd != AGE_SPANS:
            out.append(Constraint((code, "", ""), tuple((code, bd, c) for c in sorted(cats))))
    out += _span_sums(categories)
    for (code, coarse), cats in sorted(categories.items()):
        fine = NESTED.get(coarse) or UNIONS.get(coarse)
        if fine is None or (code, fine[0]) not in categories:
            continue
        for cat in sorted(cats):
            members = tuple(
                (code, fine[0], c) for c in fine[1].get(cat, ()) if (code, fine[0], c) in cells
            )
            if members:
                out.append(Constraint((code, coarse, cat), members))
    return out


def _span_sums(categories: Mapping[tuple[str, str], list[str]]) -> list[Constraint]:
    """Per area, every age span of :data:`AGE_SPANS` = Σ the age groups it covers."""
    out = []
    for (code, bd), cats in sorted(categories.items()):
        if bd != AGE_SPANS:
            continue
        ages = categories.get((code, AGE), [])
        for cat in sorted(cats):
            inside = span_members(cat, ages)
            if inside:
                out.append(Constraint((code, bd, cat), tuple((code, AGE, c) for c in inside)))
    return out


NESTED: dict[str, tuple[str, dict[str, tuple[str, ...]]]] = {
    "aantal_wetten": (
        "wetcombinatie",
        {
            "1": ("alleen_jeugd", "alleen_pwet", "alleen_wmo"),
            "2": ("jeugd_pwet", "jeugd_wmo", "wmo_pwet"),
            "3": ("jeugd_wmo_pwet",),
        },
    ),
}
"""Breakdowns whose categories are unions of another breakdown's categories (of the same
table): the number of laws of a unit follows from its combination of laws, so each
count per number of laws is the sum of the counts of its combinations."""

UNIONS: dict[str, tuple[str, dict[str, tuple[str, ...]]]] = {
    "twee_of_meer_wetten": ("aantal_wetten", {"2+": ("2", "3")}),
}
"""Like :data:`NESTED`, but the categories do not cover every unit, so they do not add
up to the area's total. ``twee_of_meer_wetten`` is never published: the linked gate
(:mod:`zicht.privacy.linked`) adds it to a count per number of laws, so that the
units with two or more laws, the numerator of the stapeling rates, are one quantity
with the sum of laws 2 and 3."""

AGE = "leeftijd"
AGE_SPANS = "leeftijd~"
"""Like :data:`UNIONS`, for age groups: a breakdown whose categories are age spans that
another table publishes as one group and this table splits (the 65+ of
``bijstand_per_1000`` is the 65-74 plus the 75+ of ``bijstand_pct``; its adults, 18+,
are the latter's age groups from 18 on). Added, gated and dropped by the linked gate
(:func:`zicht.privacy.linked.with_unions`), never published."""


def age_span(category: str) -> tuple[int, float] | None:
    """The ages of an age-group label: ``"12-17"`` → (12, 17), ``"65+"`` → (65, inf);
    None for any other label (``"onbekend"``)."""
    m = re.fullmatch(r"(\d+)-(\d+)", category)
    if m:
        return int(m[1]), int(m[2])
    m = re.fullmatch(r"(\d+)\+", category)
    return (int(m[1]), math.inf) if m else None


def span_label(span: tuple[int, float]) -> str:
    lo, hi = span
    return f"{lo}+" if hi == math.inf else f"{lo}-{int(hi)}"


def span_members(span: str, categories: list[str]) -> tuple[str, ...]:
    """The age groups of ``categories`` that together are exactly ``span``, in age
    order: two or more, adjacent, covering it (empty when they do not)."""
    want = age_span(span)
    if want is None:
        return ()
    inside = sorted(
        (s, c) for c in categories
        if (s := age_span(c)) is not None and want[0] <= s[0] and s[1] <= want[1]
    )  # fmt: skip
    if len(inside) < 2 or inside[0][0][0] != want[0] or inside[-1][0][1] != want[1]:
        return ()
    if any(b[0][0] != a[0][1] + 1 for a, b in itertools.pairwise(inside)):
        return ()
    return tuple(c for _, c in inside)


FAMILY_SEP = "|"
"""``indicator_id`` of a table family member: ``base|member``. The member ``base|`` (empty
member) counts units with two or more of the laws, every other member one combination
of two or more laws: the members are disjoint, so the numerator of ``base|`` is the sum
of the others' numerators (their denominators are all the same population)."""


def table_of(cube: pa.Table) -> np.ndarray:
    """Per row of ``cube``, the number of the table it is protected in: one per ``base``
    and period, where ``base`` is the indicator, or the family of ``base|member`` (an
    int64 array; equal numbers, same table)."""
    base, period, span = _table_parts(cube)
    return np.asarray(base * span + period, dtype=np.int64)


def base_of(cube: pa.Table) -> np.ndarray:
    """Per row of ``cube``, the number of its ``base`` (:func:`table_of`): the same for
    the tables of one indicator in every period, numbered in the order of the names."""
    return _table_parts(cube)[0]


def _table_parts(cube: pa.Table) -> tuple[np.ndarray, np.ndarray, int]:
    """Per row the number of its base and of its period (from 0), and the periods'
    span."""
    ids = pc.dictionary_encode(cube.column("indicator_id")).combine_chunks()
    bases = [str(i).split(FAMILY_SEP, 1)[0] for i in ids.dictionary.to_pylist()]
    names = sorted(set(bases))
    base = np.array([names.index(b) for b in bases], dtype=np.int64)
    periods = np.asarray(pc.fill_null(cube.column("period"), 0).to_numpy(), dtype=np.int64)
    first = int(periods.min(initial=0))
    span = int(periods.max(initial=0)) - first + 1
    key = base[np.asarray(ids.indices.to_numpy(zero_copy_only=False), dtype=np.int64)]
    return key, periods - first, span


def hierarchy_mask(
    cube: pa.Table,
    areas: pa.Table,
    primary: pa.ChunkedArray | pa.Array,
    *,
    protection: float,
    amount_protection_pct: float = 0.0,
    protect_empty: bool = False,
    known: tuple[np.ndarray, np.ndarray] | None = None,
    protect_below: float | None = None,
    guard: tuple[np.ndarray, np.ndarray] | None = None,
    pool_from: int | None = None,
    narrowed: tuple[np.ndarray, np.ndarray] | None = None,
    zero: np.ndarray | None = None,
    empty: np.ndarray | None = None,
) -> pa.Array:
    """The primary mask widened with the secondary suppressions of every table.

    A cell without people (denominator 0 or none) carries no figure. By default there
    is nobody in it to protect and it counts as a published 0 for the sums; with
    ``protect_empty`` it is a count of 0, protected like any small count ("nobody here
    has it" is a fact about the people there, and the same quantity may be a numerator
    in another table, where it is a count to protect).

    Tables of unit ``euro`` (a cost sum as numerator, clients as denominator) protect
    the clients by ``protection`` and, with ``amount_protection_pct`` > 0, every hidden
    cost sum so that the attacker's maximum lies that percentage of its value above it
    (the upper protection level tau-ARGUS uses for magnitude tables): a sum hidden by
    the dominance rule cannot be capped by subtracting published wijken from the
    gemeente.

    ``known`` = (denominators, numerators), two boolean arrays over the rows: the fields
    another table publishes (:mod:`zicht.privacy.linked`). The attacker has them even
    where this table hides the cell, so they are constants of its programs, and only
    the rest of a hidden cell is protected. A known field of a cell hidden because
    nothing else could protect another is set to False in the arrays (in place): the
    caller must hide that quantity in the other tables too. With ``protect_below`` only
    the counts under it are protected (:func:`zicht.privacy.secondary.suppress_fields`),
    and those of ``guard`` (denominators, numerators: boolean arrays over the rows)
    whatever their size. ``pool_from``: the cells in all from which worker processes
    protect the tables (default :data:`POOL_FROM`). ``narrowed`` (denominators,
    numerators: boolean arrays over the rows, changed in place) holds on entry the rows
    to ask about, and on return those whose count is hidden, needs no protection, and
    can be narrowed by the attacker in its table
    (:func:`zicht.privacy.secondary.suppress_fields`). ``zero`` (a boolean array over the
    rows): rates whose numerator is zero by definition (the definition's
    ``structural_zeros``), known to everyone: constants of the programs, never hidden
    to protect another cell, and reported as known in ``known``. ``empty`` (a boolean
    array over the rows): cells with nobody in them by definition (``structural_empty``),
    counted as a published 0 even with ``protect_empty``.
    """
    mask = np.asarray(pc.fill_null(primary, True).to_numpy(zero_copy_only=False), dtype=bool)
    nothing = np.zeros(len(mask), dtype=bool)
    den_known, num_known = known if known is not None else (nothing, nothing)
    den_guard, num_guard = guard if guard is not None else (nothing, nothing)
    given = _Given(
        cube, mask, den_known, num_known, den_guard, num_guard, _children(areas),
        protect_empty, amount_protection_pct,
        {"protection": protection, "protect_below": protect_below}, narrowed,
        nothing if zero is None else np.asarray(zero, dtype=bool),
        nothing if empty is None else np.asarray(empty, dtype=bool),
    )  # fmt: skip
    tables = _tables(cube)
    # Every table is protected before any result is written back (``_run_all`` returns
    # a list), so each reads the primary mask and the known fields as given.
    pooled = POOL_FROM if pool_from is None else pool_from
    for rows, got in zip(tables, _run_all(given, tables, pooled), strict=True):
        if got is None:  # nothing to protect, so nothing narrowed
            if narrowed is not None:
                narrowed[0][rows], narrowed[1][rows] = False, False
            continue
        hidden, still_den, still_num, loose = got
        mask[rows[hidden]] = True
        if known is not None:
            known[0][rows] = still_den
            if still_num is not None:  # a rate: its numerator is a count too
                known[1][rows] = still_num
        if narrowed is not None:
            narrowed[0][rows], narrowed[1][rows] = loose
    return pa.array(mask)


def _tables(cube: pa.Table) -> list[np.ndarray]:
    """The rows of every table of ``cube`` (:func:`table_of`), in the order the tables
    first appear."""
    key = table_of(cube)
    order = np.argsort(key, kind="stable")
    _, first, counts = np.unique(key[order], return_index=True, return_counts=True)
    groups = [order[f : f + c] for f, c in zip(first, counts, strict=True)]
    return sorted(groups, key=lambda rows: int(rows[0]))


@dataclass
class _Given:
    """What every table's protection reads: the cube, the primary mask, the fields known
    from elsewhere (arrays over the rows), the geography and the gate's settings. Worker
    processes get it by fork, not by pickling."""

    cube: pa.Table
    mask: np.ndarray
    den_known: np.ndarray
    num_known: np.ndarray
    den_guard: np.ndarray
    num_guard: np.ndarray
    children: dict[str, list[str]]
    protect_empty: bool
    amount_protection_pct: float
    common: dict[str, Any]
    asked: tuple[np.ndarray, np.ndarray] | None = None
    num_public: np.ndarray | None = None
    den_public: np.ndarray | None = None


@dataclass
class _Job:
    """One table to protect: its cells (key → position among the table's rows) and the
    arguments of :func:`zicht.privacy.secondary.suppress_fields`."""

    by_key: dict[tuple[str | None, str, str, str], int]
    fields: list[Mapping[Hashable, float]]
    hidden: set[Hashable]
    constraints: list[Constraint]
    field_constraints: list[list[Constraint]]
    fixed: set[Hashable]
    widths: list[Mapping[Hashable, float] | None]
    knows: list[set[Hashable]]
    guarded: list[set[Hashable]]
    coupled: tuple[int, int, int] | None = None
    public: list[set[Hashable]] | None = None


def _job(given: _Given, rows: np.ndarray) -> _Job | None:
    """The protection of the table at ``rows`` of the cube (None: nothing to protect)."""
    part = given.cube.take(pa.array(rows))
    mask = given.mask[rows]
    if not mask.any():
        return None
    ids = part.column("indicator_id").to_pylist()
    breakdowns = part.column("breakdown").to_pylist()
    categories = (
        part.column("category").to_pylist() if "category" in part.column_names else [""] * len(rows)
    )
    codes = part.column("area_code").to_pylist()
    nums = part.column("numerator").to_pylist()
    dens = part.column("denominator").to_pylist()
    unit = part.column("unit")[0].as_py()
    members = [i.split(FAMILY_SEP, 1)[1] if FAMILY_SEP in i else None for i in ids]
    by_key: dict[tuple[str | None, str, str, str], int] = {
        (members[r], codes[r], breakdowns[r] or "", categories[r] or ""): r
        for r in range(len(rows))
    }
    zero, nobody = given.num_public, given.den_public
    # A cell without anyone in it is a published 0, unless it must be protected (but
    # not one with nobody in it by definition).
    empty: set[Hashable] = {
        k for k, r in by_key.items()
        if not (dens[r] or 0) > 0
        and (not given.protect_empty or (nobody is not None and nobody[rows[r]]))
    }  # fmt: skip
    hidden: set[Hashable] = {k for k, h in zip(by_key, mask.tolist(), strict=True) if h}
    hidden -= empty
    if not hidden:
        return None
    constraints, num_sums = _sums(given.children, by_key)
    if not constraints and not num_sums:
        return None
    den: dict[Hashable, float] = {k: float(dens[r] or 0) for k, r in by_key.items()}
    known_den: set[Hashable] = {k for k, r in by_key.items() if given.den_known[rows[r]]}
    known_num: set[Hashable] = {k for k, r in by_key.items() if given.num_known[rows[r]]}
    fields: list[Mapping[Hashable, float]] = [den]
    knows: list[set[Hashable]] = [known_den]
    guarded: list[set[Hashable]] = [{k for k, r in by_key.items() if given.den_guard[rows[r]]}]
    coupled: tuple[int, int, int] | None = None
    public: list[set[Hashable]] | None = None
    field_constraints: list[list[Constraint]] = [[]]
    widths: list[Mapping[Hashable, float] | None] = [None]
    if unit == AMOUNT_UNIT and given.amount_protection_pct > 0:
        amount: dict[Hashable, float] = {k: float(nums[r] or 0.0) for k, r in by_key.items()}
        fields.append(amount)
        field_constraints.append([])
        widths.append({k: given.amount_protection_pct / 100 * v for k, v in amount.items()})
        knows.append(set())
        guarded.append(set())
    elif unit in RATE_UNITS:
        num: dict[Hashable, float] = {k: float(nums[r] or 0.0) for k, r in by_key.items()}
        fields += [num, {k: den[k] - num[k] for k in by_key}]
        field_constraints += [num_sums, []]
        widths += [None, None]
        knows += [known_num, known_den & known_num]
        guarded += [{k for k, r in by_key.items() if given.num_guard[rows[r]]}, set()]
        coupled = (0, 1, 2)  # denominator = numerator + complement
        if zero is not None and zero[rows].any():
            public = [set(), {k for k, r in by_key.items() if zero[rows[r]]}, set()]
    return _Job(
        by_key, fields, hidden, constraints, field_constraints, empty, widths, knows, guarded,
        coupled, public,
    )  # fmt: skip


_SUMS: dict[tuple[int, frozenset[Hashable]], tuple[object, list[Constraint], list[Constraint]]] = {}


def _sums(
    children: dict[str, list[str]], by_key: Mapping[tuple[str | None, str, str, str], int]
) -> tuple[list[Constraint], list[Constraint]]:
    """The sums of a table with these cells, and its family's numerator sums. Tables
    of the same indicator in other years mostly have the same cells, so the last few
    are remembered (per process; keyed by the geography's identity, which the entry
    keeps alive)."""
    key = (id(children), frozenset(by_key))
    got = _SUMS.get(key)
    if got is not None:
        return got[1], got[2]
    constraints: list[Constraint] = []
    per_member: dict[str | None, set[Key]] = defaultdict(set)
    for member, code, bd, cat in by_key:
        per_member[member].add((code, bd, cat))
    for member, cells in per_member.items():
        for c in table_constraints(children, cells):
            constraints.append(
                Constraint(_tag(member, c.total), tuple(_tag(member, m) for m in c.members))
            )
    num_sums = _family_sums(per_member)
    if len(_SUMS) >= 4:
        _SUMS.clear()
    _SUMS[key] = (children, constraints, num_sums)
    return constraints, num_sums


_Result = tuple[np.ndarray, np.ndarray, np.ndarray | None, tuple[np.ndarray, np.ndarray]]
"""Of one table: the positions of its hidden rows, per row whether its denominator and
(for rates) numerator are still known from elsewhere, and whether they are hidden,
need no protection and can be narrowed all the same."""


def _protect(given: _Given, rows: np.ndarray) -> _Result | None:
    """The hidden cells of one table, and what is still known from elsewhere (None:
    the table needs no protection)."""
    job = _job(given, rows)
    if job is None:
        return None
    narrowed: list[set[Hashable]] | None = None
    if given.asked is not None:
        narrowed = [set() for _ in job.fields]
        for f in range(2 if job.coupled is not None else 1):
            narrowed[f] = {k for k, r in job.by_key.items() if given.asked[f][rows[r]]}
    hidden = suppress_fields(
        job.fields,
        job.hidden,
        job.constraints,
        field_constraints=job.field_constraints,
        fixed=job.fixed,
        field_protection=job.widths,
        known=job.knows,
        guarded=job.guarded,
        coupled=job.coupled,
        narrowed=narrowed,
        public=job.public,
        **given.common,
    )
    at = np.array(sorted(job.by_key[c] for c in hidden), dtype=np.int64)  # type: ignore[index]
    still = [np.zeros(len(rows), dtype=bool) for _ in range(2)]
    for f in range(2 if job.coupled is not None else 1):
        for k in job.knows[f]:
            still[f][job.by_key[k]] = True  # type: ignore[index]  # cells are the table's keys
    loose = [np.zeros(len(rows), dtype=bool) for _ in range(2)]
    for f in range(2 if job.coupled is not None else 1):
        for k in narrowed[f] if narrowed is not None else ():
            loose[f][job.by_key[k]] = True  # type: ignore[index]
    return at, still[0], still[1] if job.coupled is not None else None, (loose[0], loose[1])


POOL_FROM = 20_000
"""Tables of this many cells in all are protected by a pool of processes, one per core
(the tables are independent; on Linux, where worker processes fork)."""

_GIVEN: _Given | None = None
"""The gate's input while its worker processes run (they inherit it by fork)."""


def _protect_forked(rows: np.ndarray) -> _Result | None:
    assert _GIVEN is not None  # set by _run_all before the workers fork
    return _protect(_GIVEN, rows)


def _run_all(given: _Given, tables: list[np.ndarray], pool_from: int) -> list[_Result | None]:
    """:func:`_protect` for every table, in the order given."""
    global _GIVEN
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    forks = "fork" in multiprocessing.get_all_start_methods() and sys.platform == "linux"
    size = sum(len(rows) for rows in tables)
    if cores < 2 or len(tables) < 2 or not forks or size < pool_from:
        return [_protect(given, rows) for rows in tables]
    # Largest first, so the last job to finish is a small one.
    order = sorted(range(len(tables)), key=lambda i: -len(tables[i]))
    context = multiprocessing.get_context("fork")
    _GIVEN = given
    try:
        with ProcessPoolExecutor(max_workers=min(cores, len(tables)), mp_context=context) as pool:
            results = list(pool.map(_protect_forked, [tables[i] for i in order]))
    finally:
        _GIVEN = None
    done = dict(zip(order, results, strict=True))
    return [done[i] for i in range(len(tables))]


def _tag(member: str | None, cell: Hashable) -> tuple[Hashable, ...]:
    """A cell of one family member: (member, area, breakdown, category)."""
    assert isinstance(cell, tuple)
    return (member, *cell)


def _family_sums(per_member: Mapping[str | None, set[Key]]) -> list[Constraint]:
    """Numerator sums of a table family: ``base|`` = Σ ``base|member`` per area."""
    if "" not in per_member or len(per_member) < 2:
        return []
    out = []
    for key in sorted(per_member[""]):
        parts = tuple((m, *key) for m in sorted(k for k in per_member if k) if key in per_member[m])
        if parts:
            out.append(Constraint(("", *key), parts))
    return out
