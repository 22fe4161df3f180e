from __future__ import annotations

import json
from pathlib import Path

import pytest

from zicht.analysis.similar import similar_gemeenten
from zicht.errors import ZichtError

GEO = "geo/nl_gemeenten_2024.geojson"
G4 = {"GM0363", "GM0599", "GM0518", "GM0344"}  # Amsterdam, Rotterdam, Den Haag, Utrecht
WADDEN = {"GM0093", "GM0096", "GM0060", "GM0448"}  # Terschelling, Vlieland, Ameland, Texel


def test_the_big_four_find_each_other(shared_data: Path) -> None:
    hits = 0
    for city in G4:
        near = [n.code for n in similar_gemeenten(shared_data / GEO, city, k=5)]
        assert city not in near
        assert set(near[:3]) & (G4 - {city}), (city, near)  # another big city in the top 3
        hits += len(set(near) & G4)
    assert hits >= 6  # of the 12 possible other-G4 places in the four top-5 lists


def test_an_island_finds_islands(shared_data: Path) -> None:
    near = [n.code for n in similar_gemeenten(shared_data / GEO, "GM0088", k=5)]
    assert len(set(near) & WADDEN) >= 2, near


def test_deterministic_sorted_and_unit_free(shared_data: Path, tmp_path: Path) -> None:
    first = similar_gemeenten(shared_data / GEO, "GM0034", k=10)
    assert first == similar_gemeenten(shared_data / GEO, "GM0034", k=10)
    distances = [n.distance for n in first]
    assert distances == sorted(distances) and len(first) == 10
    # Rescaling an attribute (per cent → per mille) changes no z-score, so no neighbour.
    data = json.loads((shared_data / GEO).read_text(encoding="utf-8"))
    for f in data["features"]:
        if isinstance(f["properties"].get("pct_hhd_met_kind"), int | float):
            f["properties"]["pct_hhd_met_kind"] *= 10
    scaled = tmp_path / "scaled.geojson"
    scaled.write_text(json.dumps(data), encoding="utf-8")
    assert [n.code for n in similar_gemeenten(scaled, "GM0034", k=10)] == [n.code for n in first]


def test_unknown_gemeente_is_a_clear_error(shared_data: Path) -> None:
    with pytest.raises(ZichtError, match="GM9999"):
        similar_gemeenten(shared_data / GEO, "GM9999")
