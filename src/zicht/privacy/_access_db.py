"""The access database of a workspace: accounts and the audit log.

They live in ``WORKSPACE/access.duckdb``, apart from the canonical ``zicht.duckdb``:
an embedded DuckDB file admits one writing process at a time, and ingest and refresh
hold the canonical file for minutes. Logging in and writing the audit log must keep
working while a refresh runs, and the dashboard process must not open the database
that holds the microdata just to check a password. Every operation opens the file,
does its work in one transaction and closes it again, so ``zicht user add`` works
while the dashboard is being served.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from zicht.errors import WorkspaceError
from zicht.store import Store, open_store

ACCESS_DB = "access.duckdb"

SCHEMA = [
    """
    CREATE TABLE IF NOT EXISTS app_user (
        username TEXT PRIMARY KEY,
        role TEXT NOT NULL,
        gemeenten TEXT NOT NULL,
        teams TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        session_version INTEGER NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS audit_log (
        logged_at TIMESTAMPTZ NOT NULL,
        username TEXT NOT NULL,
        role TEXT NOT NULL,
        action TEXT NOT NULL,
        what TEXT NOT NULL,
        client TEXT NOT NULL
    )
    """,
]

# Another process (the CLI next to a running server) may hold the file for a moment.
_LOCK_WAIT_SECONDS = 5.0
_process_lock = threading.Lock()
_ready: set[Path] = set()


@contextmanager
def access_store(root: Path) -> Iterator[Store]:
    """The access database of the workspace at ``root``, in one transaction."""
    path = (Path(root) / ACCESS_DB).resolve()
    with _process_lock:
        store = _open(path)
        try:
            if path not in _ready:
                for ddl in SCHEMA:
                    store.execute(ddl)
                _ready.add(path)
            with store.transaction():
                yield store
        finally:
            store.close()


def _open(path: Path) -> Store:
    deadline = time.monotonic() + _LOCK_WAIT_SECONDS
    while True:
        try:
            return open_store(path)
        except WorkspaceError:
            if time.monotonic() > deadline:
                raise WorkspaceError(
                    f"{path}: toegangsdatabase is bezet door een ander proces; probeer opnieuw"
                ) from None
            time.sleep(0.05)
