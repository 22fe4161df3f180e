"""The same indicator definitions give the same cube on DuckDB and on PostgreSQL.

The hand-made workspace of conftest.py is built in DuckDB, every canonical table is
copied into a real PostgreSQL server started by the test setup, and both engines
compute the cube; the cubes must agree cell by cell.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest

from zicht.indicators.definitions import load_definitions
from zicht.indicators.engine import compute_cube
from zicht.model.schema import TABLES, create_schema
from zicht.store import open_store
from zicht.workspace import Workspace

pytestmark = pytest.mark.postgres

KEY = ("indicator_id", "level", "area_code", "period", "breakdown")


def _cells(table: Any) -> dict[tuple[Any, ...], dict[str, Any]]:
    return {tuple(row[k] for k in KEY): row for row in table.to_pylist()}


def test_duckdb_and_postgres_cubes_are_identical(
    make_ws: Callable[..., Workspace], postgres_dsn: str
) -> None:
    ws = make_ws()
    definitions = load_definitions()
    with ws.store() as duck:
        want = compute_cube(duck, definitions, ws.settings, 2024)
        tables = {name: duck.fetch_arrow(f"SELECT * FROM {name}") for name in TABLES}
    with open_store(postgres_dsn) as pg:
        pg.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        create_schema(pg)
        for name, data in tables.items():
            pg.insert_arrow(name, data)
        got = compute_cube(pg, definitions, ws.settings, 2024)

    want_cells, got_cells = _cells(want), _cells(got)
    assert len(want_cells) > 50
    assert set(got_cells) == set(want_cells)
    for key, w in want_cells.items():
        g = got_cells[key]
        for column in ("numerator", "denominator", "value"):
            if w[column] is None:
                assert g[column] is None, (key, column)
            else:
                assert g[column] is not None, (key, column)
                assert math.isclose(g[column], w[column], rel_tol=1e-12, abs_tol=1e-9), (
                    key,
                    column,
                    g[column],
                    w[column],
                )
