"""The indicator engine: canonical tables → indicator cube, in SQL.

For each definition one query computes every level (gemeente, wijk, buurt), every area of
the boundary year and every period in ``person_period``. The levels come from joining
the definition's facts to ``area_map`` (each buurt three times: itself, its wijk, its
gemeente, following ``parent_code``), so one GROUP BY covers all levels and no Python
loop runs per area. Areas and periods without any unit get a cell with denominator 0 and
no value; the disclosure gate suppresses those (there is no figure to publish).

The SQL is plain enough for DuckDB and PostgreSQL; the only difference, the median, comes
from :mod:`zicht.indicators._dialect`. Settings enter as integer literals; text from a
definition (id, unit) never enters the SQL but is added to the Arrow result.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar

import pyarrow as pa

from zicht.config import SETTINGS, Settings
from zicht.indicators import _dialect, _steps
from zicht.indicators.definitions import (
    BREAKDOWNS,
    FIXED_CATEGORIES,
    PLACEHOLDER,
    IndicatorDefinition,
)
from zicht.model.schema import LEVELS
from zicht.privacy.disclosure import EMPTY_COLUMN, ZERO_COLUMN, zero_mask
from zicht.store import Store

CUBE_SCHEMA = pa.schema(
    [
        ("indicator_id", pa.string()),
        ("level", pa.string()),
        ("area_code", pa.string()),
        ("period", pa.int32()),
        ("breakdown", pa.string()),
        ("value", pa.float64()),
        ("numerator", pa.float64()),
        ("denominator", pa.int64()),
        ("unit", pa.string()),
        ("status", pa.string()),
        ("category", pa.string()),
    ]
)
"""Columns of ``cube.parquet`` (docs/model.md, "The published layer"). The total row
of an area has ``breakdown`` and ``category`` both ``""``."""

BREAKDOWN_LEVELS = ("gemeente", "wijk")
"""Levels that get breakdown cells (buurten only get the total)."""

UNKNOWN_CATEGORY = "onbekend"
"""Category of a fact whose breakdown column is NULL."""

LATEST_BOUNDARY_YEAR = "(SELECT max(a0.boundary_year) FROM area a0)"
"""Boundary year expression used when the workspace has none configured."""

SHARED: dict[str, str] = {
    "household_period": """\
SELECT q.period, q.household_id, count(*) AS n,
       sum(CASE WHEN q.period - q.birth_year BETWEEN 0 AND {youth_max_age}
                THEN 1 ELSE 0 END) AS kids,
       min(q.buurt_code) AS buurt_code
FROM person_period q
GROUP BY q.period, q.household_id""",
    "provision_period": """\
SELECT y.period, v.provision_id, v.person_id, v.law, v.product_category, v.referrer,
       v.start_date, v.end_date
