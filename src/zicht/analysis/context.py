"""CBS context next to the gemeente's own figures.

For every own indicator with a CBS counterpart (``defaults/cbs_kwb.yaml``,
``counterparts``) and every area and year the workspace has CBS figures for, the CBS
value in the unit of the own indicator. CBS figures are public and already
disclosure-controlled by CBS; they are published as CBS published them (a ratio of two
CBS counts is computed from the rounded counts, as CBS does).
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from zicht.sources.cbs import kwb_config
from zicht.store import Store

SCHEMA = pa.schema(
    [
        ("indicator_id", pa.string()),
        ("area_code", pa.string()),
        ("period", pa.int32()),
        ("cbs_value", pa.float64()),
        ("cbs_title", pa.string()),
        ("cbs_note", pa.string()),
    ]
)


def counterparts() -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = kwb_config().get("counterparts", {})
    return found


def context_cells(store: Store, area_codes: list[str]) -> pa.Table:
    """CBS values per (own indicator, area, year) for the given areas, and for every
    other gemeente (gemeente level only) the workspace has CBS figures of: those are
    what the own gemeente is compared with on the similar-gemeenten page
    (:mod:`zicht.analysis.peers`). Empty without CBS data in the workspace."""
    if not area_codes or not store.table_exists("cbs_context"):
        return SCHEMA.empty_table()
    store.register("__areas", pa.table({"code": pa.array(area_codes, pa.string())}))
    try:
        rows = store.fetchall(
            "SELECT c.code, c.year, c.concept, c.value FROM cbs_context c "
            "WHERE c.level = 'gemeente' OR c.code IN (SELECT code FROM __areas)"
        )
    finally:
        store.unregister("__areas")
    values = {(code, int(year), concept): value for code, year, concept, value in rows}
    keys = sorted({(code, year) for code, year, _ in values})
    out: dict[str, list[Any]] = {f.name: [] for f in SCHEMA}
    for indicator, spec in sorted(counterparts().items()):
        for code, year in keys:
            value = values.get((code, year, spec["concept"]))
            if value is not None and "per" in spec:
                base = values.get((code, year, spec["per"]))
                value = None if not base else value / base * float(spec.get("scale", 1))
            if value is None:
                continue
            out["indicator_id"].append(indicator)
            out["area_code"].append(code)
            out["period"].append(year)
            out["cbs_value"].append(float(value))
            out["cbs_title"].append(str(spec["title"]))
            out["cbs_note"].append(" ".join(str(spec["note"]).split()))
    return pa.table(out, schema=SCHEMA)
