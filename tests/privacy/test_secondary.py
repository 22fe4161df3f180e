"""Secondary suppression against an attacker who solves linear programs.

Every test states the true table, lets zicht choose what to hide, and then asks HiGHS
for the min and max of each hidden cell given everything published, every sum and
non-negativity: each interval must be at least the protection width.
"""

from __future__ import annotations

import itertools
import os
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from zicht.privacy.disclosure import apply_gate
from zicht.privacy.secondary import Constraint, attack, narrow, suppress, suppress_fields

P = 10.0


def _grid(values: list[list[int]]) -> tuple[dict[object, float], list[Constraint]]:
    """A table with row totals, column totals and a grand total."""
    n, m = len(values), len(values[0])
    cells: dict[object, float] = {(i, j): float(values[i][j]) for i in range(n) for j in range(m)}
    for i in range(n):
        cells[("r", i)] = float(sum(values[i]))
    for j in range(m):
        cells[("c", j)] = float(sum(values[i][j] for i in range(n)))
    cells["T"] = float(sum(map(sum, values)))
    cons = [Constraint(("r", i), tuple((i, j) for j in range(m))) for i in range(n)]
    cons += [Constraint(("c", j), tuple((i, j) for i in range(n))) for j in range(m)]
    cons.append(Constraint("T", tuple(("r", i) for i in range(n))))
    cons.append(Constraint("T", tuple(("c", j) for j in range(m))))
    return cells, cons


def _assert_protected(
    values: dict[object, float], hidden: set[object], cons: list[Constraint], primary: set[object]
) -> None:
    assert primary <= hidden
    for iv in attack(values, hidden, cons):
        assert iv.width >= P - 1e-6, iv


def test_the_attacker_sees_through_two_suppressions_per_row_and_column() -> None:
    # The known trap: the 2x2 block (rows 0-1, columns 0-1) has two hidden cells in every
    # row and column, yet row 1's hidden cells sum to 0, so both are 0 by non-negativity
    # and (0, 0) follows exactly from its column.
    values = [[15, 0, 31, 40], [0, 0, 22, 35], [27, 33, 29, 18], [40, 28, 36, 21]]
    cells, cons = _grid(values)
    block = {(0, 0), (0, 1), (1, 0), (1, 1)}
    intervals = {iv.cell: iv for iv in attack(cells, block, cons)}
    assert intervals[(0, 0)].width == pytest.approx(0.0)
    assert intervals[(0, 0)].low == pytest.approx(15.0)
    # zicht does not fall for it: it hides more until every interval is wide enough.
    primary = {(0, 1), (1, 0), (1, 1)}  # the small cells
    hidden = suppress(cells, primary, cons, protection=P)
    _assert_protected(cells, hidden, cons, primary)


def test_a_lonely_suppression_gets_its_smallest_sibling_as_partner() -> None:
    cells = {"T": 100.0, "a": 4.0, "b": 30.0, "c": 25.0, "d": 41.0}
    cons = [Constraint("T", ("a", "b", "c", "d"))]
    hidden = suppress(cells, {"a"}, cons, protection=P)
    assert hidden == {"a", "c"}
    _assert_protected(cells, hidden, cons, {"a"})


def test_small_siblings_together_do_not_give_each_other_away() -> None:
    # a and b are both small: hiding just the two leaves a + b = 4 known, so each lies in
    # [0, 4]; the next smallest (c) must go too.
    cells = {"T": 60.0, "a": 2.0, "b": 2.0, "c": 26.0, "d": 30.0}
    cons = [Constraint("T", ("a", "b", "c", "d"))]
    hidden = suppress(cells, {"a", "b"}, cons, protection=P)
    assert hidden == {"a", "b", "c"}
    _assert_protected(cells, hidden, cons, {"a", "b"})


def test_a_zero_does_not_leak_through_non_negativity() -> None:
    cells = {"T": 37.0, "a": 0.0, "b": 37.0}
    cons = [Constraint("T", ("a", "b"))]
    hidden = suppress(cells, {"a"}, cons, protection=P)
    _assert_protected(cells, hidden, cons, {"a"})
    # With only two members and a published total nothing else can protect a: the total
    # goes as well.
    assert hidden == {"a", "b"} or "T" in hidden


