"""Plotly figure specifications (plain JSON) for story distributions.

Triads are ternary plots (``scatterternary``): the stories as points, the geometric-mean
centre as a diamond and its 95% confidence region as a closed line. Dyads are bar charts
of their histogram; stones a scatter per item. Drawn by ``static/zicht.js`` like every
chart of the dashboard (no inline script, Plotly served from the installed package).
"""

from __future__ import annotations

from typing import Any

from zicht.web._charts import BLUE, CONFIG, DARK_BLUE, FONT, SEPARATORS

ORANGE = "#e17000"
_LAYOUT = {
    "separators": SEPARATORS,
    "font": FONT,
    "paper_bgcolor": "rgba(0,0,0,0)",
    "plot_bgcolor": "rgba(0,0,0,0)",
}


def ternary_figure(dist: dict[str, Any]) -> dict[str, Any]:
    pts = dist.get("points", [])
    labels = dist["labels"]
    data: list[dict[str, Any]] = [
        {
            "type": "scatterternary",
            "mode": "markers",
            "name": "verhalen",
            "a": [p[0] for p in pts],
            "b": [p[1] for p in pts],
            "c": [p[2] for p in pts],
            "marker": {"color": BLUE, "size": 5, "opacity": 0.35},
            "hoverinfo": "skip",
        }
    ]
    if "centre" in dist:
        region = dist["region"] + dist["region"][:1]
        data.append(
            {
                "type": "scatterternary",
                "mode": "lines",
                "name": "95%-gebied van het centrum",
                "a": [p[0] for p in region],
                "b": [p[1] for p in region],
                "c": [p[2] for p in region],
                "line": {"color": ORANGE, "width": 2},
                "fill": "toself",
                "fillcolor": "rgba(225,112,0,0.15)",
            }
        )
        a, b, c = dist["centre"]
        data.append(
            {
                "type": "scatterternary",
                "mode": "markers",
                "name": "centrum (meetkundig gemiddelde)",
                "a": [a],
                "b": [b],
                "c": [c],
                "marker": {"color": DARK_BLUE, "size": 13, "symbol": "diamond"},
            }
        )
    return {
        "data": data,
        "layout": _LAYOUT
        | {
            "height": 380,
            "margin": {"l": 40, "r": 40, "t": 30, "b": 30},
            "showlegend": True,
            "legend": {"orientation": "h"},
            "ternary": {
                "sum": 1,
                "aaxis": {"title": {"text": labels[0]}, "tickformat": ".0%"},
                "baxis": {"title": {"text": labels[1]}, "tickformat": ".0%"},
                "caxis": {"title": {"text": labels[2]}, "tickformat": ".0%"},
            },
        },
        "config": CONFIG,
    }


def histogram_figure(dist: dict[str, Any]) -> dict[str, Any]:
    edges = dist["edges"]
    mids = [(edges[i] + edges[i + 1]) / 2 for i in range(len(edges) - 1)]
    return {
        "data": [
            {
                "type": "bar",
                "x": mids,
                "y": dist["counts"],
                "width": [edges[1] - edges[0]] * len(mids),
                "marker": {"color": BLUE},
                "hovertemplate": "%{y} verhalen<extra></extra>",
            }
        ],
        "layout": _LAYOUT
        | {
            "height": 220,
            "margin": {"l": 40, "r": 12, "t": 8, "b": 40},
            "xaxis": {
                "range": [0, 1],
                "tickvals": [0, 1],
                "ticktext": [dist["left"], dist["right"]],
                "fixedrange": True,
            },
            "yaxis": {"title": {"text": "verhalen"}, "fixedrange": True, "rangemode": "tozero"},
            "showlegend": False,
        },
        "config": CONFIG,
    }


def stones_figure(dist: dict[str, Any]) -> dict[str, Any]:
    data = [
        {
            "type": "scatter",
            "mode": "markers",
            "name": item["label"],
            "x": [p[0] for p in item["points"]],
            "y": [p[1] for p in item["points"]],
            "marker": {"size": 6, "opacity": 0.5},
        }
        for item in dist["items"]
    ]
    (x0, x1), (y0, y1) = dist["axes"]
    return {
        "data": data,
        "layout": _LAYOUT
        | {
            "height": 340,
            "margin": {"l": 60, "r": 12, "t": 8, "b": 40},
            "xaxis": {"range": [0, 1], "tickvals": [0, 1], "ticktext": [x0, x1]},
            "yaxis": {"range": [0, 1], "tickvals": [0, 1], "ticktext": [y0, y1]},
            "legend": {"orientation": "h"},
        },
        "config": CONFIG,
    }
