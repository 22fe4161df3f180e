"""The store layer: the only code that imports a database engine.

Backends register here by URL scheme; the layers above call :func:`open_store` and use
the :class:`Store` contract only.
"""

from __future__ import annotations

from pathlib import Path

from zicht.store.base import Store

__all__ = ["Store", "open_store"]


def open_store(target: Path | str, *, read_only: bool = False) -> Store:
    """Open the store at ``target``: a ``postgresql://`` URL means PostgreSQL, anything
    else is the path of an embedded DuckDB file."""
    text = str(target)
    if text.startswith(("postgresql://", "postgres://")):
        from zicht.store.postgres_store import PostgresStore

        return PostgresStore(text)
    from zicht.store.duckdb_store import DuckDBStore

    return DuckDBStore(target, read_only=read_only)
