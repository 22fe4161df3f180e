"""The local team (seed 004): how much the wijk team solves without costly maatwerk.

Help requests are provisions of law ``wijkteam`` (export ``wijkteam/hulpvragen.csv`` in
the synthetic gemeente): start date = the request, product category = the outcome
(``zelf``, ``voorliggend`` or ``maatwerk``), end date = closed, and the chain events
``melding`` (request) and ``eerste_gesprek`` (first contact). The team is the wijk team:
a request belongs to the wijk of the person's buurt on the peildatum of its year, and
only persons registered then count.

Per wijk and for the gemeente, per year of the request:

- ``requests``, ``without_maatwerk`` and their share (%);
- re-entry within 12 months: of the requests closed at least 365 days before the last
  date in the data (``closed_observable``), those followed by a new request of the same
  person within 365 days after closing (``reentries``);
- ``contacts`` and the median days from request to first contact.
"""

from __future__ import annotations

import pyarrow as pa

from zicht.store import Store

__all__ = ["LAW", "figures"]

LAW = "wijkteam"


def figures(store: Store) -> pa.Table:
    """Local-team figures per level (wijk, gemeente), area and year."""
    return store.fetch_arrow(
        f"""
        WITH r AS (
            SELECT p.provision_id, p.person_id, p.product_category AS outcome,
                   p.start_date, p.end_date,
                   CAST(extract(year FROM p.start_date) AS INTEGER) AS period
            FROM provision p WHERE p.law = '{LAW}'
        ),
        contact AS (
            SELECT provision_id, min(event_date) AS d
            FROM chain_event WHERE law = '{LAW}' AND step = 'eerste_gesprek'
            GROUP BY provision_id
        ),
        last_day AS (SELECT max(event_date) AS d FROM chain_event),
        flagged AS (
            SELECT r.*, c.d AS contact_date,
                   r.end_date IS NOT NULL
                       AND r.end_date <= (SELECT d FROM last_day) - 365 AS observable,
                   EXISTS (
                       SELECT 1 FROM r r2
                       WHERE r2.person_id = r.person_id AND r.end_date IS NOT NULL
                         AND r2.start_date > r.end_date
                         AND r2.start_date <= r.end_date + 365
                   ) AS came_back
            FROM r LEFT JOIN contact c ON c.provision_id = r.provision_id
        ),
        placed AS (
            SELECT f.*, a.parent_code AS wijk_code, a.gemeente_code
            FROM flagged f
            JOIN person_period pp ON pp.person_id = f.person_id AND pp.period = f.period
            JOIN area a ON a.code = pp.buurt_code AND a.level = 'buurt'
                AND a.boundary_year = (SELECT max(boundary_year) FROM area)
        ),
        levels AS (
            SELECT 'wijk' AS level, wijk_code AS area_code, * FROM placed
            UNION ALL
            SELECT 'gemeente', gemeente_code, * FROM placed
        )
        SELECT level, area_code, period,
               count(*) AS requests,
               sum(CASE WHEN outcome <> 'maatwerk' THEN 1 ELSE 0 END) AS without_maatwerk,
               100.0 * sum(CASE WHEN outcome <> 'maatwerk' THEN 1 ELSE 0 END) / count(*)
                   AS without_maatwerk_pct,
               sum(CASE WHEN observable THEN 1 ELSE 0 END) AS closed_observable,
               sum(CASE WHEN observable AND came_back THEN 1 ELSE 0 END) AS reentries,
               count(contact_date) AS contacts,
               percentile_cont(0.5) WITHIN GROUP (
                   ORDER BY CAST(contact_date - start_date AS DOUBLE PRECISION)
               ) AS median_contact_days
        FROM levels
        GROUP BY level, area_code, period
        ORDER BY CASE level WHEN 'gemeente' THEN 1 ELSE 2 END, area_code, period
        """
    )