def _cube(rows: list[tuple[str, str, int, int]]) -> tuple[pa.Table, pa.Table]:
    areas = pa.table(
        {
            "level": [r[0] for r in rows],
            "code": [r[1] for r in rows],
            "parent_code": [
                None if r[0] == "gemeente" else ("GM01" if r[0] == "wijk" else "WK" + r[1][2])
                for r in rows
            ],
        }
    )
    cube = pa.table(
        {
            "indicator_id": ["x"] * len(rows),
            "level": [r[0] for r in rows],
            "area_code": [r[1] for r in rows],
            "period": [2024] * len(rows),
            "breakdown": [""] * len(rows),
            "value": [100.0 * r[2] / r[3] for r in rows],
            "numerator": [float(r[2]) for r in rows],
            "denominator": [r[3] for r in rows],
            "unit": ["%"] * len(rows),
        }
    )
    return cube, areas


def test_three_levels_gemeente_wijken_buurten() -> None:
    # GM01 = WK1 + WK2; WK1 = BU1a + BU1b + BU1c; WK2 = BU2a + BU2b.
    rows = [
        ("gemeente", "GM01", 120, 1000),
        ("wijk", "WK1", 70, 600),
        ("wijk", "WK2", 50, 400),
        ("buurt", "BU1a", 4, 150),  # small numerator: primary
        ("buurt", "BU1b", 30, 200),
        ("buurt", "BU1c", 36, 250),
        ("buurt", "BU2a", 22, 180),
        ("buurt", "BU2b", 28, 220),
    ]
    cube, areas = _cube(rows)
    gated = apply_gate(cube, 10, areas=areas)
    status = dict(zip(gated["area_code"].to_pylist(), gated["status"].to_pylist(), strict=True))
    assert status["BU1a"] == "onderdrukt" and status["BU1b"] == "onderdrukt"
    assert status["GM01"] == "gepubliceerd" and status["BU2a"] == "gepubliceerd"
    hidden = {c for c, s in status.items() if s == "onderdrukt"}
    for field, idx in (("numerator", 2), ("denominator", 3)):
        values = {r[1]: float(r[idx]) for r in rows}
        cons = [
            Constraint("GM01", ("WK1", "WK2")),
            Constraint("WK1", ("BU1a", "BU1b", "BU1c")),
            Constraint("WK2", ("BU2a", "BU2b")),
        ]
        for iv in attack(values, hidden, cons):
            assert iv.width >= P, (field, iv)


@pytest.mark.parametrize("seed", range(12))
def test_random_hierarchies_hold_against_the_attacker(seed: int) -> None:
    rng = np.random.default_rng(seed)
    cells: dict[object, float] = {}
    cons: list[Constraint] = []
    wijken = []
    for w in range(int(rng.integers(2, 5))):
        buurten = [f"B{w}{b}" for b in range(int(rng.integers(2, 6)))]
        for b in buurten:
            cells[b] = float(rng.choice([0, 1, 2, 5, 8, 12, 30, 60, 150]))
        cells[f"W{w}"] = sum(cells[b] for b in buurten)
        cons.append(Constraint(f"W{w}", tuple(buurten)))
        wijken.append(f"W{w}")
    cells["G"] = sum(cells[w] for w in wijken)
    cons.append(Constraint("G", tuple(wijken)))
    primary = {c for c, v in cells.items() if v < P}
    hidden = suppress(cells, primary, cons, protection=P)
    _assert_protected(cells, hidden, cons, primary)
    # Not everything: something that was safe stays published when anything is.
    if cells["G"] >= 3 * P:
        assert len(hidden) < len(cells)


