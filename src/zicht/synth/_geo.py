"""The fictional gemeente(n): wijken, buurten, their deprivation and their polygons.

Codes lie outside the real CBS range (GM99xx) so synthetic data can never be mistaken
for a real municipality. Buurten are rectangles on a grid in WGS84; every wijk is one
horizontal strip of its buurten, so the wijk's bounding rectangle is exactly the union
of its buurten, and a gemeente is the bounding rectangle of its wijken.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

PERSONS_PER_BUURT = 2_000
BUURTEN_PER_WIJK = 5
MAX_WIJKEN = 99  # two digits in the wijk code; 00 is not used
MAX_BUURTEN_PER_WIJK = 99

_GEMEENTE_NAMES = (
    "Zichtendam", "Vaartwoude", "Lindenmeer", "Eikenbroek", "Molenhoven", "Weidervoorde",
    "Zandvliet", "Beukenrade", "Kerkewaard", "Waterkamp", "Hoogeveld", "Bergerdijk",
)  # fmt: skip
_PREFIXES = ("Oost", "West", "Noord", "Zuid", "Oud", "Nieuw", "Hoog", "Laag", "Binnen", "Buiten")
_BASES = (
    "Molen", "Linden", "Eiken", "Beuken", "Kerk", "Vaart", "Weide", "Berg", "Water", "Zand",
    "Wilgen", "Klaver", "Vlier", "Hazel", "Rozen", "Iepen", "Essen", "Populier",
)  # fmt: skip
_STEMS = ("hof", "veld", "dijk", "wijk", "haven", "kamp", "broek", "meer", "hoven", "rode")

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Geography:
    """All areas; buurt arrays are indexed by the global buurt index."""

    gemeente_codes: list[str]
    gemeente_names: list[str]
    wijk_codes: list[str]
    wijk_names: list[str]
    wijk_gemeente: IntArray  # wijk index -> gemeente index
    buurt_codes: list[str]
    buurt_names: list[str]
    buurt_wijk: IntArray  # buurt index -> wijk index
    buurt_persons: IntArray  # target inhabitants at the first peildatum
    deprivation: FloatArray  # 0 (well-off) .. 1 (deprived)
    social_rent: FloatArray  # share of social rent dwellings
    low_income: FloatArray  # share of households with a low income
    buurt_box: FloatArray  # (n, 4): lon0, lat0, lon1, lat1

    @property
    def buurt_gemeente(self) -> IntArray:
        return self.wijk_gemeente[self.buurt_wijk]


def _split(total: int, parts: int) -> list[int]:
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def build(persons: int, rng: np.random.Generator) -> Geography:
    """Lay out gemeenten, wijken and buurten for ``persons`` inhabitants."""
    n_buurten = max(1, round(persons / PERSONS_PER_BUURT))
    n_wijken = max(1, math.ceil(n_buurten / BUURTEN_PER_WIJK))
    n_gemeenten = max(1, math.ceil(n_wijken / MAX_WIJKEN))
    if n_gemeenten > 99:
        raise ValueError("at most 99 fictional gemeenten (about 99 million inhabitants)")
    gm_wijken = _split(n_wijken, n_gemeenten)
    buurten_per_wijk = _split(n_buurten, n_wijken)
    if max(buurten_per_wijk) > MAX_BUURTEN_PER_WIJK:
        raise ValueError("too many buurten per wijk")

    gemeente_codes = [f"GM99{g + 1:02d}" for g in range(n_gemeenten)]
    gemeente_names = [
        _GEMEENTE_NAMES[g % len(_GEMEENTE_NAMES)] + ("" if g < len(_GEMEENTE_NAMES) else f" {g}")
        for g in range(n_gemeenten)
    ]
    wijk_codes: list[str] = []
    wijk_names: list[str] = []
    wijk_gemeente: list[int] = []
    buurt_codes: list[str] = []
    buurt_names: list[str] = []
    buurt_wijk: list[int] = []
    boxes: list[tuple[float, float, float, float]] = []
    w_global = 0
    for g, n_w in enumerate(gm_wijken):
        cols = math.ceil(math.sqrt(n_w))
        rows = math.ceil(n_w / cols)
        widest = max(buurten_per_wijk[w_global : w_global + n_w])
        # Each gemeente covers about 0.3 x 0.2 degrees; several are laid side by side.
        lon_origin = 5.0 + (g % 8) * 0.32
        lat_origin = 52.0 + (g // 8) * 0.22
        cell_w = 0.3 / (cols * widest)
        cell_h = 0.2 / rows
        for w in range(n_w):
            code = f"WK{gemeente_codes[g][2:]}{w + 1:02d}"
            wijk_codes.append(code)
            wijk_names.append(f"{_PREFIXES[w % len(_PREFIXES)]} {gemeente_names[g]}")
            wijk_gemeente.append(g)
            row, col = divmod(w, cols)
            for b in range(buurten_per_wijk[w_global]):
                buurt_codes.append(f"BU{code[2:]}{b + 1:02d}")
                base = _BASES[int(rng.integers(len(_BASES)))]
                stem = _STEMS[int(rng.integers(len(_STEMS)))]
                buurt_names.append(f"{base}{stem}")
                buurt_wijk.append(w_global)
                lon0 = lon_origin + (col * widest + b) * cell_w
                lat0 = lat_origin + row * cell_h
                boxes.append((lon0, lat0, lon0 + cell_w, lat0 + cell_h))
            w_global += 1

    n = len(buurt_codes)
    # Buurten differ in size around the 2,000 average; the total is exactly `persons`.
    weights = rng.gamma(8.0, 1.0, size=n)
    sizes = np.floor(weights / weights.sum() * persons).astype(np.int64)
    sizes[: persons - int(sizes.sum())] += 1
    deprivation = rng.beta(1.6, 3.2, size=n)
    social_rent = np.clip(0.08 + 0.85 * deprivation + rng.normal(0, 0.05, n), 0.0, 0.98)
    low_income = np.clip(0.03 + 0.35 * deprivation + rng.normal(0, 0.02, n), 0.0, 0.6)
    return Geography(
        gemeente_codes=gemeente_codes,
        gemeente_names=gemeente_names,
        wijk_codes=wijk_codes,
        wijk_names=wijk_names,
        wijk_gemeente=np.array(wijk_gemeente, dtype=np.int64),
        buurt_codes=buurt_codes,
        buurt_names=buurt_names,
        buurt_wijk=np.array(buurt_wijk, dtype=np.int64),
        buurt_persons=sizes,
        deprivation=deprivation,
        social_rent=social_rent,
        low_income=low_income,
        buurt_box=np.array(boxes, dtype=np.float64),
    )


def _polygon(box: tuple[float, float, float, float]) -> dict[str, Any]:
    x0, y0, x1, y1 = (round(v, 6) for v in box)
    ring = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
    return {"type": "Polygon", "coordinates": [ring]}


def _bbox(boxes: FloatArray) -> tuple[float, float, float, float]:
    return (
        float(boxes[:, 0].min()),
        float(boxes[:, 1].min()),
        float(boxes[:, 2].max()),
        float(boxes[:, 3].max()),
    )


def write_geojson(geo: Geography, path: Path, boundary_year: int) -> int:
    """Write gemeenten, wijken and buurten as one FeatureCollection; return the feature count."""
    features: list[dict[str, Any]] = []

    def feature(props: dict[str, Any], box: tuple[float, float, float, float]) -> None:
        props["boundary_year"] = boundary_year
        features.append({"type": "Feature", "properties": props, "geometry": _polygon(box)})

    b_gem = geo.buurt_gemeente
    for g, code in enumerate(geo.gemeente_codes):
        props: dict[str, Any] = {"level": "gemeente", "code": code, "name": geo.gemeente_names[g]}
        feature(
            {**props, "parent_code": None, "gemeente_code": code}, _bbox(geo.buurt_box[b_gem == g])
        )
    for w, code in enumerate(geo.wijk_codes):
        gm = geo.gemeente_codes[int(geo.wijk_gemeente[w])]
        props = {"level": "wijk", "code": code, "name": geo.wijk_names[w], "parent_code": gm}
        feature({**props, "gemeente_code": gm}, _bbox(geo.buurt_box[geo.buurt_wijk == w]))
    for b, code in enumerate(geo.buurt_codes):
        w = int(geo.buurt_wijk[b])
        props = {
            "level": "buurt",
            "code": code,
            "name": geo.buurt_names[b],
            "parent_code": geo.wijk_codes[w],
            "gemeente_code": geo.gemeente_codes[int(geo.wijk_gemeente[w])],
            # Context a gemeente would take from CBS Kerncijfers; ingest ignores it.
            "aandeel_sociale_huur": round(float(geo.social_rent[b]), 3),
            "aandeel_laag_inkomen": round(float(geo.low_income[b]), 3),
        }
        box = geo.buurt_box[b]
        feature(props, (float(box[0]), float(box[1]), float(box[2]), float(box[3])))
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = {"type": "FeatureCollection", "features": features}
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return len(features)
