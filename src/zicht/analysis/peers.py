"""The own gemeente against similar gemeenten, as waarstaatjegemeente's gemeentevergelijker.

:func:`zicht.analysis.similar.similar_gemeenten` finds the k nearest gemeenten on CBS
structural attributes. This module puts them in the product:

- per similar gemeente: its distance, its attributes next to the own ones, and the
  attributes that make it similar (the smallest standardised differences);
- per own indicator with a CBS counterpart (``defaults/cbs_kwb.yaml``): the own
  published figure of the gemeente (only published cells: what passed the disclosure
  gate) against each similar gemeente's CBS figure, where the workspace has it (CBS
  Kerncijfers wijken en buurten of that gemeente, loaded with ``zicht cbs load`` or
  ``zicht cbs download``; CBS figures are public and disclosure-controlled by CBS).

Everything here reads files only (the attribute GeoJSON and the published snapshot's
cells and CBS context), so the web app can use it without a database.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from zicht.analysis.similar import ATTRIBUTES, Neighbour, attribute_matrix, similar_gemeenten
from zicht.config import Settings, shared_data_dir
from zicht.errors import ZichtError

ATTRIBUTE_LABELS: dict[str, str] = {
    "aantal_inwoners": "inwoners",
    "bevolkingsdichtheid": "inwoners per km²",
    "stedelijkheid": "stedelijkheid (1-5, 1 = zeer sterk)",
    "0_15": "% 0 tot 15 jaar",
    "15_25": "% 15 tot 25 jaar",
    "25_45": "% 25 tot 45 jaar",
    "45_65": "% 45 tot 65 jaar",
    "65plus": "% 65 jaar en ouder",
    "gem_huishouden_grootte": "gemiddelde huishoudensgrootte",
    "pct_eenpersoonshhd": "% eenpersoonshuishoudens",
    "pct_hhd_met_kind": "% huishoudens met kinderen",
    "pct_herkomst_buiten_europa": "% herkomst buiten Europa",
}
"""Dutch labels of :data:`zicht.analysis.similar.ATTRIBUTES`."""

SHOWN_REASONS = 3
"""How many of the closest attributes are named as what makes a gemeente similar."""


class PeersUnavailable(ZichtError):
    """No attribute file, or the own gemeente is not in it."""


@dataclass(frozen=True)
class Peer:
    code: str
    name: str
    distance: float
    attributes: dict[str, float | None]
    closest: tuple[str, ...]
    """Dutch labels of the attributes on which it is nearest to the own gemeente."""


@dataclass(frozen=True)
class PeerFigure:
    indicator_id: str
    title: str
    unit: str
    cbs_title: str
    note: str
    period: int | None
    own: float | None
    """The own published figure; None when suppressed or not published."""
    own_status: str
    own_cbs: float | None
    """The own gemeente's CBS figure of the same year, where loaded."""
    peers: tuple[float | None, ...]
    """One CBS figure per peer (same order as the peers); None: not in the workspace."""
    peer_mean: float | None = None

    @property
    def difference(self) -> float | None:
        """Own figure minus the mean of the peers' CBS figures, where both exist."""
        if self.own is None or self.peer_mean is None:
            return None
        return self.own - self.peer_mean


@dataclass(frozen=True)
class Comparison:
    gemeente_code: str
    attribute_file: Path
    own_attributes: dict[str, float | None]
    peers: list[Peer]
    figures: list[PeerFigure] = field(default_factory=list)

    @property
    def missing_codes(self) -> list[str]:
        """Peers without any CBS figure in the workspace (to load with `zicht cbs`)."""
        return [
            p.code
            for i, p in enumerate(self.peers)
            if all(f.peers[i] is None for f in self.figures)
        ]


def attribute_file(settings: Settings) -> Path | None:
    """The configured attribute GeoJSON, else the shared data's national file."""
    configured = settings.get_str("similar_attributes_file")
    if configured:
        return Path(configured)
    shared = shared_data_dir()
    if shared is None:
        return None
    found = sorted((shared / "geo").glob("nl_gemeenten_*.geojson"))
    return found[-1] if found else None


@lru_cache(maxsize=8)
def _load(path: str, mtime_ns: int) -> tuple[dict[str, dict[str, Any]], tuple[Any, ...]]:
    """Properties per code and the z-scored matrix, cached per file version."""
    del mtime_ns  # part of the cache key only
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise PeersUnavailable(f"{path}: geen leesbaar GeoJSON ({type(exc).__name__})") from None
    props = {
        str(f["properties"].get("gemeentecode")): dict(f["properties"])
        for f in data.get("features", [])
    }
    return props, attribute_matrix(Path(path))


def _numbers(props: Mapping[str, Any]) -> dict[str, float | None]:
    out: dict[str, float | None] = {}
    for name, _ in ATTRIBUTES:
        v = props.get(name)
        out[name] = float(v) if isinstance(v, int | float) else None
    return out


