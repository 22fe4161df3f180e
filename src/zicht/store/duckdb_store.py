"""Embedded DuckDB backend: the default, needs no server."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import duckdb
import pyarrow as pa

from zicht.errors import WorkspaceError
from zicht.store.base import Store


class DuckDBStore(Store):
    dialect: ClassVar[str] = "duckdb"

    def __init__(self, path: Path | str, *, read_only: bool = False) -> None:
        try:
            self._con = duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as exc:
            # Another process holds the write lock, or the file is not a database.
            raise WorkspaceError(f"{path}: database niet te openen ({exc})") from None
        self._registered: set[str] = set()

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> None:
        if params is None:
            self._con.execute(sql)
        else:
            self._con.execute(sql, list(params))

    def fetchall(self, sql: str, params: Sequence[Any] | None = None) -> list[tuple[Any, ...]]:
        cur = self._con.execute(sql, list(params) if params is not None else None)
        return cur.fetchall()

    def fetch_arrow(self, sql: str, params: Sequence[Any] | None = None) -> pa.Table:
        # ``sql().to_arrow_table()`` avoids the extra copy of the DB-API result path.
        rel = self._con.sql(sql, params=list(params) if params is not None else None)
        if rel is None:
            return pa.table({})
        return rel.to_arrow_table()

    def register(self, name: str, data: pa.Table) -> None:
        self._con.register(name, data)
        self._registered.add(name)

    def unregister(self, name: str) -> None:
        if name in self._registered:
            self._con.unregister(name)
            self._registered.discard(name)

    def insert_arrow(self, table: str, data: pa.Table) -> int:
        if data.num_rows == 0:
            return 0
        tmp = f"__insert_{table}"
        self._con.register(tmp, data)
        try:
            cols = ", ".join(f'"{c}"' for c in data.column_names)
            self._con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {tmp}")
        finally:
            self._con.unregister(tmp)
        return int(data.num_rows)

    def begin(self) -> None:
        self._con.execute("BEGIN TRANSACTION")

    def commit(self) -> None:
        self._con.execute("COMMIT")

    def rollback(self) -> None:
        self._con.execute("ROLLBACK")

    def close(self) -> None:
        self._con.close()
