"""Stapeling: persons and households with provisions under several laws.

A provision is *active* in year Y when it started on or before 31 December and had not
ended before 1 January (docs/model.md). For each year:

- per person: the laws (jeugd, wmo, pwet, schuld) and provisions active in Y, and for
  every pair of provisions under different laws the days they actually overlapped in Y;
- per household (members registered on the peildatum of Y): the union of its members'
  laws; its area is the smallest buurt code among the members, as in the indicator
  ``stapeling_hh_pct``;
- per buurt, wijk and gemeente: the share of persons and of households with provisions
  under two or more of the three CBS laws (Jeugdwet, Wmo, Participatiewet), and the share
  per CBS combination (``jeugd+wmo``, ``jeugd+pwet``, ``pwet+wmo``, ``jeugd+pwet+wmo``).

All of it is SQL through the store layer. :func:`cells` returns the figures in the
shape of the indicator cube (``indicator_id``, level, area_code, period, breakdown,
value, numerator, denominator, unit), ready for the disclosure gate.
"""

from __future__ import annotations

import pyarrow as pa

from zicht.store import Store

__all__ = [
    "CBS_LAWS",
    "COMBINATIONS",
    "cells",
    "context",
    "household_laws",
    "mix",
    "overlaps",
    "person_laws",
]

CBS_LAWS = ("jeugd", "pwet", "wmo")
COMBINATIONS = ("jeugd+pwet", "jeugd+wmo", "pwet+wmo", "jeugd+pwet+wmo")
PERSONS_ID = "keten_stapeling_personen_pct"
HOUSEHOLDS_ID = "keten_stapeling_huishoudens_pct"


def _active(period: str) -> str:
    """Active provisions per person in ``period`` (an SQL expression for the year)."""
    return f"""
        SELECT pp.period, pp.person_id, pp.household_id, pp.buurt_code, p.law,
               p.product_category, p.start_date, p.end_date
        FROM person_period pp
        JOIN provision p ON p.person_id = pp.person_id
            AND p.start_date <= make_date({period}, 12, 31)
            AND (p.end_date IS NULL OR p.end_date >= make_date({period}, 1, 1))
    """


def person_laws(store: Store, period: int) -> pa.Table:
    """Per person with an active provision in ``period``: the laws (``+``-joined, sorted),
    the number of laws, and the product categories per law (``law:category``)."""
    return store.fetch_arrow(
        f"""
        WITH a AS ({_active("pp.period")} WHERE pp.period = ?)
        SELECT person_id, min(household_id) AS household_id, min(buurt_code) AS buurt_code,
               string_agg(DISTINCT law, '+' ORDER BY law) AS laws,
               count(DISTINCT law) AS n_laws,
               string_agg(DISTINCT law || ':' || COALESCE(product_category, '?'), ','
                          ORDER BY law || ':' || COALESCE(product_category, '?')) AS provisions
        FROM a GROUP BY person_id ORDER BY person_id
        """,
        [period],
    )


def overlaps(store: Store, period: int) -> pa.Table:
    """Per person and pair of laws: the days in ``period`` on which provisions under both
    laws ran at the same time (0 when they were active in the same year but apart)."""
    return store.fetch_arrow(
        f"""
        WITH a AS ({_active("pp.period")} WHERE pp.period = ?),
        c AS (
            SELECT x.person_id, x.law AS law_a, y.law AS law_b,
                   CAST(LEAST(COALESCE(x.end_date, make_date(?, 12, 31)),
                              COALESCE(y.end_date, make_date(?, 12, 31)),
                              make_date(?, 12, 31))
                        - GREATEST(x.start_date, y.start_date, make_date(?, 1, 1))
                        AS INTEGER) + 1 AS days
            FROM a x JOIN a y ON x.person_id = y.person_id AND x.law < y.law
        )
        SELECT person_id, law_a, law_b, max(GREATEST(days, 0)) AS overlap_days
        FROM c GROUP BY person_id, law_a, law_b ORDER BY person_id, law_a, law_b
        """,
        [period, period, period, period, period],
    )


def household_laws(store: Store, period: int) -> pa.Table:
    """Per household registered in ``period``: its area and its members' laws."""
    return store.fetch_arrow(
        f"""
        WITH hh AS (
            SELECT household_id, min(buurt_code) AS buurt_code
            FROM person_period WHERE period = ? GROUP BY household_id
        ),
        a AS ({_active("pp.period")} WHERE pp.period = ?)
        SELECT hh.household_id, hh.buurt_code,
               string_agg(DISTINCT a.law, '+' ORDER BY a.law) AS laws,
               count(DISTINCT a.law) AS n_laws
        FROM hh LEFT JOIN a ON a.household_id = hh.household_id
        GROUP BY hh.household_id, hh.buurt_code ORDER BY hh.household_id
        """,
        [period, period],
    )


