"""The client chain as an event log: throughput, legal terms, conformity, variants.

The event log has one row per (case, step): a case is a toewijzing where there is one
(the iJw/iWmo ToewijzingNummer ties the zaaksysteem's aanvraag and beschikking to the
301, 305, 303 and 307 messages), otherwise the provision. A step that occurs more than
once in a case (a monthly declaratie) keeps its first date; the conformity checks read
the canonical tables themselves, so no repeated row is lost to them. Events are ordered
by date, then by the usual order of the steps (``CHAIN_STEPS``).

Everything is SQL run through the store layer on a temporary table ``_keten_log``
(DuckDB and PostgreSQL alike); Python never loops over events. :func:`build_log` fills
the table from the canonical tables; :func:`load_log` from any Arrow table with the
columns of :data:`LOG_COLUMNS` (the tests and the benchmark use it). The analyses then
return Arrow tables. See docs/chain.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pyarrow as pa

from zicht.config import Settings
from zicht.model.schema import CHAIN_STEPS
from zicht.store import Store

__all__ = [
    "DIMENSIONS",
    "LOG",
    "LOG_COLUMNS",
    "Terms",
    "build_log",
    "case_durations",
    "compliance",
    "conformity",
    "load_log",
    "step_times",
    "variants",
    "waiting",
]

LOG = "_keten_log"
LOG_COLUMNS = (
    "case_id",
    "person_id",
    "law",
    "step",
    "step_rank",
    "event_date",
    "product_category",
    "provider_code",
    "referrer",
    "wijk_code",
)
DIMENSIONS = ("law", "product_category", "provider_code", "referrer", "wijk_code")
"""Breakdowns of throughput and waiting times (case attributes in the log)."""

_RANK = "CASE step " + " ".join(f"WHEN '{s}' THEN {i}" for i, s in enumerate(CHAIN_STEPS)) + " END"


def _pct(q: float, expr: str) -> str:
    # Continuous percentile (numpy's default 'linear'); DuckDB and PostgreSQL both know it.
    return f"percentile_cont({q}) WITHIN GROUP (ORDER BY {expr})"


def build_log(store: Store) -> int:
    """Fill ``_keten_log`` from the canonical tables; returns the number of events."""
    store.execute(f"DROP TABLE IF EXISTS {LOG}")
    store.execute(
        f"""
        CREATE TEMP TABLE {LOG} AS
        WITH ev AS (
            SELECT COALESCE(toewijzing_id, provision_id) AS case_id, person_id, law, step,
                   event_date, provider_code, product_category
            FROM chain_event
            WHERE COALESCE(toewijzing_id, provision_id) IS NOT NULL
        ),
        firsts AS (
            SELECT case_id, step, min(event_date) AS event_date, min(person_id) AS person_id,
                   min(law) AS law
            FROM ev GROUP BY case_id, step
        ),
        attr_p AS (
            SELECT COALESCE(toewijzing_id, provision_id) AS case_id,
                   min(product_category) AS product_category, min(provider_code) AS provider_code,
                   min(referrer) AS referrer
            FROM provision GROUP BY 1
        ),
        attr_t AS (
            SELECT toewijzing_id AS case_id, min(product_category) AS product_category,
                   min(provider_code) AS provider_code
            FROM toewijzing GROUP BY 1
        ),
        first_day AS (
            SELECT case_id, min(event_date) AS d, min(person_id) AS person_id
            FROM firsts GROUP BY case_id
        ),
        home AS (
            SELECT f.case_id, min(a.parent_code) AS wijk_code
            FROM first_day f
            JOIN person_period pp ON pp.person_id = f.person_id
                AND pp.period = CAST(extract(year FROM f.d) AS INTEGER)
            JOIN area a ON a.code = pp.buurt_code AND a.level = 'buurt'
            GROUP BY f.case_id
        )
        SELECT f.case_id, f.person_id, f.law, f.step,
               {_RANK.replace("step", "f.step")} AS step_rank, f.event_date,
               COALESCE(t.product_category, p.product_category) AS product_category,
               COALESCE(t.provider_code, p.provider_code) AS provider_code,
               p.referrer, h.wijk_code
        FROM firsts f
        LEFT JOIN attr_t t ON t.case_id = f.case_id
        LEFT JOIN attr_p p ON p.case_id = f.case_id
        LEFT JOIN home h ON h.case_id = f.case_id
        """
    )
    return int(store.scalar(f"SELECT count(*) FROM {LOG}") or 0)


def load_log(store: Store, log: pa.Table) -> int:
    """Fill ``_keten_log`` from an Arrow table with the columns of LOG_COLUMNS (the
    ``step_rank`` column may be absent: it is derived from ``step``)."""
    store.execute(f"DROP TABLE IF EXISTS {LOG}")
    store.register("_keten_in", log)
    try:
        cols = [c for c in LOG_COLUMNS if c != "step_rank"]
        select = ", ".join(
            f"CAST({c} AS VARCHAR) AS {c}" if c not in ("event_date",) else "event_date"
            for c in cols
            if c in log.column_names
        )
        missing = ", ".join(
            f"CAST(NULL AS VARCHAR) AS {c}" for c in cols if c not in log.column_names
        )
        store.execute(
            f"CREATE TEMP TABLE {LOG} AS SELECT {select}{', ' + missing if missing else ''}, "
            f"{_RANK} AS step_rank FROM _keten_in"
        )
    finally:
        store.unregister("_keten_in")
    return int(store.scalar(f"SELECT count(*) FROM {LOG}") or 0)


_ORDERED = f"""
    SELECT *, row_number() OVER (PARTITION BY case_id ORDER BY event_date, step_rank) AS pos
    FROM {LOG}
