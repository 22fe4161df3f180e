"""The client chain as an event log: throughput, legal terms, conformity, variants.

The event log has one row per (case, step): a case is a toewijzing where there is one
(the iJw/iWmo ToewijzingNummer ties the zaaksysteem's aanvraag and beschikking to the
301, 305, 303 and 307 messages), otherwise the provision. A step that occurs more than
once in a case (a monthly declaratie) keeps its first date; the conformity checks read
the canonical tables themselves, so no repeated row is lost to them. Events are ordered
by date, then by the usual order of the steps (``CHAIN_STEPS``).

The log is ordered once, vectorised in numpy (:mod:`zicht.analysis._chain_seq`: integer
case keys, one packed sort key, segment arithmetic; Python never loops over events), and
handed to the store as two registered tables that the analyses query with SQL (DuckDB
and PostgreSQL alike):

- ``_keten_log``: case_no (integer case key), step_rank (index into CHAIN_STEPS),
  event_date, pos (1-based place in the case), next_rank and next_date (the directly
  following event; NULL for the last).
- ``_keten_case``: case_no, case_id, first_date, last_date, days (case duration),
  events, variant_code (the steps as an integer, NULL for cases of more than
  ``MAX_CODED`` events), and the breakdowns person_id, law, product_category,
  provider_code, referrer, wijk_code.

:func:`build_log` fills them from the canonical tables; :func:`load_log` from any Arrow
table with (some of) the columns of :data:`LOG_COLUMNS` (the tests and the benchmark use
it). The analyses return Arrow tables with step names spelled out. See docs/chain.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from zicht.analysis import _chain_seq as seq
from zicht.config import Settings
from zicht.model.schema import CHAIN_STEPS
from zicht.store import Store

__all__ = [
    "CASES",
    "CHECKS",
    "DIMENSIONS",
    "LOG",
    "LOG_COLUMNS",
    "Terms",
    "build_log",
    "case_durations",
    "compliance",
    "conformity",
    "events",
    "load_log",
    "step_times",
    "variants",
    "waiting",
]

LOG = "_keten_log"
CASES = "_keten_case"
_RAW = "_keten_raw"
_ATTR = "_keten_attr"
_SEQ = "_keten_seq"
LOG_COLUMNS = (
    "case_id",
    "person_id",
    "law",
    "step",
    "event_date",
    "product_category",
    "provider_code",
    "referrer",
    "wijk_code",
)
DIMENSIONS = ("law", "product_category", "provider_code", "referrer", "wijk_code")
"""Breakdowns of throughput and waiting times (case attributes)."""
_ATTRIBUTES = ("person_id", *DIMENSIONS)

RANK = {s: i for i, s in enumerate(CHAIN_STEPS)}


def _name(expr: str) -> str:
    """SQL spelling out a step rank as its name."""
    whens = " ".join(f"WHEN {i} THEN '{s}'" for i, s in enumerate(CHAIN_STEPS))
    return f"CASE {expr} {whens} END"


def _pct(q: float, expr: str) -> str:
    # Continuous percentile (numpy's default 'linear'); DuckDB and PostgreSQL both know it.
    return f"percentile_cont({q}) WITHIN GROUP (ORDER BY {expr})"


def build_log(store: Store) -> int:
    """Fill the log from the canonical tables; returns the number of events."""
    _drop(store)
    store.execute(
        f"""
        CREATE TEMP TABLE {_RAW} AS
        WITH ev AS (
            SELECT COALESCE(toewijzing_id, provision_id) AS case_id, person_id, law, step,
                   event_date
            FROM chain_event
            WHERE COALESCE(toewijzing_id, provision_id) IS NOT NULL
        )
        SELECT case_id, step, min(event_date) AS event_date, min(person_id) AS person_id,
               min(law) AS law
        FROM ev GROUP BY case_id, step
        """
    )
    store.execute(
        f"""
        CREATE TEMP TABLE {_ATTR} AS
        WITH attr_p AS (
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
        c AS (
            SELECT case_id, min(event_date) AS d, min(person_id) AS person_id, min(law) AS law
            FROM {_RAW} GROUP BY case_id
        ),
        home AS (
            SELECT c.case_id, min(a.parent_code) AS wijk_code
            FROM c
            JOIN person_period pp ON pp.person_id = c.person_id
                AND pp.period = CAST(extract(year FROM c.d) AS INTEGER)
            JOIN area a ON a.code = pp.buurt_code AND a.level = 'buurt'
            GROUP BY c.case_id
        )
        SELECT c.case_id, c.person_id, c.law,
               COALESCE(t.product_category, p.product_category) AS product_category,
               COALESCE(t.provider_code, p.provider_code) AS provider_code,
               p.referrer, h.wijk_code
        FROM c
        LEFT JOIN attr_t t ON t.case_id = c.case_id
        LEFT JOIN attr_p p ON p.case_id = c.case_id
        LEFT JOIN home h ON h.case_id = c.case_id
        """
    )
    try:
        raw = store.fetch_arrow(
            f"SELECT case_id, step, event_date FROM {_RAW} ORDER BY case_id, event_date"
        )
        _, _, log, cases = _order(raw)
        store.register(_SEQ, cases)
        try:
            cases = store.fetch_arrow(
                f"""
                SELECT s.*, {", ".join(f"a.{c}" for c in _ATTRIBUTES)}
                FROM {_SEQ} s LEFT JOIN {_ATTR} a ON a.case_id = s.case_id
                ORDER BY s.case_no
                """
            )
        finally:
            store.unregister(_SEQ)
        return _publish(store, log, cases)
    finally:
        store.execute(f"DROP TABLE IF EXISTS {_RAW}")
        store.execute(f"DROP TABLE IF EXISTS {_ATTR}")


def load_log(store: Store, log: pa.Table) -> int:
    """Fill the log from an Arrow table with case_id, step and event_date and any of the
    other LOG_COLUMNS (absent attributes are NULL; per case the smallest value counts).
    Events without a case id, a date or a known step are left out."""
    _drop(store)
    kept, case_no, events, cases = _order(log)
    present = [c for c in _ATTRIBUTES if c in log.column_names]
    if present and cases.num_rows:
        store.register(
            "_keten_in", kept.select(present).append_column("case_no", pa.array(case_no))
        )
        try:
            attrs = store.fetch_arrow(
                "SELECT case_no, "
                + ", ".join(f"CAST(min({c}) AS VARCHAR) AS {c}" for c in present)
                + " FROM _keten_in GROUP BY case_no ORDER BY case_no"
            )
        finally:
            store.unregister("_keten_in")
        got = attrs["case_no"].to_numpy()
        if not np.array_equal(got, cases["case_no"].to_numpy()):  # pragma: no cover
            raise AssertionError("case attributes out of step with the cases")
    else:
        attrs = pa.table({})
    for c in _ATTRIBUTES:
        col = attrs[c] if c in present else pa.nulls(cases.num_rows, pa.string())
        cases = cases.append_column(c, pc.cast(col, pa.string()))
    return _publish(store, events, cases)


def _order(
    data: pa.Table,
) -> tuple[pa.Table, npt.NDArray[np.int32], pa.Table, pa.Table]:
    """Order the events of ``data`` (case_id, step, event_date): the rows kept, their
    case_no (in the order of those rows), the ordered event table, the case table."""
    step = data["step"]
    if not pa.types.is_string(step.type):
        step = pc.cast(step, pa.string())
    rank = pc.index_in(step, value_set=pa.array(CHAIN_STEPS, pa.string()))
    day = pc.cast(data["event_date"], pa.date32())
    ok = pc.and_(pc.and_(pc.is_valid(data["case_id"]), pc.is_valid(rank)), pc.is_valid(day))
    if not pc.all(ok).as_py() and data.num_rows:
        data, rank, day = data.filter(ok), rank.filter(ok), day.filter(ok)
    case_id = pc.cast(data["case_id"], pa.string())
    case_id = case_id.combine_chunks() if isinstance(case_id, pa.ChunkedArray) else case_id
    case_no, ids = seq.case_numbers(case_id)
    log, cases = seq.sequence(
        case_no,
        _ints(rank),
        _ints(pc.cast(day, pa.int32())),
        ids,
    )
    return data, case_no, log, cases


def _ints(values: pa.Array | pa.ChunkedArray) -> npt.NDArray[np.int32]:
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    out: npt.NDArray[np.int32] = values.to_numpy(zero_copy_only=False).astype(np.int32, copy=False)
    return out


def _publish(store: Store, log: pa.Table, cases: pa.Table) -> int:
    store.register(LOG, log)
    store.register(CASES, cases)
    return int(log.num_rows)


def _drop(store: Store) -> None:
    for name in (LOG, CASES, _SEQ):
        store.unregister(name)
    for name in (_RAW, _ATTR):
        store.execute(f"DROP TABLE IF EXISTS {name}")


def events(store: Store) -> pa.Table:
    """The ordered log with step names and case attributes (for export and checks)."""
    return store.fetch_arrow(
        f"""
        SELECT c.case_id, {_name("l.step_rank")} AS step, l.step_rank, l.event_date, l.pos,
               c.person_id, c.law, c.product_category, c.provider_code, c.referrer, c.wijk_code
        FROM {LOG} l JOIN {CASES} c ON c.case_no = l.case_no
        ORDER BY c.case_id, l.pos
        """
    )


def _dims(dimension: str | None) -> tuple[str, str, str]:
    """(dimension label, value expression, join clause)."""
    if dimension is None:
        return "'totaal'", "CAST('' AS VARCHAR)", ""
    if dimension not in DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}")
    return (
        f"'{dimension}'",
        f"COALESCE(c.{dimension}, '')",
        f"JOIN {CASES} c ON c.case_no = l.case_no",
    )


def step_times(store: Store, dimension: str | None = None) -> pa.Table:
    """Days between directly following steps in a case (the edges of a performance DFG):
    per (dimension value, from_step, to_step) the count, median, p90, mean, min and max.

    Gaps are whole days, so the events are first counted per (edge, gap): a few thousand
    rows instead of one per event. The percentiles are read off the cumulative counts
    with the interpolation of ``percentile_cont`` (and numpy's default): for the
    0-based position h = (n - 1) q, the value at floor(h) plus the fraction of h times
    the step to the value at ceil(h). The positions are exact integer arithmetic."""
    name, value, join = _dims(dimension)
    pcts = ", ".join(f"{_hist_pct(t, 'q' + str(t))}" for t in (5, 9))
    return store.fetch_arrow(
        f"""
        WITH h AS (
            SELECT {value} AS dim_value, l.step_rank AS a, l.next_rank AS b,
                   l.next_date - l.event_date AS d, count(*) AS k
            FROM {LOG} l {join} WHERE l.next_rank IS NOT NULL
            GROUP BY 1, 2, 3, 4
        ),
        c AS (
            SELECT dim_value, a, b, d, k,
                   sum(k) OVER (PARTITION BY dim_value, a, b ORDER BY d) AS upto,
                   sum(k) OVER (PARTITION BY dim_value, a, b) AS n
            FROM h
        ),
        g AS (
            SELECT dim_value, a, b, min(n) AS n, {pcts},
                   sum(d * k) AS total, min(d) AS min_d, max(d) AS max_d
            FROM c GROUP BY dim_value, a, b
        )
        SELECT {name} AS dimension, dim_value, {_name("a")} AS from_step,
               {_name("b")} AS to_step, CAST(n AS BIGINT) AS n,
               q5_lo + q5_frac * (q5_hi - q5_lo) AS median_days,
               q9_lo + q9_frac * (q9_hi - q9_lo) AS p90_days,
               CAST(total AS DOUBLE PRECISION) / n AS mean_days,
               CAST(min_d AS DOUBLE PRECISION) AS min_days,
               CAST(max_d AS DOUBLE PRECISION) AS max_days
        FROM g ORDER BY dim_value, a, b
        """
    )


def _hist_pct(tenths: int, alias: str) -> str:
    """Aggregates over ``c`` (value d, cumulative count upto, group size n) giving
    ``{alias}_lo``, ``{alias}_hi`` and ``{alias}_frac`` of the ``tenths``/10 percentile."""
    x = f"(n - 1) * {tenths}"
    lo_pos = f"(({x}) - ({x}) % 10) / 10"  # exact: integer division in both dialects
    hi_pos = f"{lo_pos} + CASE WHEN ({x}) % 10 > 0 THEN 1 ELSE 0 END"
    return (
        f"CAST(min(CASE WHEN upto > {lo_pos} THEN d END) AS DOUBLE PRECISION) AS {alias}_lo, "
        f"CAST(min(CASE WHEN upto > {hi_pos} THEN d END) AS DOUBLE PRECISION) AS {alias}_hi, "
        f"CAST(min(({x}) % 10) AS DOUBLE PRECISION) / 10 AS {alias}_frac"
    )


def case_durations(store: Store) -> pa.Table:
    """Per case: first and last date and the days between them, in the order in which
    the cases first appear in the log on DuckDB (build_log: by case id); unordered on
    PostgreSQL."""
    return store.fetch_arrow(f"SELECT case_id, first_date, last_date, days FROM {CASES}")


def variants(store: Store) -> pa.Table:
    """Process variants: the ordered steps of a case, with the number of cases and the
    median and p90 case duration in days; most frequent first."""
    if store.scalar(f"SELECT count(*) FROM {CASES} WHERE variant_code IS NULL"):
        return _variants_text(store)
    # The variant of a case is coded as an integer when the log is ordered
    # (zicht.analysis._chain_seq); the few distinct codes are spelled out afterwards.
    coded = store.fetch_arrow(
        f"""
        SELECT variant_code AS code, count(*) AS cases, {_pct(0.5, "days")} AS median_days,
               {_pct(0.9, "days")} AS p90_days
        FROM {CASES} GROUP BY variant_code
        """
    )
    names = [",".join(seq.decode(int(c))) for c in coded.column("code").to_pylist()]
    cases = coded.column("cases").to_pylist()
    out = pa.table(
        {
            "variant": pa.array(names, pa.string()),
            "cases": coded.column("cases"),
            "median_days": coded.column("median_days"),
            "p90_days": coded.column("p90_days"),
        }
    )
    order = sorted(range(len(names)), key=lambda i: (-int(cases[i]), names[i]))
    return out.take(pa.array(order, pa.int64()))


def _variants_text(store: Store) -> pa.Table:
    """Variants spelled out by string_agg: for logs with cases longer than MAX_CODED."""
    return store.fetch_arrow(
        f"""
        WITH v AS (
            SELECT case_no, string_agg({_name("step_rank")}, ',' ORDER BY pos) AS variant
            FROM {LOG} GROUP BY case_no
        )
        SELECT v.variant, count(*) AS cases, {_pct(0.5, "c.days")} AS median_days,
               {_pct(0.9, "c.days")} AS p90_days
        FROM v JOIN {CASES} c ON c.case_no = v.case_no
        GROUP BY v.variant ORDER BY cases DESC, v.variant
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
    """Per legal term (and ``by`` case attributes, plus the year the term ended): cases,
    cases within the term, their share in %, and the median days."""
    for c in by:
        if c not in DIMENSIONS:
            raise ValueError(f"unknown dimension {c!r}")
    rules = terms.rules()
    table = pa.table(
        {
            "rule": [r[0] for r in rules],
            "law": [r[1] for r in rules],
            "from_rank": [RANK[r[2]] for r in rules],
            "to_rank": [RANK[r[3]] for r in rules],
            "term_days": [r[4] for r in rules],
        }
    )
    store.register("_keten_terms", table)
    extra = "".join(f", c.{c}" for c in by)
    group = "".join(f", {c}" for c in by)
    try:
        return store.fetch_arrow(
            f"""
            WITH d AS (
                SELECT r.rule, r.law, r.term_days{extra},
                       CAST(extract(year FROM b.event_date) AS INTEGER) AS period,
                       CAST(b.event_date - a.event_date AS DOUBLE PRECISION) AS days
                FROM _keten_terms r
                JOIN {LOG} a ON a.step_rank = r.from_rank
                JOIN {CASES} c ON c.case_no = a.case_no AND c.law = r.law
                JOIN {LOG} b ON b.case_no = a.case_no AND b.step_rank = r.to_rank
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
    name, value, join = _dims(dimension)
    ref = f"DATE '{as_of}'" if as_of else f"(SELECT max(event_date) FROM {LOG})"
    return store.fetch_arrow(
        f"""
        WITH s AS (
            SELECT case_no, event_date FROM {LOG} WHERE step_rank = {RANK["start_levering"]}
        ),
        w AS (
            SELECT {value} AS dim_value,
                   CAST(s.event_date - l.event_date AS DOUBLE PRECISION) AS days,
                   CAST({ref} - l.event_date AS DOUBLE PRECISION) AS open_days,
                   s.case_no IS NULL AS waiting
            FROM {LOG} l {join} LEFT JOIN s ON s.case_no = l.case_no
            WHERE l.step_rank = {RANK["toewijzing"]}
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
