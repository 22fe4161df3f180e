"""The data-quality score of every indicator, from the sources its figures come from.

Seed 000 and DESIGN principle 5: every figure carries the data-quality score of its
sources. Which sources feed an indicator follows from its definition and the data, not
from a hand-kept list: the canonical tables its ``facts`` read, restricted to the laws
it filters on (``law = 'jeugd'``, ``law IN ('jeugd', 'wmo')``), and for each table the
sources whose loads (``load_id`` → ``load_log.source``) put rows there. The score of an
indicator is the lowest score (:func:`zicht.quality.scores.score`) of those sources: a
figure is as good as its weakest input. Every cell of the indicator carries that score.

The result is written with the published snapshot (``quality.json``), so pages, API and
exports read it without a database.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from zicht.indicators._incremental import tables_named
from zicht.indicators.definitions import IndicatorDefinition
from zicht.model.schema import TABLES
from zicht.quality.scores import SourceScore, score
from zicht.store import Store

__all__ = ["DEFINITION_NL", "definition_laws", "indicator_quality", "source_feeds", "tables_read"]

DEFINITION_NL = (
    "Datakwaliteit (0-100): de laagste score van de bronnen waaruit het cijfer is "
    "berekend. De score van een bron is het gemiddelde van vier dimensies: volledigheid "
    "(geen ontbrekende BSN's, waarden, verwijzers, productcategorieën, aanvraag- en "
    "beschikkingsdatums), geldigheid (geen ongeldige BSN's, datums, codes of berichten), "
    "consistentie (geen dubbele rijen, losse verwijzingen, einde vóór begin; beschikkingen "
    "met een toewijzingsbericht en declaraties binnen de toewijzing) en actualiteit "
    "(hoe ver de laatste datum van de bron achterloopt op de andere bronnen). "
    "100 = geen gebreken gevonden; leeg = geen bron bekend."
)
"""What the score means, in Dutch: carried by every export and shown on the pages."""

_LAW_EQ = re.compile(r"\blaw\s*=\s*'([a-z_]+)'", re.IGNORECASE)
_LAW_IN = re.compile(r"\blaw\s+IN\s*\(([^)]*)\)", re.IGNORECASE)
_LITERAL = re.compile(r"'([a-z_]+)'")
_SKIP = frozenset({"area"})  # boundaries place a figure; they are not what it counts


def tables_read(definition: IndicatorDefinition) -> list[str]:
    """Canonical tables named in the definition's ``facts`` (sorted), boundaries aside."""
    return sorted(tables_named(definition) - _SKIP)


def definition_laws(definition: IndicatorDefinition) -> set[str] | None:
    """The laws the facts filter on; None when they filter on none (all laws count)."""
    found = set(_LAW_EQ.findall(definition.facts))
    for group in _LAW_IN.findall(definition.facts):
        found.update(_LITERAL.findall(group))
    return found or None


def _has_law(table: str) -> bool:
    return bool(re.search(r"\blaw\s+VARCHAR", TABLES[table]))


def _table_sources(store: Store, tables: set[str]) -> dict[str, list[tuple[str, str | None]]]:
    """Per table: the (source, law) pairs of the loads that put rows there."""
    sources = {str(r[0]): str(r[1]) for r in store.fetchall("SELECT load_id, source FROM load_log")}
    out: dict[str, list[tuple[str, str | None]]] = {}
    for table in sorted(tables):
        if not store.table_exists(table):
            continue
        law = "law" if _has_law(table) else "CAST(NULL AS VARCHAR)"
        # Table and column names come from model.schema.TABLES, never from input.
        rows = store.fetchall(f"SELECT DISTINCT load_id, {law} FROM {table}")  # noqa: S608
        pairs = {
            (sources[str(lid)], None if lw is None else str(lw))
            for lid, lw in rows
            if str(lid) in sources
        }
        out[table] = sorted(pairs, key=lambda p: (p[0], p[1] or ""))
    return out


def indicator_quality(
    store: Store,
    definitions: Mapping[str, IndicatorDefinition],
    scores: list[SourceScore] | None = None,
) -> dict[str, Any]:
    """``{"definition": DEFINITION_NL, "indicators": {id: {"score", "sources"}}}``.

    ``sources`` lists each feeding source with its own score, lowest first, so a page can
    say which input pulls the figure down.
    """
    scores = score(store) if scores is None else scores
    by_source = {s.source: s.score for s in scores}
    reads = {k: tables_read(d) for k, d in definitions.items()}
    per_table = _table_sources(store, {t for ts in reads.values() for t in ts})
    out: dict[str, Any] = {}
    for key, definition in definitions.items():
        laws = definition_laws(definition)
        feeding: set[str] = set()
        for table in reads[key]:
            for source, law in per_table.get(table, []):
                if law is None or laws is None or law in laws:
                    feeding.add(source)
        listed = sorted(
            ({"source": s, "score": by_source.get(s)} for s in feeding),
            key=lambda r: (r["score"] is None, r["score"] or 0.0, r["source"]),
        )
        known = [r["score"] for r in listed if r["score"] is not None]
        out[key] = {"score": min(known) if known else None, "sources": listed}
    return {"definition": DEFINITION_NL, "indicators": out}


def source_feeds(quality: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    """Per source, the indicators computed from it (sorted): :func:`indicator_quality`'s
    result turned around, for ranking a source's defects by what they touch."""
    out: dict[str, list[str]] = {}
    for key, info in sorted(quality.get("indicators", {}).items()):
        for src in info.get("sources", []):
            out.setdefault(str(src["source"]), []).append(key)
    return {k: tuple(v) for k, v in out.items()}
