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

from collections import defaultdict
from collections.abc import Hashable, Mapping

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from zicht.privacy.disclosure import RATE_UNITS
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
        if (code, "", "") in cells:
            out.append(Constraint((code, "", ""), tuple((code, bd, c) for c in sorted(cats))))
    return out


def hierarchy_mask(
    cube: pa.Table, areas: pa.Table, primary: pa.ChunkedArray | pa.Array, *, protection: float
) -> pa.Array:
    """The primary mask widened with the secondary suppressions of every table."""
    mask = np.asarray(pc.fill_null(primary, True).to_numpy(zero_copy_only=False), dtype=bool)
    ids = cube.column("indicator_id").to_pylist()
    periods = cube.column("period").to_pylist()
    breakdowns = cube.column("breakdown").to_pylist()
    categories = (
        cube.column("category").to_pylist()
        if "category" in cube.column_names
        else [""] * cube.num_rows
    )
    codes = cube.column("area_code").to_pylist()
    units = cube.column("unit").to_pylist()
    nums = cube.column("numerator").to_pylist()
    dens = cube.column("denominator").to_pylist()
    children = _children(areas)
    tables: dict[tuple[Hashable, ...], list[int]] = defaultdict(list)
    for row, key in enumerate(zip(ids, periods, strict=True)):
        tables[key].append(row)
    for rows in tables.values():
        by_key: dict[Key, int] = {
            (codes[r], breakdowns[r] or "", categories[r] or ""): r for r in rows
        }
        # A cell without people (denominator 0 or none) carries no figure, but there is
        # nobody in it to protect: it counts as a published 0 for the sums.
        hidden = {k for k, r in by_key.items() if mask[r] and (dens[r] or 0) > 0}
        if not hidden:
            continue
        constraints = table_constraints(children, set(by_key))
        if not constraints:
            continue
        den: dict[Hashable, float] = {k: float(dens[r] or 0) for k, r in by_key.items()}
        fields: list[Mapping[Hashable, float]] = [den]
        if units[rows[0]] in RATE_UNITS:
            num: dict[Hashable, float] = {k: float(nums[r] or 0.0) for k, r in by_key.items()}
            fields += [num, {k: den[k] - num[k] for k in by_key}]
        for cell in suppress_fields(fields, hidden, constraints, protection=protection):
            mask[by_key[cell]] = True  # type: ignore[index]  # cells are the table's keys
    return pa.array(mask)
