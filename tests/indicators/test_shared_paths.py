"""The engine's two shortcuts change no cell.

- ``household_period`` read from a temporary table made once (inside
  :func:`shared_tables`, as a refresh does) gives the same cells as the same relation
  written out as a CTE in the query (a definition's SQL standing alone, as ``zicht sql``
  prints it).
- An additive definition (``sum(col)`` / ``count(*)``) summed per buurt first gives the
  same cells as the same definition aggregated unit by unit (the engine's path for any
  other aggregate, forced here by writing the aggregates so they no longer look additive).

The hand-made workspace of conftest.py; the PostgreSQL cube (shared tables, sums per
buurt) is compared with DuckDB's in test_engine_parity.py.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from zicht.indicators.definitions import load_definitions
from zicht.indicators.engine import (
    additive,
    compute_indicator,
    indicator_sql,
    shared_named,
    shared_tables,
)
from zicht.workspace import Workspace

KEY = ("level", "area_code", "period", "breakdown", "category")


def _cells(table: Any) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    return {
        tuple(r[k] for k in KEY): (r["value"], r["numerator"], r["denominator"], r["dominant"])
        for r in table.to_pylist()
    }


def _same(a: dict[Any, tuple[Any, ...]], b: dict[Any, tuple[Any, ...]]) -> None:
    assert set(a) == set(b)
    for key, row in a.items():
        for x, y in zip(row, b[key], strict=True):
            assert (x is None) == (y is None), key
            if x is not None:
                assert math.isclose(x, y, rel_tol=1e-12, abs_tol=1e-9), (key, x, y)


def test_household_period_as_a_table_or_a_cte(make_ws: Callable[..., Workspace]) -> None:
    ws = make_ws()
    defs = [d for d in load_definitions().values() if shared_named(d)]
    assert len(defs) >= 10
    with ws.store() as store:
        alone = {d.id: _cells(compute_indicator(store, d, ws.settings, 2024)) for d in defs}
        assert not store.table_exists("household_period")
        with shared_tables(store, ws.settings):
            shared = {d.id: _cells(compute_indicator(store, d, ws.settings, 2024)) for d in defs}
            assert store.table_exists("household_period")
        assert not store.table_exists("household_period")
    for d in defs:
        sql = indicator_sql(d, ws.settings, "duckdb", "2024")
        assert "household_period AS (" in sql, d.id
        assert "household_period AS (" not in indicator_sql(
            d, ws.settings, "duckdb", "2024", ["household_period"]
        )
        assert any(c[2] for c in alone[d.id].values()), d.id  # not all empty
        _same(alone[d.id], shared[d.id])


def test_sums_per_buurt_first_change_no_cell(make_ws: Callable[..., Workspace]) -> None:
    ws = make_ws()
    defs = [d for d in load_definitions().values() if additive(d)]
    assert len(defs) >= 20
    with ws.store() as store:
        for d in defs:
            update = {"denominator": d.denominator + " + 0"}
            if d.numerator is not None:
                update["numerator"] = d.numerator + " + 0"
            rowwise = d.model_copy(update=update)
            assert not additive(rowwise)
            want = _cells(compute_indicator(store, rowwise, ws.settings, 2024))
            got = _cells(compute_indicator(store, d, ws.settings, 2024))
            _same(want, got)


def test_a_shared_relation_counts_as_reading_its_tables() -> None:
    """A change to ``provision`` must recompute (and lower the score of) a definition
    that reads it only through ``provision_period``."""
    from zicht.indicators._incremental import tables_named

    defs = load_definitions()
    assert "provision_period" in defs["jeugdhulp_pct"].facts
    assert "provision v" not in defs["jeugdhulp_pct"].facts
    assert {"provision", "person_period"} <= tables_named(defs["jeugdhulp_pct"])
