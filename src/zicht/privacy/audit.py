"""The audit log: every view of microdata, every export, every login and every change
of an account, with who, when and what. Readable by the fg role (``/audit``).

The log is ``WORKSPACE/audit.jsonl`` (mode 0600): one JSON object per line, appended
with a single ``write`` on a file opened with ``O_APPEND`` and flushed to disk
(``fsync``) before :func:`record` returns, so an entry is on record before the view it
describes is served, concurrent writers (threads or processes) never interleave, and
nothing in zicht ever rewrites a line. A database connection per entry was tried first
and measured: under 50 concurrent users the open/insert/close of an embedded database
took hundreds of milliseconds (it hands the interpreter lock back and forth), an
appended line takes well under one.
"""

from __future__ import annotations

import json
import os
import threading
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

AUDIT_LOG = "audit.jsonl"
_lock = threading.Lock()


@dataclass(frozen=True)
class AuditEntry:
    logged_at: datetime
    username: str
    role: str
    action: str
    what: str
    client: str


def _line(entry: AuditEntry) -> bytes:
    record = {
        "logged_at": entry.logged_at.isoformat(),
        "username": entry.username,
        "role": entry.role,
        "action": entry.action,
        "what": entry.what,
        "client": entry.client,
    }
    return (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")


def record(root: Path, username: str, role: str, action: str, what: str, client: str) -> None:
    """Append one entry and flush it to disk; the log is append-only."""
    data = _line(AuditEntry(datetime.now(UTC), username, role, action, what, client))
    path = Path(root) / AUDIT_LOG
    with _lock:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)


class AuditWriter:
    """The audit log of one workspace, for a server: ``write(username, role, …)``."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def write(self, username: str, role: str, action: str, what: str, client: str) -> None:
        record(self.root, username, role, action, what, client)


def _parse(line: str) -> AuditEntry | None:
    try:
        d = json.loads(line)
        return AuditEntry(
            datetime.fromisoformat(d["logged_at"]),
            str(d["username"]),
            str(d["role"]),
            str(d["action"]),
            str(d["what"]),
            str(d["client"]),
        )
    except (ValueError, KeyError, TypeError):
        return None  # a torn last line after a crash is skipped, never fatal


def entries(
    root: Path, *, username: str = "", action: str = "", limit: int = 500
) -> list[AuditEntry]:
    """The newest entries first, optionally for one user and/or one action."""
    path = Path(root) / AUDIT_LOG
    if not path.exists():
        return []
    newest: deque[AuditEntry] = deque(maxlen=max(limit, 0))
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            e = _parse(line)
            if e is None:
                continue
            if (username and e.username != username) or (action and e.action != action):
                continue
            newest.append(e)
    return list(reversed(newest))


def actions(root: Path) -> list[str]:
    path = Path(root) / AUDIT_LOG
    if not path.exists():
        return []
    found = set()
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            e = _parse(line)
            if e is not None:
                found.add(e.action)
    return sorted(found)
