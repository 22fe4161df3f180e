"""Embedded DuckDB backend: the default, needs no server."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from zicht.errors import WorkspaceError
from zicht.store.base import Store

_ROW_GROUP = 122_880  # DuckDB's row group size
_KEEP = "__zicht_keep"


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

    def insert_arrow(self, table: str, data: pa.Table, *, keep: pa.Array | None = None) -> int:
        rows = data.num_rows if keep is None else int(pc.sum(keep).as_py() or 0)
        if rows == 0:
            return 0
        cols = ", ".join(f'"{c}"' for c in data.column_names)
        where = ""
        if keep is not None and rows < data.num_rows:
            data = data.append_column(_KEEP, keep)
            where = f' WHERE "{_KEEP}"'
        tmp = f"__insert_{table}"
        # Batches of one row group each let DuckDB compress and write them in parallel.
        self._con.register(tmp, pa.Table.from_batches(data.to_batches(_ROW_GROUP)))
        try:
            self._con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {tmp}{where}")
        finally:
            self._con.unregister(tmp)
        return rows

    def limit_memory(self, mib: int) -> None:
        if mib > 0:
            self._con.execute(f"SET memory_limit = '{int(mib)}MiB'")

    def begin(self) -> None:
        self._con.execute("BEGIN TRANSACTION")

    def commit(self) -> None:
        self._con.execute("COMMIT")

    def rollback(self) -> None:
        self._con.execute("ROLLBACK")

    def close(self) -> None:
        self._con.close()