def cells(store: Store, boundary_year: int) -> pa.Table:
    """Shares of persons and households with stapeling per area, period and combination
    (breakdown ``""`` = two or more of the CBS laws), in the cube's shape."""
    laws = ", ".join(f"'{law}'" for law in CBS_LAWS)
    combos = ", ".join(f"('{c}')" for c in COMBINATIONS)
    return store.fetch_arrow(
        f"""
        WITH a AS (
            {_active("pp.period")} WHERE p.law IN ({laws})
        ),
        per_person AS (
            SELECT period, person_id, string_agg(DISTINCT law, '+' ORDER BY law) AS laws
            FROM a GROUP BY period, person_id
        ),
        per_hh AS (
            SELECT period, household_id, string_agg(DISTINCT law, '+' ORDER BY law) AS laws
            FROM a GROUP BY period, household_id
        ),
        hh_area AS (
            SELECT period, household_id, min(buurt_code) AS buurt_code
            FROM person_period GROUP BY period, household_id
        ),
        units AS (
            SELECT '{PERSONS_ID}' AS indicator_id, pp.period, pp.buurt_code, x.laws
            FROM person_period pp
            LEFT JOIN per_person x ON x.period = pp.period AND x.person_id = pp.person_id
            UNION ALL
            SELECT '{HOUSEHOLDS_ID}', h.period, h.buurt_code, x.laws
            FROM hh_area h
            LEFT JOIN per_hh x ON x.period = h.period AND x.household_id = h.household_id
        ),
        -- Units per buurt and combination first: the levels and breakdowns below then
        -- multiply thousands of rows instead of every person and household.
        per_buurt AS (
            SELECT indicator_id, period, buurt_code, laws, count(*) AS n
            FROM units GROUP BY indicator_id, period, buurt_code, laws
        ),
        geo AS (
            SELECT b.code AS buurt_code, b.code AS area_code, 'buurt' AS level
            FROM area b WHERE b.level = 'buurt' AND b.boundary_year = {int(boundary_year)}
            UNION ALL
            SELECT b.code, b.parent_code, 'wijk'
            FROM area b WHERE b.level = 'buurt' AND b.boundary_year = {int(boundary_year)}
            UNION ALL
            SELECT b.code, b.gemeente_code, 'gemeente'
            FROM area b WHERE b.level = 'buurt' AND b.boundary_year = {int(boundary_year)}
        ),
        combos(breakdown) AS (VALUES ('') , {combos}),
        counted AS (
            SELECT u.indicator_id, g.level, g.area_code, u.period, c.breakdown,
                   sum(CASE WHEN (c.breakdown = '' AND u.laws LIKE '%+%')
                             OR u.laws = c.breakdown THEN u.n ELSE 0 END) AS numerator,
                   sum(u.n) AS denominator
            FROM per_buurt u JOIN geo g ON g.buurt_code = u.buurt_code CROSS JOIN combos c
            GROUP BY u.indicator_id, g.level, g.area_code, u.period, c.breakdown
        )
        SELECT indicator_id, level, area_code, CAST(period AS INTEGER) AS period, breakdown,
               100.0 * numerator / denominator AS value,
               CAST(numerator AS DOUBLE PRECISION) AS numerator,
               CAST(denominator AS BIGINT) AS denominator, '%' AS unit
        FROM counted
        ORDER BY indicator_id, period, breakdown,
                 CASE level WHEN 'gemeente' THEN 1 WHEN 'wijk' THEN 2 ELSE 3 END, area_code
        """
    )


CONTEXT_SCHEMA = pa.schema(
    [
        ("area_code", pa.string()),
        ("period", pa.int32()),
        ("sociale_huur_pct", pa.float64()),
        ("bijstand_pct_cbs", pa.float64()),
    ]
)


def context(store: Store) -> pa.Table:
    """CBS context per area and year, where loaded (``zicht cbs load``): the share of
    dwellings owned by a housing corporation (social rent) and persons on bijstand per
    100 inhabitants. CBS figures are public and disclosure-controlled by CBS."""
    if not store.table_exists("cbs_context"):
        return CONTEXT_SCHEMA.empty_table()
    return store.fetch_arrow(
        """
        SELECT code AS area_code, CAST(year AS INTEGER) AS period,
               max(CASE WHEN concept = 'pct_woningcorporatie' THEN value END)
                   AS sociale_huur_pct,
               100.0 * max(CASE WHEN concept = 'bijstand' THEN value END)
                   / NULLIF(max(CASE WHEN concept = 'inwoners' THEN value END), 0)
                   AS bijstand_pct_cbs
        FROM cbs_context GROUP BY code, year ORDER BY code, year
        """
    ).cast(CONTEXT_SCHEMA)


def mix(store: Store) -> pa.Table:
    """The mix: households with stapeling in year Y, by their combination of CBS laws, and
    their number of active provisions (all laws) in Y and in Y + 1; per combination:
    households, mean provisions in Y and in Y + 1, and how many had fewer, as many and
    more a year later. Households not registered in Y + 1 are left out."""
    laws = ", ".join(f"'{law}'" for law in CBS_LAWS)
    return store.fetch_arrow(
        f"""
        WITH a AS ({_active("pp.period")}),
        hh AS (
            SELECT period, household_id,
                   string_agg(DISTINCT CASE WHEN law IN ({laws}) THEN law END, '+'
                              ORDER BY CASE WHEN law IN ({laws}) THEN law END) AS laws,
                   count(DISTINCT CASE WHEN law IN ({laws}) THEN law END) AS n_laws,
                   count(*) AS provisions
            FROM a GROUP BY period, household_id
        ),
        registered AS (SELECT DISTINCT period, household_id FROM person_period),
        pairs AS (
            SELECT h.laws AS combination, h.provisions AS now,
                   COALESCE(n.provisions, 0) AS next_year
            FROM hh h
            JOIN registered r ON r.household_id = h.household_id AND r.period = h.period + 1
            LEFT JOIN hh n ON n.household_id = h.household_id AND n.period = h.period + 1
            WHERE h.n_laws >= 2
        )
        SELECT combination, count(*) AS households,
               avg(CAST(now AS DOUBLE PRECISION)) AS mean_now,
               avg(CAST(next_year AS DOUBLE PRECISION)) AS mean_next,
               sum(CASE WHEN next_year < now THEN 1 ELSE 0 END) AS fewer,
               sum(CASE WHEN next_year = now THEN 1 ELSE 0 END) AS same,
               sum(CASE WHEN next_year > now THEN 1 ELSE 0 END) AS more
        FROM pairs GROUP BY combination ORDER BY households DESC, combination
        """
    )
