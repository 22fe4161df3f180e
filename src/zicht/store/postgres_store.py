"""PostgreSQL backend, for a multi-user deployment and for checking that the same SQL
gives the same figures on a second engine.

Dialect differences stay here: ``?`` placeholders become ``%s``, Arrow data goes in with
COPY into a temporary table, results come back as Arrow via plain rows.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, ClassVar

import psycopg
import pyarrow as pa

from zicht.errors import WorkspaceError
from zicht.store.base import Store

_PG_TYPES: dict[str, str] = {
    "string": "TEXT",
    "large_string": "TEXT",
    "int8": "SMALLINT",
    "int16": "SMALLINT",
    "int32": "INTEGER",
    "int64": "BIGINT",
    "uint8": "SMALLINT",
    "uint16": "INTEGER",
    "uint32": "BIGINT",
    "double": "DOUBLE PRECISION",
    "float": "REAL",
    "bool": "BOOLEAN",
    "date32[day]": "DATE",
}

# A `?` outside single-quoted literals is a parameter placeholder.
_PLACEHOLDER = re.compile(r"('(?:[^']|'')*')|\?")


def _translate(sql: str) -> str:
    sql = sql.replace("%", "%%")
    return _PLACEHOLDER.sub(lambda m: m.group(1) or "%s", sql)


def _pg_type(dtype: pa.DataType) -> str:
    if pa.types.is_decimal(dtype):
        return f"NUMERIC({dtype.precision}, {dtype.scale})"
    if pa.types.is_timestamp(dtype):
        return "TIMESTAMPTZ" if dtype.tz else "TIMESTAMP"
    name = str(dtype)
    if name not in _PG_TYPES:
        raise TypeError(f"no PostgreSQL type for Arrow type {name}")
    return _PG_TYPES[name]


_INDEXES: tuple[tuple[str, str], ...] = (
    # The indicator definitions look up a person's provisions, events and costs per
    # period (EXISTS and joins on person_id), and households per period.
    ("person_period", "person_id, period"),
    ("person_period", "period, household_id"),
    ("provision", "person_id, law"),
    ("provision", "provision_id"),
    ("chain_event", "person_id, law, step"),
    ("chain_event", "provision_id"),
    ("cost", "person_id, law"),
    ("area", "boundary_year, level, code"),
)


class PostgresStore(Store):
    dialect: ClassVar[str] = "postgresql"

    def __init__(self, dsn: str) -> None:
        try:
            self._con = psycopg.connect(dsn, autocommit=True)
        except psycopg.OperationalError as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else "onbekend"
            raise WorkspaceError(f"PostgreSQL niet bereikbaar: {first}") from None
        self._registered: set[str] = set()

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> None:
        with self._con.cursor() as cur:
            if params is None:
                # Without parameters psycopg uses the simple query protocol, which
                # accepts several statements separated by ';'.
                cur.execute(sql.encode())
            else:
                cur.execute(_translate(sql).encode(), list(params))

    def fetchall(self, sql: str, params: Sequence[Any] | None = None) -> list[tuple[Any, ...]]:
        with self._con.cursor() as cur:
            if params is None:
                cur.execute(sql.encode())
            else:
                cur.execute(_translate(sql).encode(), list(params))
            return list(cur.fetchall())

    def fetch_arrow(self, sql: str, params: Sequence[Any] | None = None) -> pa.Table:
        with self._con.cursor() as cur:
            if params is None:
                cur.execute(sql.encode())
            else:
                cur.execute(_translate(sql).encode(), list(params))
            names = [d.name for d in (cur.description or [])]
            rows = cur.fetchall()
        columns = list(zip(*rows, strict=True)) if rows else [() for _ in names]
        return pa.table({n: pa.array(list(c)) for n, c in zip(names, columns, strict=True)})

    def register(self, name: str, data: pa.Table) -> None:
        self.unregister(name)
        cols = ", ".join(f'"{f.name}" {_pg_type(f.type)}' for f in data.schema)
        self.execute(f'CREATE TEMPORARY TABLE "{name}" ({cols})')
        self._copy_in(name, data)
        self._registered.add(name)

    def unregister(self, name: str) -> None:
        if name in self._registered:
            self.execute(f'DROP TABLE IF EXISTS "{name}"')
            self._registered.discard(name)

    def insert_arrow(self, table: str, data: pa.Table, *, keep: pa.Array | None = None) -> int:
        if keep is not None:
            data = data.filter(keep)
        if data.num_rows == 0:
            return 0
        self._copy_in(table, data)
        return int(data.num_rows)

    def _copy_in(self, table: str, data: pa.Table) -> None:
        cols = ", ".join(f'"{c}"' for c in data.column_names)
        with self._con.cursor() as cur, cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
            for batch in data.to_batches(max_chunksize=50_000):
                for row in zip(*(c.to_pylist() for c in batch.columns), strict=True):
                    copy.write_row(row)

    def prepare_for_indicators(self) -> None:
        for table, columns in _INDEXES:
            name = "ix_" + table + "_" + columns.replace(", ", "_")
            self.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns})")
        self.execute("ANALYZE " + ", ".join(sorted({t for t, _ in _INDEXES})))

    def analyze(self, table: str) -> None:
        self.execute(f"ANALYZE {table}")

    def begin(self) -> None:
        self._con.execute(b"BEGIN")

    def commit(self) -> None:
        self._con.execute(b"COMMIT")

    def rollback(self) -> None:
        self._con.execute(b"ROLLBACK")

    def close(self) -> None:
        self._con.close()
