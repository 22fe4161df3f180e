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

from zicht.sources.cbs import concepts, kwb_config
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


FACT_PREFIX = "cbs:"
"""``indicator_id`` of a CBS key figure of an area itself (``cbs:inwoners``), published
as context of the area profile, not as the counterpart of an own indicator."""

FACTS: dict[str, str] = {
    "inwoners": "Inwoners",
    "pct_woningcorporatie": "Woningen in bezit van een woningcorporatie (sociale huur)",
    "pct_laag_inkomen": "Huishoudens met een laag inkomen",
    "pct_rond_sociaal_minimum": "Huishoudens onder of rond het sociaal minimum",
    "bijstand": "Personen met bijstand",
    "jongeren_met_jeugdzorg": "Jongeren met jeugdzorg in natura",
    "pct_jongeren_met_jeugdzorg": "Jongeren met jeugdzorg (% van de jongeren tot 23 jaar)",
    "wmo_clienten": "Wmo-cliënten",
    "wmo_clienten_per_1000": "Wmo-cliënten per 1.000 inwoners",
}
"""The CBS key figures shown per wijk and buurt (concept → Dutch label), in this order."""


def counterparts() -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = kwb_config().get("counterparts", {})
    return found


def context_cells(store: Store, area_codes: list[str]) -> pa.Table:
    """CBS values per (own indicator, area, year) for the given areas, and for every
    other gemeente (gemeente level only) the workspace has CBS figures of: those are
    what the own gemeente is compared with on the similar-gemeenten page
    (:mod:`zicht.analysis.peers`). Also, for the given areas, the CBS key figures of
    :data:`FACTS` themselves (``indicator_id`` = ``cbs:`` + concept, ``cbs_note`` = the
    unit), shown on the area profile. Empty without CBS data in the workspace."""
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
    wanted = set(area_codes)
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
    units = {c.name: c.unit for c in concepts()}
    for concept, label in FACTS.items():
        for code, year in keys:
            if code not in wanted:
                continue
            value = values.get((code, year, concept))
            if value is None:  # missing or suppressed by CBS: not shown as a number
                continue
            out["indicator_id"].append(FACT_PREFIX + concept)
            out["area_code"].append(code)
            out["period"].append(year)
            out["cbs_value"].append(float(value))
            out["cbs_title"].append(label)
            out["cbs_note"].append(units.get(concept, ""))
    return pa.table(out, schema=SCHEMA)