FROM provision v
JOIN (SELECT DISTINCT period FROM person_period) y
  ON v.start_date <= make_date(y.period, 12, 31)
  AND (v.end_date IS NULL OR v.end_date >= make_date(y.period, 1, 1))""",
}
"""Relations the engine offers a definition's ``facts`` besides the canonical tables,
by name: ``household_period`` has one row per household and period with its members
(``n``), its youth (``kids``, age 0 to ``youth_max_age``) and its smallest buurt code;
``provision_period`` one row per provision and period it was active in (started on or
before 31 December, not ended before 1 January), so that "had an active provision of
this kind" is a plain ``(p.period, p.person_id) IN (SELECT period, person_id ...)``
rather than a correlated ``EXISTS`` with date conditions (which DuckDB answers by first
collecting every distinct person and period of the outer query).
Alone, a definition's query gets each as a CTE (so the SQL shown to an analyst is
self-contained); inside :func:`shared_tables` (a refresh, :func:`compute_cube`) each is
computed once as a temporary table and read by every definition naming it, instead of
grouping the whole ``person_period`` once per definition."""


def settings_read(definition: IndicatorDefinition) -> set[str]:
    """The settings a definition's facts read: its own ``{placeholders}`` and those of
    the :data:`SHARED` relations it names (``household_period`` counts a household's
    youth by ``youth_max_age``)."""
    text = definition.facts + "".join(
        sql for name, sql in SHARED.items() if re.search(rf"\b{name}\b", definition.facts)
    )
    return set(PLACEHOLDER.findall(text))


def settle(
    definition: IndicatorDefinition, settings: Settings
) -> tuple[IndicatorDefinition, list[str]]:
    """``definition`` without its zeros by definition (``structural_zeros``,
    ``structural_empty``) if a setting its facts read differs from its default, and
    those settings ("name = value"; none: kept as it is). A declaration holds by law for
    the settings it was written for: with ``youth_max_age`` 22 a household of "youth"
    only holds young adults, who may have bijstand. Dropped, such a category is an
    ordinary count, which is always safe. :func:`compute_indicator` applies it, so no
    cell is flagged by a declaration that does not hold."""
    if not (definition.structural_zeros or definition.structural_empty):
        return definition, []
    defaults = {s.name: s.default for s in SETTINGS}
    changed = [
        f"{name} = {settings.get_int(name)}"
        for name in sorted(settings_read(definition))
        if settings.get_int(name) != defaults[name]
    ]
    if not changed:
        return definition, []
    return definition.model_copy(update={"structural_zeros": {}, "structural_empty": {}}), changed


def settled(
    definitions: Mapping[str, IndicatorDefinition], settings: Settings
) -> tuple[dict[str, IndicatorDefinition], list[str]]:
    """:func:`settle` for every definition (for what a refresh publishes of them and
    checks against), and those it changed, one "indicator (setting = value)" each."""
    out: dict[str, IndicatorDefinition] = {}
    dropped: list[str] = []
    for key, definition in definitions.items():
        out[key], changed = settle(definition, settings)
        if changed:
            dropped.append(f"{key} ({', '.join(changed)})")
    return out, dropped


_TEMPLATE = """\
WITH {shared}facts AS (
{facts}
),
fb AS (
{fb}
),
area_map AS (
  SELECT b.code AS buurt_code, 'buurt' AS level, b.code AS area_code
  FROM area b
  WHERE b.level = 'buurt' AND b.boundary_year = {by}
  UNION ALL
  SELECT b.code, 'wijk', w.code
  FROM area b
  JOIN area w ON w.code = b.parent_code AND w.boundary_year = b.boundary_year
    AND w.level = 'wijk'
  WHERE b.level = 'buurt' AND b.boundary_year = {by}
  UNION ALL
  SELECT b.code, 'gemeente', g.code
  FROM area b
  JOIN area w ON w.code = b.parent_code AND w.boundary_year = b.boundary_year
    AND w.level = 'wijk'
  JOIN area g ON g.code = w.parent_code AND g.boundary_year = w.boundary_year
    AND g.level = 'gemeente'
  WHERE b.level = 'buurt' AND b.boundary_year = {by}
),
agg AS (
  SELECT m.level, m.area_code, f.period,
         {bd_name} AS breakdown,
         {bd_category} AS category,
         {numerator} AS numerator,
         CAST({denominator} AS BIGINT) AS denominator,
         {value} AS value{dominant}
  FROM fb f
  JOIN area_map m ON m.buurt_code = f.buurt_code
  GROUP BY {group_by}
),
periods AS (
  SELECT DISTINCT period FROM person_period
),
grid AS (
  SELECT a.level, a.code AS area_code, pp.period,
         CAST('' AS TEXT) AS breakdown, CAST('' AS TEXT) AS category
  FROM area a
  CROSS JOIN periods pp
  WHERE a.boundary_year = {by} AND a.level IN ('gemeente', 'wijk', 'buurt'){bd_grid}
)
SELECT g.level, g.area_code, CAST(g.period AS INTEGER) AS period,
       g.breakdown, g.category,
       CAST(agg.value AS DOUBLE PRECISION) AS value,
       {numerator_out} AS numerator,
       coalesce(agg.denominator, 0) AS denominator{dominant_out}
FROM grid g
LEFT JOIN agg
  ON agg.level = g.level AND agg.area_code = g.area_code AND agg.period = g.period
  AND agg.breakdown = g.breakdown AND agg.category = g.category
