"""The dominance rule for cost sums and rounding of counts to multiples of 5."""

from __future__ import annotations

import pyarrow as pa

from zicht.privacy.disclosure import apply_gate, assert_gated


def _cube(rows: list[tuple[str, float | None, int, float | None, float | None]]) -> pa.Table:
    """(unit, numerator, denominator, value, dominant)."""
    return pa.table(
        {
            "unit": [r[0] for r in rows],
            "numerator": pa.array([r[1] for r in rows], pa.float64()),
            "denominator": pa.array([r[2] for r in rows], pa.int64()),
            "value": pa.array([r[3] for r in rows], pa.float64()),
            "dominant": pa.array([r[4] for r in rows], pa.float64()),
        }
    )


def test_one_client_with_most_of_the_cost_suppresses_the_sum() -> None:
    cube = _cube(
        [
            # 12 clients, one of them 9,000 of 10,000 euro: 90 % > 85 %.
            ("euro", 10_000.0, 12, 10_000 / 12, 9_000.0),
            # 12 clients, the largest 8,000 of 10,000: 80 %, published.
            ("euro", 10_000.0, 12, 10_000 / 12, 8_000.0),
        ]
    )
    assert apply_gate(cube, 10, dominance_pct=85).column("status").to_pylist() == [
        "onderdrukt",
        "gepubliceerd",
    ]
    # The rule is optional.
    assert apply_gate(cube, 10, dominance_pct=0).column("status").to_pylist() == [
        "gepubliceerd",
        "gepubliceerd",
    ]


def test_counts_are_rounded_to_five_and_marked() -> None:
    cube = _cube(
        [
            ("%", 12.0, 37, 100 * 12 / 37, None),  # -> 10 of 35, value kept
            ("aantal", None, 23, 23.0, None),  # a count: the figure itself is rounded
            ("dagen", None, 48, 30.5, None),  # a median: only the case count
            ("%", 3.0, 37, 100 * 3 / 37, None),  # suppressed, stays NULL
        ]
    )
    gated = apply_gate(cube, 10, round_to=5)
    rows = gated.to_pylist()
    assert [r["status"] for r in rows] == ["afgerond", "afgerond", "afgerond", "onderdrukt"]
    assert (rows[0]["numerator"], rows[0]["denominator"]) == (10.0, 35)
    assert rows[0]["value"] == 100 * 12 / 37
    assert (rows[1]["denominator"], rows[1]["value"]) == (25, 25.0)
    assert (rows[2]["denominator"], rows[2]["value"]) == (50, 30.5)
    assert rows[3]["numerator"] is None and rows[3]["denominator"] is None
    assert_gated(gated.drop_columns(["dominant"]), 10)
