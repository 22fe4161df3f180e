"""Read the published snapshot (docs/model.md, "The published layer").

The web app reads only these files, never the canonical database, so this module uses
pyarrow and json and nothing that talks to a database engine. A snapshot is loaded once
and kept until ``published/CURRENT`` names another folder; the refresh engine replaces
``CURRENT`` atomically after the folder is complete, so a reader sees either the old or
the new snapshot, never half of one.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

# Kept here rather than imported from zicht.workspace: that module imports the store
# (and with it the database engine), which the web layer must never load.
PUBLISHED_DIR = "published"
CURRENT_NAME = "CURRENT"
QUALITY_NAME = "quality.json"  # = zicht.indicators.publish.QUALITY_FILE

STATUS_PUBLISHED = "gepubliceerd"
STATUS_SUPPRESSED = "onderdrukt"
STATUS_ROUNDED = "afgerond"
LEVELS = ("gemeente", "wijk", "buurt")


class SnapshotError(Exception):
    """The snapshot named by CURRENT is missing or incomplete."""


@dataclass(frozen=True)
class Cell:
    """One published cube cell; value, numerator and denominator are None when suppressed."""

    indicator_id: str
    level: str
    area_code: str
    period: int
    breakdown: str
    value: float | None
    numerator: float | None
    denominator: float | None
    unit: str
    status: str
    category: str = ""
    """The category of ``breakdown`` (``0-3`` of ``leeftijd``); both empty on a total."""

    @property
    def suppressed(self) -> bool:
        # A cell without a value is never shown as a number, whatever its status says.
        return self.status == STATUS_SUPPRESSED or self.value is None


@dataclass(frozen=True)
class Area:
    level: str
    code: str
    name: str
    parent_code: str | None
    gemeente_code: str | None
    boundary_year: int | None
    geometry: str | None


@dataclass
class Snapshot:
    """One published snapshot, read whole: it is small (aggregates only)."""

    snapshot_id: str
    meta: dict[str, Any]
    indicators: dict[str, dict[str, Any]]
    cells: list[Cell]
    areas: list[Area]
    # (indicator_id, area_code, period) → (CBS value, CBS title, how definitions differ)
    context: dict[tuple[str, str, int], tuple[float, str, str]] = field(default_factory=dict)
    # quality.json: "definition" (Dutch) and per indicator "score" and "sources"
    quality: dict[str, Any] = field(default_factory=dict)
    _by_indicator: dict[str, list[Cell]] = field(default_factory=dict, repr=False)
    _geojson: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        for cell in self.cells:
            self._by_indicator.setdefault(cell.indicator_id, []).append(cell)

    def cells_of(
        self,
        indicator_id: str,
        *,
        level: str | None = None,
        period: int | None = None,
        breakdown: str | None = "",
    ) -> list[Cell]:
        """Cells of one indicator, filtered; ``breakdown=None`` keeps every breakdown."""
        return [
            c
            for c in self._by_indicator.get(indicator_id, [])
            if (level is None or c.level == level)
            and (period is None or c.period == period)
            and (breakdown is None or c.breakdown == breakdown)
        ]

    def quality_score(self, indicator_id: str) -> float | None:
        """The data-quality score of the sources behind every cell of ``indicator_id``."""
        found = self.quality.get("indicators", {}).get(indicator_id, {}).get("score")
        return None if found is None else float(found)

    def quality_sources(self, indicator_id: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = (
            self.quality.get("indicators", {}).get(indicator_id, {}).get("sources", [])
        )
        return found

    @property
    def quality_definition(self) -> str:
        return str(self.quality.get("definition", ""))

    def periods_of(self, indicator_id: str, level: str | None = None) -> list[int]:
        return sorted({c.period for c in self.cells_of(indicator_id, level=level)})

    def areas_at(self, level: str) -> list[Area]:
        """Areas of one level on the published boundary year (all years if unknown)."""
        year = self.meta.get("boundary_year")
        rows = [a for a in self.areas if a.level == level]
        if year and any(a.boundary_year == year for a in rows):
            rows = [a for a in rows if a.boundary_year == year]
        return sorted(rows, key=lambda a: a.code)

    def area_names(self) -> dict[str, str]:
        return {a.code: a.name for a in self.areas}

    @property
    def gemeente_code(self) -> str:
        code = self.meta.get("gemeente_code")
        if code:
            return str(code)
        gemeenten = self.areas_at("gemeente")
        return gemeenten[0].code if gemeenten else ""

    @property
    def gemeente_naam(self) -> str:
        name = self.meta.get("gemeente_naam")
        if name:
            return str(name)
        return self.area_names().get(self.gemeente_code, self.gemeente_code)

    def geojson(self, level: str) -> dict[str, Any]:
        """FeatureCollection of the areas of one level, feature id = area code (cached)."""
        with self._lock:
            if level not in self._geojson:
                features = []
                for area in self.areas_at(level):
                    if not area.geometry:
                        continue
                    geometry = rewind_for_d3(json.loads(area.geometry))
                    features.append(
                        {
                            "type": "Feature",
                            "id": area.code,
                            "properties": {"name": area.name},
                            "geometry": geometry,
                        }
                    )
                self._geojson[level] = {"type": "FeatureCollection", "features": features}
            return self._geojson[level]


def _ring_area(ring: list[list[float]]) -> float:
    """Twice the signed planar area (lon, lat); positive is counter-clockwise."""
    total = 0.0
    for (x1, y1, *_), (x2, y2, *_) in zip(ring, ring[1:] + ring[:1], strict=True):
        total += x1 * y2 - x2 * y1
    return total


def _rewind_polygon(rings: list[list[list[float]]]) -> list[list[list[float]]]:
    out = []
    for i, ring in enumerate(rings):
        # d3-geo (used by Plotly's geo maps) reads rings on the sphere: an exterior ring
        # must run clockwise, holes counter-clockwise. RFC 7946 GeoJSON is the reverse;
        # an exterior ring the wrong way round would fill the whole globe.
        clockwise = _ring_area(ring) < 0
        want_clockwise = i == 0
        out.append(ring if clockwise == want_clockwise else ring[::-1])
    return out


def rewind_for_d3(geometry: dict[str, Any]) -> dict[str, Any]:
    """Return the geometry with ring orientation as d3-geo expects it."""
    kind = geometry.get("type")
    if kind == "Polygon":
        return {"type": kind, "coordinates": _rewind_polygon(geometry["coordinates"])}
    if kind == "MultiPolygon":
        return {
            "type": kind,
            "coordinates": [_rewind_polygon(p) for p in geometry["coordinates"]],
        }
    return geometry


def _optional_float(value: Any) -> float | None:
    return None if value is None else float(value)


def _read_cells(path: Path) -> list[Cell]:
    table: pa.Table = pq.read_table(path)
    cells = []
    for row in table.to_pylist():
        cells.append(
            Cell(
                indicator_id=str(row["indicator_id"]),
                level=str(row["level"]),
                area_code=str(row["area_code"]),
                period=int(row["period"]),
                breakdown=str(row.get("breakdown") or ""),
                value=_optional_float(row["value"]),
                numerator=_optional_float(row["numerator"]),
                denominator=_optional_float(row["denominator"]),
                unit=str(row.get("unit") or ""),
                status=str(row["status"]),
                category=str(row.get("category") or ""),
            )
        )
    return cells


def _read_areas(path: Path) -> list[Area]:
    table: pa.Table = pq.read_table(path)
    areas = []
    for row in table.to_pylist():
        year = row.get("boundary_year")
        areas.append(
            Area(
                level=str(row["level"]),
                code=str(row["code"]),
                name=str(row.get("name") or row["code"]),
                parent_code=row.get("parent_code"),
                gemeente_code=row.get("gemeente_code"),
                boundary_year=None if year is None else int(year),
                geometry=row.get("geometry"),
            )
        )
    return areas


def read_snapshot(folder: Path) -> Snapshot:
    """Read one snapshot folder; raise SnapshotError when a file is missing or broken."""
    try:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        indicators = json.loads((folder / "indicators.json").read_text(encoding="utf-8"))
        cells = _read_cells(folder / "cube.parquet")
        areas = _read_areas(folder / "areas.parquet")
        context = _read_context(folder / "context.parquet")
        quality_path = folder / QUALITY_NAME
        quality = (
            json.loads(quality_path.read_text(encoding="utf-8")) if quality_path.exists() else {}
        )
    except (OSError, ValueError, KeyError, pa.ArrowException) as exc:
        raise SnapshotError(f"{folder}: gepubliceerde gegevens onleesbaar: {exc}") from exc
    return Snapshot(
        snapshot_id=folder.name,
        meta=dict(meta),
        indicators=dict(indicators),
        cells=cells,
        areas=areas,
        context=context,
        quality=dict(quality),
    )


def _read_context(path: Path) -> dict[tuple[str, str, int], tuple[float, str, str]]:
    """CBS figures next to own ones (optional file: only with CBS data loaded)."""
    if not path.exists():
        return {}
    return {
        (r["indicator_id"], r["area_code"], int(r["period"])): (
            float(r["cbs_value"]),
            str(r["cbs_title"]),
            str(r["cbs_note"]),
        )
        for r in pq.read_table(path).to_pylist()
    }


class SnapshotCache:
    """Hands out the current snapshot, reloading it when ``published/CURRENT`` changes."""

    def __init__(self, ws_root: Path) -> None:
        self._published = Path(ws_root) / PUBLISHED_DIR
        self._lock = threading.Lock()
        self._current: Snapshot | None = None

    def _current_name(self) -> str | None:
        try:
            name = (self._published / CURRENT_NAME).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        # CURRENT names a folder inside published/; anything else is not ours to follow.
        if not name or "/" in name or "\\" in name or name in {".", ".."}:
            raise SnapshotError(f"{self._published / CURRENT_NAME}: ongeldige inhoud")
        return name

    def get(self) -> Snapshot | None:
        """The published snapshot, or None when nothing has been published yet."""
        name = self._current_name()
        if name is None:
            return None
        with self._lock:
            if self._current is None or self._current.snapshot_id != name:
                self._current = read_snapshot(self._published / name)
            return self._current