def test_grids_hold_against_the_attacker() -> None:
    rng = np.random.default_rng(7)
    for _ in range(5):
        values = rng.choice([0, 1, 3, 6, 12, 25, 40], size=(4, 4)).tolist()
        cells, cons = _grid(values)
        primary = {(i, j) for i, j in itertools.product(range(4), range(4)) if values[i][j] < P}
        hidden = suppress(cells, primary, cons, protection=P)
        _assert_protected(cells, hidden, cons, primary)


def _breakdown_cube() -> tuple[pa.Table, pa.Table, dict[tuple[str, str], tuple[int, int]]]:
    """GM01 = WK1 + WK2 (WK1 = BU1a + BU1b, WK2 = BU2a + BU2b) and, at gemeente and
    wijk level, a breakdown by sex (m + v = total). (area, category) → (num, den)."""
    cells = {
        ("GM01", ""): (80, 400),
        ("WK1", ""): (45, 220),
        ("WK2", ""): (35, 180),
        ("BU1a", ""): (20, 100),
        ("BU1b", ""): (25, 120),
        ("BU2a", ""): (15, 90),
        ("BU2b", ""): (20, 90),
        ("GM01", "m"): (44, 210),
        ("GM01", "v"): (36, 190),
        ("WK1", "m"): (41, 118),  # WK1 women: num 4, a primary suppression
        ("WK1", "v"): (4, 102),
        ("WK2", "m"): (3, 92),  # WK2 men: num 3, a primary suppression
        ("WK2", "v"): (32, 88),
    }
    level = {"GM01": "gemeente", "WK1": "wijk", "WK2": "wijk"}
    parent = {"WK1": "GM01", "WK2": "GM01", "BU1a": "WK1", "BU1b": "WK1"}
    parent |= {"BU2a": "WK2", "BU2b": "WK2"}
    codes = sorted({a for a, _ in cells})
    areas = pa.table(
        {
            "level": [level.get(c, "buurt") for c in codes],
            "code": codes,
            "parent_code": [parent.get(c) for c in codes],
        }
    )
    keys = list(cells)
    cube = pa.table(
        {
            "indicator_id": ["x"] * len(keys),
            "level": [level.get(a, "buurt") for a, _ in keys],
            "area_code": [a for a, _ in keys],
            "period": [2024] * len(keys),
            "breakdown": ["geslacht" if c else "" for _, c in keys],
            "category": [c for _, c in keys],
            "value": [100.0 * cells[k][0] / cells[k][1] for k in keys],
            "numerator": [float(cells[k][0]) for k in keys],
            "denominator": [cells[k][1] for k in keys],
            "unit": ["%"] * len(keys),
        }
    )
    return cube, areas, cells


def _breakdown_constraints() -> list[Constraint]:
    # Written out by hand, independently of zicht's own constraint builder.
    return [
        Constraint(("GM01", ""), (("WK1", ""), ("WK2", ""))),
        Constraint(("WK1", ""), (("BU1a", ""), ("BU1b", ""))),
        Constraint(("WK2", ""), (("BU2a", ""), ("BU2b", ""))),
        Constraint(("GM01", "m"), (("WK1", "m"), ("WK2", "m"))),
        Constraint(("GM01", "v"), (("WK1", "v"), ("WK2", "v"))),
        Constraint(("GM01", ""), (("GM01", "m"), ("GM01", "v"))),
        Constraint(("WK1", ""), (("WK1", "m"), ("WK1", "v"))),
        Constraint(("WK2", ""), (("WK2", "m"), ("WK2", "v"))),
    ]


