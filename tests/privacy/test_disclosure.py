"""The disclosure gate on hand-made cubes."""

from __future__ import annotations

import pyarrow as pa
import pytest

from zicht.privacy.disclosure import DisclosureError, apply_gate, assert_gated


def _cube(rows: list[tuple[str, float | None, float | None, int | None]]) -> pa.Table:
    unit, value, num, den = (list(c) for c in zip(*rows, strict=True))
    return pa.table(
        {
            "unit": pa.array(unit, pa.string()),
            "value": pa.array(value, pa.float64()),
            "numerator": pa.array(num, pa.float64()),
            "denominator": pa.array(den, pa.int64()),
        }
    )


def test_rates_need_numerator_and_denominator_at_least_min_count() -> None:
    cube = _cube(
        [
            ("%", 10.0, 10.0, 100),  # both 10: shown
            ("%", 9.0, 9.0, 100),  # numerator 9: suppressed
            ("per 1.000", 900.0, 9.0, 10),  # numerator 9: suppressed
            ("%", 100.0, 9.0, 9),  # denominator 9: suppressed
            ("per 1.000", 100.0, 10.0, 100),
            ("%", None, 0.0, 0),  # no units at all: suppressed
        ]
    )
    out = apply_gate(cube, 10)
    assert out.column("status").to_pylist() == [
        "gepubliceerd",
        "onderdrukt",
        "onderdrukt",
        "onderdrukt",
        "gepubliceerd",
        "onderdrukt",
    ]
    for col in ("value", "numerator", "denominator"):
        assert out.column(col).to_pylist()[1:4] == [None, None, None]
    assert out.column("value").to_pylist()[0] == 10.0
    assert_gated(out, 10)


def test_medians_and_amounts_need_enough_cases() -> None:
    cube = _cube(
        [
            ("dagen", 30.0, None, 10),  # 10 cases: shown, numerator stays NULL
            ("dagen", 30.0, None, 9),  # 9 cases: suppressed
            ("euro", 1234.5, 12345.0, 10),  # amount numerator is not a count
            ("euro", 1234.5, 11110.5, 9),
        ]
    )
    out = apply_gate(cube, 10)
    assert out.column("status").to_pylist() == [
        "gepubliceerd",
        "onderdrukt",
        "gepubliceerd",
        "onderdrukt",
    ]
    assert out.column("numerator").to_pylist() == [None, None, 12345.0, None]
    assert_gated(out, 10)


def test_zero_denominator_is_suppressed_even_without_threshold() -> None:
    out = apply_gate(_cube([("%", None, 0.0, 0), ("%", 0.0, 0.0, 5)]), 0)
    assert out.column("status").to_pylist() == ["onderdrukt", "gepubliceerd"]


def test_existing_status_column_is_replaced() -> None:
    cube = _cube([("%", 50.0, 1.0, 2)]).append_column("status", pa.array(["gepubliceerd"]))
    out = apply_gate(cube, 10)
    assert out.column_names.count("status") == 1
    assert out.column("status").to_pylist() == ["onderdrukt"]


def test_assert_gated_catches_leaks() -> None:
    gated = apply_gate(_cube([("%", 50.0, 5.0, 10)]), 10)
    leaked = gated.set_column(
        gated.schema.get_field_index("numerator"), "numerator", pa.array([5.0])
    )
    with pytest.raises(DisclosureError, match="numerator"):
        assert_gated(leaked)
    ungated = _cube([("%", 50.0, 5.0, 10)]).append_column("status", pa.array(["gepubliceerd"]))
    assert_gated(ungated)  # structurally fine without a threshold
    with pytest.raises(DisclosureError, match="minimum 10"):
        assert_gated(ungated, 10)
    bad = ungated.set_column(
        ungated.schema.get_field_index("status"), "status", pa.array(["zichtbaar"])
    )
    with pytest.raises(DisclosureError, match="onbekende status"):
        assert_gated(bad)


def test_a_small_complement_is_suppressed() -> None:
    # 95 of 100 have it: the 5 without it are singled out just as well.
    t = pa.table(
        {
            "value": [95.0, 50.0],
            "numerator": [95.0, 50.0],
            "denominator": [100, 100],
            "unit": ["%", "%"],
        }
    )
    status = apply_gate(t, 10).column("status").to_pylist()
    assert status == ["onderdrukt", "gepubliceerd"]
