"""A small published snapshot written by hand, exactly per docs/model.md.

The tables below are the independent truth the page tests compare against: a gemeente
with three wijken and five buurten (unit squares near Utrecht), four indicators, three
periods and some suppressed cells (value, numerator and denominator NULL).
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

with warnings.catch_warnings():
    # Starlette 1.x warns at import that it prefers httpx2 over httpx for its TestClient;
    # the project's test extra installs httpx, which still works. Only this warning.
    warnings.filterwarnings(
        "ignore", message="Using `httpx` with `starlette.testclient`", category=UserWarning
    )
    from fastapi.testclient import TestClient as TestClient  # re-exported to the tests


GM = "GM9901"
GM_NAME = "Zichtdam"
REFRESH_ID = "20250301T120000Z-ab12"

WIJKEN = {"WK990101": "Centrum", "WK990102": "Noord", "WK990103": "Zuid"}
BUURTEN = {
    "BU99010101": ("Binnenstad", "WK990101"),
    "BU99010102": ("Stationsbuurt", "WK990101"),
    "BU99010201": ("Noorderpark", "WK990102"),
    "BU99010301": ("Zuiderhaven", "WK990103"),
    "BU99010302": ("Oude Molen", "WK990103"),
}

INDICATORS: dict[str, dict[str, str]] = {
    "jeugdhulp_pct": {
        "title": "Jeugd met jeugdhulp",
        "description": "Aandeel jeugdigen (0 tot en met 17 jaar) met ten minste één "
        "actieve jeugdvoorziening in het jaar.",
        "unit": "%",
        "polarity": "neutraal",
        "theme": "jeugd",
        "source": "zaaksysteem jeugd, BRP",
        "reference": "CBS Beleidsinformatie Jeugd",
    },
    "bijstand_pct": {
        "title": "Inwoners met bijstand",
        "description": "Aandeel inwoners met een actieve bijstandsuitkering.",
        "unit": "%",
        "polarity": "lager_beter",
        "theme": "participatie",
        "source": "zaaksysteem Participatiewet, BRP",
        "reference": "",
    },
    "beschikking_binnen_termijn_pct": {
        "title": "Beschikkingen binnen de termijn",
        "description": "Aandeel beschikkingen dat binnen de wettelijke termijn is genomen.",
        "unit": "%",
        "polarity": "hoger_beter",
        "theme": "keten",
        "source": "zaaksysteem",
        "reference": "Awb, Wmo 2015",
    },
    "kosten_per_client_wmo": {
        "title": "Wmo-kosten per cliënt",
        "description": "Gedeclareerde Wmo-kosten gedeeld door het aantal cliënten met kosten.",
        "unit": "euro",
        "polarity": "neutraal",
        "source": "declaraties",
        "reference": "",
    },
}

S = "onderdrukt"
P = "gepubliceerd"
# (indicator, level, area, period, value, numerator, denominator, status)
CELLS: list[tuple[str, str, str, int, float | None, float | None, float | None, str]] = [
    ("jeugdhulp_pct", "gemeente", GM, 2022, 11.2, 168, 1500, P),
    ("jeugdhulp_pct", "gemeente", GM, 2023, 11.8, 177, 1500, P),
    ("jeugdhulp_pct", "gemeente", GM, 2024, 12.5, 190, 1520, P),
    ("jeugdhulp_pct", "wijk", "WK990101", 2023, 13.0, 65, 500, P),
    ("jeugdhulp_pct", "wijk", "WK990102", 2023, 10.4, 52, 500, P),
    ("jeugdhulp_pct", "wijk", "WK990103", 2023, 12.0, 60, 500, P),
    ("jeugdhulp_pct", "wijk", "WK990101", 2024, 14.2, 71, 500, P),
    ("jeugdhulp_pct", "wijk", "WK990102", 2024, None, None, None, S),
    ("jeugdhulp_pct", "wijk", "WK990103", 2024, 9.8, 49, 500, P),
    ("jeugdhulp_pct", "buurt", "BU99010101", 2024, 16.0, 40, 250, P),
    ("jeugdhulp_pct", "buurt", "BU99010102", 2024, 12.4, 31, 250, P),
    ("jeugdhulp_pct", "buurt", "BU99010201", 2024, None, None, None, S),
    ("jeugdhulp_pct", "buurt", "BU99010301", 2024, 10.5, 21, 200, P),
    ("jeugdhulp_pct", "buurt", "BU99010302", 2024, None, None, None, S),
    ("bijstand_pct", "gemeente", GM, 2023, 3.4, 680, 20000, P),
    ("bijstand_pct", "gemeente", GM, 2024, 3.1, 620, 20000, P),
    ("bijstand_pct", "wijk", "WK990101", 2024, 4.5, 300, 6667, P),
    ("bijstand_pct", "wijk", "WK990102", 2024, 2.0, 140, 7000, P),
    ("bijstand_pct", "wijk", "WK990103", 2024, 2.8, 180, 6333, P),
    ("beschikking_binnen_termijn_pct", "gemeente", GM, 2023, 81.0, 810, 1000, P),
    ("beschikking_binnen_termijn_pct", "gemeente", GM, 2024, 76.5, 765, 1000, P),
    ("kosten_per_client_wmo", "gemeente", GM, 2023, 4321.0, 1296300.0, 300, P),
    ("kosten_per_client_wmo", "gemeente", GM, 2024, None, None, None, S),
]

# Expected texts (written by hand, not produced by the code under test).
EXPECTED_LATEST = {
    "jeugdhulp_pct": ("2024", "12,5%", "2023", "11,8%", "gestegen met 0,7 procentpunt t.o.v. 2023"),
    "bijstand_pct": (
        "2024",
        "3,1%",
        "2023",
        "3,4%",
        "gedaald met 0,3 procentpunt t.o.v. 2023 (gunstig)",
    ),
    "beschikking_binnen_termijn_pct": (
        "2024",
        "76,5%",
        "2023",
        "81,0%",
        "gedaald met 4,5 procentpunt t.o.v. 2023 (ongunstig)",
    ),
}


def square(x: int, y: int) -> str:
    """A unit-sized square (0.02 degrees) as GeoJSON text, counter-clockwise (RFC 7946)."""
    lon, lat, d = 5.0 + x * 0.02, 52.0 + y * 0.02, 0.02
    ring = [[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


def area_rows() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = [
        dict(
            level="gemeente",
            code=GM,
            name=GM_NAME,
            parent_code=None,
            gemeente_code=GM,
            boundary_year=2024,
            geometry=json.dumps(
                {
                    "type": "Polygon",
                    "coordinates": [
                        [[5.0, 52.0], [5.1, 52.0], [5.1, 52.04], [5.0, 52.04], [5.0, 52.0]]
                    ],
                }
            ),
        )
    ]
    for i, (code, name) in enumerate(WIJKEN.items()):
        rows.append(
            dict(
                level="wijk",
                code=code,
                name=name,
                parent_code=GM,
                gemeente_code=GM,
                boundary_year=2024,
                geometry=square(i * 2, 0),
            )
        )
    for i, (code, (name, wijk)) in enumerate(BUURTEN.items()):
        rows.append(
            dict(
                level="buurt",
                code=code,
                name=name,
                parent_code=wijk,
                gemeente_code=GM,
                boundary_year=2024,
                geometry=square(i, 1),
            )
        )
    return rows


# The data-quality score of each indicator's sources, as refresh publishes it
# (zicht.quality.lineage); beschikking_binnen_termijn_pct has no score on purpose.
QUALITY: dict[str, Any] = {
    "definition": "Datakwaliteit (0-100): de laagste score van de bronnen.",
    "indicators": {
        "jeugdhulp_pct": {
            "score": 91.5,
            "sources": [{"source": "jeugd", "score": 91.5}, {"source": "brp", "score": 99.0}],
        },
        "bijstand_pct": {"score": 78.25, "sources": [{"source": "pwet", "score": 78.25}]},
    },
}


def write_snapshot(
    ws: Path,
    cells: list[tuple[Any, ...]] | None = None,
    snapshot_id: str = REFRESH_ID,
    indicators: dict[str, dict[str, Any]] | None = None,
) -> Path:
    """Write published/<id>/ and then CURRENT, as the refresh engine does."""
    cells = CELLS if cells is None else cells
    folder = ws / "published" / snapshot_id
    folder.mkdir(parents=True)
    units = {k: v["unit"] for k, v in INDICATORS.items()}
    cube = pa.table(
        {
            "indicator_id": [c[0] for c in cells],
            "level": [c[1] for c in cells],
            "area_code": [c[2] for c in cells],
            "period": pa.array([c[3] for c in cells], pa.int32()),
            "breakdown": [c[8] if len(c) > 8 else "" for c in cells],
            "category": [c[9] if len(c) > 9 else "" for c in cells],
            "value": pa.array([c[4] for c in cells], pa.float64()),
            "numerator": pa.array([c[5] for c in cells], pa.float64()),
            "denominator": pa.array([c[6] for c in cells], pa.float64()),
            "unit": [units[c[0]] for c in cells],
            "status": [c[7] for c in cells],
        }
    )
    pq.write_table(cube, folder / "cube.parquet")
    areas = area_rows()
    pq.write_table(
        pa.table(
            {k: [a[k] for a in areas] for k in areas[0]},
            schema=pa.schema(
                [
                    ("level", pa.string()),
                    ("code", pa.string()),
                    ("name", pa.string()),
                    ("parent_code", pa.string()),
                    ("gemeente_code", pa.string()),
                    ("boundary_year", pa.int32()),
                    ("geometry", pa.string()),
                ]
            ),
        ),
        folder / "areas.parquet",
    )
    (folder / "indicators.json").write_text(
        json.dumps(INDICATORS if indicators is None else indicators, ensure_ascii=False),
        encoding="utf-8",
    )
    meta = {
        "refresh_id": snapshot_id,
        "created_at": "2025-03-01T12:00:00+00:00",
        "gemeente_code": GM,
        "gemeente_naam": GM_NAME,
        "periods": [2022, 2023, 2024],
        "boundary_year": 2024,
        "min_cell_count": 10,
        "loads": [],
    }
    (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    (folder / "quality.json").write_text(json.dumps(QUALITY), encoding="utf-8")
    (ws / "published" / "CURRENT").write_text(snapshot_id, encoding="utf-8")
    return folder


def write_context(
    ws: Path, rows: list[tuple[str, str, int, float, str, str]], snapshot_id: str = REFRESH_ID
) -> None:
    """``context.parquet`` (CBS figures beside our own) in a snapshot written above; rows
    are (indicator_id, area_code, period, cbs_value, cbs_title, cbs_note)."""
    pq.write_table(
        pa.table(
            {
                "indicator_id": [r[0] for r in rows],
                "area_code": [r[1] for r in rows],
                "period": pa.array([r[2] for r in rows], pa.int32()),
                "cbs_value": [r[3] for r in rows],
                "cbs_title": [r[4] for r in rows],
                "cbs_note": [r[5] for r in rows],
            }
        ),
        ws / "published" / snapshot_id / "context.parquet",
    )