def test_breakdown_totals_are_protected_with_the_geography() -> None:
    cube, areas, cells = _breakdown_cube()
    cons = _breakdown_constraints()
    nums = {k: float(v[0]) for k, v in cells.items()}
    # Primary suppression alone gives WK1 women away: WK1 total minus WK1 men.
    leak = {iv.cell: iv for iv in attack(nums, {("WK1", "v"), ("WK2", "m")}, cons)}
    assert leak[("WK1", "v")].width == pytest.approx(0.0)
    assert leak[("WK1", "v")].low == pytest.approx(4.0)

    gated = apply_gate(cube, 10, areas=areas)
    hidden = {
        (a, c)
        for a, c, s in zip(
            gated["area_code"].to_pylist(),
            gated["category"].to_pylist(),
            gated["status"].to_pylist(),
            strict=True,
        )
        if s == "onderdrukt"
    }
    assert {("WK1", "v"), ("WK2", "m")} <= hidden
    assert ("GM01", "") not in hidden  # the gemeente total stays published
    for field in range(2):
        values = {k: float(v[field]) for k, v in cells.items()}
        values_c = {k: float(v[1] - v[0]) for k, v in cells.items()}
        for vals in (values, values_c):
            for iv in attack(vals, hidden, cons):
                assert iv.width >= P - 1e-6, (field, iv)


def test_batched_rounds_protect_many_narrow_cells_at_once() -> None:
    # A wide table: 30 members of one total, a third of them small. Every round adds one
    # extra per narrow cell; the result must hold against the attacker all the same.
    rng = np.random.default_rng(3)
    members = [f"m{i}" for i in range(30)]
    cells: dict[object, float] = {m: float(rng.choice([0, 1, 4, 15, 40, 90])) for m in members}
    cells["T"] = sum(cells[m] for m in members)
    cons = [Constraint("T", tuple(members))]
    primary = {m for m in members if cells[m] < P}
    hidden = suppress(cells, primary, cons, protection=P)
    _assert_protected(cells, hidden, cons, primary)
    assert "T" not in hidden


@pytest.mark.parametrize("seed", range(4))
def test_narrow_finds_exactly_the_cells_the_full_attack_finds_narrow(seed: int) -> None:
    # narrow() skips the programs of cells already seen far enough apart; on random
    # grids with random hidden cells its answer must be the full attack's, interval for
    # interval (the trap of the first test included).
    rng = np.random.default_rng(seed)
    values = rng.choice([0, 1, 3, 8, 15, 40], size=(5, 6)).tolist()
    values[0][:2], values[1][:2] = [15, 0], [0, 0]
    cells, cons = _grid(values)
    hidden = {c for c in cells if rng.random() < 0.45} | {(0, 0), (0, 1), (1, 0), (1, 1)}
    expected = [iv for iv in attack(cells, hidden, cons) if iv.width < P - 1e-7]
    got = narrow(cells, hidden, cons, P)
    assert expected, "the trap is in every grid"
    key = {iv.cell: (round(iv.low, 6), round(iv.high, 6)) for iv in expected}
    assert {iv.cell: (round(iv.low, 6), round(iv.high, 6)) for iv in got} == key


def _random_groups(seed: int) -> list[tuple[dict[object, float], list[object], list[Constraint]]]:
    """Connected groups of hidden cells of random grids (the trap included) and random
    three-level hierarchies, each with its values and sums."""
    from zicht.privacy.secondary import _groups, _index

    rng = np.random.default_rng(seed)
    out = []
    for kind in ("grid", "tree"):
        if kind == "grid":
            values = rng.choice([0, 1, 3, 8, 15, 40, 200], size=(5, 6)).tolist()
            values[0][:2], values[1][:2] = [15, 0], [0, 0]
            cells, cons = _grid(values)
        else:
            cells, cons = {}, []
            for w in range(4):
                kids = [f"B{w}{b}" for b in range(int(rng.integers(2, 6)))]
                for b in kids:
                    cells[b] = float(rng.choice([0, 1, 2, 5, 8, 12, 30, 400]))
                cells[f"W{w}"] = sum(cells[b] for b in kids)
                cons.append(Constraint(f"W{w}", tuple(kids)))
            cells["G"] = sum(cells[f"W{w}"] for w in range(4))
            cons.append(Constraint("G", tuple(f"W{w}" for w in range(4))))
        hidden = {c for c in cells if rng.random() < 0.5}
        for group, used in _groups(hidden, _index(cons), cons):
            out.append((cells, group, [cons[k] for k in used]))
    return out


