from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from zicht.store import open_store


def test_roundtrip_and_arrow(tmp_path: Path) -> None:
    with open_store(tmp_path / "x.duckdb") as store:
        store.execute("CREATE TABLE t (a INTEGER, b VARCHAR)")
        n = store.insert_arrow("t", pa.table({"b": ["x", "y"], "a": [1, 2]}))
        assert n == 2
        assert store.fetchall("SELECT a, b FROM t ORDER BY a") == [(1, "x"), (2, "y")]
        assert store.fetch_arrow("SELECT sum(a) AS s FROM t")["s"].to_pylist() == [3]
        assert store.scalar("SELECT count(*) FROM t WHERE b = ?", ["y"]) == 1
        assert store.table_exists("t") and not store.table_exists("nope")


def test_transaction_rolls_back_everything(tmp_path: Path) -> None:
    with open_store(tmp_path / "x.duckdb") as store:
        store.execute("CREATE TABLE t (a INTEGER)")
        with pytest.raises(RuntimeError), store.transaction():
            store.execute("INSERT INTO t VALUES (1)")
            raise RuntimeError("boom")
        assert store.scalar("SELECT count(*) FROM t") == 0
        with store.transaction():
            store.execute("INSERT INTO t VALUES (1)")
        assert store.scalar("SELECT count(*) FROM t") == 1


def test_registered_arrow_is_queryable(tmp_path: Path) -> None:
    with open_store(tmp_path / "x.duckdb") as store:
        store.register("staging", pa.table({"v": [3, 4, 5]}))
        assert store.scalar("SELECT max(v) FROM staging") == 5
        store.unregister("staging")
        with pytest.raises(Exception, match="staging"):
            store.scalar("SELECT max(v) FROM staging")