ORDER BY CASE g.level WHEN 'gemeente' THEN 1 WHEN 'wijk' THEN 2 ELSE 3 END,
         g.area_code, g.period, g.breakdown, g.category"""

_BD_GRID = """
  UNION ALL
  SELECT a.level, a.code, pp.period, c.breakdown, c.category
  FROM area a
  CROSS JOIN periods pp
  CROSS JOIN (SELECT DISTINCT breakdown, category FROM agg WHERE breakdown <> ''{fixed}) c
  WHERE a.boundary_year = {by} AND a.level IN ({levels})"""

_FIXED = """
              UNION SELECT breakdown, category FROM (VALUES {rows}) AS v(breakdown, category)"""


_FB_ROWS = """\
  SELECT f.*{bd_columns}
  FROM facts f"""

_FB_SUMS = """\
  SELECT f.period, f.buurt_code{bd_columns},
         {partials}
  FROM facts f
  GROUP BY {positions}"""

_ADDITIVE = re.compile(
    r"^\s*(?:sum\s*\(\s*[a-z_][a-z0-9_]*\s*\)|count\s*\(\s*(?:\*|[a-z_][a-z0-9_]*)\s*\))\s*$",
    re.IGNORECASE,
)
"""An aggregate whose value over a wijk or gemeente is the sum of its values over the
buurten (and over the categories of a breakdown): ``sum(column)``, ``count(*)``,
``count(column)``."""


def additive(definition: IndicatorDefinition) -> bool:
    """Whether the engine may sum the definition per buurt first: every aggregate it
    uses is :data:`_ADDITIVE` (a median is not; a dominance maximum is a maximum of
    maxima)."""
    parts = [definition.denominator]
    if definition.kind in ("rate", "mean_amount"):
        parts.append(definition.numerator or "")
    return definition.kind != "median" and all(_ADDITIVE.match(p) for p in parts)


def _indent(sql: str, spaces: int = 2) -> str:
    pad = " " * spaces
    return "\n".join(pad + line if line.strip() else line for line in sql.strip().splitlines())


def _breakdown_sql(definition: IndicatorDefinition) -> dict[str, str]:
    """The parts of the template that add the breakdown cells (GROUPING SETS)."""
    base = "m.level, m.area_code, f.period"
    if not definition.breakdowns:
        return {
            "bd_columns": "",
            "bd_name": "CAST('' AS TEXT)",
            "bd_category": "CAST('' AS TEXT)",
            "group_by": base,
            "bd_grid": "",
        }
    # Dimension names come from the fixed BREAKDOWNS table, never from user text.
    cols = [(name, f"bd_{i}") for i, name in enumerate(definition.breakdowns)]
    bd_columns = "".join(
        f",\n         coalesce(CAST(f.{BREAKDOWNS[name]} AS TEXT), '{UNKNOWN_CATEGORY}') AS {c}"
        for name, c in cols
    )
    names = " ".join(f"WHEN GROUPING(f.{c}) = 0 THEN '{name}'" for name, c in cols)
    cats = " ".join(f"WHEN GROUPING(f.{c}) = 0 THEN f.{c}" for _, c in cols)
    sets = ", ".join([f"({base})"] + [f"({base}, f.{c})" for _, c in cols])
    levels = ", ".join(f"'{lv}'" for lv in BREAKDOWN_LEVELS)
    return {
        "bd_columns": bd_columns,
        "bd_name": f"CAST(CASE {names} ELSE '' END AS TEXT)",
        "bd_category": f"CAST(CASE {cats} ELSE '' END AS TEXT)",
        "group_by": f"GROUPING SETS ({sets})",
        "bd_grid": _BD_GRID.format(by="{by}", levels=levels, fixed=_fixed(definition)),
    }


def _fixed(definition: IndicatorDefinition) -> str:
    """The categories of :data:`FIXED_CATEGORIES` for the grid (names from that table,
    never from user text)."""
    rows = [
        f"('{name}', '{cat}')"
        for name in definition.breakdowns
        for cat in FIXED_CATEGORIES.get(name, ())
    ]
    return _FIXED.format(rows=", ".join(rows)) if rows else ""


SHARED_SOURCES: dict[str, tuple[str, ...]] = {
    "household_period": ("person_period",),
    "provision_period": ("provision", "person_period"),
}
"""The canonical tables each :data:`SHARED` relation reads (for the incremental
refresh and the lineage of a figure)."""


def shared_named(definition: IndicatorDefinition) -> list[str]:
    """The :data:`SHARED` relations a definition's ``facts`` name."""
    return [name for name in SHARED if re.search(rf"\b{name}\b", definition.facts)]


def _shared_sql(name: str, settings: Settings) -> str:
    return re.sub(
        r"\{([a-z_][a-z0-9_]*)\}", lambda m: str(settings.get_int(m.group(1))), SHARED[name]
    )