def _closest(z: np.ndarray, codes: list[str], own: str, other: str) -> tuple[str, ...]:
    i, j = codes.index(own), codes.index(other)
    gaps = np.abs(z[i] - z[j])
    order = sorted(range(len(ATTRIBUTES)), key=lambda a: (float(gaps[a]), a))
    return tuple(ATTRIBUTE_LABELS[ATTRIBUTES[a][0]] for a in order[:SHOWN_REASONS])


def find_peers(
    path: Path, gemeente_code: str, k: int
) -> tuple[dict[str, float | None], list[Peer]]:
    """The own attributes and the ``k`` most similar gemeenten with theirs."""
    if not Path(path).is_file():
        raise PeersUnavailable(f"{path}: attribuutbestand van de gemeenten niet gevonden")
    props, (codes, _names, z) = _load(str(path), Path(path).stat().st_mtime_ns)
    if gemeente_code not in codes:
        raise PeersUnavailable(
            f"{gemeente_code} staat niet (volledig) in {path}; stel similar_gemeente_code in "
            "op de CBS-code van uw gemeente"
        )
    near: list[Neighbour] = similar_gemeenten(Path(path), gemeente_code, k)
    peers = [
        Peer(
            n.code,
            n.name,
            round(n.distance, 3),
            _numbers(props[n.code]),
            _closest(z, codes, gemeente_code, n.code),
        )
        for n in near
    ]
    return _numbers(props[gemeente_code]), peers


def figures(
    gemeente_code: str,
    peers: list[Peer],
    indicators: Mapping[str, Mapping[str, Any]],
    own_cells: Mapping[tuple[str, int], tuple[float | None, str]],
    cbs: Mapping[tuple[str, str, int], tuple[float, str, str]],
) -> list[PeerFigure]:
    """Per indicator with CBS figures: own published figure against the peers' CBS ones.

    ``own_cells``: (indicator, period) → (value or None when suppressed, status) of the
    gemeente's total cells; ``cbs``: (indicator, area code, period) → (CBS value, CBS
    title, note), as ``context.parquet`` holds it. The year shown is the latest in which
    the own figure is published and at least one peer has a CBS figure; failing that,
    the latest with any peer figure.
    """
    out = []
    codes = [p.code for p in peers]
    for indicator_id, info in indicators.items():
        years = sorted({y for (ind, code, y) in cbs if ind == indicator_id and code in codes})
        if not years:
            continue
        both = [y for y in years if own_cells.get((indicator_id, y), (None, ""))[0] is not None]
        year = (both or years)[-1]
        values = tuple(
            cbs[(indicator_id, c, year)][0] if (indicator_id, c, year) in cbs else None
            for c in codes
        )
        present = [v for v in values if v is not None]
        own_value, status = own_cells.get((indicator_id, year), (None, "niet gepubliceerd"))
        sample = next(cbs[(indicator_id, c, year)] for c in codes if (indicator_id, c, year) in cbs)
        own_cbs = cbs.get((indicator_id, gemeente_code, year))
        out.append(
            PeerFigure(
                indicator_id=indicator_id,
                title=str(info.get("title", indicator_id)),
                unit=str(info.get("unit", "")),
                cbs_title=sample[1],
                note=sample[2],
                period=year,
                own=own_value,
                own_status=status,
                own_cbs=own_cbs[0] if own_cbs else None,
                peers=values,
                peer_mean=sum(present) / len(present) if present else None,
            )
        )
    return out


def compare(
    settings: Settings,
    gemeente_code: str,
    indicators: Mapping[str, Mapping[str, Any]],
    own_cells: Mapping[tuple[str, int], tuple[float | None, str]],
    cbs: Mapping[tuple[str, str, int], tuple[float, str, str]],
    *,
    k: int | None = None,
) -> Comparison:
    """Peers of the workspace's gemeente (``similar_gemeente_code`` when set) and the
    comparable figures; :class:`PeersUnavailable` says in one line what is missing."""
    path = attribute_file(settings)
    if path is None:
        raise PeersUnavailable(
            "geen attribuutbestand van de gemeenten: stel similar_attributes_file in "
            "(nl_gemeenten_*.geojson van CBS/PDOK)"
        )
    code = settings.get_str("similar_gemeente_code") or gemeente_code
    k = settings.get_int("similar_k") if k is None else k
    if k < 1:
        raise PeersUnavailable(
            f"het aantal vergelijkbare gemeenten (-k of similar_k) moet ten minste 1 zijn, niet {k}"
        )
    own, peers = find_peers(path, code, k)
    found = figures(gemeente_code, peers, indicators, own_cells, cbs)
    return Comparison(code, path, own, peers, found)
