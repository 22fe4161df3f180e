"""iJw/iWmo messages → canonical tables, in batches.

A gemeente receives tens of thousands of small messages; validating and inserting them
one by one would spend its time on per-file overhead. Messages are therefore read one by
one (zicht.sources.istandaarden) but validated and written per batch of
:data:`BATCH_FILES` files: the records of all messages of a batch form one Arrow table per
target, go through the same vectorised rules as tabular files, and are written in one
transaction together with one ``message`` row and one ``load_log`` row per file.
All or nothing holds per batch. A file that cannot be read raises SourceError; the
messages of its batch read before it are written first, so the outcome equals per-file
transactions.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import re
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
from tqdm import tqdm

from zicht.config import istandaarden_dir
from zicht.errors import SourceError, ZichtError
from zicht.quality.rules import TARGET_SPECS
from zicht.quality.validate import validate
from zicht.sources.ingest import (
    LoadReport,
    file_sha256,
    log_table,
    new_load_id,
    previous_loads,
)
from zicht.sources.istandaarden import ParsedMessage, read_message
from zicht.sources.load import build, cross_checks, quarantine, write
from zicht.sources.targets import Part, Tables
from zicht.store import Store
from zicht.workspace import Workspace

BATCH_FILES = 2000
PARALLEL_FROM = 400  # below this many files a process pool costs more than it saves
_TARGETS = {"toewijzing": "toewijzing", "event": "event", "cost": "xml_cost"}
_SOURCES = {"jeugd": "ijw", "wmo": "iwmo"}
_BSN_LIKE = re.compile(r"(?<![0-9])[0-9]{8,9}(?![0-9])")
_META = ("law", "source", "load_id", "file", "row_number")


@dataclass
class _File:
    path: Path
    sha: str
    load_id: str = ""
    source: str = ""
    msg: ParsedMessage | None = None
    duplicate: bool = False
    message_id: str = ""
    counts: Counter[str] = field(default_factory=Counter)
    accepted: int = 0


class Prefetch:
    """Messages parsed ahead in worker processes while the caller loads other files.

    ``ingest_files`` starts one when messages follow tabular exports in the same call (as
    in the demo): the exports are validated and written by this process, mostly on one
    core, while the workers parse and XSD-validate the messages on the other. Parsing is
    pure, so a message parsed ahead is the message parsed later; a worker that cannot
    start (a script without a ``__main__`` guard) only means the messages are parsed
    when their turn comes.
    """

    CHUNK = 64

    def __init__(self, ws: Workspace, paths: Sequence[Path] = (), *, warm: bool = False) -> None:
        """``warm``: start the workers now (spawned, imports done, XSDs compiled), even
        before any path is known; :meth:`add` gives them the paths later."""
        self.xsd_dir = istandaarden_dir(ws.settings)
        self._pool = _pool() if warm or len(paths) >= PARALLEL_FROM else None
        self._where: dict[str, tuple[Future[list[ParsedMessage | SourceError]], int]] = {}
        if self._pool is not None and warm:
            for _ in range(os.cpu_count() or 1):
                self._pool.submit(_warm, self.xsd_dir)
        self.add(paths)

    def add(self, paths: Sequence[Path]) -> None:
        """Parse these files too (in chunks, in this order)."""
        if self._pool is None:
            return
        for start in range(0, len(paths), self.CHUNK):
            chunk = [str(p) for p in paths[start : start + self.CHUNK]]
            future = self._pool.submit(_read_chunk, chunk, self.xsd_dir)
            for i, name in enumerate(chunk):
                self._where[name] = (future, i)

    def get(self, path: Path) -> ParsedMessage | SourceError | None:
        """The parsed message (or its error); None when it was not parsed ahead."""
        found = self._where.get(str(path))
        if found is None:
            return None
        future, i = found
        try:
            return future.result()[i]
        except BrokenProcessPool:
            return None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        self._where.clear()


def _warm(xsd_dir: Path | None) -> None:
    """Compile the XSDs of the messages the demo writes (a worker keeps them)."""
    if xsd_dir is None:
        return
    from zicht.sources import _xml_schema

    for folder, prefix in (("ijw", "JW"), ("iwmo", "WMO")):
        for kind in ("301", "305", "307"):
            try:
                _xml_schema.schema_for(xsd_dir, folder, prefix + kind)
            except ZichtError:  # a missing XSD folder is reported when a message needs it
                return


def _read_chunk(paths: list[str], xsd_dir: Path | None) -> list[ParsedMessage | SourceError]:
    return [_read_one(Path(p), xsd_dir) for p in paths]


def load_messages(
    ws: Workspace,
    store: Store,
    files: Sequence[Path],
    *,
    source: str | None = None,
    bar: tqdm[Any] | None = None,
    prefetched: Prefetch | None = None,
) -> list[LoadReport]:
    """Load iJw/iWmo message files; one report per file, in order."""
    xsd_dir = istandaarden_dir(ws.settings)
    reports: list[LoadReport] = []
    pool = _pool() if len(files) >= PARALLEL_FROM and prefetched is None else None
    try:
        for start in range(0, len(files), BATCH_FILES):
            chunk = files[start : start + BATCH_FILES]
            reports.extend(_load_batch(ws, store, chunk, xsd_dir, source, pool, prefetched))
            if bar is not None:
                bar.update(len(chunk))
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
    return reports


def _load_batch(
    ws: Workspace,
    store: Store,
    files: Sequence[Path],
    xsd_dir: Path | None,
    source: str | None,
    pool: ProcessPoolExecutor | None,
    prefetched: Prefetch | None = None,
) -> list[LoadReport]:
    out: dict[int, LoadReport] = {}
    todo: list[tuple[int, _File]] = []
    seen: dict[str, int] = {}
    failure: SourceError | None = None
    shas = [file_sha256(path) for path in files]
    earlier_loads = previous_loads(store, shas)
    wanted: dict[str, Path] = {}
    for path, sha in zip(files, shas, strict=True):
        if sha not in earlier_loads and sha not in wanted:
            wanted[sha] = path
    parsed: dict[str, ParsedMessage | SourceError] = {}
    rest: list[Path] = []
    for path in wanted.values():
        ahead = prefetched.get(path) if prefetched is not None else None
        if ahead is None:
            rest.append(path)
        else:
            parsed[str(path)] = ahead
    parsed.update(_read_many(rest, xsd_dir, pool))
    for i, path in enumerate(files):
        sha = shas[i]
        earlier = earlier_loads.get(sha)
        if earlier is not None:
            out[i] = replace(earlier, file=str(path))
            continue
        if sha in seen:  # the same content twice in this batch: the first one counts
            continue
        result = parsed[str(wanted[sha])]
        if isinstance(result, SourceError):
            failure = result
            break
        msg = result
        seen[sha] = i
        f = _File(path, sha, new_load_id(), source or _SOURCES.get(msg.law, msg.law), msg)
        todo.append((i, f))
    if todo:
        _process(ws, store, [f for _, f in todo])
        for i, f in todo:
            out[i] = _report(f)
    if failure is not None:
        raise failure
    for i, path in enumerate(files):  # duplicates within the batch mirror their first copy
        if i not in out:
            first = out[seen[shas[i]]]
            out[i] = LoadReport(
                str(path),
                first.source,
                first.target,
                first.rows_in,
                first.accepted,
                first.quarantined,
                dict(first.reasons),
                True,
            )
    return [out[i] for i in range(len(files))]


def _read_one(path: Path, xsd_dir: Path | None) -> ParsedMessage | SourceError:
    try:
        return read_message(path, xsd_dir)
    except SourceError as exc:
        return exc


def _pool() -> ProcessPoolExecutor | None:
    """Worker processes for parsing, spawned (not forked: the parent holds database
    threads); None on a single core."""
    cores = os.cpu_count() or 1
    if cores < 2:
        return None
    return ProcessPoolExecutor(max_workers=cores, mp_context=mp.get_context("spawn"))


def _read_many(
    paths: list[Path], xsd_dir: Path | None, pool: ProcessPoolExecutor | None
) -> dict[str, ParsedMessage | SourceError]:
    """Parse and validate messages, on every core when a pool is given.

    Parsing and XSD validation are CPU-bound and per file; results keep their file, so
    the outcome is the same as reading them one by one.
    """
    if pool is None or len(paths) < PARALLEL_FROM // 4:
        return {str(p): _read_one(p, xsd_dir) for p in paths}
    try:
        results = list(pool.map(_read_one, paths, [xsd_dir] * len(paths), chunksize=64))
    except BrokenProcessPool:
        # A worker could not start (e.g. a calling script without a __main__ guard,
        # which spawned workers re-import): the same work, one file after another.
        return {str(p): _read_one(p, xsd_dir) for p in paths}
    return {str(p): r for p, r in zip(paths, results, strict=True)}


def _report(f: _File) -> LoadReport:
    assert f.msg is not None
    rows_in = max(1, len(f.msg.records))
    quarantined = sum(f.counts.values())
    return LoadReport(
        str(f.path),
        f.source,
        f.msg.target or "message",
        rows_in,
        rows_in - quarantined,
        quarantined,
        dict(sorted(f.counts.items())),
    )


def _message_ids(store: Store, files: list[_File]) -> None:
    """Stored message_id per file; a message already read (same sender, type and id)
    is a duplicate. The same id from another sender or of another type is kept under
    ``<sender>:<type>:<id>``, because message_id is the message table's key."""
    existing = (
        {
            str(r[0]): (r[1], r[2])
            for r in store.fetchall("SELECT message_id, sender, message_type FROM message")
        }
        if files
        else {}
    )
    for f in files:
        assert f.msg is not None
        m = f.msg
        ident = m.message_id
        for candidate in (ident, f"{m.sender}:{m.message_type}:{ident}"):
            other = existing.get(candidate)
            if other is None:
                f.message_id = candidate
                existing[candidate] = (m.sender, m.message_type)
                break
            if other == (m.sender, m.message_type):
                f.duplicate = True
                break
        else:
            f.duplicate = True


