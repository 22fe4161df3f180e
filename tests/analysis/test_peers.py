"""Similar gemeenten in the product: neighbours against an independent computation,
the own figure against theirs, and the settings."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from tests.analysis.peers_truth import ALL_TWELVE, nearest_by_hand

from zicht.analysis import peers
from zicht.analysis.similar import similar_gemeenten
from zicht.config import Settings

GEO = "geo/nl_gemeenten_2024.geojson"


def _geojson(path: Path, rows: dict[str, tuple[float, float]]) -> Path:
    features = [
        {
            "type": "Feature",
            "geometry": None,
            "properties": {"gemeentecode": code, "gemeentenaam": code, "a": a, "b": b},
        }
        for code, (a, b) in rows.items()
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def test_a_small_table_computed_by_hand(tmp_path: Path) -> None:
    # Attribute a has mean 4 and std 2 (z = -1.5, -1, -.5, .5, 1, 1.5 ... by hand below),
    # attribute b has mean 10 and std 5.
    rows = {"GM1": (1, 10), "GM2": (2, 5), "GM3": (4, 20), "GM4": (5, 10), "GM5": (8, 5)}
    path = _geojson(tmp_path / "small.geojson", rows)
    a = np.array([1, 2, 4, 5, 8.0])
    b = np.array([10, 5, 20, 10, 5.0])
    assert a.mean() == 4 and b.mean() == 10
    za, zb = (a - 4) / a.std(), (b - 10) / b.std()
    # From GM4 (index 3): squared distances to GM1, GM2, GM3, GM5
    d = {c: (za[i] - za[3]) ** 2 + (zb[i] - zb[3]) ** 2 for i, c in enumerate(rows) if c != "GM4"}
    by_hand = sorted(d, key=lambda c: d[c])
    got = similar_gemeenten(path, "GM4", k=4, attributes=(("a", "raw"), ("b", "raw")))
    assert [n.code for n in got] == by_hand
    assert [n.distance for n in got] == pytest.approx([float(np.sqrt(d[c])) for c in by_hand])


def test_the_national_file_against_an_independent_computation(shared_data: Path) -> None:
    path = shared_data / GEO
    for code in ("GM0034", "GM0363", "GM0088", "GM1680"):
        got = [n.code for n in similar_gemeenten(path, code, k=10)]
        assert got == nearest_by_hand(path, code, 10, ALL_TWELVE), code


def test_almere_finds_large_young_urban_gemeenten(shared_data: Path) -> None:
    path = shared_data / GEO
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    older = sorted(f["properties"]["65plus"] for f in features if f["properties"].get("65plus"))
    median_65plus = older[len(older) // 2]  # 23 % in 2024
    own, found = peers.find_peers(path, "GM0034", 5)
    assert own["aantal_inwoners"] == 226500  # Almere, CBS 2024
    for p in found:
        assert p.attributes["aantal_inwoners"] >= 50_000, p  # large
        assert p.attributes["stedelijkheid"] <= 3, p  # urban
        assert p.attributes["65plus"] < median_65plus, p  # younger than most
        assert len(p.closest) == peers.SHOWN_REASONS
        assert all(label in peers.ATTRIBUTE_LABELS.values() for label in p.closest)


def _settings(tmp_path: Path, **values: object) -> Settings:
    toml = tmp_path / "zicht.toml"
    lines = ["[zicht]"] + [f"{k} = {json.dumps(v)}" for k, v in values.items()]
    toml.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return Settings.load(toml)


def test_own_published_figure_against_the_peers_cbs_figures(
    shared_data: Path, tmp_path: Path
) -> None:
    settings = _settings(
        tmp_path,
        similar_attributes_file=str(shared_data / GEO),
        similar_gemeente_code="GM0034",
        similar_k=3,
    )
    first = nearest_by_hand(shared_data / GEO, "GM0034", 3, ALL_TWELVE)
    info = {"jeugdhulp_pct": {"title": "Jeugdhulp", "unit": "%"}, "wmo_per_1000": {"unit": "x"}}
    own = {
        ("jeugdhulp_pct", 2023): (12.0, "gepubliceerd"),
        ("jeugdhulp_pct", 2024): (None, "onderdrukt"),
    }
    cbs = {
        ("jeugdhulp_pct", first[0], 2023): (10.0, "CBS", "noot"),
        ("jeugdhulp_pct", first[2], 2023): (11.0, "CBS", "noot"),
        ("jeugdhulp_pct", first[0], 2024): (9.0, "CBS", "noot"),
        ("jeugdhulp_pct", "GM9901", 2023): (12.5, "CBS", "noot"),
        ("jeugdhulp_pct", "GM0999", 2023): (30.0, "CBS", "noot"),  # not a peer
    }
    got = peers.compare(settings, "GM9901", info, own, cbs)
    assert [p.code for p in got.peers] == first
    (fig,) = got.figures  # wmo_per_1000 has no CBS figures of the peers
    # 2024 has a peer figure but the own one is suppressed: 2023 is shown, where both exist.
    assert fig.period == 2023 and fig.own == 12.0 and fig.own_cbs == 12.5
    assert fig.peers == (10.0, None, 11.0)
    assert fig.peer_mean == pytest.approx(10.5) and fig.difference == pytest.approx(1.5)
    assert got.missing_codes == [first[1]]


def test_missing_file_or_gemeente_is_one_clear_line(shared_data: Path, tmp_path: Path) -> None:
    settings = _settings(tmp_path, similar_attributes_file=str(tmp_path / "nope.geojson"))
    with pytest.raises(peers.PeersUnavailable, match="niet gevonden"):
        peers.compare(settings, "GM0034", {}, {}, {})
    settings = _settings(tmp_path, similar_attributes_file=str(shared_data / GEO))
    with pytest.raises(peers.PeersUnavailable, match="GM9901 staat niet"):
        peers.compare(settings, "GM9901", {}, {}, {})
    broken = tmp_path / "kapot.geojson"
    broken.write_text("{niet", encoding="utf-8")
    settings = _settings(tmp_path, similar_attributes_file=str(broken))
    with pytest.raises(peers.PeersUnavailable, match="geen leesbaar GeoJSON"):
        peers.compare(settings, "GM0034", {}, {}, {})
