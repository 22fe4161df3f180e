"""Incremental refresh: recompute only the indicators a changed source touches.

Every canonical table gets a fingerprint: its rows per ``load_id`` (ingest only ever
adds rows under a new load id, and a re-load of the same file adds none). An
indicator's fingerprint combines its definition, the workspace settings, the boundary
year and the fingerprints of the tables its SQL reads (found by name in its facts, plus
``area`` and ``person_period``, which the engine always reads). When that fingerprint
is unchanged, the indicator's cells from the previous refresh (before the gate) are
reused from ``WORKSPACE/cache/indicators/``; otherwise it is computed again. The gate
then runs over all of them and the keten stapeling cells (tables may be gated together,
``gate_linked_tables``), unless exactly the same cells and settings were gated before:
:func:`gated_fingerprint` keys that result in ``WORKSPACE/cache/gated/``.

The cache is a convenience: a missing or unreadable file only means recomputation.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from zicht.config import Settings
from zicht.indicators.definitions import IndicatorDefinition
from zicht.model.schema import TABLES
from zicht.store import Store

CACHE_DIR = Path("cache") / "indicators"
CACHE_VERSION = "3"
"""Bumped whenever the engine or the gate changes what a cached cell holds."""

ALWAYS_READ = ("area", "person_period")


def table_fingerprints(store: Store, tables: Iterable[str]) -> dict[str, str]:
    """A short hash of each table's (load_id, rows) pairs."""
    out: dict[str, str] = {}
    for name in sorted(set(tables)):
        if name not in TABLES:  # only canonical table names ever reach the SQL
            continue
        rows = store.fetchall(
            f"SELECT load_id, count(*) FROM {name} GROUP BY load_id ORDER BY load_id"
        )
        text = ";".join(f"{r[0]}={int(r[1])}" for r in rows)
        out[name] = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    return out


def tables_named(definition: IndicatorDefinition) -> set[str]:
    """The canonical tables an indicator's ``facts`` name, directly or through one of
    the engine's shared relations (``provision_period`` reads ``provision``)."""
    from zicht.indicators.engine import SHARED_SOURCES, shared_named

    named = {t for t in TABLES if re.search(rf"\b{t}\b", definition.facts)}
    for name in shared_named(definition):
        named.update(SHARED_SOURCES[name])
    return named


def tables_read(definition: IndicatorDefinition) -> set[str]:
    """The canonical tables an indicator's SQL reads (the engine adds areas and people)."""
    return tables_named(definition) | set(ALWAYS_READ)


def fingerprint(
    definition: IndicatorDefinition,
    settings: Settings,
    boundary_year: int,
    tables: dict[str, str],
) -> str:
    payload = {
        "version": CACHE_VERSION,
        "definition": definition.model_dump(mode="json"),
        "settings": {k: str(v) for k, v in sorted(settings.values.items())},
        "boundary_year": boundary_year,
        "tables": {t: tables.get(t, "") for t in sorted(tables_read(definition))},
    }
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


def _path(root: Path, indicator_id: str) -> Path:
    return root / CACHE_DIR / f"{indicator_id}.parquet"


def load(root: Path, indicator_id: str, fp: str, schema: pa.Schema) -> pa.Table | None:
    """The cached gated cells of an indicator, if they were made from ``fp``."""
    path = _path(root, indicator_id)
    try:
        table = pq.read_table(path)
    except (OSError, ValueError, pa.ArrowException):
        return None
    meta = table.schema.metadata or {}
    if meta.get(b"zicht_fingerprint") != fp.encode("ascii"):
        return None
    try:
        return table.select(schema.names).cast(schema).replace_schema_metadata(None)
    except (KeyError, ValueError, pa.ArrowException):
        return None


def store_cells(root: Path, indicator_id: str, fp: str, cells: pa.Table) -> None:
    """Keep an indicator's gated cells for the next refresh (written atomically)."""
    path = _path(root, indicator_id)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".parquet.tmp")
        pq.write_table(cells.replace_schema_metadata({"zicht_fingerprint": fp}), tmp)
        os.replace(tmp, path)
    except OSError:
        pass  # a cache that cannot be written only costs time next refresh


GATED_CACHE_DIR = Path("cache") / "gated"