def _process(ws: Workspace, store: Store, files: list[_File]) -> None:
    _message_ids(store, files)
    key = ws.key()
    tables: Tables = {}
    rejected: list[pa.Table] = []
    for kind, target in _TARGETS.items():
        members = [(n, f) for n, f in enumerate(files) if f.msg and f.msg.target == kind]
        rows = _records(members, target)
        if rows is None:
            continue
        raw, file_idx, schema_errors, dup = rows
        spec = TARGET_SPECS[target]
        checked = validate(
            raw, spec, date_format="%Y-%m-%d", decimal=".", key=key, schema_errors=schema_errors
        )
        cross_checks(store, checked, target, spec.key)
        checked.book.fail(
            "duplicate_row",
            dup,
            field="bericht",
            value=pa.array(["al eerder ingelezen"] * raw.num_rows),
        )
        for name, parts in build(checked, target).items():
            tables.setdefault(name, []).extend(parts)
        rejected.append(quarantine(checked, spec))
        bad = checked.book.rejected()
        for n, rule in zip(file_idx[bad].tolist(), checked.book.rule_names(bad), strict=True):
            files[n].counts[rule] += 1
    rejected.extend(_recordless(files))
    messages = [f for f in files if not f.duplicate]
    assert all(f.msg is not None for f in messages)
    tables.setdefault("message", []).append(Part(_message_table(messages)))
    log = log_table(
        [
            (
                f.load_id,
                f.source,
                str(f.path),
                f.sha,
                (f.msg.target if f.msg else None) or "message",
                _report(f),
            )
            for f in files
        ]
    )
    write(store, tables, pa.concat_tables(rejected) if rejected else _empty_quarantine(), log)


