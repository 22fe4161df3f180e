"""`zicht export`: published cells of one indicator as CSV, XLSX or JSON.

Reads only the published snapshot and passes every row through the disclosure gate's
final check, so an export can never carry a figure the dashboard would not show.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from zicht.errors import ZichtError
from zicht.model.published import EXPORT_COLUMNS, EXPORT_TITLES_NL
from zicht.reports.csvw import definition_record
from zicht.workspace import Workspace

COLUMNS = EXPORT_COLUMNS


def published_rows(
    ws: Workspace, indicator_id: str, *, level: str | None = None, period: int | None = None
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The definition and the gated cells of one indicator, in a stable order."""
    from zicht.indicators.published import load_current
    from zicht.privacy.disclosure import assert_gated, zeros_of

    snap = load_current(ws.root)
    if snap is None:
        raise ZichtError("er is nog niets gepubliceerd; draai eerst `zicht refresh`")
    if indicator_id not in snap.indicators:
        known = ", ".join(sorted(snap.indicators))
        raise ZichtError(f"onbekende indicator {indicator_id!r}; bekend: {known}")
    cube: pa.Table = snap.cube
    mask = pc.equal(cube["indicator_id"], indicator_id)
    if level is not None:
        mask = pc.and_(mask, pc.equal(cube["level"], level))
    if period is not None:
        mask = pc.and_(mask, pc.equal(cube["period"], period))
    cells = cube.filter(mask)
    assert_gated(cells, int(snap.meta.get("min_cell_count", 10)), zeros_of(snap.indicators))
    names = dict(zip(snap.areas["code"].to_pylist(), snap.areas["name"].to_pylist(), strict=True))
    quality = snap.quality_score(indicator_id)
    rows = []
    for rec in cells.to_pylist():
        rec["area_name"] = names.get(rec["area_code"], "")
        rec["quality_score"] = quality
        rec["breakdown"] = rec.get("breakdown") or ""  # "" and "" = the area's total
        rec["category"] = rec.get("category") or ""
        rows.append({c: rec.get(c) for c in COLUMNS})
    level_order = {"gemeente": 0, "wijk": 1, "buurt": 2}
    rows.sort(
        key=lambda r: (
            r["period"], level_order.get(r["level"], 9), r["area_code"],
            r["breakdown"], r["category"],
        )
    )  # fmt: skip
    return definition_record(snap, indicator_id), rows


def csv_metadata(ws: Workspace, indicator_id: str, csv_name: str) -> bytes:
    """The CSVW metadata (:mod:`zicht.reports.csvw`) of the CSV ``export_indicator``
    writes for ``indicator_id``, saved as ``csv_name``: the definition that goes with
    the figures, and how to read them."""
    from zicht.indicators.published import load_current
    from zicht.reports.csvw import metadata_bytes

    snap = load_current(ws.root)
    if snap is None:
        raise ZichtError("er is nog niets gepubliceerd; draai eerst `zicht refresh`")
    if indicator_id not in snap.indicators:
        raise ZichtError(f"onbekende indicator {indicator_id!r}")
    return metadata_bytes(
        csv_name,
        definition_record(snap, indicator_id),
        dutch=True,
        refresh_id=snap.meta.get("refresh_id"),
        min_cell_count=snap.meta.get("min_cell_count"),
    )


def _nl_number(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}".replace(".", ",")
    return str(value)


def export_indicator(
    ws: Workspace,
    indicator_id: str,
    *,
    level: str | None = None,
    period: int | None = None,
    fmt: str = "csv",
) -> bytes:
    definition, rows = published_rows(ws, indicator_id, level=level, period=period)
    if fmt == "json":
        doc = {"indicator": definition, "cells": rows}
        return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    if fmt == "csv":
        # Dutch Excel opens `;` with decimal comma and a BOM without an import wizard.
        buf = io.StringIO()
        writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
        writer.writerow([EXPORT_TITLES_NL[c] for c in COLUMNS])
        for r in rows:
            writer.writerow([_nl_number(r[c]) for c in COLUMNS])
        return ("\ufeff" + buf.getvalue()).encode("utf-8")
    if fmt == "xlsx":
        return _xlsx(definition, rows)
    raise ZichtError(f"onbekend formaat {fmt!r} (csv, xlsx of json)")


def _xlsx(definition: dict[str, Any], rows: list[dict[str, Any]]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    sheet = wb.create_sheet("Cijfers")
    sheet.append([EXPORT_TITLES_NL[c] for c in COLUMNS])
    for r in rows:
        sheet.append([r[c] for c in COLUMNS])
    about = wb.create_sheet("Definitie")
    for key, value in definition.items():
        if key == "datakwaliteit":
            about.append(["datakwaliteit", value["score"]])
            about.append(["datakwaliteit_uitleg", value["uitleg"]])
            for src in value["bronnen"]:
                about.append([f"datakwaliteit_bron {src['source']}", src["score"]])
            continue
        text = value if isinstance(value, str | int | float) else json.dumps(value)
        about.append([key, text])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
