"""The access database of a workspace: the accounts of the dashboard.

It lives in ``WORKSPACE/access.duckdb``, apart from the canonical ``zicht.duckdb``:
an embedded DuckDB file admits one writing process at a time, and ingest and refresh
hold the canonical file for minutes. Logging in and writing the audit log must keep
working while a refresh runs, and the dashboard process must not open the database
that holds the microdata just to check a password. Every operation opens the file,
does its work in one transaction and closes it again, so ``zicht user add`` works
while the dashboard is being served; the server caches accounts until the file changes
(see :func:`signature`). The audit log is a file of its own (``zicht.privacy.audit``).
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

USERS_DDL = """
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
    """
SCHEMA = {ACCESS_DB: USERS_DDL}

# Another process (the CLI next to a running server) may hold the file for a moment.
_LOCK_WAIT_SECONDS = 5.0
_locks: dict[Path, threading.Lock] = {}
_locks_lock = threading.Lock()
_ready: set[Path] = set()


def _lock(path: Path) -> threading.Lock:
    with _locks_lock:
        return _locks.setdefault(path, threading.Lock())


@contextmanager
def access_store(root: Path, name: str = ACCESS_DB) -> Iterator[Store]:
    """The access database of the workspace at ``root``, in one transaction."""
    path = (Path(root) / name).resolve()
    with _lock(path):
        store = _open(path)
        try:
            if path not in _ready:
                store.execute(SCHEMA[name])
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


def signature(root: Path, name: str = ACCESS_DB) -> tuple[tuple[int, int], ...]:
    """Changes whenever a write to the database is committed (size and modification time
    of the file and its write-ahead log); reads leave it alone. A cache of accounts is
    valid as long as the signature is the same."""
    out = []
    for suffix in ("", ".wal"):
        try:
            st = (Path(root) / (name + suffix)).stat()
        except FileNotFoundError:
            out.append((0, 0))
        else:
            out.append((st.st_mtime_ns, st.st_size))
    return tuple(out)
