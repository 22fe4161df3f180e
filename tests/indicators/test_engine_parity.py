"""The same indicator definitions give the same cube on DuckDB and on PostgreSQL.

The hand-made workspace of conftest.py is built in DuckDB, every canonical table is
copied into a real PostgreSQL server started by the test setup, and both engines
compute the cube; the cubes must agree cell by cell.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from zicht.indicators.definitions import load_definitions
from zicht.indicators.engine import compute_cube
from zicht.model.schema import TABLES, create_schema
from zicht.sources.ingest import ingest_files
from zicht.store import open_store
from zicht.synth import generate
from zicht.workspace import Workspace

pytestmark = pytest.mark.postgres

KEY = ("indicator_id", "level", "area_code", "period", "breakdown", "category")


def _cells(table: Any) -> dict[tuple[Any, ...], dict[str, Any]]:
    return {tuple(row[k] for k in KEY): row for row in table.to_pylist()}


def _both(ws: Workspace, postgres_dsn: str, boundary_year: int) -> tuple[Any, Any]:
    definitions = load_definitions()
    with ws.store() as duck:
        want = compute_cube(duck, definitions, ws.settings, boundary_year)
        tables = {name: duck.fetch_arrow(f"SELECT * FROM {name}") for name in TABLES}
    with open_store(postgres_dsn) as pg:
        pg.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        create_schema(pg)
        for name, data in tables.items():
            pg.insert_arrow(name, data)
        got = compute_cube(pg, definitions, ws.settings, boundary_year)
    return want, got


def test_duckdb_and_postgres_cubes_are_identical(
    make_ws: Callable[..., Workspace], postgres_dsn: str
) -> None:
    want, got = _both(make_ws(), postgres_dsn, 2024)
    _assert_same(want, got, at_least=1000)


def test_a_synthetic_gemeente_gives_identical_cubes(tmp_path: Path, postgres_dsn: str) -> None:
    """2,000 generated persons through the real ingest: every definition, every
    breakdown, every cell equal on both engines."""
    manifest = generate(tmp_path / "exports", persons=2_000, seed=11)
    ws = Workspace.init(tmp_path / "ws")
    for rel in manifest["ingest_order"]:
        ingest_files(ws, [tmp_path / "exports" / rel])
    want, got = _both(ws, postgres_dsn, int(manifest["boundary_year"]))
    _assert_same(want, got, at_least=2000)


def _assert_same(want: Any, got: Any, *, at_least: int) -> None:
    want_cells, got_cells = _cells(want), _cells(got)
    assert len(want_cells) == want.num_rows >= at_least
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