def _records(
    members: list[tuple[int, _File]], target: str
) -> tuple[pa.Table, np.ndarray, pa.Array, np.ndarray] | None:
    fields = tuple(f for f in TARGET_SPECS[target].fields if f not in _META)
    cols: dict[str, list[str | None]] = {name: [] for name in (*fields, *_META)}
    file_idx: list[int] = []
    errors: list[str | None] = []
    dup: list[bool] = []
    for n, f in members:
        m = f.msg
        assert m is not None
        error = None if m.schema_error is None else _BSN_LIKE.sub("***", m.schema_error)
        for rec in m.records:
            for name in fields:
                cols[name].append(rec.get(name))
            if target == "toewijzing" and not rec.get("assigned_date"):
                cols["assigned_date"][-1] = m.dagtekening
            cols["law"].append(m.law)
            cols["source"].append(f.source)
            cols["load_id"].append(f.load_id)
            cols["file"].append(str(f.path))
            cols["row_number"].append(rec.get("row_number") or "1")
            file_idx.append(n)
            errors.append(error)
            dup.append(f.duplicate)
    if not file_idx:
        return None
    table = pa.table({k: pa.array(v, pa.string()) for k, v in cols.items()})
    row_number = pa.array([int(x or 1) for x in cols["row_number"]], pa.int64())
    table = table.set_column(table.column_names.index("row_number"), "row_number", row_number)
    return table, np.array(file_idx), pa.array(errors, pa.string()), np.array(dup, dtype=bool)