def indicator_sql(
    definition: IndicatorDefinition,
    settings: Settings,
    dialect: str,
    boundary_year: str,
    materialized: Iterable[str] = (),
) -> str:
    """The query computing one indicator for all levels, areas, periods and breakdowns.

    ``boundary_year`` is an SQL expression: an integer literal, or
    :data:`LATEST_BOUNDARY_YEAR`. Result columns: level, area_code, period, breakdown,
    category, value, numerator, denominator, and ``dominant`` (the largest single
    contribution to the numerator) when the definition has ``dominance_of`` (the engine
    adds indicator_id, unit and status). The :data:`SHARED` relations the facts name
    become CTEs, except those in ``materialized`` (temporary tables of the connection).
    """
    den = definition.denominator
    null = "CAST(NULL AS DOUBLE PRECISION)"
    if definition.kind == "median":
        assert definition.median_of is not None  # guaranteed by the definition schema
        numerator = numerator_out = null
        value = _dialect.quantile(dialect, f"f.{definition.median_of}", definition.quantile)
    elif definition.kind == "count":
        numerator = numerator_out = null
        value = f"CAST({den} AS DOUBLE PRECISION)"
    else:
        numerator = f"CAST({definition.numerator} AS DOUBLE PRECISION)"
        scale = f" * {int(definition.scale)}" if definition.scale != 1 else ""
        value = f"{numerator}{scale} / NULLIF({den}, 0)"
        numerator_out = "coalesce(agg.numerator, 0)"
    dominant = dominant_out = ""
    if definition.dominance_of is not None:
        dominant = (
            f",\n         max(CAST(f.{definition.dominance_of} AS DOUBLE PRECISION)) AS dominant"
        )
        dominant_out = ",\n       agg.dominant AS dominant"
    parts = _breakdown_sql(definition)
    parts["bd_grid"] = parts["bd_grid"].replace("{by}", boundary_year)
    if additive(definition):
        # Sum the facts per buurt, period and category first; the levels and the
        # breakdown totals then add up thousands of partial sums instead of every unit
        # three times over (each buurt is counted in itself, its wijk and gemeente).
        partials = [f"{den} AS zicht_den"]
        den = "CAST(sum(f.zicht_den) AS BIGINT)"
        if definition.kind in ("rate", "mean_amount"):
            partials.append(f"{definition.numerator} AS zicht_num")
            numerator = "CAST(sum(f.zicht_num) AS DOUBLE PRECISION)"
            scale = f" * {int(definition.scale)}" if definition.scale != 1 else ""
            value = f"{numerator}{scale} / NULLIF({den}, 0)"
        else:
            value = f"CAST({den} AS DOUBLE PRECISION)"
        if definition.dominance_of is not None:
            partials.append(
                f"max(CAST(f.{definition.dominance_of} AS DOUBLE PRECISION)) AS zicht_dom"
            )
            dominant = ",\n         max(f.zicht_dom) AS dominant"
        positions = ", ".join(str(i) for i in range(1, 3 + len(definition.breakdowns)))
        fb = _FB_SUMS.format(
            bd_columns=parts.pop("bd_columns"),
            partials=",\n         ".join(partials),
            positions=positions,
        )
    else:
        fb = _FB_ROWS.format(bd_columns=parts.pop("bd_columns"))
    done = set(materialized)
    shared = "".join(
        f"{name} AS (\n{_indent(_shared_sql(name, settings))}\n),\n"
        for name in shared_named(definition)
        if name not in done
    )
    return _TEMPLATE.format(
        shared=shared,
        facts=_indent(definition.facts_sql(settings)),
        fb=fb,
        by=boundary_year,
        numerator=numerator,
        denominator=den,
        value=value,
        numerator_out=numerator_out,
        dominant=dominant,
        dominant_out=dominant_out,
        **parts,
    )


