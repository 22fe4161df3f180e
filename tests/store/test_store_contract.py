"""The Store contract, run against every backend (DuckDB embedded, PostgreSQL real)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pytest

from zicht.model.schema import TABLES, create_schema
from zicht.store import Store, open_store


@pytest.fixture(params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "duckdb":
        s = open_store(tmp_path / "x.duckdb")
    else:
        dsn = request.getfixturevalue("postgres_dsn")
        s = open_store(dsn)
        s.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    yield s
    s.close()


def test_roundtrip_and_arrow(store: Store) -> None:
    store.execute("CREATE TABLE t (a INTEGER, b VARCHAR)")
    n = store.insert_arrow("t", pa.table({"b": ["x", "y"], "a": pa.array([1, 2], pa.int32())}))
    assert n == 2
    assert store.fetchall("SELECT a, b FROM t ORDER BY a") == [(1, "x"), (2, "y")]
    assert store.fetch_arrow("SELECT sum(a) AS s FROM t")["s"].to_pylist() == [3]
    assert store.scalar("SELECT count(*) FROM t WHERE b = ?", ["y"]) == 1
    assert store.scalar("SELECT count(*) FROM t WHERE b = '?'") == 0
    assert store.table_exists("t") and not store.table_exists("nope")


def test_transaction_rolls_back_everything(store: Store) -> None:
    store.execute("CREATE TABLE t (a INTEGER)")
    with pytest.raises(RuntimeError), store.transaction():
        store.execute("INSERT INTO t VALUES (1)")
        raise RuntimeError("boom")
    assert store.scalar("SELECT count(*) FROM t") == 0
    with store.transaction():
        store.execute("INSERT INTO t VALUES (1)")
    assert store.scalar("SELECT count(*) FROM t") == 1


def test_registered_arrow_is_queryable(store: Store) -> None:
    data = pa.table({"v": [3, 4, 5], "d": [dt.date(2024, 1, 1)] * 3, "s": ["a", None, "c"]})
    store.register("staging", data)
    assert store.scalar("SELECT max(v) FROM staging") == 5
    assert store.scalar("SELECT count(s) FROM staging") == 2
    assert store.scalar("SELECT min(d) FROM staging") == dt.date(2024, 1, 1)
    store.unregister("staging")
    with pytest.raises(Exception, match="staging"):
        store.scalar("SELECT max(v) FROM staging")


def test_canonical_schema_creates_on_every_backend(store: Store) -> None:
    create_schema(store)
    create_schema(store)  # idempotent
    for table in TABLES:
        assert store.table_exists(table), table


def test_insert_keeps_only_the_marked_rows_in_order(store: Store) -> None:
    store.execute("CREATE TABLE t (i BIGINT, s VARCHAR)")
    n_rows = 300_000  # more than two DuckDB row groups
    data = pa.table(
        {"i": pa.array(range(n_rows), pa.int64()), "s": [f"r{i}" for i in range(n_rows)]}
    )
    keep = pa.array([i % 7 != 3 for i in range(n_rows)])
    wanted = [i for i in range(n_rows) if i % 7 != 3]
    assert store.insert_arrow("t", data, keep=keep) == len(wanted)
    assert store.insert_arrow("t", data.slice(0, 5), keep=pa.array([False] * 5)) == 0
    got = store.fetchall("SELECT i, s FROM t")  # insertion order, no ORDER BY
    assert got == [(i, f"r{i}") for i in wanted]
