"""The definition that travels with a CSV export: CSV on the Web (W3C CSVW) metadata.

A CSV file is one table and has nowhere to put the indicator's definition, so every CSV
that zicht hands out gets a companion ``<file>.csv-metadata.json`` in the W3C "Metadata
Vocabulary for Tabular Data" (https://www.w3.org/TR/tabular-metadata/): the name a CSVW
processor looks for next to a CSV by default, and the one the API points at with a
``Link: <…>; rel="describedby"`` header. It holds

- the dialect (separator, decimal mark, BOM), so a processor reads ``12,5`` as 12.5;
- every column with its Dutch title, English name and datatype;
- the definition as published in ``indicators.json`` (title, explanation, unit,
  polarity, source, legal reference, breakdowns), the refresh it comes from, the
  minimum cell count of the gate and the data-quality score of its sources.

It carries no figure: the cells stay in the CSV, which passed the disclosure gate.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Protocol

from zicht.model.published import EXPORT_COLUMNS, EXPORT_TITLES_NL

CSVW_CONTEXT = "http://www.w3.org/ns/csvw"
SUFFIX = "-metadata.json"
"""Appended to the CSV's file name (CSVW's default location, ``{+url}-metadata.json``)."""


_DESCRIPTIONS = {
    "level": "gemeente, wijk of buurt",
    "area_code": "CBS-code van het gebied (GM…, WK…, BU…)",
    "breakdown": "leeg: het totaal van het gebied",
    "value": "leeg als de cel onderdrukt is",
    "numerator": "leeg als de cel onderdrukt is",
    "denominator": "leeg als de cel onderdrukt is",
    "status": "gepubliceerd, onderdrukt (onthullingscontrole) of afgerond",
    "quality_score": "datakwaliteit (0-100) van de bronnen van de indicator",
}


class Published(Protocol):
    """What both snapshot readers (exports, web) offer about the definitions."""

    @property
    def indicators(self) -> dict[str, dict[str, Any]]: ...

    @property
    def quality(self) -> dict[str, Any]: ...

    def quality_score(self, indicator_id: str) -> float | None: ...


def definition_record(snap: Published, indicator_id: str) -> dict[str, Any]:
    """The definition as ``indicators.json`` publishes it, with its id and the
    data-quality score of its sources (``quality.json``): what an export carries."""
    definition = dict(snap.indicators[indicator_id])
    definition["id"] = indicator_id
    found = snap.quality.get("indicators", {}).get(indicator_id, {})
    definition["datakwaliteit"] = {
        "score": snap.quality_score(indicator_id),
        "uitleg": snap.quality.get("definition", ""),
        "bronnen": found.get("sources", []),
    }
    return definition


_NUMBERS = frozenset({"value", "numerator", "denominator", "quality_score"})


def metadata(
    csv_name: str,
    definition: Mapping[str, Any],
    *,
    dutch: bool,
    refresh_id: str | None,
    min_cell_count: int | None,
) -> dict[str, Any]:
    """The CSVW metadata of one indicator's CSV named ``csv_name``.

    ``dutch``: the ``zicht export`` CSV (``;``, decimal comma, BOM, Dutch titles);
    otherwise the API's CSV (``,``, decimal point, column names as titles).
    ``definition`` is the indicator as ``indicators.json`` publishes it, with ``id``.
    """
    number: dict[str, Any] = {"base": "decimal"}
    if dutch:
        number["format"] = {"decimalChar": ","}
    columns = []
    for name in EXPORT_COLUMNS:
        col: dict[str, Any] = {
            "name": name,
            "titles": EXPORT_TITLES_NL[name] if dutch else name,
            "datatype": number
            if name in _NUMBERS
            else ("integer" if name == "period" else "string"),
        }
        if name in _DESCRIPTIONS:
            col["dc:description"] = _DESCRIPTIONS[name]
        columns.append(col)
    doc: dict[str, Any] = {
        "@context": [CSVW_CONTEXT, {"@language": "nl"}],
        "url": csv_name,
        "dc:title": str(definition.get("title", definition.get("id", ""))),
        "dc:description": str(definition.get("description", "")),
        "dc:source": str(definition.get("source", "")),
        "dc:identifier": str(definition.get("id", "")),
        "dialect": {
            "delimiter": ";" if dutch else ",",
            "encoding": "utf-8",
            "header": True,
            "lineTerminators": ["\r\n"],
        },
        "tableSchema": {
            "columns": columns,
            "primaryKey": ["indicator_id", "level", "area_code", "period", "breakdown", "category"],
        },
        "notes": [
            {
                "type": "zicht:definitie",
                "indicator": dict(definition),
                "refresh_id": refresh_id,
                "min_cell_count": min_cell_count,
                "onthullingscontrole": (
                    "Elke cel passeerde de onthullingscontrole van zicht: onderdrukte cellen "
                    "hebben geen waarde, teller of noemer."
                ),
            }
        ],
    }
    return doc


def metadata_bytes(
    csv_name: str,
    definition: Mapping[str, Any],
    *,
    dutch: bool,
    refresh_id: str | None,
    min_cell_count: int | None,
) -> bytes:
    """:func:`metadata` as UTF-8 JSON."""
    doc = metadata(
        csv_name, definition, dutch=dutch, refresh_id=refresh_id, min_cell_count=min_cell_count
    )
    return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
