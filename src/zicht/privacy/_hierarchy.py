"""Secondary suppression of a cube over the geography hierarchy.

One table per (indicator, period, breakdown) and counted field: the denominator always
(people, households or cases), the numerator too for rates. A cell hidden in one field's
table is hidden in the other's as well (the whole cell goes), so the fields are
protected in turns until neither adds a cell.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from zicht.privacy.disclosure import RATE_UNITS
from zicht.privacy.secondary import Constraint, suppress


def _constraints(areas: pa.Table, present: set[str]) -> list[Constraint]:
    children: dict[str, list[str]] = defaultdict(list)
    for code, parent in zip(
        areas.column("code").to_pylist(), areas.column("parent_code").to_pylist(), strict=True
    ):
        if parent is not None and code in present and parent in present:
            children[parent].append(code)
    return [Constraint(p, tuple(sorted(kids))) for p, kids in sorted(children.items())]


def hierarchy_mask(
    cube: pa.Table, areas: pa.Table, primary: pa.ChunkedArray | pa.Array, *, protection: float
) -> pa.Array:
    """The primary mask widened with the secondary suppressions of every table."""
    mask = np.asarray(pc.fill_null(primary, True).to_numpy(zero_copy_only=False), dtype=bool)
    ids = cube.column("indicator_id").to_pylist()
    periods = cube.column("period").to_pylist()
    breakdowns = cube.column("breakdown").to_pylist()
    codes = cube.column("area_code").to_pylist()
    units = cube.column("unit").to_pylist()
    nums = cube.column("numerator").to_pylist()
    dens = cube.column("denominator").to_pylist()
    tables: dict[tuple[Hashable, ...], list[int]] = defaultdict(list)
    for row, key in enumerate(zip(ids, periods, breakdowns, strict=True)):
        tables[key].append(row)
    for rows in tables.values():
        by_code = {codes[r]: r for r in rows}
        constraints = _constraints(areas, set(by_code))
        if not constraints:
            continue
        # A cell without people (denominator 0 or none) carries no figure, but there is
        # nobody in it to protect: it counts as a published 0 for the sums.
        hidden = {codes[r] for r in rows if mask[r] and (dens[r] or 0) > 0}
        if not hidden:
            continue
        fields = [dens]
        if units[rows[0]] in RATE_UNITS:
            fields.append(nums)
        while True:
            before = len(hidden)
            for field in fields:
                values = {c: float(field[r] or 0.0) for c, r in by_code.items()}
                hidden = suppress(values, hidden, constraints, protection=protection)
            if len(hidden) == before:
                break
        for c in hidden:
            mask[by_code[c]] = True
    return pa.array(mask)
