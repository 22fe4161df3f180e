"""The store contract: the only way the layers above talk to a database engine.

A backend implements these few operations; dialect differences (how Arrow data gets in,
how a transaction is spelled) stay inside the backend. Core code never branches on the
engine's name; where SQL itself differs, the backend offers a named capability instead.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from types import TracebackType
from typing import Any, ClassVar

import pyarrow as pa


class Store(ABC):
    """A connection to one engine holding the canonical tables of one workspace."""

    dialect: ClassVar[str]

    @abstractmethod
    def execute(self, sql: str, params: Sequence[Any] | None = None) -> None:
        """Run a statement (or several separated by ';' when params is None)."""

    @abstractmethod
    def fetchall(self, sql: str, params: Sequence[Any] | None = None) -> list[tuple[Any, ...]]:
        """Run a query and return its rows as tuples."""

    @abstractmethod
    def fetch_arrow(self, sql: str, params: Sequence[Any] | None = None) -> pa.Table:
        """Run a query and return its result as an Arrow table."""

    @abstractmethod
    def register(self, name: str, data: pa.Table) -> None:
        """Make an Arrow table queryable as ``name`` for this connection (no copy where
        the engine allows it). Replaces an earlier registration of the same name."""

    @abstractmethod
    def unregister(self, name: str) -> None:
        """Drop a registration made by :meth:`register`."""

    @abstractmethod
    def insert_arrow(self, table: str, data: pa.Table, *, keep: pa.Array | None = None) -> int:
        """Append the rows of ``data`` to ``table``, matching columns by name; returns
        the number of rows appended. With ``keep`` (a boolean array as long as ``data``)
        only the rows where it is true, in their order: an engine that can filter while
        it reads saves the copy."""

    @abstractmethod
    def begin(self) -> None: ...

    @abstractmethod
    def commit(self) -> None: ...

    @abstractmethod
    def rollback(self) -> None: ...

    @abstractmethod
    def close(self) -> None: ...

    def fetchone(self, sql: str, params: Sequence[Any] | None = None) -> tuple[Any, ...] | None:
        rows = self.fetchall(sql, params)
        return rows[0] if rows else None

    def scalar(self, sql: str, params: Sequence[Any] | None = None) -> Any:
        row = self.fetchone(sql, params)
        return None if row is None else row[0]

    def table_exists(self, name: str) -> bool:
        return bool(
            self.scalar(
                "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]
            )
        )

    def prepare_for_indicators(self) -> None:  # noqa: B027  # optional capability
        """Make the canonical tables ready for the indicator queries (a capability:
        engines that need secondary indexes and statistics build them here; the
        default does nothing, DuckDB's zone maps and hash joins need none)."""

    def analyze(self, table: str) -> None:  # noqa: B027  # optional capability
        """Gather the planner's statistics of a table just made (a capability: engines
        whose planner needs them collect them here; DuckDB keeps its own)."""

    def limit_memory(self, mib: int) -> None:  # noqa: B027  # optional capability
        """Bound the engine's own working memory in this process to ``mib`` MiB, spilling
        to disk beyond it (a capability: an embedded engine honours it; a server has its
        own configuration, so the default does nothing). 0 keeps the engine's default."""

    @contextmanager
    def transaction(self) -> Iterator[Store]:
        """All or nothing: commit on success, roll back on any exception."""
        self.begin()
        try:
            yield self
        except BaseException:
            self.rollback()
            raise
        self.commit()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
