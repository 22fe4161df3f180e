"""Plotly figure specifications (plain JSON) for the trend charts and the map.

Figures are written as data (``<script type="application/json">``) and drawn by
``static/zicht.js``: the page holds no inline script, so the Content-Security-Policy
needs no nonce and no ``'unsafe-inline'`` for scripts. The dicts follow Plotly's
figure schema (tests check them with ``plotly.graph_objects.Figure``); building them by
hand avoids the validation cost of graph objects on every request.

The map is a ``choropleth`` trace on a ``geo`` subplot with its own GeoJSON,
``fitbounds="locations"`` and ``visible=False``: no base map and no tiles, so nothing
is fetched from the internet.
"""

from __future__ import annotations

import json
from typing import Any

from zicht.web import _format as fmt
from zicht.web._views import Point, RankRow

BLUE = "#01689b"  # Rijkshuisstijl lintblauw
DARK_BLUE = "#154273"
SUPPRESSED_GREY = "#d6d6d6"
COLORSCALE = [[0.0, "#e5f0f9"], [0.5, "#5da4d1"], [1.0, DARK_BLUE]]
FONT = {"family": "Verdana, 'Segoe UI', Arial, sans-serif", "size": 12, "color": "#222"}
# Plotly's only bundled locale is English; these separators give Dutch numbers.
SEPARATORS = ",."

CONFIG = {"displayModeBar": False, "responsive": True, "scrollZoom": False}
# Served by the app (an empty topology): Plotly must never reach for its CDN base map.
MAP_CONFIG = CONFIG | {"topojsonURL": "/vendor/topojson/"}


def trend_figure(points: list[Point], unit: str, *, height: int = 170) -> dict[str, Any]:
    """A small line chart of one indicator over periods; suppressed periods are gaps."""
    x = [str(p.period) for p in points]
    y = [p.value for p in points]
    text = [p.text for p in points]
    return {
        "data": [
            {
                "type": "scatter",
                "mode": "lines+markers",
                "x": x,
                "y": y,
                "text": text,
                "hovertemplate": "%{x}: %{text}<extra></extra>",
                "line": {"color": BLUE, "width": 2},
                "marker": {"color": BLUE, "size": 7},
                "connectgaps": False,
            }
        ],
        "layout": {
            "height": height,
            "margin": {"l": 48, "r": 12, "t": 8, "b": 28},
            "xaxis": {"type": "category", "fixedrange": True},
            "yaxis": {
                "rangemode": "tozero",
                "fixedrange": True,
                "tickformat": ",~f",  # thousands grouped, no trailing zeros
                "ticksuffix": _suffix(unit),
                "tickprefix": "€ " if unit == "euro" else "",
            },
            "showlegend": False,
            "separators": SEPARATORS,
            "font": FONT,
            "paper_bgcolor": "rgba(0,0,0,0)",
            "plot_bgcolor": "rgba(0,0,0,0)",
        },
        "config": CONFIG,
    }


def _suffix(unit: str) -> str:
    return "%" if unit == "%" else ""


def map_figure(rows: list[RankRow], unit: str, title: str) -> dict[str, Any]:
    """Choropleth of the ranking rows; the GeoJSON is attached by the page script.

    Areas with a value share one colour scale; suppressed areas and areas without data
    are a second, grey trace, so every area is drawn and none shows a number.
    """
    shown = [r for r in rows if not r.suppressed]
    hidden = [r for r in rows if r.suppressed]
    data: list[dict[str, Any]] = []
    if shown:
        data.append(
            {
                "type": "choropleth",
                "name": title,
                "locations": [r.code for r in shown],
                "z": [r.value for r in shown],
                "text": [r.name for r in shown],
                "customdata": [r.value_text for r in shown],
                "hovertemplate": "<b>%{text}</b><br>%{customdata}<extra></extra>",
                "colorscale": COLORSCALE,
                "marker": {"line": {"color": "#ffffff", "width": 1}},
                "colorbar": {
                    "title": {"text": unit or ""},
                    "thickness": 14,
                    "len": 0.8,
                    "ticksuffix": _suffix(unit),
                    "tickprefix": "€ " if unit == "euro" else "",
                    "tickformat": ",~f",
                },
            }
        )
    if hidden:
        data.append(
            {
                "type": "choropleth",
                "name": fmt.SUPPRESSED_TEXT,
                "locations": [r.code for r in hidden],
                "z": [0 for _ in hidden],
                "text": [r.name for r in hidden],
                "customdata": [
                    fmt.SUPPRESSED_TEXT if r.status == "onderdrukt" else r.status for r in hidden
                ],
                "hovertemplate": "<b>%{text}</b><br>%{customdata}<extra></extra>",
                "colorscale": [[0.0, SUPPRESSED_GREY], [1.0, SUPPRESSED_GREY]],
                "showscale": False,
                "marker": {"line": {"color": "#ffffff", "width": 1}},
            }
        )
    return {
        "data": data,
        "layout": {
            "height": 460,
            "margin": {"l": 0, "r": 0, "t": 0, "b": 0},
            "geo": {
                "fitbounds": "locations",
                "visible": False,
                "projection": {"type": "mercator"},
                "bgcolor": "rgba(0,0,0,0)",
            },
            "showlegend": False,
            "separators": SEPARATORS,
            "font": FONT,
            "paper_bgcolor": "rgba(0,0,0,0)",
        },
        "config": MAP_CONFIG,
    }


def to_json(payload: dict[str, Any]) -> str:
    """JSON safe to place inside ``<script type="application/json">``."""
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    # "</" would close the script element early; "<!--" could open a comment state.
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