def _recordless(files: list[_File]) -> list[pa.Table]:
    """Messages whose records are not modelled (302, 316, ...) count as one row: accepted
    (the message row) unless their schema fails or they were read before."""
    rows: list[dict[str, Any]] = []
    for f in files:
        m = f.msg
        assert m is not None
        if m.target is not None and m.records:
            continue
        rule, text = None, ""
        if m.schema_error is not None:
            rule = "schema_invalid"
            text = "bericht voldoet niet aan het XSD: " + _BSN_LIKE.sub("***", m.schema_error)
        elif f.duplicate:
            rule, text = "duplicate_row", "bericht is al eerder ingelezen"
        if rule is None:
            continue
        f.counts[rule] += 1
        record = f'{{"message_type": "{m.message_type}"}}'
        rows.append(
            {
                "load_id": f.load_id,
                "source": f.source,
                "file": str(f.path),
                "row_number": 1,
                "rule": rule,
                "message": text,
                "record": record,
            }
        )
    return [pa.Table.from_pylist(rows, schema=_QUARANTINE)] if rows else []


_QUARANTINE = pa.schema(
    [
        ("load_id", pa.string()),
        ("source", pa.string()),
        ("file", pa.string()),
        ("row_number", pa.int64()),
        ("rule", pa.string()),
        ("message", pa.string()),
        ("record", pa.string()),
    ]
)


def _empty_quarantine() -> pa.Table:
    return _QUARANTINE.empty_table()


def _message_table(files: list[_File]) -> pa.Table:
    msgs = [f.msg for f in files if f.msg is not None]
    dagtekening = pa.array([m.dagtekening for m in msgs], pa.string())
    from zicht.quality.parse import parse_dates

    dates, _ = parse_dates(dagtekening, "%Y-%m-%d")
    return pa.table(
        {
            "message_id": [f.message_id for f in files],
            "message_type": [m.message_type for m in msgs],
            "sender": pa.array([m.sender for m in msgs], pa.string()),
            "receiver": pa.array([m.receiver for m in msgs], pa.string()),
            "dagtekening": dates,
            "records": pa.array([len(m.records) for m in msgs], pa.int32()),
            "load_id": [f.load_id for f in files],
        }
    )