"""


def _dims(dimension: str | None) -> tuple[str, str]:
    if dimension is None:
        return "'totaal'", "CAST('' AS VARCHAR)"
    if dimension not in DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}")
    return f"'{dimension}'", f"COALESCE({dimension}, '')"


def step_times(store: Store, dimension: str | None = None) -> pa.Table:
    """Days between directly following steps in a case (the edges of a performance DFG):
    per (dimension value, from_step, to_step) the count, median, p90, mean, min and max."""
    name, value = _dims(dimension)
    return store.fetch_arrow(
        f"""
        WITH o AS ({_ORDERED}),
        pairs AS (
            SELECT {value.replace("COALESCE(", "COALESCE(a.")} AS dim_value,
                   a.step AS from_step, b.step AS to_step,
                   CAST(b.event_date - a.event_date AS DOUBLE PRECISION) AS days
            FROM o a JOIN o b ON a.case_id = b.case_id AND b.pos = a.pos + 1
        )
        SELECT {name} AS dimension, dim_value, from_step, to_step, count(*) AS n,
               {_pct(0.5, "days")} AS median_days, {_pct(0.9, "days")} AS p90_days,
               avg(days) AS mean_days, min(days) AS min_days, max(days) AS max_days
        FROM pairs GROUP BY dim_value, from_step, to_step
        ORDER BY dim_value, from_step, to_step
        """
    )


def case_durations(store: Store) -> pa.Table:
    """Per case: first and last date and the days between them."""
    return store.fetch_arrow(
        f"""
        SELECT case_id, min(event_date) AS first_date, max(event_date) AS last_date,
               CAST(max(event_date) - min(event_date) AS DOUBLE PRECISION) AS days
        FROM {LOG} GROUP BY case_id ORDER BY case_id
        """
    )


def variants(store: Store) -> pa.Table:
    """Process variants: the ordered steps of a case, with the number of cases and the
    median and p90 case duration in days; most frequent first."""
    return store.fetch_arrow(
        f"""
        WITH c AS (
            SELECT case_id,
                   string_agg(step, ',' ORDER BY event_date, step_rank) AS variant,
                   CAST(max(event_date) - min(event_date) AS DOUBLE PRECISION) AS days
            FROM {LOG} GROUP BY case_id
        )
        SELECT variant, count(*) AS cases, {_pct(0.5, "days")} AS median_days,
               {_pct(0.9, "days")} AS p90_days
        FROM c GROUP BY variant ORDER BY cases DESC, variant
        """
    )


@dataclass(frozen=True)
class Terms:
    """Legal terms in days (defaults: /work/shared/DOMAIN.md, via config.py)."""

    wmo_onderzoek: int = 42
    wmo_beschikking: int = 14
    jeugd_beschikking: int = 56
    pwet_beschikking: int = 56
    schuld_eerste_gesprek: int = 28

    @classmethod
    def from_settings(cls, settings: Settings) -> Terms:
        return cls(
            settings.get_int("term_days_wmo_onderzoek"),
            settings.get_int("term_days_wmo_beschikking"),
            settings.get_int("term_days_jeugd_beschikking"),
            settings.get_int("term_days_pwet_beschikking"),
            settings.get_int("term_days_schuld_eerste_gesprek"),
        )

    def rules(self) -> list[tuple[str, str, str, str, int]]:
        """(rule, law, from step, to step, term days)."""
        return [
            ("wmo_onderzoek", "wmo", "melding", "onderzoek", self.wmo_onderzoek),
            ("wmo_beschikking", "wmo", "aanvraag", "beschikking", self.wmo_beschikking),
            ("jeugd_beschikking", "jeugd", "aanvraag", "beschikking", self.jeugd_beschikking),
            ("pwet_beschikking", "pwet", "aanvraag", "beschikking", self.pwet_beschikking),
            (
                "schuld_eerste_gesprek",
                "schuld",
                "aanvraag",
                "eerste_gesprek",
                self.schuld_eerste_gesprek,
            ),
        ]


def compliance(store: Store, terms: Terms, by: Sequence[str] = ()) -> pa.Table:
    """Per legal term (and ``by`` columns, plus the year the term ended): cases, cases
    within the term, their share in %, and the median days."""
    rules = pa.table(
        {
            name: [r[i] for r in terms.rules()]
            for i, name in enumerate(("rule", "law", "from_step", "to_step", "term_days"))
        }
    )
    store.register("_keten_terms", rules)
    extra = "".join(f", a.{c}" for c in by)
    group = "".join(f", {c}" for c in by)
    try:
        return store.fetch_arrow(
            f"""
            WITH d AS (
                SELECT r.rule, r.law, r.term_days{extra},
                       CAST(extract(year FROM b.event_date) AS INTEGER) AS period,
                       CAST(b.event_date - a.event_date AS DOUBLE PRECISION) AS days
                FROM _keten_terms r
                JOIN {LOG} a ON a.law = r.law AND a.step = r.from_step
                JOIN {LOG} b ON b.case_id = a.case_id AND b.step = r.to_step
            )
            SELECT rule, law, period{group}, min(term_days) AS term_days, count(*) AS cases,
                   sum(CASE WHEN days <= term_days THEN 1 ELSE 0 END) AS within_term,
                   100.0 * sum(CASE WHEN days <= term_days THEN 1 ELSE 0 END) / count(*)
                       AS within_term_pct,
                   {_pct(0.5, "days")} AS median_days
            FROM d GROUP BY rule, law, period{group} ORDER BY rule, period{group}
            """
        )
    finally:
        store.unregister("_keten_terms")


def waiting(store: Store, dimension: str | None = None, as_of: str | None = None) -> pa.Table:
    """Waiting time toewijzing → start levering (started cases), and the waiting list:
    toewijzingen without a start on ``as_of`` (default: the last date in the log)."""
    name, value = _dims(dimension)
    ref = f"DATE '{as_of}'" if as_of else f"(SELECT max(event_date) FROM {LOG})"
    return store.fetch_arrow(
        f"""
        WITH t AS (SELECT * FROM {LOG} WHERE step = 'toewijzing'),
        s AS (SELECT case_id, event_date FROM {LOG} WHERE step = 'start_levering'),
        w AS (
            SELECT {value} AS dim_value,
                   CAST(s.event_date - t.event_date AS DOUBLE PRECISION) AS days,
                   CAST({ref} - t.event_date AS DOUBLE PRECISION) AS open_days,
                   s.case_id IS NULL AS waiting
            FROM t LEFT JOIN s ON s.case_id = t.case_id
        )
        SELECT {name} AS dimension, dim_value,
               sum(CASE WHEN waiting THEN 0 ELSE 1 END) AS started,
               {_pct(0.5, "days")} AS median_days, {_pct(0.9, "days")} AS p90_days,
               sum(CASE WHEN waiting AND open_days >= 0 THEN 1 ELSE 0 END) AS on_waiting_list,
               {_pct(0.5, "CASE WHEN waiting AND open_days >= 0 THEN open_days END")}
                   AS median_open_days
        FROM w GROUP BY dim_value ORDER BY dim_value
        """
    )


CHECKS = {
    "levering_zonder_toewijzing": "start of delivery for a toewijzing that was never received",
    "levering_zonder_beschikking": "start of delivery in a case without a beschikking",
    "declaratie_buiten_periode": "declaratie period outside the toewijzing's period",
    "declaratie_boven_toewijzing": "more days declared than the toewijzing covers",
    "start_na_stop": "start of delivery after its stop",
    "andere_aanbieder": "delivered or billed by another provider than the assigned one",
    "toewijzing_nooit_gestart": "toewijzing without a start of delivery after the grace days",
}


def conformity(store: Store, grace_days: int = 90) -> pa.Table:
    """The conformity checks of :data:`CHECKS` per (check, law, provider): the number of
    offending cases (or declaratie lines) and the number checked."""
    return store.fetch_arrow(
        f"""
        WITH tw AS (
            SELECT toewijzing_id, min(law) AS law, min(provider_code) AS provider_code,
                   min(start_date) AS start_date, max(COALESCE(end_date, DATE '9999-12-31'))
                       AS end_date, min(assigned_date) AS assigned_date
            FROM toewijzing GROUP BY toewijzing_id
        ),
        starts AS (
            SELECT toewijzing_id, min(law) AS law, min(provider_code) AS provider_code,
                   min(event_date) AS start_date
            FROM chain_event WHERE step = 'start_levering' AND toewijzing_id IS NOT NULL
            GROUP BY toewijzing_id
        ),
        stops AS (
            SELECT toewijzing_id, max(event_date) AS stop_date
            FROM chain_event WHERE step = 'stop_levering' AND toewijzing_id IS NOT NULL
            GROUP BY toewijzing_id
        ),
        besch AS (
            SELECT DISTINCT COALESCE(toewijzing_id, provision_id) AS case_id
            FROM chain_event WHERE step = 'beschikking'
        ),
        last_day AS (SELECT max(event_date) AS d FROM chain_event),
        c AS (
            SELECT c.*, tw.start_date AS tw_start, tw.end_date AS tw_end,
                   tw.provider_code AS tw_provider
            FROM cost c JOIN tw ON tw.toewijzing_id = c.toewijzing_id
        ),
        days AS (
            SELECT toewijzing_id, min(law) AS law, min(tw_provider) AS provider_code,
                   sum(CAST(period_end - period_start AS INTEGER) + 1) AS declared,
                   min(CAST(LEAST(tw_end, (SELECT d FROM last_day)) - tw_start AS INTEGER))
                       + 1 AS assigned
            FROM c GROUP BY toewijzing_id
        ),
        rows AS (
            SELECT 'levering_zonder_toewijzing' AS check_id, s.law, s.provider_code,
                   tw.toewijzing_id IS NULL AS bad
            FROM starts s LEFT JOIN tw ON tw.toewijzing_id = s.toewijzing_id
            UNION ALL
            SELECT 'levering_zonder_beschikking', s.law, s.provider_code, b.case_id IS NULL
            FROM starts s LEFT JOIN besch b ON b.case_id = s.toewijzing_id
            UNION ALL
            SELECT 'start_na_stop', s.law, s.provider_code, s.start_date > p.stop_date
            FROM starts s JOIN stops p ON p.toewijzing_id = s.toewijzing_id
            UNION ALL
            SELECT 'andere_aanbieder', s.law, tw.provider_code,
                   s.provider_code IS NOT NULL AND s.provider_code <> tw.provider_code
            FROM starts s JOIN tw ON tw.toewijzing_id = s.toewijzing_id
            UNION ALL
            SELECT 'andere_aanbieder', c.law, c.tw_provider,
                   c.provider_code IS NOT NULL AND c.provider_code <> c.tw_provider
            FROM c
            UNION ALL
            SELECT 'declaratie_buiten_periode', c.law, c.tw_provider,
                   c.period_start < c.tw_start OR c.period_end > c.tw_end
            FROM c
            UNION ALL
            SELECT 'declaratie_boven_toewijzing', law, provider_code, declared > assigned
            FROM days
            UNION ALL
            SELECT 'toewijzing_nooit_gestart', tw.law, tw.provider_code, s.toewijzing_id IS NULL
            FROM tw LEFT JOIN starts s ON s.toewijzing_id = tw.toewijzing_id
            WHERE COALESCE(tw.assigned_date, tw.start_date)
                  <= (SELECT d FROM last_day) - {int(grace_days)}
        )
        SELECT check_id, law, COALESCE(provider_code, '') AS provider_code,
               count(*) AS checked, sum(CASE WHEN bad THEN 1 ELSE 0 END) AS failed
        FROM rows GROUP BY check_id, law, provider_code
        ORDER BY check_id, law, provider_code
        """
    )
