"""Data quality scores per source, and the defects that matter most.

Seed 000: "administrative reality is often far from real reality". Every figure should
travel with how good the data behind it is. Four dimensions, each 0-100 per source:

completeness
    rows not rejected for a missing BSN or value, and the fill rate of the fields the
    analyses need (referrer for jeugd; product category and provider where the law
    has toewijzingen; the aanvraag and beschikking dates of a provision).
validity
    rows not rejected for an invalid BSN, date, code or number, or an invalid message.
consistency
    rows not rejected as duplicates, dangling references or an end before the start;
    and, across sources, provisions whose toewijzing arrived as a 301 message (and the
    reverse), beschikkingen not before their aanvraag, declaraties inside their
    toewijzing's period.
timeliness
    how far the source's latest date lags behind the latest date of all sources:
    100 at no lag, 0 at ``STALE_DAYS`` or more.

The score of a source is the mean of its dimensions that apply; the score of an
indicator is the lowest score of the sources it is computed from, which follow from its
definition and the data (:mod:`zicht.quality.lineage`). :func:`defects` ranks the defects
by the share of an indicator's base they could move.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from zicht.store import Store

__all__ = ["DIMENSIONS", "Defect", "SourceScore", "defects", "score"]

DIMENSIONS = ("completeness", "validity", "consistency", "timeliness")
STALE_DAYS = 90

_RULE_DIMENSION = {
    "missing_bsn": "completeness",
    "missing_value": "completeness",
    "invalid_bsn": "validity",
    "invalid_date": "validity",
    "unknown_code": "validity",
    "invalid_number": "validity",
    "schema_invalid": "validity",
    "end_before_start": "consistency",
    "unknown_reference": "consistency",
    "duplicate_row": "consistency",
}


@dataclass
class SourceScore:
    source: str
    target: str
    laws: list[str]
    rows_in: int
    accepted: int
    dimensions: dict[str, float | None] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # Dutch, for the interface

    @property
    def score(self) -> float | None:
        vals = [v for v in self.dimensions.values() if v is not None]
        return round(sum(vals) / len(vals), 1) if vals else None


@dataclass(frozen=True)
class Defect:
    source: str
    rule: str
    dimension: str
    rows: int
    indicators: tuple[str, ...]
    share_pct: float  # rows as % of the accepted rows of the same input
    message: str  # Dutch


def _pct(bad: float, total: float) -> float:
    return round(100.0 * (1 - bad / total), 1) if total else 100.0


def _sources(store: Store) -> dict[str, SourceScore]:
    out: dict[str, SourceScore] = {}
    for source, target, rows_in, accepted in store.fetchall(
        "SELECT source, min(target), sum(rows_in), sum(accepted) FROM load_log "
        "GROUP BY source ORDER BY source"
    ):
        out[source] = SourceScore(str(source), str(target), [], int(rows_in), int(accepted))
    for table in ("provision", "toewijzing", "cost"):
        for source, law in store.fetchall(
            f"SELECT DISTINCT source, law FROM {table} ORDER BY 1, 2"
        ):
            if source in out and law not in out[source].laws:
                out[source].laws.append(str(law))
    return out


def _rejections(store: Store) -> dict[str, dict[str, int]]:
    by: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for source, reasons in store.fetchall("SELECT source, reasons FROM load_log"):
        for rule, n in json.loads(reasons or "{}").items():
            by[str(source)][str(rule)] += int(n)
    return by


def _ratio(store: Store, sql: str) -> dict[str, tuple[int, int]]:
    """source -> (bad, total) from a query returning (source, bad, total)."""
    return {str(r[0]): (int(r[1] or 0), int(r[2] or 0)) for r in store.fetchall(sql)}


def score(store: Store) -> list[SourceScore]:
    """The four dimensions and the score of every loaded source."""
    sources = _sources(store)
    rejected = _rejections(store)
    fills = _ratio(
        store,
        """
        SELECT source,
               sum(CASE WHEN law = 'jeugd' AND referrer IS NULL THEN 1 ELSE 0 END)
             + sum(CASE WHEN law IN ('jeugd', 'wmo') AND provider_code IS NULL THEN 1 ELSE 0 END)
             + sum(CASE WHEN product_category IS NULL THEN 1 ELSE 0 END),
               count(*) * 3
        FROM provision GROUP BY source
        """,
    )
    dates = _ratio(
        store,
        """
        WITH e AS (
            SELECT provision_id,
                   max(CASE WHEN step = 'aanvraag' THEN 1 ELSE 0 END) AS a,
                   max(CASE WHEN step = 'beschikking' THEN 1 ELSE 0 END) AS b,
                   min(CASE WHEN step = 'aanvraag' THEN event_date END) AS da,
                   min(CASE WHEN step = 'beschikking' THEN event_date END) AS db
            FROM chain_event WHERE provision_id IS NOT NULL GROUP BY provision_id
        )
        SELECT p.source, sum(CASE WHEN COALESCE(e.a, 0) = 0 OR COALESCE(e.b, 0) = 0
                                  THEN 1 ELSE 0 END), count(*)
        FROM provision p LEFT JOIN e ON e.provision_id = p.provision_id
        WHERE p.law IN ('jeugd', 'wmo', 'pwet') GROUP BY p.source
        """,
    )
    order = _ratio(
        store,
        """
        WITH e AS (
            SELECT provision_id, min(CASE WHEN step = 'aanvraag' THEN event_date END) AS da,
                   min(CASE WHEN step = 'beschikking' THEN event_date END) AS db
            FROM chain_event WHERE provision_id IS NOT NULL GROUP BY provision_id
        )
        SELECT p.source, sum(CASE WHEN e.db < e.da THEN 1 ELSE 0 END), count(*)
        FROM provision p JOIN e ON e.provision_id = p.provision_id
        WHERE e.da IS NOT NULL AND e.db IS NOT NULL GROUP BY p.source
        """,
    )
    linked_p = _ratio(
        store,
        """
        SELECT p.source, sum(CASE WHEN t.toewijzing_id IS NULL THEN 1 ELSE 0 END), count(*)
        FROM provision p
        LEFT JOIN (SELECT DISTINCT toewijzing_id FROM toewijzing) t
            ON t.toewijzing_id = p.toewijzing_id
        WHERE p.toewijzing_id IS NOT NULL GROUP BY p.source
        """,
    )
    linked_t = _ratio(
        store,
        """
        SELECT t.source, sum(CASE WHEN p.toewijzing_id IS NULL THEN 1 ELSE 0 END), count(*)
        FROM toewijzing t
        LEFT JOIN (SELECT DISTINCT toewijzing_id FROM provision) p
            ON p.toewijzing_id = t.toewijzing_id
        GROUP BY t.source
        """,
    )
    in_period = _ratio(
        store,
        """
        WITH tw AS (
            SELECT toewijzing_id, min(start_date) AS s,
                   max(COALESCE(end_date, DATE '9999-12-31')) AS e
            FROM toewijzing GROUP BY toewijzing_id
        )
        SELECT c.source,
               sum(CASE WHEN c.period_start < tw.s OR c.period_end > tw.e THEN 1 ELSE 0 END),
               count(*)
        FROM cost c JOIN tw ON tw.toewijzing_id = c.toewijzing_id GROUP BY c.source
        """,
    )
    latest = {
        str(s): d
        for s, d in store.fetchall(
            "SELECT source, max(d) FROM ("
            " SELECT source, event_date AS d FROM chain_event"
            " UNION ALL SELECT source, period_end FROM cost) x GROUP BY source"
        )
    }
    reference = max((d for d in latest.values() if d is not None), default=None)
    last_period = store.scalar("SELECT max(period) FROM person_period")
    for src in sources.values():
        rej = rejected.get(src.source, {})
        by_dim = {d: 0 for d in DIMENSIONS}
        for rule, n in rej.items():
            by_dim[_RULE_DIMENSION.get(rule, "validity")] += n
        total = src.rows_in
        parts: dict[str, list[tuple[int, int]]] = {
            "completeness": [(by_dim["completeness"], total)],
            "validity": [(by_dim["validity"], total)],
            "consistency": [(by_dim["consistency"], total)],
        }
        for extra, dim in (
            (fills, "completeness"),
            (dates, "completeness"),
            (order, "consistency"),
            (linked_p, "consistency"),
            (linked_t, "consistency"),
            (in_period, "consistency"),
        ):
            if src.source in extra and extra[src.source][1]:
                parts[dim].append(extra[src.source])
        for dim, ratios in parts.items():
            src.dimensions[dim] = round(sum(_pct(b, t) for b, t in ratios) / len(ratios), 1)
        src.dimensions["timeliness"] = None
        if src.source in latest and reference is not None and latest[src.source] is not None:
            lag = (reference - latest[src.source]).days
            src.dimensions["timeliness"] = round(max(0.0, 100.0 * (1 - lag / STALE_DAYS)), 1)
            if lag > 31:
                src.notes.append(f"laatste datum {lag} dagen achter op de andere bronnen")
        elif src.target == "population" and reference is not None and last_period is not None:
            behind = reference.year - int(last_period)
            src.dimensions["timeliness"] = 100.0 if behind <= 0 else max(0.0, 100.0 - 50 * behind)
        for name, (bad, tot) in (
            ("zonder toewijzingsbericht", linked_p.get(src.source, (0, 0))),
            (
                "toewijzingen zonder beschikking in het zaaksysteem",
                linked_t.get(src.source, (0, 0)),
            ),
            ("declaratieregels buiten de toewijzingsperiode", in_period.get(src.source, (0, 0))),
            ("beschikking vóór de aanvraag", order.get(src.source, (0, 0))),
        ):
            if bad:
                src.notes.append(f"{bad} van {tot} {name}")
    return list(sources.values())


def defects(
    store: Store, scores: list[SourceScore], feeds: Mapping[str, Sequence[str]]
) -> list[Defect]:
    """Rejected rows and cross-source inconsistencies, ranked by the share of the
    affected indicators' input they concern (largest first).

    ``feeds``: per source, the indicators computed from it, as the workspace's
    definitions and data say (:func:`zicht.quality.lineage.source_feeds`)."""
    by_source = {s.source: s for s in scores}
    out: list[Defect] = []
    for source, rules in sorted(_rejections(store).items()):
        s = by_source.get(source)
        if s is None:
            continue
        fed = tuple(sorted(feeds.get(source, ())))
        for rule, n in sorted(rules.items()):
            if not n:
                continue
            share = round(100.0 * n / s.accepted, 2) if s.accepted else 100.0
            out.append(
                Defect(
                    source,
                    rule,
                    _RULE_DIMENSION.get(rule, "validity"),
                    n,
                    fed,
                    share,
                    f"{n} rijen geweigerd ({rule}): {share} % van wat {source} aanlevert",
                )
            )
    for s in scores:
        for note in s.notes:
            head = note.split(" ", 1)[0]
            if not head.isdigit():
                continue
            n = int(head)
            out.append(
                Defect(
                    s.source,
                    "consistentie",
                    "consistency",
                    n,
                    tuple(sorted(feeds.get(s.source, ()))),
                    round(100.0 * n / s.accepted, 2) if s.accepted else 100.0,
                    note,
                )
            )
    out.sort(key=lambda d: (-d.share_pct * max(len(d.indicators), 1), d.source, d.rule))
    return out


def as_rows(scores: list[SourceScore]) -> list[dict[str, Any]]:
    return [
        {
            "source": s.source,
            "target": s.target,
            "laws": ",".join(s.laws),
            "rows_in": s.rows_in,
            "accepted": s.accepted,
            **{d: s.dimensions.get(d) for d in DIMENSIONS},
            "score": s.score,
            "notes": "; ".join(s.notes),
        }
        for s in scores
    ]
