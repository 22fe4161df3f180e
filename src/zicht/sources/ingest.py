"""``zicht ingest``: export files → canonical tables or quarantine, with a load report.

Per tabular file: resolve the mapping, read (only mapped columns survive), validate
vectorised, pseudonymise, and write canonical rows, chain events, quarantine and the
load_log row in one transaction. iJw/iWmo messages go through zicht.sources.xml_load in
batches. Invariants: ``rows_in == accepted + quarantined``; a file already loaded
(same sha256) changes nothing; a malformed file raises SourceError and writes nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
from tqdm import tqdm

from zicht.errors import MappingError, SourceError
from zicht.quality.rules import TARGET_SPECS
from zicht.quality.validate import validate
from zicht.sources._later import Later, Plan, ready_prefix
from zicht.sources.load import build, cross_checks, quarantine, write
from zicht.sources.mapping import Mapping, load_mapping, mapping_path_for
from zicht.sources.readers import EVENT_PREFIX, read_file
from zicht.store import Store
from zicht.workspace import Workspace

if TYPE_CHECKING:
    from zicht.sources.xml_load import Prefetch


@dataclass
class LoadReport:
    """What one file did to the workspace."""

    file: str
    source: str
    target: str
    rows_in: int
    accepted: int
    quarantined: int
    reasons: dict[str, int]
    skipped: bool = False

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "file": self.file,
            "rows_in": self.rows_in,
            "accepted": self.accepted,
            "quarantined": self.quarantined,
            "reasons": dict(self.reasons),
        }
        if self.skipped:
            out["skipped"] = True
        return out


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(1 << 22):
                digest.update(chunk)
    except OSError:
        raise SourceError(f"{path}: bestand niet gevonden of niet leesbaar") from None
    return digest.hexdigest()


def new_load_id() -> str:
    return uuid.uuid4().hex


def previous_loads(store: Store, shas: Sequence[str]) -> dict[str, LoadReport]:
    """Reports of earlier loads of the same content, by sha256 (one query for many)."""
    if not shas:
        return {}
    name = "__zicht_shas"
    store.register(name, pa.table({"sha": pa.array(list(shas), pa.string())}))
    try:
        rows = store.fetchall(
            "SELECT file_sha256, source, target, rows_in, accepted, quarantined, reasons "
            f"FROM load_log WHERE file_sha256 IN (SELECT sha FROM {name}) ORDER BY loaded_at"
        )
    finally:
        store.unregister(name)
    out: dict[str, LoadReport] = {}
    for sha, *rest in rows:
        if str(sha) in out:
            continue
        reasons = {str(k): int(v) for k, v in json.loads(str(rest[5])).items()}
        out[str(sha)] = LoadReport(
            "",
            str(rest[0]),
            str(rest[1]),
            int(rest[2]),
            int(rest[3]),
            int(rest[4]),
            reasons,
            skipped=True,
        )
    return out


def previous_load(store: Store, sha: str, file: str) -> LoadReport | None:
    """The report of an earlier load of the same content, if any."""
    found = previous_loads(store, [sha]).get(sha)
    if found is not None:
        found.file = file
    return found


def log_table(rows: Sequence[tuple[str, str, str, str, str, LoadReport]]) -> pa.Table:
    """load_log rows: (load_id, source, file, sha256, target, report)."""
    now = datetime.now(UTC)
    return pa.table(
        {
            "load_id": [r[0] for r in rows],
            "source": [r[1] for r in rows],
            "file": [r[2] for r in rows],
            "file_sha256": [r[3] for r in rows],
            "target": [r[4] for r in rows],
            "rows_in": pa.array([r[5].rows_in for r in rows], pa.int64()),
            "accepted": pa.array([r[5].accepted for r in rows], pa.int64()),
            "quarantined": pa.array([r[5].quarantined for r in rows], pa.int64()),
            "reasons": [json.dumps(r[5].reasons, sort_keys=True) for r in rows],
            "loaded_at": pa.array([now] * len(rows), pa.timestamp("us", tz="UTC")),
        }
    )


def expand(files: Sequence[Path]) -> list[Path]:
    """A directory means the files in it, sorted (mapping files and hidden files left out)."""
    out: list[Path] = []
    for f in files:
        f = Path(f)
        if f.is_dir():
            with os.scandir(f) as entries:  # no stat per file (tens of thousands of messages)
                names = sorted(
                    e.name
                    for e in entries
                    if e.is_file()
                    and not e.name.startswith(".")
                    and not e.name.endswith((".mapping.yaml", ".mapping.yml"))
                )
            found = [f / name for name in names]
            if not found:
                raise SourceError(f"{f}: de map bevat geen bestanden om in te lezen")
            out.extend(found)
        elif not f.exists():
            raise SourceError(f"{f}: bestand bestaat niet")
        else:
            out.append(f)
    return out


def _is_message(path: Path) -> bool:
    if path.suffix.lower() != ".xml":
        return False
    try:
        from zicht.sources.istandaarden import detect
    except ImportError:
        raise SourceError(f"{path}: lezer voor iJw/iWmo-berichten ontbreekt") from None
    return bool(detect(path))


def _plan(
    files: list[Path], mapping: Path | None
) -> Iterator[tuple[str, list[Path], Mapping | None]]:
    """Group files: ('table', [f], mapping) or ('xml', [consecutive messages], None)."""
    explicit = load_mapping(mapping) if mapping is not None else None
    batch: list[Path] = []
    for f in files:
        found: Mapping | None = explicit
        if found is None and mapping_path_for(f).is_file():
            found = load_mapping(mapping_path_for(f))
        if found is None and _is_message(f):
            batch.append(f)
            continue
        if batch:
            yield "xml", batch, None
            batch = []
        if found is None:
            raise MappingError(
                f"{f}: geen mapping gevonden (verwacht {mapping_path_for(f).name} "
                "ernaast, of geef --mapping)"
            )
        yield "table", [f], found
    if batch:
        yield "xml", batch, None


def ingest_files(
    ws: Workspace,
    files: Sequence[Path],
    *,
    source: str | None = None,
    mapping: Path | None = None,
    progress: bool = False,
    written: Callable[[], object] | None = None,
) -> list[LoadReport]:
    """Load export files into the workspace; one report per file, in order.

    ``written``: the files from the first folder or message on are still being written
    by another process, and ``written()`` returns once they are complete (or raises).
    The exports before them are loaded at once; a thread waits in ``written()`` and then
    lists, groups and starts parsing the rest, which is loaded after them, in order, as
    without ``written``.

    >>> reports = ingest_files(ws, [Path("brp/bevolking.csv")])  # doctest: +SKIP
    >>> reports[0].rows_in == reports[0].accepted + reports[0].quarantined  # doctest: +SKIP
    True
    """
    files = [Path(f) for f in files]
    ready = len(files) if written is None else ready_prefix(files, mapping)
    later = None
    if ready < len(files):
        assert written is not None
        later = Later(ws, files[ready:], mapping, written, _planned, expand)
    paths = expand(files[:ready])
    reports: list[LoadReport] = []
    plan = _planned(paths, mapping)
    ahead = None
    if any(kind == "xml" for kind, _, _ in plan[1:]) and plan[0][0] == "table":
        # Messages after exports (the demo's order): parse them in worker processes
        # while this process validates and writes the exports.
        from zicht.sources.xml_load import Prefetch

        ahead = Prefetch(ws, [f for kind, group, _ in plan if kind == "xml" for f in group])
    bar = tqdm(total=len(paths), unit="bestand", disable=not progress, leave=False)
    try:
        with ws.store() as store:
            _load_plan(ws, store, plan, ahead, source, bar, reports)
            if later is not None:
                if ahead is not None:
                    ahead.close()
                    ahead = None
                rest, plan, ahead = later.result()
                later = None
                bar.total = len(paths) + len(rest)
                bar.refresh()
                _load_plan(ws, store, plan, ahead, source, bar, reports)
    finally:
        bar.close()
        if later is not None:
            later.abandon()
        if ahead is not None:
            ahead.close()
    return reports


def _planned(paths: list[Path], mapping: Path | None) -> Plan:
    return list(_plan(paths, mapping))


def _load_plan(
    ws: Workspace,
    store: Store,
    plan: Plan,
    ahead: Prefetch | None,
    source: str | None,
    bar: tqdm[Any],
    reports: list[LoadReport],
) -> None:
    for kind, group, found in plan:
        if kind == "xml":
            from zicht.sources.xml_load import load_messages

            reports.extend(
                load_messages(ws, store, group, source=source, bar=bar, prefetched=ahead)
            )
            continue
        assert found is not None
        reports.append(load_table_file(ws, store, group[0], found, source=source))
        bar.update(1)
        bar.set_postfix(rijen=sum(r.rows_in for r in reports))


def load_table_file(
    ws: Workspace, store: Store, path: Path, mapping: Mapping, *, source: str | None = None
) -> LoadReport:
    """Load one tabular file (CSV, XLSX, Parquet, GeoJSON) in one transaction."""
    name = source or mapping.source
    if not name:
        raise MappingError(f"{path}: geen bron: zet source in de mapping of geef --source")
    file = str(path)
    sha = file_sha256(path)
    earlier = previous_load(store, sha, file)
    if earlier is not None:
        return earlier
    raw = read_file(path, mapping).table
    n = raw.num_rows
    load_id = new_load_id()
    raw = raw.append_column("source", pa.repeat(name, n).cast(pa.string()))
    raw = raw.append_column("load_id", pa.repeat(load_id, n).cast(pa.string()))
    raw = raw.append_column("file", pa.repeat(file, n).cast(pa.string()))
    if "law" not in raw.column_names:  # a constant law; otherwise a mapped column
        raw = raw.append_column("law", pa.repeat(mapping.law, n).cast(pa.string()))
    spec = TARGET_SPECS[mapping.target]
    events = [c for c in raw.column_names if c.startswith(EVENT_PREFIX)]
    checked = validate(
        raw,
        spec,
        date_format=mapping.date_format,
        decimal=mapping.decimal,
        key=ws.key(),
        values=mapping.values,
        event_columns=events,
    )
    cross_checks(store, checked, mapping.target, mapping.key_fields())
    tables = build(checked, mapping.target)
    rejected = quarantine(checked, spec)
    report = LoadReport(
        file=file,
        source=name,
        target=mapping.target,
        rows_in=n,
        accepted=int(checked.book.pending.sum()),
        quarantined=rejected.num_rows,
        reasons=checked.book.reasons(),
    )
    write(store, tables, rejected, log_table([(load_id, name, file, sha, mapping.target, report)]))
    if mapping.target == "area":
        _set_gemeente(ws, tables["area"][0].rows())
    return report


def _set_gemeente(ws: Workspace, area: pa.Table) -> None:
    """Fill gemeente_code/naam/boundary_year from the one gemeente feature, if unset."""
    rows = [r for r in area.to_pylist() if r["level"] == "gemeente"]
    if len(rows) != 1:
        return
    row = rows[0]
    if not ws.settings.get_str("gemeente_code"):
        ws.set_setting("gemeente_code", str(row["code"]))
    if not ws.settings.get_str("gemeente_naam"):
        ws.set_setting("gemeente_naam", str(row["name"]))
    if not ws.settings.get_int("boundary_year"):
        ws.set_setting("boundary_year", int(row["boundary_year"]))
