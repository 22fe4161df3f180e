"""Cost sums (euro) get secondary suppression with a protection interval relative to the
value, as tau-ARGUS protects magnitude tables.

The trap: a wijk whose costs are dominated by one client is suppressed by the dominance
rule, but the gemeente's sum minus the other wijken gives it back exactly.
"""

from __future__ import annotations

import pyarrow as pa
import pytest

from zicht.privacy.disclosure import AMOUNT_PROTECTION_PCT, SUPPRESSED, apply_gate
from zicht.privacy.secondary import Constraint, attack

# area: (level, parent, clients, euro sum, largest single client)
CELLS = {
    "GM01": ("gemeente", None, 132, 226_000.0, 150_000.0),
    "WK01": ("wijk", "GM01", 30, 170_000.0, 150_000.0),  # 88 % one client: dominated
    "WK02": ("wijk", "GM01", 12, 3_000.0, 400.0),
    "WK03": ("wijk", "GM01", 40, 24_000.0, 2_000.0),
    "WK04": ("wijk", "GM01", 50, 29_000.0, 1_500.0),
}
"""Counting clients only, the partner of WK01 is WK02 (fewest clients), whose costs are
small: WK01's costs are then capped 3,000 above the truth, under 2 %."""


def _cube() -> tuple[pa.Table, pa.Table]:
    codes = list(CELLS)
    cube = pa.table(
        {
            "indicator_id": ["kosten"] * len(codes),
            "level": [CELLS[c][0] for c in codes],
            "area_code": codes,
            "period": [2025] * len(codes),
            "breakdown": [""] * len(codes),
            "category": [""] * len(codes),
            "value": [CELLS[c][3] / CELLS[c][2] for c in codes],
            "numerator": [CELLS[c][3] for c in codes],
            "denominator": pa.array([CELLS[c][2] for c in codes], pa.int64()),
            "unit": ["euro"] * len(codes),
            "dominant": [CELLS[c][4] for c in codes],
        }
    )
    areas = pa.table(
        {
            "level": [CELLS[c][0] for c in codes],
            "code": codes,
            "parent_code": [CELLS[c][1] for c in codes],
        }
    )
    return cube, areas


def _sums() -> list[Constraint]:
    kids: dict[str, list[str]] = {}
    for code, (_, parent, *_rest) in CELLS.items():
        if parent is not None:
            kids.setdefault(parent, []).append(code)
    return [Constraint(p, tuple(k)) for p, k in kids.items()]


def _hidden(amount_pct: float) -> set[str]:
    cube, areas = _cube()
    gated = apply_gate(cube, 10, areas=areas, dominance_pct=85, amount_protection_pct=amount_pct)
    codes, status = gated.column("area_code").to_pylist(), gated.column("status").to_pylist()
    return {c for c, s in zip(codes, status, strict=True) if s == SUPPRESSED}


def test_the_trap_is_real_without_protection_of_the_sums() -> None:
    hidden = _hidden(0.0)
    assert hidden == {"WK01", "WK02"}  # the dominated cell and the count's partner
    amounts = {c: v[3] for c, v in CELLS.items()}
    intervals = {iv.cell: iv for iv in attack(amounts, hidden, _sums())}
    # GM01 − WK03 − WK04 = WK01 + WK02 = 173,000: WK01's costs are at most 173,000,
    # within 2 % of the truth (and the large client's at most 173,000 − the others').
    assert intervals["WK01"].high == pytest.approx(173_000.0)
    assert intervals["WK01"].high - 170_000.0 < AMOUNT_PROTECTION_PCT / 100 * 170_000.0


def test_no_hidden_cost_sum_can_be_narrowed_below_its_protection() -> None:
    hidden = _hidden(AMOUNT_PROTECTION_PCT)
    assert {"WK01", "WK02"} < hidden
    amounts = {c: v[3] for c, v in CELLS.items()}
    clients = {c: float(v[2]) for c, v in CELLS.items()}
    for iv in attack(amounts, hidden, _sums()):
        truth = amounts[iv.cell]  # type: ignore[index]
        # Upper protection (tau-ARGUS): the attacker's cap lies well above the truth.
        assert iv.high - truth >= AMOUNT_PROTECTION_PCT / 100 * truth - 1e-6, iv
    for iv in attack(clients, hidden, _sums()):
        assert iv.width >= 10 - 1e-6, iv