@pytest.mark.parametrize("seed", range(6))
def test_the_shortcuts_of_the_audit_agree_with_the_full_attack(seed: int) -> None:
    # The audit decides most cells without programs: points found by linear algebra
    # (each must lie inside the attacker's exact interval: it is a point the attacker
    # cannot rule out) and bounds by propagation (each must contain the exact interval).
    # Its verdict per cell must be the full attack's, for one width and for an upper
    # protection per cell (a cost sum: the max must lie that far above the value).
    from zicht.privacy.secondary import (
        _audit_group,
        _cycle_span,
        _null_space_span,
        _outer_bounds,
        _shape,
    )

    checked = moved = 0
    for cells, group, cons in _random_groups(seed):
        exact = {iv.cell: iv for iv in attack(cells, group, cons)}
        shape = _shape(group, cons)
        truth = np.array([cells[c] for c in group])
        low, high = _outer_bounds(shape, shape.rhs(cells, cons))
        p = shape.projection
        seen = _null_space_span(p, truth) if p is not None else (truth, truth)
        cycles = _cycle_span(shape, truth)  # what large groups get instead
        for i, cell in enumerate(group):
            iv = exact[cell]
            assert low[i] <= iv.low + 1e-6 and high[i] >= iv.high - 1e-6, (cell, iv)
            assert seen[0][i] >= iv.low - 1e-6 and seen[1][i] <= iv.high + 1e-6, (cell, iv)
            assert cycles[0][i] >= iv.low - 1e-6 and cycles[1][i] <= iv.high + 1e-6, (cell, iv)
            moved += bool(cycles[1][i] - cycles[0][i] > 1e-6)
        assert set(_audit_group(cells, group, cons, P)) == {
            c for c, iv in exact.items() if iv.width < P - 1e-7
        }
        upper = {c: 0.3 * cells[c] + 1.0 for c in group}
        assert set(_audit_group(cells, group, cons, upper)) == {
            c for c, iv in exact.items() if iv.high - cells[c] < upper[c] - 1e-7
        }
        checked += len(group)
    assert checked > 10 and moved > 0


def test_cycles_move_a_hidden_block_as_far_as_its_sums_allow() -> None:
    """Worked by hand: a 2×2 block hidden, its row totals 10, 20 and column totals 8,
    22 published. x11 = t, x12 = 10 - t, x21 = 8 - t, x22 = 12 + t, so every cell moves
    by t in [0, 8]: x11 in [0, 8], x12 in [2, 10], x21 in [0, 8], x22 in [12, 20]. The
    cycle x11+ x12- x22+ x21- and its reverse reach those ends. A third row with one
    hidden cell adds no cycle: that cell stays put (its sums alone leave it open)."""
    from zicht.privacy.secondary import _cycle_span, _shape

    values = {"x11": 3.0, "x12": 7.0, "x21": 5.0, "x22": 15.0, "x31": 4.0, "x32": 1.0,
              "r1": 10.0, "r2": 20.0, "r3": 5.0, "c1": 12.0, "c2": 23.0}  # fmt: skip
    sums = [Constraint("r1", ("x11", "x12")), Constraint("r2", ("x21", "x22")),
            Constraint("r3", ("x31", "x32")), Constraint("c1", ("x11", "x21", "x31")),
            Constraint("c2", ("x12", "x22", "x32"))]  # fmt: skip
    group = ["x11", "x12", "x21", "x22", "x31"]
    truth = np.array([values[c] for c in group])
    low, high = _cycle_span(_shape(group, sums), truth)
    got = {c: (round(lo, 6), round(hi, 6)) for c, lo, hi in zip(group, low, high, strict=True)}
    assert got == {"x11": (0, 8), "x12": (2, 10), "x21": (0, 8), "x22": (12, 20), "x31": (4, 4)}
    exact = {iv.cell: (iv.low, iv.high) for iv in attack(values, group, sums)}
    assert exact["x11"] == (0, 8) and exact["x31"] == (4, 4)  # x31 = r3 - x32 exactly


