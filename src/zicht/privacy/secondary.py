"""Secondary suppression: no hidden cell can be recovered from the published sums.

A published table is a set of additive constraints: a gemeente's count is the sum of its
wijken, a wijk's the sum of its buurten, an area's total the sum of its categories (age
groups, sexes, ...). Hiding only the small cells (primary suppression) is not enough:
subtracting the published buurten from their wijk gives the hidden one back. This module
hides more cells until, for every hidden cell, an attacker who knows every published
value, every sum and that counts are non-negative can only place the cell in an interval
at least ``protection`` wide.

The method, per table (one indicator and period; one or more counted fields over the
same cells, e.g. numerator and denominator):

1. **Partners.** Every sum with exactly one hidden member gets a second one: the smallest
   published member (a total only when no member is left), so no sum gives a hidden
   cell back by subtraction. Repeated until no sum has a single hidden member.
2. **Audit.** For every hidden cell the attacker's linear programs, min and max of the
   cell subject to all sums and non-negativity, are solved with HiGHS
   (:func:`attack`), per connected group of hidden cells (cells that share no sum
   cannot bound each other). Every solution is a point the attacker cannot rule out:
   the audit first solves for the sum of all cells up and down, and a cell seen at two
   points the protection apart needs no programs of its own.
3. **Widen, in batches.** Every cell whose interval is narrower than ``protection`` (a
   zero or one given away by non-negativity included) makes the smallest published cell
   of one of its sums hidden, one extra cell per narrow cell per round (a sum gets at
   most one extra per round). Only the groups that got a new hidden cell are audited
   again: hiding more cells only loosens the attacker's programs, so a group that passed
   and was not touched still passes.

The attacker is also what the tests use to prove the result, on hand-made traps and on
every table the demo publishes.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

import highspy
import numpy as np

Cell = Hashable

_EPS = 1e-7
"""LP results are floating point: a width within this of the protection passes."""


@dataclass(frozen=True)
class Constraint:
    """``total`` equals the sum of ``members``."""

    total: Cell
    members: tuple[Cell, ...]

    @property
    def cells(self) -> tuple[Cell, ...]:
        return (self.total, *self.members)


@dataclass(frozen=True)
class Interval:
    cell: Cell
    low: float
    high: float

    @property
    def width(self) -> float:
        return self.high - self.low


def _index(constraints: Sequence[Constraint]) -> dict[Cell, list[int]]:
    """Cell → indexes of the constraints it appears in."""
    touching: dict[Cell, list[int]] = {}
    for k, c in enumerate(constraints):
        for cell in c.cells:
            touching.setdefault(cell, []).append(k)
    return touching


def _groups(
    hidden: set[Cell],
    touching: Mapping[Cell, Sequence[int]],
    constraints: Sequence[Constraint],
    starts: Iterable[Cell] | None = None,
) -> list[tuple[list[Cell], list[int]]]:
    """Connected groups of hidden cells (linked by shared constraints), each with the
    indexes of the constraints that touch it; with ``starts`` only the groups holding
    one of those cells."""
    seen: set[Cell] = set()
    out: list[tuple[list[Cell], list[int]]] = []
    for start in sorted(hidden if starts is None else starts, key=repr):
        if start in seen:
            continue
        group: list[Cell] = []
        used: set[int] = set()
        stack = [start]
        seen.add(start)
        while stack:
            cell = stack.pop()
            group.append(cell)
            for k in touching.get(cell, ()):
                if k in used:
                    continue
                used.add(k)
                for other in constraints[k].cells:
                    if other in hidden and other not in seen:
                        seen.add(other)
                        stack.append(other)
        out.append((group, sorted(used)))
    return out


def attack(
    values: Mapping[Cell, float],
    hidden: Iterable[Cell],
    constraints: Sequence[Constraint],
) -> list[Interval]:
    """The tightest interval of every hidden cell an attacker can derive.

    The attacker knows every value not in ``hidden``, that every constraint holds, and
    that every value is non-negative. ``values`` must hold the true values of all cells
    (the hidden ones are only used to order the output and never to bound it).

    Hidden cells that share no constraint cannot bound each other, so the linear
    programs are solved per connected group of hidden cells: small programs per
    gemeente instead of one per country.
    """
    unknown = set(hidden)
    if not unknown:
        return []
    touching = _index(constraints)
    out: list[Interval] = []
    for group, used in _groups(unknown, touching, constraints):
        out.extend(_attack_group(values, group, [constraints[k] for k in used]))
    order = {cell: i for i, cell in enumerate(sorted(unknown, key=repr))}
    return sorted(out, key=lambda iv: order[iv.cell])


def narrow(
    values: Mapping[Cell, float],
    hidden: Iterable[Cell],
    constraints: Sequence[Constraint],
    protection: float,
) -> list[Interval]:
    """The exact interval of every hidden cell narrower than ``protection`` (the
    attacker's programs, as :func:`attack`, for the question the tests ask).

    Every solution of a program is a point the attacker cannot rule out, so a cell whose
    values over the points seen so far span ``protection`` is wide without programs of
    its own; every other cell gets both of its programs solved to optimality.
    """
    unknown = set(hidden)
    touching = _index(constraints)
    out: list[Interval] = []
    for group, used in _groups(unknown, touching, constraints):
        cons = [constraints[k] for k in used]
        n = len(group)
        h = _model(values, group, cons)
        columns = np.arange(n, dtype=np.int32)
        seen_low = np.array([float(values[c]) for c in group])
        seen_high = seen_low.copy()
        for i, cell in enumerate(group):
            if seen_high[i] - seen_low[i] >= protection - _EPS:
                continue
            iv, points = _bounds(h, columns, i, cell)
            for point in points:
                np.minimum(seen_low, point, out=seen_low)
                np.maximum(seen_high, point, out=seen_high)
            if iv.width < protection - _EPS:
                out.append(iv)
    return out


def _bounds(
    h: highspy.Highs, columns: np.ndarray, i: int, cell: Cell
) -> tuple[Interval, list[np.ndarray]]:
    """Min and max of column ``i`` of model ``h``, solved to optimality, and the optimal
    points (feasible values of every column)."""
    n = len(columns)
    cost = np.zeros(n)
    cost[i] = 1.0
    h.changeColsCost(n, columns, cost)
    low, high = 0.0, float("inf")  # 0 bounds every cell below; above it may be unbounded
    points = []
    for sense in (highspy.ObjSense.kMinimize, highspy.ObjSense.kMaximize):
        h.changeObjectiveSense(sense)
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            continue
        point = np.asarray(h.getSolution().col_value, dtype=float)
        points.append(point)
        if sense == highspy.ObjSense.kMinimize:
            low = float(point[i])
        else:
            high = float(point[i])
    return Interval(cell, low, high), points


class _Shape:
    """The matrix ``A`` of one group's sums over its hidden cells, column-wise as
    (start, row index, value); the same for every field audited over those sums."""

    def __init__(self, unknown: Sequence[Cell], constraints: Sequence[Constraint]) -> None:
        self.index = {cell: i for i, cell in enumerate(unknown)}
        self.m, self.n = len(constraints), len(unknown)
        per_col: list[list[int]] = [[] for _ in unknown]  # rows; a negative row -r-1: total
        for r, c in enumerate(constraints):
            i = self.index.get(c.total)
            if i is not None:
                per_col[i].append(-r - 1)
            for member in c.members:
                i = self.index.get(member)
                if i is not None:
                    per_col[i].append(r)
        flat = np.fromiter(
            (r for col in per_col for r in col), dtype=np.int32, count=sum(map(len, per_col))
        )
        self.start = np.zeros(self.n + 1, dtype=np.int32)
        np.cumsum([len(col) for col in per_col], out=self.start[1:])
        total = flat < 0
        self.rows = np.where(total, -flat - 1, flat).astype(np.int32)
        self.coef = np.where(total, -1.0, 1.0)

    def rhs(self, values: Mapping[Cell, float], constraints: Sequence[Constraint]) -> np.ndarray:
        """``b``: each sum with its published cells moved to the right-hand side."""
        index = self.index
        b = np.zeros(self.m)
        for r, c in enumerate(constraints):
            rest = 0.0 if c.total in index else float(values[c.total])
            for member in c.members:
                if member not in index:
                    rest -= float(values[member])
            b[r] = rest
        return b

    @functools.cached_property
    def projection(self) -> np.ndarray | None:
        """``P = I - A⁺A``, the projection on the null space of ``A`` (None when the
        group is too large for it to pay, or numerically unsure)."""
        n, m = self.n, self.m
        if n > NULL_SPACE_UP_TO or m == 0 or n == 0:
            return None
        a = np.zeros((m, n))
        a[self.rows, np.repeat(np.arange(n), np.diff(self.start))] = self.coef
        _, sv, vt = np.linalg.svd(a, full_matrices=False)
        rank = int((sv > 1e-9 * max(float(sv[0]), 1.0)).sum())
        p = np.eye(n) - vt[:rank].T @ vt[:rank]
        p[np.abs(p) < 1e-12] = 0.0
        return p if np.abs(a @ p).max(initial=0.0) <= 1e-9 else None

    @functools.cached_property
    def cycles(self) -> tuple[np.ndarray, np.ndarray] | None:
        """:func:`_cycles` of this group (the same for every field)."""
        return _cycles(self)


_SHAPES: dict[tuple[object, ...], tuple[Sequence[Constraint], _Shape]] = {}


def _shape(unknown: Sequence[Cell], constraints: Sequence[Constraint]) -> _Shape:
    """The :class:`_Shape` of a group, remembered for the next fields and audits of the
    same cells and sums (keyed by the sums' identity; the entry keeps them alive)."""
    key = (tuple(unknown), *map(id, constraints))
    got = _SHAPES.get(key)
    if got is not None:
        return got[1]
    shape = _Shape(unknown, constraints)
    if len(_SHAPES) >= 16:
        _SHAPES.clear()
    _SHAPES[key] = (tuple(constraints), shape)
    return shape


def _attack_group(
    values: Mapping[Cell, float], unknown: Sequence[Cell], constraints: Sequence[Constraint]
) -> list[Interval]:
    """Exact min and max of every cell of one connected group.

    This is the reference attacker the tests use: two programs for every cell, solved
    to optimality, no shortcut. The suppression itself audits with :func:`_audit_group`,
    which stops as soon as a cell is proven wide. One HiGHS model per group; only the
    objective changes between programs, so each solve starts from the previous basis.
    """
    n = len(unknown)
    h = _model(values, unknown, constraints)
    columns = np.arange(n, dtype=np.int32)
    return [_bounds(h, columns, i, cell)[0] for i, cell in enumerate(unknown)]


def _model(
    values: Mapping[Cell, float], unknown: Sequence[Cell], constraints: Sequence[Constraint]
) -> highspy.Highs:
    """A HiGHS model of the attacker's feasible set: ``A x = b``, ``x >= 0``, over the
    hidden cells of one group (the objective is set per program).

    The model lives in this process's one HiGHS instance (:func:`_solver`), so a model
    is valid until the next call."""
    shape = _shape(unknown, constraints)
    return _highs_model(shape, shape.rhs(values, constraints))


def _highs_model(shape: _Shape, b: np.ndarray) -> highspy.Highs:
    """:func:`_model` from a group's :class:`_Shape` and right-hand side."""
    n = shape.n
    h = _solver()
    lp = highspy.HighsLp()
    lp.num_col_ = n
    lp.num_row_ = len(b)
    lp.col_cost_ = np.zeros(n)
    lp.col_lower_ = np.zeros(n)
    lp.col_upper_ = np.full(n, highspy.kHighsInf)
    lp.row_lower_ = b
    lp.row_upper_ = b
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = shape.start
    lp.a_matrix_.index_ = shape.rows
    lp.a_matrix_.value_ = shape.coef
    h.clearModel()
    h.passModel(lp)
    return h


def _null_space_span(p: np.ndarray, truth: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per hidden cell the lowest and highest value over feasible points found by
    linear algebra alone, from ``p``, the projection on the null space of ``A``.

    Every direction ``d`` with ``A d = 0`` moves the true point along the sums: the
    true point plus ``t d`` is feasible as long as no cell goes negative. For every cell
    ``i`` the direction is the projection of the unit vector ``e_i`` on that null space
    (column ``i`` of ``P = I - A⁺A``, the direction that moves cell ``i`` most per unit
    of length), followed both ways up to the first cell that reaches 0. Those are
    points the attacker cannot rule out, found without a program. Only what the points
    prove is used: cells not shown wide get their programs as before."""
    with np.errstate(divide="ignore", invalid="ignore"):
        # Column i: how far direction i can go up (cells j with P_ji < 0 fall) and down.
        up = np.where(p < 0, truth[:, None] / -p, np.inf).min(axis=0)
        down = np.where(p > 0, truth[:, None] / p, np.inf).min(axis=0)
        up, down = up * (1 - 1e-9), down * (1 - 1e-9)  # stay inside, whatever rounding
        rise = np.where(p > 0, p * up[None, :], np.where(p < 0, -p * down[None, :], 0.0))
        fall = np.where(p > 0, p * down[None, :], np.where(p < 0, -p * up[None, :], 0.0))
    high = truth + rise.max(axis=1, initial=0.0)  # (where() picked no 0 · inf)
    low = truth - fall.max(axis=1, initial=0.0)
    return np.maximum(low, 0.0), high


CYCLES_UP_TO = 2_000_000
"""At most this many short cycles are followed per group (:func:`_cycle_span`)."""


def _pairs(segment: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All pairs (i, j), i < j, of positions with the same value of ``segment`` (sorted):
    two index arrays, without a Python loop over the segments."""
    n = len(segment)
    if n < 2:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    ends = np.r_[np.flatnonzero(np.diff(segment)) + 1, n]
    end_of = np.repeat(ends, np.diff(np.r_[0, ends]))
    later = end_of - np.arange(n) - 1  # partners after each position in its segment
    i = np.repeat(np.arange(n), later)
    first = np.cumsum(later) - later
    j = i + 1 + np.arange(len(i)) - np.repeat(first, later)
    return i, j


def _cycles(shape: _Shape) -> tuple[np.ndarray, np.ndarray] | None:
    """Short cycles of a group's sums (:func:`_cycle_span`): the cells that rise and
    the cells that fall along each, two arrays of shape (k, cycles); None when there
    are none, or more than :data:`CYCLES_UP_TO`."""
    counts = np.diff(shape.start)
    first = shape.start[:-1]
    two = np.flatnonzero(counts == 2)
    two = two[(shape.coef[first[two]] > 0) & (shape.coef[first[two] + 1] > 0)]
    if len(two) < 2:
        return None
    ra, rb = shape.rows[first[two]], shape.rows[first[two] + 1]
    rise: list[np.ndarray] = []
    fall: list[np.ndarray] = []
    # Cycles of two: cells in the same two sums (stacked twice, to the shape of the
    # cycles of four; a cell counted twice changes no minimum).
    key = np.minimum(ra, rb).astype(np.int64) * shape.m + np.maximum(ra, rb)
    order = np.argsort(key, kind="stable")
    i, j = _pairs(key[order])
    if len(i) > CYCLES_UP_TO:
        return None
    rise.append(np.stack([two[order][i], two[order][i]]))
    fall.append(np.stack([two[order][j], two[order][j]]))
    # Cycles of four: wedges (two cells sharing a sum, the centre) with the same pair of
    # other sums at different centres.
    centre = np.concatenate([ra, rb])
    other = np.concatenate([rb, ra])
    cell = np.concatenate([two, two])
    order = np.argsort(centre, kind="stable")
    centre, other, cell = centre[order], other[order], cell[order]
    i, j = _pairs(centre)
    if len(i) > CYCLES_UP_TO:
        return None
    swap = other[i] > other[j]
    a, b = np.where(swap, j, i), np.where(swap, i, j)  # a: towards the smaller other sum
    keep = other[a] != other[b]
    a, b = a[keep], b[keep]
    key = other[a].astype(np.int64) * shape.m + other[b]
    order = np.argsort(key, kind="stable")
    a, b, key = a[order], b[order], key[order]
    p, q = _pairs(key)
    if len(p) > CYCLES_UP_TO:
        return None
    apart = centre[a[p]] != centre[a[q]]
    p, q = p[apart], q[apart]
    # Wedge p: centre u, cells to sums v1 (a1) and v2 (a2); wedge q: centre u', the same
    # (b1, b2). Along the cycle u-v1-u'-v2, a1 and b2 rise, b1 and a2 fall.
    rise.append(np.stack([cell[a[p]], cell[b[q]]]))
    fall.append(np.stack([cell[a[q]], cell[b[p]]]))
    up, down = np.concatenate(rise, axis=1), np.concatenate(fall, axis=1)
    return (up, down) if up.shape[1] else None


def _cycle_span(shape: _Shape, truth: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per hidden cell the lowest and highest value over feasible points found along
    short cycles of the group's sums, for groups too large for the null space.

    Most hidden cells of a large group are members of exactly two sums (a wijk's
    category: its wijk's total over the categories, its category's gemeente over the
    wijken). Seen as edges between their two sums, four such cells that close a cycle
    (wijk W, category a; W, b; W', b; W', a) give a direction that keeps every sum:
    two opposite cells rise by t and the other two fall by t. The attacker cannot rule
    out the true point moved along it either way, as far as the falling cells allow;
    two cells in the same two sums make a cycle of two. Those points prove many cells
    of such groups wide without a program; only what they prove is used."""
    cycles = shape.cycles
    if cycles is None:
        return truth.copy(), truth.copy()
    rise, fall = cycles
    least_rise, least_fall = truth[rise].min(axis=0), truth[fall].min(axis=0)
    up, down = np.zeros(len(truth)), np.zeros(len(truth))
    for cells in rise:  # forwards: they rise as far as the falling ones allow
        np.maximum.at(up, cells, least_fall)
        np.maximum.at(down, cells, least_rise)
    for cells in fall:  # and backwards
        np.maximum.at(up, cells, least_rise)
        np.maximum.at(down, cells, least_fall)
    return truth - down * (1 - 1e-9), truth + up * (1 - 1e-9)  # just inside


NULL_SPACE_UP_TO = 64
"""Groups of at most this many hidden cells are first searched by linear algebra
(:func:`_null_space_span`); its cost grows with the cube of the size."""


def _outer_bounds(shape: _Shape, b: np.ndarray, sweeps: int = 8) -> tuple[np.ndarray, np.ndarray]:
    """Per hidden cell a lower and an upper bound that hold at every feasible point
    (bounds propagation: each sum bounds each of its cells by what its other cells can
    be, starting from 0 and no upper bound, for a few sweeps). The attacker's interval
    lies inside, so a cell whose bounds are closer than its protection is narrow
    without a program."""
    start, rows, pos = shape.start, shape.rows, shape.coef > 0
    n = shape.n
    counts = np.diff(start)
    low, high = np.zeros(n), np.full(n, np.inf)
    if n == 0 or not counts.all():  # a cell in no sum: nothing to propagate through it
        return low, high
    col = np.repeat(np.arange(n), counts)
    m = len(b)
    for _ in range(sweeps):
        # Each entry's term a·x at its least and its most.
        least = np.where(pos, low[col], -high[col])
        most = np.where(pos, high[col], -low[col])
        least_inf, most_inf = np.isinf(least), np.isinf(most)
        least_fin, most_fin = np.where(least_inf, 0.0, least), np.where(most_inf, 0.0, most)
        least_sum = np.bincount(rows, least_fin, m)
        most_sum = np.bincount(rows, most_fin, m)
        least_n = np.bincount(rows, least_inf, m)
        most_n = np.bincount(rows, most_inf, m)
        # The other terms of the entry's sum, at their least and their most.
        others_least = np.where(least_n[rows] > least_inf, -np.inf, least_sum[rows] - least_fin)
        others_most = np.where(most_n[rows] > most_inf, np.inf, most_sum[rows] - most_fin)
        # a·x = b - others: x between these (a = ±1).
        lo_e = np.where(pos, b[rows] - others_most, others_least - b[rows])
        hi_e = np.where(pos, b[rows] - others_least, others_most - b[rows])
        new_low = np.maximum(low, np.maximum.reduceat(lo_e, start[:-1]))
        new_high = np.minimum(high, np.minimum.reduceat(hi_e, start[:-1]))
        if np.array_equal(new_low, low) and np.array_equal(new_high, high):
            break
        low, high = new_low, new_high
    return low, high


def _audit_group(
    values: Mapping[Cell, float],
    unknown: Sequence[Cell],
    constraints: Sequence[Constraint],
    protection: float | Mapping[Cell, float],
    proven: frozenset[Cell] | set[Cell] = frozenset(),
) -> list[Cell]:
    """The cells of one group whose interval is narrower than ``protection``.

    Cells in ``proven`` were wide in an earlier audit of the same sums with fewer
    hidden cells; hiding more only loosens the attacker's programs (a known value
    becomes a free non-negative one), so they are wide still and get no programs.

    ``protection`` is one width for all cells, or one per cell: then it is the upper
    protection of a magnitude (a cost sum), as in tau-ARGUS: the attacker's maximum must
    lie at least that far above the true value, so a sum cannot be capped close to the
    amount of its one large contributor.

    Programs are the last resort. First, points the attacker cannot rule out are found
    by linear algebra (:func:`_null_space_span`): a cell they show wide is done; then
    bounds every feasible point obeys (:func:`_outer_bounds`): a cell they hold closer
    than its protection is narrow. Only the cells left get programs: one HiGHS model
    per group, only the objective changing between programs, so each solve starts from
    the previous basis; every solution is another point, so a cell whose values over
    the points seen so far span ``protection`` needs no programs of its own.
    """
    if all(c in proven for c in unknown):
        return []
    n = len(unknown)
    upper = isinstance(protection, Mapping)
    widths = (
        [float(protection[c]) for c in unknown]
        if isinstance(protection, Mapping)
        else [float(protection)] * n
    )
    if len(constraints) == 1 and constraints[0].total not in unknown:
        # The common case: hidden members of one published sum and nothing else. Each
        # of two or more can be anything from 0 to their joint rest R (the others take
        # what is left), so no program is needed; a single one is R exactly (the other
        # hidden members of the sum are known from elsewhere). (Plain floats: most such
        # groups have two or three cells.)
        own = [float(values[c]) for c in unknown]
        rest = sum(own)
        least = rest if n == 1 else 0.0
        return [
            cell
            for cell, v, w in zip(unknown, own, widths, strict=True)
            if cell not in proven and not _wide(least, rest, v, w, upper)
        ]
    need = np.array(widths)
    truth = np.array([float(values[c]) for c in unknown])
    shape = _shape(unknown, constraints)
    b = shape.rhs(values, constraints)
    open_ = np.array([c not in proven for c in unknown])
    p = shape.projection
    if p is None:
        seen = _cycle_span(shape, truth)
        open_ &= ~_wide_all(*seen, truth, need, upper)
    else:
        seen = _null_space_span(p, truth)
        open_ &= ~_wide_all(*seen, truth, need, upper)
    narrow = np.zeros(n, dtype=bool)
    if open_.any():
        narrow = open_ & ~_wide_all(*_outer_bounds(shape, b), truth, need, upper)
        open_ &= ~narrow
    if open_.any():
        narrow |= _programs(_highs_model(shape, b), open_, seen, truth, need, upper, shape)
    return [cell for i, cell in enumerate(unknown) if narrow[i]]


def _programs(
    h: highspy.Highs,
    open_: np.ndarray,
    seen: tuple[np.ndarray, np.ndarray],
    truth: np.ndarray,
    need: np.ndarray,
    upper: bool,
    shape: _Shape,
) -> np.ndarray:
    """Which ``open_`` cells of model ``h`` (the group's ``shape``) are narrow, by their
    programs. ``seen`` (lowest and highest values over the points found so far) is
    updated in place."""
    n = len(open_)
    seen_low, seen_high = seen
    columns = np.arange(n, dtype=np.int32)

    def solve(cost: np.ndarray, sense: highspy.ObjSense) -> bool:
        h.changeColsCost(n, columns, cost)
        h.changeObjectiveSense(sense)
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return False
        point = np.asarray(h.getSolution().col_value, dtype=float)
        np.minimum(seen_low, point, out=seen_low)
        np.maximum(seen_high, point, out=seen_high)
        return True

    if open_.sum() >= SCOUT_FROM:
        # Scouts: programs for many open cells at once. Their sum down first (most
        # cells reach their least). Then up, per set of cells that share no sum
        # (:func:`_apart_sets`): such cells do not draw on the same sums, so one point
        # lifts most of them far, and they are then wide without programs of their own
        # (lifting all open cells together, they compete for the same sums and few
        # move far).
        solve(open_.astype(float), highspy.ObjSense.kMinimize)
        todo = np.flatnonzero(open_ & ~_wide_all(seen_low, seen_high, truth, need, upper))
        for cells in _apart_sets(shape, todo):
            live = cells[
                ~_wide_all(seen_low[cells], seen_high[cells], truth[cells], need[cells], upper)
            ]
            if len(live) >= 2:
                cost = np.zeros(n)
                cost[live] = 1.0
                solve(cost, highspy.ObjSense.kMaximize)
    narrow = np.zeros(n, dtype=bool)
    for i in np.flatnonzero(open_):
        # The max first: it is the bound non-negativity cannot give. When the max is
        # less than the protection above 0 (or, for an upper protection, above the true
        # value), the cell is narrow whatever its min: no second program.
        for sense in (highspy.ObjSense.kMaximize, highspy.ObjSense.kMinimize):
            if _wide(seen_low[i], seen_high[i], truth[i], need[i], upper):
                break
            if sense == highspy.ObjSense.kMinimize and (upper or seen_high[i] < need[i] - _EPS):
                break
            cost = np.zeros(n)
            cost[i] = 1.0
            if not solve(cost, sense) and sense == highspy.ObjSense.kMaximize:
                seen_high[i] = float("inf")  # unbounded above: as wide as can be
        narrow[i] = not _wide(seen_low[i], seen_high[i], truth[i], need[i], upper)
    return narrow


def _apart_sets(shape: _Shape, cells: np.ndarray) -> list[np.ndarray]:
    """``cells`` (column numbers of ``shape``) in sets of cells that share no sum, the
    largest sets first (a greedy colouring of the graph in which two cells are
    neighbours when some sum holds both)."""
    used: dict[int, set[int]] = {}
    colour: list[list[int]] = []
    for i in cells.tolist():
        rows = shape.rows[shape.start[i] : shape.start[i + 1]].tolist()
        taken = set().union(*(used.get(r, set()) for r in rows)) if rows else set()
        c = 0
        while c in taken:
            c += 1
        if c == len(colour):
            colour.append([])
        colour[c].append(i)
        for r in rows:
            used.setdefault(r, set()).add(c)
    return sorted((np.array(g) for g in colour), key=len, reverse=True)


def _audit_joint(
    fields: Sequence[Mapping[Cell, float]],
    group: Sequence[Cell],
    per_field: Sequence[Sequence[Constraint]],
    known: Sequence[set[Cell]],
    coupled: tuple[int, int, int],
    protection: float,
    proven: set[Cell],
) -> list[tuple[Cell, frozenset[int]]]:
    """The cells of ``group`` with a field narrower than ``protection`` when the
    attacker solves every field at once: one variable per hidden cell and field it does
    not know, each field's sums, and per cell field t = field a + field b (``coupled``).

    Returns each with its narrow fields; updates ``proven`` with the (field, cell)
    variables found wide."""
    t, a, b = coupled
    unknown = [(f, c) for c in group for f in range(len(fields)) if c not in known[f]]
    if not unknown:
        return []
    cons = [
        Constraint((f, c.total), tuple((f, m) for m in c.members))
        for f, cs in enumerate(per_field)
        for c in cs
    ]
    free = set(unknown)
    cons += [Constraint((t, c), ((a, c), (b, c))) for c in group if {(t, c), (a, c), (b, c)} & free]
    values = _Tagged(fields)
    narrow = _audit_group(values, unknown, cons, protection, proven)
    bad = set(narrow)
    proven.update(v for v in unknown if v not in bad)
    hit: dict[Cell, set[int]] = {}
    for v in narrow:
        assert isinstance(v, tuple)  # (field, cell)
        hit.setdefault(v[1], set()).add(v[0])
    return [(c, frozenset(hit[c])) for c in group if c in hit]


class _Tagged(Mapping[Cell, float]):
    """The values of several fields as one mapping over (field, cell)."""

    def __init__(self, fields: Sequence[Mapping[Cell, float]]) -> None:
        self.fields = fields

    def __getitem__(self, key: Cell) -> float:
        assert isinstance(key, tuple)  # (field, cell)
        return float(self.fields[key[0]][key[1]])

    def __iter__(self) -> Iterator[Cell]:
        return ((f, c) for f, values in enumerate(self.fields) for c in values)

    def __len__(self) -> int:
        return sum(len(v) for v in self.fields)


SCOUT_FROM = 16
"""An audit with this many cells to check first looks for far points for all of them at
once (:func:`_audit_group`)."""


def _wide_all(
    low: np.ndarray, high: np.ndarray, truth: np.ndarray, need: np.ndarray, upper: bool
) -> np.ndarray:
    """:func:`_wide` of every cell at once."""
    return np.asarray((high - truth if upper else high - low) >= need - _EPS, dtype=bool)


def _wide(low: float, high: float, truth: float, need: float, upper: bool) -> bool:
    if upper:
        return bool(high - truth >= need - _EPS)
    return bool(high - low >= need - _EPS)


class _Table:
    """The state of one table during suppression."""

    def __init__(
        self,
        fields: Sequence[Mapping[Cell, float]],
        hidden: set[Cell],
        constraints: Sequence[Constraint],
        fixed: frozenset[Cell] = frozenset(),
        known: Sequence[set[Cell]] = (),
        big: Sequence[frozenset[Cell]] = (),
        coupled: tuple[int, int, int] | None = None,
        public: Sequence[frozenset[Cell]] = (),
    ) -> None:
        self.fields = fields
        self.hidden = hidden
        self.constraints = constraints
        self.touching = _index(constraints)
        self.fixed = fixed
        self.knows = known or [set() for _ in fields]  # per field: known elsewhere
        self.big = big or [frozenset() for _ in fields]  # per field: needs no protection
        self.coupled = coupled
        self.public = public or [frozenset() for _ in fields]  # per field: known to all

    def known(self, cell: Cell) -> bool:
        """Every field of ``cell`` is known from elsewhere: hiding it protects nothing."""
        return bool(self.knows[0]) and all(cell in k for k in self.knows)

    def need(self, fields: Iterable[int]) -> frozenset[int]:
        """The fields a cell to hide must leave uncertain for ``fields`` to stay wide
        (a complement is uncertain when its numerator is)."""
        out = set(fields)
        if self.coupled is not None and self.coupled[2] in out:
            out.discard(self.coupled[2])
            out.add(self.coupled[1])
        return frozenset(out)

    def needs(self, cell: Cell) -> frozenset[int]:
        """The fields of hidden ``cell`` that need protection (unknown and not large)."""
        return self.need(
            f for f, (k, b) in enumerate(zip(self.knows, self.big, strict=True))
            if cell not in k and cell not in b
        )  # fmt: skip

    def hide(self, cell: Cell, need: frozenset[int]) -> None:
        """Hide ``cell`` to make ``need`` uncertain. A cell whose fields in ``need`` are
        all known from elsewhere is chosen only when nothing else will do; those fields
        then count as unknown here (the caller hides them in the other tables too)."""
        self.hidden.add(cell)
        if self.elsewhere(cell, need):
            for f in need:
                if cell not in self.public[f]:
                    self.knows[f].discard(cell)
            if self.coupled is not None:
                t, a, b = self.coupled
                if cell not in self.knows[t] or cell not in self.knows[a]:
                    self.knows[b].discard(cell)

    def cost(
        self, cell: Cell, need: frozenset[int] = frozenset()
    ) -> tuple[int, int, tuple[float, ...], str]:
        # Cells that leave ``need`` uncertain first, then cells with fewer fields known
        # elsewhere, then smallest first (least information lost), ties broken stably.
        values = tuple(float(f.get(cell, 0.0)) for f in self.fields)
        if not any(self.knows):
            return 0, 0, values, repr(cell)
        spent = int(self.elsewhere(cell, need))
        return spent, sum(cell in k for k in self.knows), values, repr(cell)

    def elsewhere(self, cell: Cell, need: frozenset[int]) -> bool:
        """Another table publishes every field of ``need`` of ``cell``: hiding it here
        makes none of them uncertain."""
        return bool(need) and all(cell in self.knows[f] for f in need)

    def useless(self, cell: Cell, need: frozenset[int]) -> bool:
        """Hiding ``cell`` can make none of ``need`` uncertain: it is empty, or its
        value in every field of ``need`` is known to everyone."""
        return cell in self.fixed or (bool(need) and all(cell in self.public[f] for f in need))

    def smallest_published(
        self, candidates: Iterable[Cell], need: frozenset[int] = frozenset()
    ) -> Cell | None:
        published = [c for c in candidates if c not in self.hidden and not self.useless(c, need)]
        return min(published, key=lambda c: self.cost(c, need)) if published else None

    def partners(self, new: set[Cell]) -> None:
        """Give every sum touching ``new`` with a single hidden cell a second one."""
        work = sorted({k for cell in new for k in self.touching.get(cell, ())})
        while work:
            k = work.pop()
            c = self.constraints[k]
            alone = [cell for cell in c.cells if cell in self.hidden and not self.known(cell)]
            if len(alone) != 1:
                continue
            need = self.needs(alone[0])
            if not need:
                continue
            partner = self.smallest_published(c.members, need)
            if partner is None:
                # Every other member is hidden here. Those another table publishes leave
                # the lone cell exact, so one of them or the total must become uncertain:
                # whichever costs least (a cell not published elsewhere first, then the
                # smallest: a member rather than the area's total).
                options = [
                    cell
                    for cell in c.cells
                    if cell != alone[0] and not self.useless(cell, need)
                    and (cell not in self.hidden or self.known(cell))
                ]  # fmt: skip
                if not options:
                    continue
                partner = min(options, key=lambda cell: self.cost(cell, need))
            self.hide(partner, need)
            new.add(partner)
            work.extend(self.touching.get(partner, ()))

    def extra_for(self, cell: Cell, bumped: set[int], need: frozenset[int]) -> Cell | None:
        """One more cell to hide for a ``cell`` narrow in fields ``need``, from one of its
        sums (members before totals); None when a sum around it already got one this
        round."""
        ks = self.touching.get(cell, [])
        if any(k in bumped for k in ks):
            return None
        best: tuple[Cell, int] | None = None
        for members_only in (True, False):
            for k in ks:
                c = self.constraints[k]
                pool = c.members if members_only else (c.total,)
                pick = self.smallest_published(pool, need)
                if pick is not None and (
                    best is None or self.cost(pick, need) < self.cost(best[0], need)
                ):
                    best = (pick, k)
            if best is not None:
                break
        if best is None:
            return None
        bumped.add(best[1])
        return best[0]

    def widen_group(
        self, group: Sequence[Cell], used: Sequence[int], need: frozenset[int]
    ) -> Cell | None:
        """The smallest published cell of any sum around ``group`` (the last resort when
        every sum next to a narrow cell is hidden already)."""
        cells = {cell for k in used for cell in self.constraints[k].cells}
        return self.smallest_published(sorted(cells, key=repr), need)


def _big(
    values: Mapping[Cell, float],
    below: float | None,
    field_protection: Sequence[Mapping[Cell, float] | None] | None,
    f: int,
    guarded: Iterable[Cell] = (),
) -> frozenset[Cell]:
    """The cells of one field at or above ``below`` and not ``guarded`` (none without
    ``below``, or for a field with a protection of its own)."""
    if below is None or (field_protection and field_protection[f] is not None):
        return frozenset()
    return frozenset(c for c, v in values.items() if v >= below) - frozenset(guarded)


class _Audit:
    """The attacker's programs for the groups of one table, remembering the cells
    proven wide (hiding more only loosens the programs, so they stay wide)."""

    def __init__(
        self,
        fields: Sequence[Mapping[Cell, float]],
        constraints: Sequence[Constraint],
        own: int,
        ranges: Sequence[range],
        known: Sequence[set[Cell]],
        coupled: tuple[int, int, int] | None,
        protection: float,
        field_protection: Sequence[Mapping[Cell, float] | None] | None,
    ) -> None:
        self.fields, self.constraints, self.own, self.ranges = fields, constraints, own, ranges
        self.known, self.coupled = known, coupled
        self.protection, self.field_protection = protection, field_protection
        self.proven: list[set[Cell]] = [set() for _ in fields]
        self.proven_joint: set[Cell] = set()

    def exempt(self, free: Sequence[frozenset[Cell]]) -> None:
        """Count the cells of ``free`` (per field) as wide: they need no protection."""
        for f, cells in enumerate(free):
            self.proven[f].update(cells)
            self.proven_joint.update((f, c) for c in cells)

    def narrow(
        self, group: Sequence[Cell], used: Sequence[int], every_field: bool = False
    ) -> list[tuple[Cell, frozenset[int]]]:
        """The cells of ``group`` narrower than their protection, each with its narrow
        fields (of the first field that has any, when the fields can be audited apart,
        unless ``every_field``)."""

        def sums(f: int) -> list[Constraint]:
            r = self.ranges[f]
            return [self.constraints[k] for k in used if k < self.own or k in r]

        if (
            self.coupled is not None
            and any(self.known)
            and any(c in k for k in self.known for c in group)
        ):
            return _audit_joint(
                self.fields, group, [sums(f) for f in range(len(self.fields))], self.known,
                self.coupled, self.protection, self.proven_joint,
            )  # fmt: skip
        found: list[tuple[Cell, frozenset[int]]] = []
        for f, values in enumerate(self.fields):
            own_width = self.field_protection[f] if self.field_protection else None
            known = self.known[f]
            unknown = [c for c in group if c not in known] if known else list(group)
            if not unknown:
                continue
            narrow = _audit_group(
                values,
                unknown,
                sums(f),
                self.protection if own_width is None else own_width,
                self.proven[f],
            )
            bad = set(narrow)
            self.proven[f].update(c for c in unknown if c not in bad)
            if narrow and not every_field:  # fix this field first; audited again anyway
                return [(c, frozenset((f,))) for c in narrow]
            found += [(c, frozenset((f,))) for c in narrow]
        return found


def suppress_fields(
    fields: Sequence[Mapping[Cell, float]],
    primary: Iterable[Cell],
    constraints: Sequence[Constraint],
    *,
    protection: float,
    max_rounds: int = 10_000,
    field_constraints: Sequence[Sequence[Constraint]] | None = None,
    fixed: Iterable[Cell] = (),
    field_protection: Sequence[Mapping[Cell, float] | None] | None = None,
    known: Sequence[Iterable[Cell]] | None = None,
    coupled: tuple[int, int, int] | None = None,
    protect_below: float | None = None,
    guarded: Sequence[Iterable[Cell]] | None = None,
    narrowed: Sequence[set[Cell]] | None = None,
    public: Sequence[Iterable[Cell]] | None = None,
) -> set[Cell]:
    """Every cell to hide so that, in each of ``fields`` (numerator, denominator, ...,
    all over the same cells and sums), every hidden cell stays ``protection`` wide.

    ``field_constraints`` (one list per field) adds sums that hold in one field only,
    e.g. a numerator that is the sum of other cells' numerators while their
    denominators are all the same population. ``fixed`` cells count as known to the
    attacker whatever their status (a cell without anyone in it): they are never
    chosen to protect another cell, since hiding them would protect nothing.
    ``field_protection`` (one entry per field, None for ``protection``) gives a field a
    width per cell instead, as for magnitude tables (euro sums): a share of the value.

    ``known`` (one collection per field) holds cells whose value in that field the
    attacker has from elsewhere (another table publishes the same quantity): there
    it is a constant of the programs and needs no protection of its own. Cells with
    known fields are chosen to protect others last; one known in the fields that must
    become uncertain is chosen only when nothing else will do, and those fields are
    then taken out of ``known`` (the sets are updated in place: the caller must hide
    those quantities in the other tables too).
    ``coupled`` = (t, a, b) says that field t is field a + field b in every cell (the
    denominator is the numerator plus its complement); once some field of a hidden cell
    is known, that identity ties the fields' programs together, so such groups are
    audited in one program over every field.

    ``protect_below``: only counts under it need the protection (the counts the primary
    rule would not publish); a hidden count at or above it may be narrowed, since
    publishing it would have been allowed. Fields with a ``field_protection`` always
    need theirs, and so do the cells of ``guarded`` (one collection per field) whatever
    their size: another table relies on them being uncertain. ``narrowed`` (one set per
    field, changed in place) holds on entry the cells to ask about, and on return those
    of them that are hidden, need no protection, and that the attacker can narrow all
    the same: not known from elsewhere, but as good as published to another table that
    carries the same quantity.

    ``public`` (one collection per field) holds cells whose value in that field
    everyone knows, whatever is published: a numerator that is zero by definition
    (nobody under 18 has bijstand). They are added to ``known``, stay there, and are
    never chosen to make that field uncertain: hiding them protects nothing."""
    hidden = set(primary)
    if not hidden:
        return hidden
    only: list[list[Constraint]] = [list(c) for c in field_constraints or [[] for _ in fields]]
    if len(only) != len(fields):
        raise ValueError("field_constraints needs one list per field")
    own = len(constraints)
    constraints = [*constraints, *(c for cs in only for c in cs)]
    ranges: list[range] = []
    start = own
    for cs in only:
        ranges.append(range(start, start + len(cs)))
        start += len(cs)
    knows, everyone = _knowledge(len(fields), known, public, coupled)
    if coupled is not None and field_protection and any(w is not None for w in field_protection):
        raise ValueError("coupled fields share one protection width")
    big = [
        _big(values, protect_below, field_protection, f, guarded[f] if guarded else ())
        for f, values in enumerate(fields)
    ]
    table = _Table(fields, hidden, constraints, frozenset(fixed), knows, big, coupled, everyone)
    audit = _Audit(fields, constraints, own, ranges, knows, coupled, protection, field_protection)
    audit.exempt(big)
    new = set(hidden)
    for _ in range(max_rounds):
        table.partners(new)
        groups = _groups(hidden, table.touching, constraints, starts=new)
        new = set()
        bumped: set[int] = set()
        for group, used in groups:
            narrow = audit.narrow(group, used)
            added = False
            for cell, fields_narrow in narrow:
                need = table.need(fields_narrow)
                extra = table.extra_for(cell, bumped, need)
                if extra is not None:
                    table.hide(extra, need)
                    new.add(extra)
                    added = True
            if narrow and not added:
                need = table.need(f for _, fs in narrow for f in fs)
                extra = table.widen_group(group, used, need)
                if extra is not None:
                    table.hide(extra, need)
                    new.add(extra)
                    added = True
            if narrow and not added:
                # Every sum around the group is hidden: the attacker's bound comes from
                # the other tables' sums. Keep the cells hidden; nothing more to give.
                continue
        if not new:
            if narrowed is not None:
                _narrowed(audit, table, big, narrowed)
            return hidden
    raise RuntimeError("secondary suppression did not converge")  # pragma: no cover


def _knowledge(
    n: int,
    known: Sequence[Iterable[Cell]] | None,
    public: Sequence[Iterable[Cell]] | None,
    coupled: tuple[int, int, int] | None,
) -> tuple[list[set[Cell]], list[frozenset[Cell]]]:
    """Per field, the cells known from elsewhere (the caller's sets, in place, with the
    ``public`` ones added) and the cells known to everyone (:func:`suppress_fields`)."""
    knows: list[set[Cell]] = [k if isinstance(k, set) else set(k) for k in known or [()] * n]
    if len(knows) != n:
        raise ValueError("known needs one collection per field")
    everyone = [frozenset(p) for p in public or [()] * n]
    if len(everyone) != n:
        raise ValueError("public needs one collection per field")
    for k, p in zip(knows, everyone, strict=True):
        k |= p
    if coupled is not None and any(everyone):
        t, a, b = coupled  # known total and known part: the other part is known too
        knows[b] |= knows[t] & knows[a]
    return knows, everyone


def _narrowed(
    done: _Audit, table: _Table, big: Sequence[frozenset[Cell]], asked: Sequence[set[Cell]]
) -> None:
    """Keep in ``asked`` (per field, in place) the hidden cells of ``big`` (exempt from
    protection) the attacker can narrow in the protected ``table``: a fresh audit in
    which every other cell counts as wide (they are, ``done`` has shown it)."""
    ask = [
        frozenset(c for c in a if c in b and c in table.hidden and c not in k)
        for a, b, k in zip(asked, big, done.known, strict=True)
    ]
    for a in asked:
        a.clear()
    if not any(ask):
        return
    audit = _Audit(done.fields, done.constraints, done.own, done.ranges, done.known,
                   done.coupled, done.protection, done.field_protection)  # fmt: skip
    audit.exempt([frozenset(c for c in table.hidden if c not in a) for a in ask])
    starts = {c for a in ask for c in a}
    for group, used in _groups(table.hidden, table.touching, table.constraints, starts=starts):
        for cell, fields in audit.narrow(group, used, every_field=True):
            for f in fields:
                if cell in ask[f]:
                    asked[f].add(cell)


def suppress(
    values: Mapping[Cell, float],
    primary: Iterable[Cell],
    constraints: Sequence[Constraint],
    *,
    protection: float,
    max_rounds: int = 10_000,
) -> set[Cell]:
    """Every cell to hide: the primary ones plus the secondary ones that protect them."""
    return suppress_fields(
        [values], primary, constraints, protection=protection, max_rounds=max_rounds
    )


_banner_shown = False
_solvers: dict[int, highspy.Highs] = {}


def _solver() -> highspy.Highs:
    """This process's HiGHS instance for the attacker's programs (made once: a new
    instance per group costs more than many of the small programs it solves; keyed by
    process, since a forked worker must not share its parent's solver threads).

    Primal simplex without presolve: every program after the first of a group only
    changes the objective, so the last optimal basis stays feasible and the primal
    simplex goes on from it; the programs are far too small for presolve to pay."""
    h = _solvers.get(os.getpid())
    if h is None:
        h = _new_highs()
        h.setOptionValue("presolve", "off")
        h.setOptionValue("solver", "simplex")
        h.setOptionValue("simplex_strategy", 4)  # primal
        _solvers.clear()
        _solvers[os.getpid()] = h
    return h


def _new_highs() -> highspy.Highs:
    """A silent HiGHS model.

    HiGHS prints a copyright banner from C++ straight to file descriptor 1 when the first
    model of a process is made, before any option can switch output off. That would
    break ``zicht refresh --json`` (stdout must be one JSON object), so the first model
    is made with descriptor 1 pointed at /dev/null for that moment.
    """
    global _banner_shown
    if _banner_shown:
        h = highspy.Highs()  # type: ignore[no-untyped-call]  # highspy ships partial stubs
    else:
        sys.stdout.flush()
        saved = os.dup(1)
        try:
            with open(os.devnull, "wb") as null:
                os.dup2(null.fileno(), 1)
                h = highspy.Highs()  # type: ignore[no-untyped-call]
        finally:
            os.dup2(saved, 1)
            os.close(saved)
        _banner_shown = True
    h.setOptionValue("output_flag", False)
    return h
