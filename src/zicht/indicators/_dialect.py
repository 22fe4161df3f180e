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

_MEDIAN: dict[str, str] = {
    "duckdb": "quantile_cont({x}, 0.5)",
    "postgresql": "percentile_cont(0.5) WITHIN GROUP (ORDER BY {x})",
}


def median(dialect: str, expr: str) -> str:
    """The continuous median of ``expr`` (mean of the middle two for an even count)."""
    try:
        template = _MEDIAN[dialect]
    except KeyError:
        raise RefreshError(f"mediaan niet beschikbaar voor database {dialect!r}") from None
    return template.format(x=expr)