@pytest.mark.parametrize("seed", [0, 3, 6, 9])  # grids whose big group has narrow cells
def test_the_programs_of_a_large_group_agree_with_the_full_attack(seed: int) -> None:
    # Groups with 16 or more cells to check get scouting programs first (their sum down,
    # then up per set of cells that share no sum). Every scout's solution must be a
    # point the attacker cannot rule out (inside each cell's exact interval), and the
    # verdict per cell must still be the full attack's, for one width and for an upper
    # protection. The programs get every cell, so no shortcut decides one first.
    from zicht.privacy.secondary import (
        SCOUT_FROM,
        _apart_sets,
        _groups,
        _highs_model,
        _index,
        _programs,
        _shape,
    )

    rng = np.random.default_rng(100 + seed)
    values = rng.choice([0, 0, 1, 2, 4, 7, 12, 30, 90], size=(8, 9)).tolist()
    cells, cons = _grid(values)
    hidden = {c for c in cells if rng.random() < 0.7}
    groups = [(g, [cons[k] for k in used]) for g, used in _groups(hidden, _index(cons), cons)]
    big = [(g, cs) for g, cs in groups if len(g) >= SCOUT_FROM]
    assert big, "the grid holds a group the scouts work on"
    narrow_seen = 0
    for group, sums in big:
        shape = _shape(group, sums)
        sets = _apart_sets(shape, np.arange(len(group)))
        assert sorted(i for s in sets for i in s.tolist()) == list(range(len(group)))
        for s in sets:  # no sum holds two cells of one set
            held = [set(shape.rows[shape.start[i] : shape.start[i + 1]].tolist()) for i in s]
            assert sum(map(len, held)) == len(set().union(*held))
        exact = {iv.cell: iv for iv in attack(cells, group, sums)}
        low = np.array([exact[c].low for c in group])
        high = np.array([exact[c].high for c in group])
        truth = np.array([cells[c] for c in group])
        b = shape.rhs(cells, sums)
        for need, upper in ((np.full(len(group), P), False), (0.3 * truth + 1.0, True)):
            seen = truth.copy(), truth.copy()
            everything = np.ones(len(group), dtype=bool)
            got = _programs(_highs_model(shape, b), everything, seen, truth, need, upper, shape)
            assert (seen[0] >= low - 1e-6).all() and (seen[1] <= high + 1e-6).all()
            want = (high - truth < need - 1e-7) if upper else (high - low < need - 1e-7)
            assert got.tolist() == want.tolist()
            narrow_seen += int(want.sum())
    assert narrow_seen > 0


def test_a_denominator_known_from_another_table_ties_numerator_and_complement() -> None:
    """Buurt A (100 inhabitants, 5 with the provision) and buurt B (4, 3 of them) under
    gemeente G (104, 8). Hidden A and B are wide in each field on its own, numerators
    [0, 8] and complements [0, 96]. But another table publishes A's and B's inhabitants:
    then B's numerator and complement are at most 4, so A's numerator lies in [4, 8],
    width 4, under the protection of 5 (worked out by hand). The gate must see it."""
    den = {"A": 100.0, "B": 4.0, "G": 104.0}
    num = {"A": 5.0, "B": 3.0, "G": 8.0}
    comp = {k: den[k] - num[k] for k in den}
    sums = [Constraint("G", ("A", "B"))]
    fields = [den, num, comp]

    # The attacker's own program over (field, cell), with den = num + comp per cell.
    values = {(f, c): v for f, vs in zip("dnc", fields, strict=True) for c, v in vs.items()}
    tagged = [Constraint((f, "G"), ((f, "A"), (f, "B"))) for f in "nc"]
    tagged += [Constraint(("d", c), (("n", c), ("c", c))) for c in "AB"]
    got = attack(values, [(f, c) for f in "nc" for c in "AB"], tagged)
    assert {iv.cell: (iv.low, iv.high) for iv in got}[("n", "A")] == pytest.approx((4.0, 8.0))

    apart = suppress_fields(fields, {"A"}, sums, protection=5)
    assert apart == {"A", "B"}  # each field on its own: wide

    def known() -> list[set[str]]:
        return [{"A", "B"}, set(), set()]  # fresh: the gate updates it in place

    assert suppress_fields(fields, {"A"}, sums, protection=5, known=known()) == {"A", "B"}
    joint = suppress_fields(fields, {"A"}, sums, protection=5, known=known(), coupled=(0, 1, 2))
    assert joint == {"A", "B", "G"}


