"""Reading the published layer: what pages, API, exports and tests see.

Only Parquet and JSON files are read here; no database engine is imported, so the web
app can serve figures while a refresh or an ingest holds the database.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from zicht.config import Settings
from zicht.errors import WorkspaceError, ZichtError
from zicht.indicators.definitions import load_definitions
from zicht.indicators.engine import LATEST_BOUNDARY_YEAR, indicator_sql
from zicht.indicators.publish import QUALITY_FILE, TMP_SUFFIX, current_id

PUBLISHED_DIR = "published"


class UnknownIndicatorError(ZichtError):
    """No definition has this indicator id."""


@dataclass(frozen=True)
class Snapshot:
    path: Path
    meta: dict[str, Any]
    indicators: dict[str, dict[str, Any]]
    cube: pa.Table
    areas: pa.Table
    quality: dict[str, Any] = field(default_factory=dict)
    """``quality.json``: ``definition`` and per indicator ``score`` and ``sources``;
    empty for a snapshot written before scores were published."""

    def quality_score(self, indicator_id: str) -> float | None:
        """The data-quality score every cell of ``indicator_id`` carries."""
        found = self.quality.get("indicators", {}).get(indicator_id, {}).get("score")
        return None if found is None else float(found)


def load_current(ws_root: Path) -> Snapshot | None:
    """The snapshot ``published/CURRENT`` names; None when nothing was published yet."""
    published = Path(ws_root) / PUBLISHED_DIR
    name = current_id(published)
    if name is None:
        return None
    if "/" in name or "\\" in name or name.startswith(".") or name.endswith(TMP_SUFFIX):
        raise WorkspaceError(f"{published / 'CURRENT'}: ongeldige verwijzing {name!r}")
    path = published / name
    try:
        meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
        indicators = json.loads((path / "indicators.json").read_text(encoding="utf-8"))
        cube = pq.read_table(path / "cube.parquet")
        areas = pq.read_table(path / "areas.parquet")
        quality_path = path / QUALITY_FILE
        quality = (
            json.loads(quality_path.read_text(encoding="utf-8")) if quality_path.exists() else {}
        )
    except (OSError, ValueError) as exc:
        raise WorkspaceError(f"{path}: gepubliceerde stand onleesbaar ({exc})") from None
    return Snapshot(
        path=path, meta=meta, indicators=indicators, cube=cube, areas=areas, quality=quality
    )


def sql_for(
    indicator_id: str,
    settings: Settings,
    *,
    dialect: str = "duckdb",
    definitions_dir: Path | None = None,
) -> str:
    """The SQL behind an indicator, runnable as is on the canonical tables.

    It returns level, area_code, period, value, numerator and denominator for every
    area and period, before the disclosure gate: for analysts with access to the
    workspace, never for publication. Settings appear as integer literals; with no
    ``boundary_year`` configured the latest one in ``area`` is used.
    """
    definitions = load_definitions(definitions_dir)
    if indicator_id not in definitions:
        raise UnknownIndicatorError(f"onbekende indicator {indicator_id!r}")
    by = settings.get_int("boundary_year")
    boundary = str(by) if by else LATEST_BOUNDARY_YEAR
    return indicator_sql(definitions[indicator_id], settings, dialect, boundary) + "\n"
