"""SQL that differs between engines, keyed by ``Store.dialect``.

Interim place (see the indicators issue): the store contract promises named
capabilities for dialect differences; until the Store base grows one for aggregates, the
few snippets the indicator engine needs live here, so the engine itself never branches
on an engine name. Everything else the definitions use (``make_date``, ``extract``,
date subtraction in days, ``CAST(... AS DOUBLE PRECISION)``, ``EXISTS``, CTEs) is
accepted by DuckDB and PostgreSQL alike.
"""

from __future__ import annotations

from zicht.errors import RefreshError

_QUANTILE: dict[str, str] = {
    "duckdb": "quantile_cont({x}, {q})",
    "postgresql": "percentile_cont({q}) WITHIN GROUP (ORDER BY {x})",
}


def quantile(dialect: str, expr: str, q: float = 0.5) -> str:
    """The continuous quantile ``q`` of ``expr`` (linear interpolation between the two
    nearest ranks; for 0.5 the mean of the middle two of an even count)."""
    try:
        template = _QUANTILE[dialect]
    except KeyError:
        raise RefreshError(f"kwantiel niet beschikbaar voor database {dialect!r}") from None
    return template.format(x=expr, q=repr(float(q)))


def median(dialect: str, expr: str) -> str:
    """The continuous median of ``expr`` (mean of the middle two for an even count)."""
    return quantile(dialect, expr, 0.5)