def test_a_cell_published_elsewhere_protects_only_when_nothing_else_can() -> None:
    """G = A + B + C with A = 3 hidden. B (12) is published by another table, so hiding
    it here protects nothing: the partner is C (40) although it is larger. When C is not
    there, B it must be, and B leaves the known set: the caller hides it elsewhere."""
    counts = {"G": 55.0, "A": 3.0, "B": 12.0, "C": 40.0}
    known = [{"B"}]
    got = suppress_fields(
        [counts], {"A"}, [Constraint("G", ("A", "B", "C"))], protection=10, known=known
    )
    assert got == {"A", "C"} and known == [{"B"}]

    pair = {"G": 15.0, "A": 3.0, "B": 12.0}
    known = [{"B"}]
    got = suppress_fields([pair], {"A"}, [Constraint("G", ("A", "B"))], protection=10, known=known)
    assert "B" in got and known == [set()]


def test_when_every_other_member_is_published_elsewhere_the_smallest_becomes_uncertain() -> None:
    """G = A + B + C, all three hidden here, but B, C and G are published by other
    tables: A = G - B - C exactly. One of them must become uncertain (and be hidden in
    the tables that publish it); the smallest member, not the area's total."""
    counts = {"G": 100.0, "A": 3.0, "B": 40.0, "C": 57.0}
    known = [{"B", "C", "G"}]
    sums = [Constraint("G", ("A", "B", "C"))]
    got = suppress_fields([counts], {"A", "B", "C"}, sums, protection=10, known=known)
    assert got == {"A", "B", "C"} and known == [{"C", "G"}]
    # The attacker with C and G: A + B = 43, so A lies anywhere in [0, 43].
    (iv,) = [iv for iv in attack(counts, {"A", "B"}, sums) if iv.cell == "A"]
    assert (iv.low, iv.high) == pytest.approx((0.0, 43.0))


