"""What the data-quality page shows: per source and rule, how many rows went to
quarantine, and a few example rows (pseudonymised: the quarantine holds no BSN, name
or address, see docs/model.md)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from zicht.store import Store


@dataclass(frozen=True)
class Example:
    file: str
    row_number: int
    message: str
    fields: list[tuple[str, str]]


@dataclass(frozen=True)
class RuleCount:
    source: str
    rule: str
    rows: int
    examples: list[Example] = field(default_factory=list)


@dataclass(frozen=True)
class LoadCount:
    source: str
    file: str
    rows_in: int
    accepted: int
    quarantined: int


@dataclass(frozen=True)
class SourceLoad:
    """Everything loaded from one source: a case-system export is one file, the
    iJw/iWmo messages of a year are tens of thousands of one-message files."""

    source: str
    files: int
    rows_in: int
    accepted: int
    quarantined: int
    only_file: str  # the file name when the source is one file, else ""


def _fields(record: str | None) -> list[tuple[str, str]]:
    if not record:
        return []
    try:
        data: Any = json.loads(record)
    except ValueError:
        return [("record", record)]
    if not isinstance(data, dict):
        return [("record", str(data))]
    return [(str(k), "" if v is None else str(v)) for k, v in data.items()]


def rule_counts(store: Store, *, examples: int = 3) -> list[RuleCount]:
    """Quarantined rows per source and rule, most frequent first; ``examples`` rows each
    (0 for counts only)."""
    if not store.table_exists("quarantine"):
        return []
    rows = store.fetchall(
        "SELECT source, rule, count(*) AS n FROM quarantine GROUP BY source, rule "
        "ORDER BY n DESC, source, rule"
    )
    out = []
    for source, rule, n in rows:
        shown: list[Example] = []
        if examples > 0:
            picked = store.fetchall(
                "SELECT file, row_number, message, record FROM quarantine "
                "WHERE source = ? AND rule = ? ORDER BY file, row_number LIMIT ?",
                [source, rule, examples],
            )
            shown = [Example(str(f), int(r), str(m), _fields(rec)) for f, r, m, rec in picked]
        out.append(RuleCount(str(source), str(rule), int(n), shown))
    return out


def load_summary(store: Store) -> list[SourceLoad]:
    """Per source, in the order first loaded: files, rows in, accepted, quarantined."""
    if not store.table_exists("load_log"):
        return []
    rows = store.fetchall(
        "SELECT source, count(*), sum(rows_in), sum(accepted), sum(quarantined), "
        "CASE WHEN count(*) = 1 THEN min(file) ELSE '' END "
        "FROM load_log GROUP BY source ORDER BY min(loaded_at), source"
    )
    return [SourceLoad(str(s), int(n), int(i), int(a), int(q), str(f)) for s, n, i, a, q, f in rows]


def files_with_quarantine(store: Store, *, limit: int) -> tuple[list[LoadCount], int]:
    """The files with quarantined rows, most first (at most ``limit``), and how many there
    are in all."""
    if not store.table_exists("load_log"):
        return [], 0
    total = int(store.scalar("SELECT count(*) FROM load_log WHERE quarantined > 0") or 0)
    rows = store.fetchall(
        "SELECT source, file, rows_in, accepted, quarantined FROM load_log "
        "WHERE quarantined > 0 ORDER BY quarantined DESC, file LIMIT ?",
        [limit],
    )
    return [LoadCount(str(s), str(f), int(i), int(a), int(q)) for s, f, i, a, q in rows], total
