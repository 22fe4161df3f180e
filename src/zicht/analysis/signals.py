"""Signals: where a buurt or a provider stands out from the rest of the gemeente.

Four tests, each a one-sided z-test of one unit (buurt or provider) against all other
units together, so that one deviant unit cannot hide in its own baseline:

``late_beschikking``
    per (buurt, law, product category): the share of beschikkingen after the legal term
    (aanvraag → beschikking, :class:`zicht.analysis.chain.Terms`).
``overbilling_provider``
    per provider: the share of declaratie lines outside the toewijzing's period.
``gp_hotspot``
    per buurt: the share of jeugd provisions started via the huisarts (referrer ``02``).
``rising_stapeling``
    per buurt: the change in the share of households with stapeling between the first
    and the last year, against the change in the rest of the gemeente.

A unit is signalled when z ≥ ``min_z`` and at least ``min_cases`` cases lie behind it.
With ``min_z`` 4 a unit without anything special is signalled by chance about once in
30,000 tests (normal approximation); docs/chain.md gives the false alarms measured over
several seeds of the synthetic gemeente. The baseline rate is floored at
``0.5 / cases of the rest`` so that a unit is not signalled for one odd case where the
rest has none.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from scipy.stats import binom, norm

from zicht.analysis import stapeling
from zicht.analysis.chain import Terms
from zicht.store import Store

__all__ = ["PATTERNS", "Detection", "Signal", "detect"]

PATTERNS = ("late_beschikking", "overbilling_provider", "gp_hotspot", "rising_stapeling")


@dataclass(frozen=True)
class Signal:
    pattern: str
    unit: dict[str, str]  # e.g. {"buurt": "BU..", "law": "jeugd", "product_category": "45"}
    observed: float  # share (or change of share) in the unit, in %
    expected: float  # the same for the rest of the gemeente, in %
    cases: int
    z: float


@dataclass(frozen=True)
class Detection:
    signals: list[Signal]
    tested: dict[str, int]  # units tested per pattern (with at least min_cases cases)

    def found(self) -> set[tuple[str, tuple[tuple[str, str], ...]]]:
        return {(s.pattern, tuple(sorted(s.unit.items()))) for s in self.signals}


def _z_share(k: float, n: float, k_rest: float, n_rest: float) -> tuple[float, float, float]:
    """(z, observed %, expected %) of k of n against k_rest of n_rest; z is the normal
    quantile of the exact binomial tail P(X >= k), so small counts are not overstated."""
    p0 = max(k_rest / n_rest if n_rest else 0.0, 0.5 / max(n_rest, 1.0))
    p0 = min(p0, 1 - 0.5 / max(n_rest, 1.0))
    tail = float(binom.sf(k - 1, n, p0))
    z = float(norm.isf(tail)) if tail > 0 else math.inf
    return min(z, 99.0), 100.0 * k / n, 100.0 * p0


def _share_test(
    pattern: str,
    rows: list[tuple[Any, ...]],
    keys: tuple[str, ...],
    min_z: float,
    min_cases: int,
) -> tuple[list[Signal], int]:
    """rows: (*key values, k, n, k_total, n_total) per unit."""
    out: list[Signal] = []
    tested = 0
    for row in rows:
        *key, k, n, k_tot, n_tot = row
        k, n, k_tot, n_tot = float(k), float(n), float(k_tot), float(n_tot)
        if n < min_cases or n_tot - n < min_cases:
            continue
        tested += 1
        z, obs, exp = _z_share(k, n, k_tot - k, n_tot - n)
        if z >= min_z:
            unit = {name: str(v) for name, v in zip(keys, key, strict=True)}
            out.append(Signal(pattern, unit, round(obs, 2), round(exp, 2), int(n), round(z, 2)))
    return out, tested


def _late(store: Store, terms: Terms) -> list[tuple[Any, ...]]:
    t = pa.table(
        {
            "law": ["wmo", "jeugd", "pwet"],
            "term_days": [terms.wmo_beschikking, terms.jeugd_beschikking, terms.pwet_beschikking],
        }
    )
    store.register("_signal_terms", t)
    try:
        return store.fetchall(
            """
            WITH ev AS (
                SELECT provision_id, min(CASE WHEN step = 'aanvraag' THEN event_date END) AS a,
                       min(CASE WHEN step = 'beschikking' THEN event_date END) AS b
                FROM chain_event WHERE provision_id IS NOT NULL
                    AND step IN ('aanvraag', 'beschikking')
                GROUP BY provision_id
            ),
            c AS (
                SELECT DISTINCT p.person_id, ev.a, ev.b,
                       pp.buurt_code, p.law, COALESCE(p.product_category, '') AS cat,
                       CASE WHEN ev.b - ev.a > t.term_days THEN 1 ELSE 0 END AS late
                FROM ev JOIN provision p ON p.provision_id = ev.provision_id
                JOIN _signal_terms t ON t.law = p.law
                JOIN person_period pp ON pp.person_id = p.person_id
                    AND pp.period = CAST(extract(year FROM ev.b) AS INTEGER)
                WHERE ev.a IS NOT NULL AND ev.b IS NOT NULL
            ),
            g AS (
                SELECT buurt_code, law, cat, sum(late) AS k, count(*) AS n
                FROM c GROUP BY 1, 2, 3
            )
            SELECT buurt_code, law, cat, k, n,
                   sum(k) OVER (PARTITION BY law, cat), sum(n) OVER (PARTITION BY law, cat)
            FROM g ORDER BY 1, 2, 3
            """
        )
    finally:
        store.unregister("_signal_terms")


def _overbilling(store: Store) -> list[tuple[Any, ...]]:
    return store.fetchall(
        """
        WITH tw AS (
            SELECT toewijzing_id, min(provider_code) AS provider_code,
                   min(start_date) AS s, max(COALESCE(end_date, DATE '9999-12-31')) AS e
            FROM toewijzing GROUP BY toewijzing_id
        ),
        g AS (
            SELECT tw.provider_code,
                   sum(CASE WHEN c.period_start < tw.s OR c.period_end > tw.e THEN 1 ELSE 0 END)
                       AS k,
                   count(*) AS n
            FROM cost c JOIN tw ON tw.toewijzing_id = c.toewijzing_id
            GROUP BY tw.provider_code
        )
        SELECT provider_code, k, n, sum(k) OVER (), sum(n) OVER () FROM g ORDER BY 1
        """
    )


def _gp(store: Store) -> list[tuple[Any, ...]]:
    return store.fetchall(
        """
        WITH c AS (
            SELECT pp.buurt_code, CASE WHEN p.referrer = '02' THEN 1 ELSE 0 END AS gp
            FROM provision p
            JOIN person_period pp ON pp.person_id = p.person_id
                AND pp.period = CAST(extract(year FROM p.start_date) AS INTEGER)
            WHERE p.law = 'jeugd'
        ),
        g AS (SELECT buurt_code, sum(gp) AS k, count(*) AS n FROM c GROUP BY 1)
        SELECT buurt_code, k, n, sum(k) OVER (), sum(n) OVER () FROM g ORDER BY 1
        """
    )


def _rising(
    store: Store,
    boundary_year: int,
    min_z: float,
    min_cases: int,
    cells: pa.Table | None = None,
) -> tuple[list[Signal], int]:
    if cells is None:
        cells = stapeling.cells(store, boundary_year)
    # Only the households' totals per buurt, selected before any row becomes Python.
    keep = pc.and_(
        pc.and_(
            pc.equal(cells["indicator_id"], stapeling.HOUSEHOLDS_ID),
            pc.equal(cells["breakdown"], ""),
        ),
        pc.equal(cells["level"], "buurt"),
    )
    rows = cells.filter(keep).select(["area_code", "period", "numerator", "denominator"])
    rows = rows.to_pylist()
    periods = sorted({c["period"] for c in rows})
    if len(periods) < 3:
        return [], 0
    first, last = periods[0], periods[-1]
    by = {(c["area_code"], c["period"]): (c["numerator"], c["denominator"]) for c in rows}
    tot = {
        p: (
            sum(v[0] for (_, q), v in by.items() if q == p),
            sum(v[1] for (_, q), v in by.items() if q == p),
        )
        for p in (first, last)
    }
    out: list[Signal] = []
    tested = 0
    for code in sorted({a for a, _ in by}):
        if (code, first) not in by or (code, last) not in by:
            continue
        (k0, n0), (k1, n1) = by[(code, first)], by[(code, last)]
        r0 = (tot[first][0] - k0, tot[first][1] - n0)
        r1 = (tot[last][0] - k1, tot[last][1] - n1)
        if min(n0, n1, r0[1], r1[1]) < min_cases:
            continue
        tested += 1
        p0, p1 = k0 / n0, k1 / n1
        q0, q1 = r0[0] / r0[1], r1[0] / r1[1]
        var = sum(p * (1 - p) / n for p, n in ((p0, n0), (p1, n1), (q0, r0[1]), (q1, r1[1])))
        var = max(var, 0.25 / max(n0, n1) ** 2)
        z = ((p1 - p0) - (q1 - q0)) / math.sqrt(var)
        if z >= min_z:
            out.append(
                Signal(
                    "rising_stapeling",
                    {"buurt": code},
                    round(100 * (p1 - p0), 2),
                    round(100 * (q1 - q0), 2),
                    int(n1),
                    round(z, 2),
                )
            )
    return out, tested


def detect(
    store: Store,
    terms: Terms,
    boundary_year: int,
    *,
    min_z: float = 4.0,
    min_cases: int = 10,
    stapeling_cells: pa.Table | None = None,
) -> Detection:
    """Run the four tests on the canonical tables of ``store``; ``stapeling_cells``:
    :func:`zicht.analysis.stapeling.cells` when the caller has them already."""
    signals: list[Signal] = []
    tested: dict[str, int] = {}
    for pattern, rows, keys in (
        ("late_beschikking", _late(store, terms), ("buurt", "law", "product_category")),
        ("overbilling_provider", _overbilling(store), ("provider",)),
        ("gp_hotspot", _gp(store), ("buurt",)),
    ):
        found, n = _share_test(pattern, rows, keys, min_z, min_cases)
        signals += found
        tested[pattern] = n
    found, n = _rising(store, boundary_year, min_z, min_cases, stapeling_cells)
    signals += found
    tested["rising_stapeling"] = n
    return Detection(signals, tested)