def test_worker_processes_give_the_same_suppressions_as_one_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Tables are independent, so protecting them in a pool of processes changes only
    the time: 6 tables (3 indicators × 2 years, rates and counts) of a gemeente with 4
    wijken of 5 buurten, small counts drawn at random."""
    from zicht.privacy import _hierarchy

    rng = np.random.default_rng(7)
    buurten = {f"BU{w}{b}": f"WK{w}" for w in range(4) for b in range(5)}
    areas = pa.table(
        {
            "level": ["gemeente"] + ["wijk"] * 4 + ["buurt"] * 20,
            "code": ["GM01", *(f"WK{w}" for w in range(4)), *buurten],
            "parent_code": [None, *(["GM01"] * 4), *buurten.values()],
        }
    )
    rows: list[dict[str, Any]] = []
    for ind, unit in (("a", "%"), ("b", "%"), ("c", "aantal")):
        for period in (2024, 2025):
            num = {b: int(rng.integers(0, 30)) for b in buurten}
            den = {b: num[b] + int(rng.integers(5, 200)) for b in buurten}
            for w in range(4):
                kids = [b for b, p in buurten.items() if p == f"WK{w}"]
                num[f"WK{w}"], den[f"WK{w}"] = sum(num[b] for b in kids), sum(den[b] for b in kids)
            num["GM01"] = sum(num[f"WK{w}"] for w in range(4))
            den["GM01"] = sum(den[f"WK{w}"] for w in range(4))
            for code in den:
                count = den[code] if unit == "aantal" else num[code]
                rows.append({"indicator_id": ind, "period": period, "area_code": code,
                             "breakdown": "", "category": "", "unit": unit,
                             "numerator": float(num[code]), "denominator": den[code],
                             "small": count < P or (unit == "%" and den[code] < P)})  # fmt: skip
    cube = pa.Table.from_pylist(rows)
    primary = cube.column("small")

    def gate(pool_from: int) -> list[bool]:
        monkeypatch.setattr(_hierarchy, "POOL_FROM", pool_from)
        return _hierarchy.hierarchy_mask(cube, areas, primary, protection=P).to_pylist()

    pools: list[object] = []

    class Counted(_hierarchy.ProcessPoolExecutor):  # the real pool, counted
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            pools.append(self)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(_hierarchy, "ProcessPoolExecutor", Counted)
    alone = gate(10**9)
    assert sum(alone) > sum(primary.to_pylist())  # secondary suppressions were needed
    assert not pools
    if len(os.sched_getaffinity(0)) < 2:
        pytest.skip("one core: the gate does not start worker processes")
    pooled = gate(0)
    assert len(pools) == 1
    assert pooled == alone
    # And what the pool publishes holds against the reference attacker, over sums this
    # test writes itself (gemeente = Σ wijken, wijk = Σ its buurten, in every field).
    kids = {f"WK{w}": [b for b, p in buurten.items() if p == f"WK{w}"] for w in range(4)}
    kids["GM01"] = [f"WK{w}" for w in range(4)]
    for (ind, period), cells in _by_table(rows).items():
        hidden = {r["area_code"] for r, h in zip(rows, pooled, strict=True)
                  if h and (r["indicator_id"], r["period"]) == (ind, period)}  # fmt: skip
        unit = cells["GM01"]["unit"]
        for field in ("den", "num", "comp") if unit == "%" else ("den",):
            values = {code: _field(r, field) for code, r in cells.items()}
            sums = [Constraint(parent, tuple(children)) for parent, children in kids.items()]
            _assert_protected(values, hidden, sums, set())


def _by_table(rows: list[dict[str, Any]]) -> dict[tuple[str, int], dict[str, dict[str, Any]]]:
    out: dict[tuple[str, int], dict[str, dict[str, Any]]] = {}
    for r in rows:
        out.setdefault((r["indicator_id"], r["period"]), {})[r["area_code"]] = r
    return out


def _field(row: dict[str, Any], field: str) -> float:
    den, num = float(row["denominator"]), float(row["numerator"])
    return {"den": den, "num": num, "comp": den - num}[field]


def test_a_large_hidden_count_is_reported_when_narrow_and_protected_when_guarded() -> None:
    """Worked by hand: total 100 (published) = a 60 + b 35 + c 5, minimum 10.

    1. a and c hidden (c under the minimum): a + c = 65, so both lie anywhere in
       [0, 65]: nothing more to hide, nothing narrowed.
    2. Only a hidden: a = 100 - 35 - 5 exactly. At 60 it needs no protection, so
       nothing more is hidden, but it is reported as narrowed (when asked about).
    3. a guarded: it must stay wide whatever its size, so b or c is hidden too.
    """
    values = {"T": 100.0, "a": 60.0, "b": 35.0, "c": 5.0}
    sums = [Constraint("T", ("a", "b", "c"))]
    asked: list[set[Any]] = [{"a", "b", "c"}]  # on return: those narrowed
    got = suppress_fields([values], {"a", "c"}, sums, protection=10, protect_below=10,
                          narrowed=asked)  # fmt: skip
    assert got == {"a", "c"} and asked == [set()]
    asked = [{"a", "b", "c"}]
    got = suppress_fields([values], {"a"}, sums, protection=10, protect_below=10, narrowed=asked)
    assert got == {"a"} and asked == [{"a"}]
    asked = [{"b"}]  # not asked about a: nothing reported
    suppress_fields([values], {"a"}, sums, protection=10, protect_below=10, narrowed=asked)
    assert asked == [set()]
    got = suppress_fields([values], {"a"}, sums, protection=10, protect_below=10, guarded=[{"a"}])
    assert len(got) == 2 and "a" in got and got - {"a"} <= {"b", "c"}
    assert all(iv.width >= 10 for iv in attack(values, got, sums))
