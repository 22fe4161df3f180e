"""Writing the published layer: a complete snapshot folder, then one atomic swap.

Order of operations (each step durable before the next starts)::

    published/<id>.tmp/{cube,areas}.parquet, indicators.json, meta.json,
                      quality.json                                   (fsync each)
    rename <id>.tmp -> <id>                                              (fsync folder)
    published/CURRENT.tmp  ->  os.replace onto published/CURRENT         (fsync folder)
    remove snapshots older than the newest two, and stale *.tmp leftovers

A crash anywhere before ``os.replace`` leaves CURRENT naming the previous complete
snapshot; after it, the new one. Readers only ever follow CURRENT.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

CURRENT = "CURRENT"
TMP_SUFFIX = ".tmp"
KEEP = 2
QUALITY_FILE = "quality.json"


def new_refresh_id(now: datetime) -> str:
    """Sortable, unique id: UTC time to the microsecond plus a short random tail."""
    return now.strftime("%Y%m%dT%H%M%S%fZ") + "-" + secrets.token_hex(3)


def _fsync_dir(path: Path) -> None:
    # Makes a rename or a new entry durable; not every platform can open a folder.
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write_bytes(path: Path, data: bytes) -> None:
    with open(path, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _write_parquet(path: Path, table: pa.Table) -> None:
    with open(path, "wb") as fh:
        pq.write_table(table, fh, compression="zstd")
        fh.flush()
        os.fsync(fh.fileno())


def _write_json(path: Path, data: Any) -> None:
    text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False) + "\n"
    _write_bytes(path, text.encode("utf-8"))


def write_snapshot(
    published_dir: Path,
    refresh_id: str,
    *,
    cube: pa.Table,
    areas: pa.Table,
    indicators: dict[str, dict[str, Any]],
    meta: dict[str, Any],
    context: pa.Table | None = None,
    quality: dict[str, Any] | None = None,
    extra: dict[str, pa.Table] | None = None,
) -> Path:
    """Write a complete snapshot folder ``published_dir/refresh_id`` (not yet current).

    ``extra`` maps further file names (``keten_*.parquet``) to their gated tables.
    """
    tmp = published_dir / (refresh_id + TMP_SUFFIX)
    final = published_dir / refresh_id
    tmp.mkdir(parents=True)
    _write_parquet(tmp / "cube.parquet", cube)
    _write_parquet(tmp / "areas.parquet", areas)
    _write_json(tmp / "indicators.json", indicators)
    _write_json(tmp / "meta.json", meta)
    if context is not None and context.num_rows:
        _write_parquet(tmp / "context.parquet", context)
    if quality is not None:
        # The data-quality score of each indicator's sources (zicht.quality.lineage).
        _write_json(tmp / QUALITY_FILE, quality)
    for fname, table in (extra or {}).items():
        _write_parquet(tmp / fname, table)
    _fsync_dir(tmp)
    os.rename(tmp, final)
    _fsync_dir(published_dir)
    return final


def make_current(published_dir: Path, refresh_id: str) -> None:
    """Point ``CURRENT`` at ``refresh_id`` in one atomic step."""
    tmp = published_dir / (CURRENT + TMP_SUFFIX)
    _write_bytes(tmp, (refresh_id + "\n").encode("ascii"))
    os.replace(tmp, published_dir / CURRENT)
    _fsync_dir(published_dir)


def current_id(published_dir: Path) -> str | None:
    """The snapshot name ``CURRENT`` holds, or None when nothing was published."""
    try:
        name = (published_dir / CURRENT).read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return None
    return name or None


def snapshot_ids(published_dir: Path) -> list[str]:
    """Complete snapshot folders, oldest first."""
    if not published_dir.is_dir():
        return []
    return sorted(
        p.name for p in published_dir.iterdir() if p.is_dir() and not p.name.endswith(TMP_SUFFIX)
    )


def clean_stale(published_dir: Path) -> None:
    """Remove leftovers of a refresh that died halfway (``*.tmp``)."""
    if not published_dir.is_dir():
        return
    for p in published_dir.iterdir():
        if p.name.endswith(TMP_SUFFIX):
            if p.is_dir():
                shutil.rmtree(p, ignore_errors=True)
            else:
                p.unlink(missing_ok=True)


def prune(published_dir: Path, keep: int = KEEP) -> list[str]:
    """Remove all but the newest ``keep`` snapshots; never the current one."""
    current = current_id(published_dir)
    ids = snapshot_ids(published_dir)
    removed = []
    for name in ids[:-keep] if keep > 0 else ids:
        if name == current:
            continue
        shutil.rmtree(published_dir / name, ignore_errors=True)
        removed.append(name)
    return removed


def discard(published_dir: Path, refresh_id: str) -> None:
    """Remove a snapshot that never became current (after a failed swap)."""
    if current_id(published_dir) == refresh_id:
        return
    for name in (refresh_id, refresh_id + TMP_SUFFIX):
        shutil.rmtree(published_dir / name, ignore_errors=True)