class _Shared:
    """The :data:`SHARED` relations made temporary tables on one connection so far."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self.made: list[str] = []

    def ensure(self, name: str) -> str:
        if name not in self.made:
            with _steps.step(f"shared {name}"):
                self.store.execute(f"DROP TABLE IF EXISTS {name}")
                self.store.execute(
                    f"CREATE TEMPORARY TABLE {name} AS\n{_shared_sql(name, self.settings)}"
                )
                self.store.analyze(name)
            self.made.append(name)
        return name

    def drop(self) -> None:
        for name in self.made:
            self.store.execute(f"DROP TABLE IF EXISTS {name}")
        self.made.clear()


_active: ContextVar[_Shared | None] = ContextVar("zicht_shared_tables", default=None)


@contextmanager
def shared_tables(store: Store, settings: Settings) -> Iterator[None]:
    """Inside the block, :func:`compute_indicator` on ``store`` reads each
    :data:`SHARED` relation from a temporary table made the first time a definition
    names it. The canonical tables must not change inside the block (a refresh reads
    them in one transaction); the tables are dropped at its end. After an exception
    they are left to the rollback of the surrounding transaction (or the connection's
    end), since an aborted transaction accepts no further statement."""
    shared = _Shared(store, settings)
    token = _active.set(shared)
    try:
        yield
    except BaseException:
        shared.made.clear()
        raise
    finally:
        _active.reset(token)
    shared.drop()


def _const(value: str, n: int) -> pa.Array:
    return pa.array([value] * n, type=pa.string())


def compute_indicator(
    store: Store, definition: IndicatorDefinition, settings: Settings, boundary_year: int
) -> pa.Table:
    """One indicator's cells, in the cube schema plus ``dominant``, status still unset."""
    definition, _ = settle(definition, settings)
    materialized: list[str] = []
    active = _active.get()
    if active is not None and active.store is store:
        materialized = [active.ensure(name) for name in shared_named(definition)]
    sql = indicator_sql(definition, settings, store.dialect, str(int(boundary_year)), materialized)
    with _steps.step(f"compute {definition.id}"):
        raw = store.fetch_arrow(sql)
    n = raw.num_rows
    dominant = (
        raw.column("dominant").cast(pa.float64())
        if "dominant" in raw.column_names
        else pa.nulls(n, type=pa.float64())
    )
    cells = pa.table(
        {
            "indicator_id": _const(definition.id, n),
            "level": raw.column("level").cast(pa.string()),
            "area_code": raw.column("area_code").cast(pa.string()),
            "period": raw.column("period").cast(pa.int32()),
            "breakdown": raw.column("breakdown").cast(pa.string()),
            "value": raw.column("value").cast(pa.float64()),
            "numerator": raw.column("numerator").cast(pa.float64()),
            "denominator": raw.column("denominator").cast(pa.int64()),
            "unit": _const(definition.unit, n),
            "status": pa.nulls(n, type=pa.string()),
            "category": raw.column("category").cast(pa.string()),
        },
        schema=CUBE_SCHEMA,
    )
    # The largest single contribution to the numerator, for the gate's dominance rule,
    # and which numerators are 0 by definition; never published (refresh keeps only the
    # CUBE_SCHEMA columns).
    zero = zero_mask(cells, {definition.id: definition.zeros()})
    empty = zero_mask(cells, {definition.id: definition.structural_empty}, "denominator")
    return (
        cells.append_column("dominant", dominant)
        .append_column(ZERO_COLUMN, pa.array(zero))
        .append_column(EMPTY_COLUMN, pa.array(empty & zero))
    )


RAW_SCHEMA = (
    CUBE_SCHEMA.append(pa.field("dominant", pa.float64()))
    .append(pa.field(ZERO_COLUMN, pa.bool_()))
    .append(pa.field(EMPTY_COLUMN, pa.bool_()))
)
"""An indicator's cells before the gate (kept in the workspace cache, never published):
the cube's columns, the largest single contribution to a numerator (dominance), and
whether the numerator, and the whole cell, is 0 by definition."""


def compute_cube(
    store: Store,
    definitions: Mapping[str, IndicatorDefinition] | Iterable[IndicatorDefinition],
    settings: Settings,
    boundary_year: int,
) -> pa.Table:
    """Every indicator's cells in one table (ungated)."""
    defs = definitions.values() if isinstance(definitions, Mapping) else definitions
    store.prepare_for_indicators()
    with shared_tables(store, settings):
        parts = [compute_indicator(store, d, settings, boundary_year) for d in defs]
    if not parts:
        return RAW_SCHEMA.empty_table()
    return pa.concat_tables(parts)


__all__ = [
    "CUBE_SCHEMA",
    "LEVELS",
    "RAW_SCHEMA",
    "SHARED",
    "compute_cube",
    "compute_indicator",
    "indicator_sql",
    "shared_tables",
]
