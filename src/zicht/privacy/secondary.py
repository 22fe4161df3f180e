"""Secondary suppression: no hidden cell can be recovered from the published sums.

A published table is a set of additive constraints: a gemeente's count is the sum of its
wijken, a wijk's the sum of its buurten. Hiding only the small cells (primary
suppression) is not enough: subtracting the published buurten from their wijk gives the
hidden one back. This module hides more cells until, for every hidden cell, an attacker
who knows every published value, every sum and that counts are non-negative can only
place the cell in an interval at least ``protection`` wide.

The method, per table (one indicator, period, breakdown and counted field):

1. **Partners.** Every sum with exactly one hidden member gets a second one: the smallest
   published member (a total only when no member is left), so no sum gives a hidden
   cell back by subtraction. Repeated until no sum has a single hidden member.
2. **Audit.** For every hidden cell the attacker's linear programs, min and max of the
   cell subject to all sums and non-negativity, are solved with HiGHS
   (:func:`attack`). A cell whose interval is narrower than ``protection`` (including a
   zero or one given away by non-negativity) makes the smallest published member of one
   of its sums hidden too, and the audit runs again.

The attacker is also what the tests use to prove the result, on hand-made traps and on
every table the demo publishes.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog

Cell = Hashable


@dataclass(frozen=True)
class Constraint:
    """``total`` equals the sum of ``members``."""

    total: Cell
    members: tuple[Cell, ...]


@dataclass(frozen=True)
class Interval:
    cell: Cell
    low: float
    high: float

    @property
    def width(self) -> float:
        return self.high - self.low


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
    unknown = sorted(set(hidden), key=repr)
    if not unknown:
        return []
    touching: dict[Cell, list[int]] = {cell: [] for cell in unknown}
    for k, c in enumerate(constraints):
        for cell in (c.total, *c.members):
            if cell in touching:
                touching[cell].append(k)
    seen: set[Cell] = set()
    out: list[Interval] = []
    for start in unknown:
        if start in seen:
            continue
        group, used, stack = [], set(), [start]
        seen.add(start)
        while stack:
            cell = stack.pop()
            group.append(cell)
            for k in touching[cell]:
                if k in used:
                    continue
                used.add(k)
                c = constraints[k]
                for other in (c.total, *c.members):
                    if other in touching and other not in seen:
                        seen.add(other)
                        stack.append(other)
        out.extend(_attack_group(values, group, [constraints[k] for k in sorted(used)]))
    order = {cell: i for i, cell in enumerate(unknown)}
    return sorted(out, key=lambda iv: order[iv.cell])


def _attack_group(
    values: Mapping[Cell, float], unknown: list[Cell], constraints: list[Constraint]
) -> list[Interval]:
    index = {cell: i for i, cell in enumerate(unknown)}
    rows: list[np.ndarray] = []
    rhs: list[float] = []
    for c in constraints:
        row = np.zeros(len(unknown))
        b = 0.0
        for sign, cell in ((-1.0, c.total), *((1.0, m) for m in c.members)):
            if cell in index:
                row[index[cell]] += sign
            else:
                b -= sign * float(values[cell])
        rows.append(row)
        rhs.append(b)
    a_eq = np.array(rows) if rows else None
    b_eq = np.array(rhs) if rows else None
    out = []
    bounds = [(0.0, None)] * len(unknown)
    for cell in unknown:
        objective = np.zeros(len(unknown))
        objective[index[cell]] = 1.0
        low = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        high = linprog(-objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        lo = float(low.fun) if low.status == 0 else 0.0
        hi = float(-high.fun) if high.status == 0 else float("inf")
        out.append(Interval(cell, lo, hi))
    return out


def _smallest_published(
    candidates: Iterable[Cell], hidden: set[Cell], values: Mapping[Cell, float]
) -> Cell | None:
    published = [c for c in candidates if c not in hidden]
    if not published:
        return None
    return min(published, key=lambda c: (float(values[c]), repr(c)))


def _partners(
    values: Mapping[Cell, float], hidden: set[Cell], constraints: Sequence[Constraint]
) -> None:
    changed = True
    while changed:
        changed = False
        for c in constraints:
            cells = (c.total, *c.members)
            if sum(cell in hidden for cell in cells) != 1:
                continue
            partner = _smallest_published(c.members, hidden, values)
            if partner is None:
                partner = c.total
            hidden.add(partner)
            changed = True


def suppress(
    values: Mapping[Cell, float],
    primary: Iterable[Cell],
    constraints: Sequence[Constraint],
    *,
    protection: float,
    max_rounds: int = 1000,
) -> set[Cell]:
    """Every cell to hide: the primary ones plus the secondary ones that protect them."""
    hidden = set(primary)
    if not hidden:
        return hidden
    for _ in range(max_rounds):
        _partners(values, hidden, constraints)
        narrow = [iv for iv in attack(values, hidden, constraints) if iv.width < protection]
        if not narrow:
            return hidden
        grew = False
        for iv in narrow:
            for c in constraints:
                cells = (c.total, *c.members)
                if iv.cell not in cells:
                    continue
                extra = _smallest_published(c.members, hidden, values)
                if extra is None and c.total not in hidden:
                    extra = c.total
                if extra is not None:
                    hidden.add(extra)
                    grew = True
                    break
            if grew:
                break
        if not grew:
            # Every sum around the narrow cells is hidden already: hide all that is left
            # in them rather than publish a table that gives a cell away.
            for c in constraints:
                hidden.update((c.total, *c.members))
            return hidden
    raise RuntimeError("secondary suppression did not converge")  # pragma: no cover