def gated_fingerprint(tables: Iterable[pa.Table], settings: Settings) -> str:
    """A hash of the gate's input: the ungated cells themselves, the settings and the
    code of the gate."""
    from zicht.privacy import _hierarchy, disclosure, linked, secondary

    digest = hashlib.sha256(CACHE_VERSION.encode("ascii"))
    for module in (_hierarchy, disclosure, linked, secondary):
        digest.update(Path(str(module.__file__)).read_bytes())
    digest.update(json.dumps(sorted(settings.values.items()), default=str).encode("utf-8"))
    for table in tables:
        # The same cells, however they are chunked or came to be (computed, or read
        # back from this cache), give the same bytes.
        digest.update(str(table.schema.remove_metadata()).encode("utf-8"))
        for column in table.columns:
            for part in _canonical(column.combine_chunks()):
                digest.update(part)
    return digest.hexdigest()[:24]


def _canonical(array: pa.Array) -> list[bytes]:
    """The values of ``array`` as bytes that do not depend on how it was built: which
    rows are null, and the values with nulls as zero or empty (Arrow leaves the bytes
    under a null undefined, and a column without nulls may or may not carry a bitmap)."""
    valid = np.asarray(pc.is_valid(array).to_numpy(zero_copy_only=False), dtype=bool)
    if pa.types.is_string(array.type) or pa.types.is_large_string(array.type):
        filled = pc.fill_null(array, "")
        width = 8 if pa.types.is_large_string(array.type) else 4
        offsets = np.frombuffer(filled.buffers()[1], dtype=f"<i{width}")
        offsets = offsets[filled.offset : filled.offset + len(filled) + 1]
        data = filled.buffers()[2]
        body = b"" if data is None else data.to_pybytes()[int(offsets[0]) : int(offsets[-1])]
        return [valid.tobytes(), (offsets - offsets[0]).tobytes(), body]
    if pa.types.is_dictionary(array.type):
        return _canonical(array.cast(array.type.value_type))
    zero = False if pa.types.is_boolean(array.type) else 0
    filled = pc.fill_null(array, pa.scalar(zero).cast(array.type)) if array.null_count else array
    return [valid.tobytes(), np.asarray(filled.to_numpy(zero_copy_only=False)).tobytes()]


KETEN_CACHE_DIR = Path("cache") / "keten"
KETEN_CACHE_VERSION = "2"
"""Bumped whenever the chain analyses or their gate change what a cached table holds."""


def keten_fingerprint(
    settings: Settings, boundary_year: int, tables: dict[str, str], code: str
) -> str:
    """The inputs of the keten tables: every canonical table (the chain, stapeling, signal
    and quality analyses between them read nearly all of them, and ``load_log`` also
    changes with every CBS or story load), the settings, the boundary year and ``code``,
    a hash of the modules that compute and gate them."""
    payload = {
        "version": KETEN_CACHE_VERSION,
        "code": code,
        "settings": {k: str(v) for k, v in sorted(settings.values.items())},
        "boundary_year": boundary_year,
        "tables": {t: tables.get(t, "") for t in sorted(TABLES)},
    }
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


def load_tables(
    root: Path, names: Iterable[str], fp: str, folder: Path = KETEN_CACHE_DIR
) -> dict[str, pa.Table] | None:
    """The cached keten (or gated) tables, if every one of them was made from ``fp``."""
    out: dict[str, pa.Table] = {}
    for name in names:
        try:
            table = pq.read_table(root / folder / f"{name}.parquet")
        except (OSError, ValueError, pa.ArrowException):
            return None
        meta = table.schema.metadata or {}
        if meta.get(b"zicht_fingerprint") != fp.encode("ascii"):
            return None
        rest = {k: v for k, v in meta.items() if k != b"zicht_fingerprint"}
        out[name] = table.replace_schema_metadata(rest or None)
    return out


def store_tables(
    root: Path, tables: dict[str, pa.Table], fp: str, folder: Path = KETEN_CACHE_DIR
) -> None:
    """Keep the keten (or gated) tables for the next refresh (each written atomically)."""
    try:
        where = root / folder
        where.mkdir(parents=True, exist_ok=True)
        for name, table in tables.items():
            path = where / f"{name}.parquet"
            tmp = path.with_suffix(".parquet.tmp")
            meta = dict(table.schema.metadata or {})
            meta[b"zicht_fingerprint"] = fp.encode("ascii")
            pq.write_table(table.replace_schema_metadata(meta), tmp)
            os.replace(tmp, path)
    except OSError:
        pass  # a cache that cannot be written only costs time next refresh
