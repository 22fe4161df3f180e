"""JSON and CSV of the published cells (the same disclosure gate as the pages).

A suppressed cell is listed with status ``onderdrukt`` and value, numerator and
denominator null (empty in CSV): the API can only hand out what the snapshot holds.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse, Response

from zicht.model.published import EXPORT_COLUMNS
from zicht.reports.csvw import SUFFIX, definition_record, metadata_bytes
from zicht.web._snapshot import LEVELS, STATUS_SUPPRESSED, Cell, Snapshot, SnapshotCache
from zicht.web.access import audit, public, require

router = APIRouter(prefix="/api")

CSV_COLUMNS = EXPORT_COLUMNS


def _snapshot(request: Request) -> Snapshot:
    cache: SnapshotCache = request.app.state.snapshots
    snapshot = cache.get()
    if snapshot is None:
        raise HTTPException(404, "Er is nog niets gepubliceerd; draai eerst `zicht refresh`.")
    return snapshot


def _cells(
    snapshot: Snapshot, indicator_id: str, niveau: str | None, jaar: str | None
) -> list[Cell]:
    if indicator_id not in snapshot.indicators:
        raise HTTPException(404, f"De indicator ‘{indicator_id}’ bestaat niet.")
    if niveau is not None and niveau != "" and niveau not in LEVELS:
        raise HTTPException(400, "Niveau moet gemeente, wijk of buurt zijn.")
    if jaar is not None and jaar != "" and not jaar.isdigit():
        raise HTTPException(400, "Jaar moet een jaartal zijn, bijvoorbeeld 2024.")
    cells = snapshot.cells_of(
        indicator_id,
        level=niveau or None,
        period=int(jaar) if jaar else None,
        breakdown=None,
    )
    order = {level: i for i, level in enumerate(LEVELS)}
    return sorted(
        cells,
        key=lambda c: (order.get(c.level, 9), c.area_code, c.period, c.breakdown, c.category),
    )


def cell_record(
    cell: Cell, names: dict[str, str], quality_score: float | None = None
) -> dict[str, Any]:
    """One cell as the API gives it; a suppressed cell carries no figure at all.
    ``quality_score`` is the data-quality score of the cell's sources."""
    hidden = cell.suppressed
    return {
        "indicator_id": cell.indicator_id,
        "level": cell.level,
        "area_code": cell.area_code,
        "area_name": names.get(cell.area_code, ""),
        "period": cell.period,
        "breakdown": cell.breakdown,
        "category": cell.category,
        "value": None if hidden else cell.value,
        "numerator": None if hidden else cell.numerator,
        "denominator": None if hidden else cell.denominator,
        "unit": cell.unit,
        "status": STATUS_SUPPRESSED if hidden else cell.status,
        "quality_score": quality_score,
    }


def _csv_text(value: object) -> str:
    """Empty for null; whole numbers without a trailing ".0"; a dot as decimal mark."""
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _export_what(indicator_id: str, niveau: str | None, jaar: str | None, kind: str) -> str:
    return f"{indicator_id} niveau={niveau or 'alle'} jaar={jaar or 'alle'} ({kind})"


@router.get("/health", dependencies=[Depends(public)])
def health(request: Request) -> dict[str, Any]:
    cache: SnapshotCache = request.app.state.snapshots
    snapshot = cache.get()
    if snapshot is None:
        return {"status": "ok", "published": False, "refresh_id": None}
    return {
        "status": "ok",
        "published": True,
        "refresh_id": snapshot.meta.get("refresh_id", snapshot.snapshot_id),
        "indicators": len(snapshot.indicators),
    }


@router.get("/indicators", dependencies=[Depends(require())])
def indicators(request: Request) -> dict[str, Any]:
    """Every published indicator with its definition."""
    snapshot = _snapshot(request)
    return {"refresh_id": snapshot.meta.get("refresh_id"), "indicators": snapshot.indicators}


# Declared before the JSON route: "{indicator_id}" alone would also match "x.csv".
@router.get("/indicator/{indicator_id}.csv" + SUFFIX, dependencies=[Depends(require())])
def indicator_csv_metadata(request: Request, indicator_id: str) -> Response:
    """The CSVW metadata of the CSV below: its definition, columns and dialect."""
    snapshot = _snapshot(request)
    if indicator_id not in snapshot.indicators:
        raise HTTPException(404, f"De indicator ‘{indicator_id}’ bestaat niet.")
    body = metadata_bytes(
        f"{indicator_id}.csv",
        definition_record(snapshot, indicator_id),
        dutch=False,
        refresh_id=snapshot.meta.get("refresh_id", snapshot.snapshot_id),
        min_cell_count=snapshot.meta.get("min_cell_count"),
    )
    return Response(body, media_type="application/csvm+json")


@router.get("/indicator/{indicator_id}.csv", dependencies=[Depends(require())])
def indicator_csv(
    request: Request, indicator_id: str, niveau: str | None = None, jaar: str | None = None
) -> Response:
    snapshot = _snapshot(request)
    names = snapshot.area_names()
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    quality = snapshot.quality_score(indicator_id)
    for cell in _cells(snapshot, indicator_id, niveau, jaar):
        record = cell_record(cell, names, quality)
        writer.writerow({k: _csv_text(record[k]) for k in CSV_COLUMNS})
    audit(request, "export", _export_what(indicator_id, niveau, jaar, "csv"))
    parts = [indicator_id, niveau or "", jaar or ""]
    filename = "zicht_" + "_".join(p for p in parts if p) + ".csv"
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            # CSVW: where a processor finds the definition and how to read the columns.
            "Link": f'<{indicator_id}.csv{SUFFIX}>; rel="describedby"; '
            'type="application/csvm+json"',
        },
    )


@router.get("/indicator/{indicator_id}", dependencies=[Depends(require())])
def indicator_json(
    request: Request, indicator_id: str, niveau: str | None = None, jaar: str | None = None
) -> JSONResponse:
    snapshot = _snapshot(request)
    names = snapshot.area_names()
    cells = _cells(snapshot, indicator_id, niveau, jaar)
    audit(request, "export", _export_what(indicator_id, niveau, jaar, "json"))
    return JSONResponse(
        {
            "indicator_id": indicator_id,
            "indicator": snapshot.indicators[indicator_id],
            "refresh_id": snapshot.meta.get("refresh_id", snapshot.snapshot_id),
            "min_cell_count": snapshot.meta.get("min_cell_count"),
            "quality": {
                "score": snapshot.quality_score(indicator_id),
                "definition": snapshot.quality_definition,
                "sources": snapshot.quality_sources(indicator_id),
            },
            "cells": [cell_record(c, names, snapshot.quality_score(indicator_id)) for c in cells],
        }
    )
