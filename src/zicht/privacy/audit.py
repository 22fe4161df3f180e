"""The audit log: every view of microdata, every export, every login and every change
of an account, with who, when and what. Readable by the fg role (``/audit``).
"""

from __future__ import annotations

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
    with access_store(root) as store:
        store.execute(
            "INSERT INTO audit_log VALUES (?, ?, ?, ?, ?, ?)",
            [datetime.now(UTC), username, role, action, what, client],
        )


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
