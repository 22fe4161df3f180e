"""The audit log: every view of microdata, every export, every login and every change
of an account, with who, when and what. Readable by the fg role (``/audit``).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from zicht.privacy._access_db import access_store


@dataclass(frozen=True)
class AuditEntry:
    logged_at: datetime
    username: str
    role: str
    action: str
    what: str
    client: str


def record(root: Path, username: str, role: str, action: str, what: str, client: str) -> None:
    """Append one entry; the log is append-only (nothing in zicht updates or deletes)."""
    record_many(root, [AuditEntry(datetime.now(UTC), username, role, action, what, client)])


def record_many(root: Path, batch: list[AuditEntry]) -> None:
    """Append several entries in one transaction."""
    if not batch:
        return
    with access_store(root) as store:
        for e in batch:
            store.execute(
                "INSERT INTO audit_log VALUES (?, ?, ?, ?, ?, ?)",
                [e.logged_at, e.username, e.role, e.action, e.what, e.client],
            )


class AuditWriter:
    """Synchronous audit writes with group commit.

    :meth:`write` returns only once its entry is committed (a view of microdata is not
    served unless it is on record), but concurrent callers share one transaction: the
    first caller writes everything pending while the others wait for it. Opening the
    access database costs tens of milliseconds; one opening per request would queue
    50 concurrent exports behind each other.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self._cond = threading.Condition()
        self._pending: list[tuple[int, AuditEntry]] = []
        self._seq = 0
        self._done = 0
        self._writing = False

    def write(self, username: str, role: str, action: str, what: str, client: str) -> None:
        entry = AuditEntry(datetime.now(UTC), username, role, action, what, client)
        with self._cond:
            self._seq += 1
            mine = self._seq
            self._pending.append((mine, entry))
            while self._done < mine:
                if self._writing:
                    self._cond.wait()
                    continue
                # Become the writer of everything pending (our own entry included).
                self._writing = True
                batch, self._pending = self._pending, []
                self._cond.release()
                try:
                    record_many(self.root, [e for _, e in batch])
                except BaseException:
                    with self._cond:
                        self._pending[:0] = [b for b in batch if b[0] != mine]
                    raise
                finally:
                    self._cond.acquire()
                    self._writing = False
                    self._cond.notify_all()
                self._done = max(self._done, max(n for n, _ in batch))


def entries(
    root: Path, *, username: str = "", action: str = "", limit: int = 500
) -> list[AuditEntry]:
    """The newest entries first, optionally for one user and/or one action."""
    where, params = [], []
    if username:
        where.append("username = ?")
        params.append(username)
    if action:
        where.append("action = ?")
        params.append(action)
    clause = ("WHERE " + " AND ".join(where)) if where else ""
    with access_store(root) as store:
        rows = store.fetchall(
            "SELECT logged_at, username, role, action, what, client FROM audit_log "
            f"{clause} ORDER BY logged_at DESC LIMIT {int(limit)}",
            params,
        )
    return [AuditEntry(*r) for r in rows]


def actions(root: Path) -> list[str]:
    with access_store(root) as store:
        rows = store.fetchall("SELECT DISTINCT action FROM audit_log ORDER BY action")
    return [str(r[0]) for r in rows]
