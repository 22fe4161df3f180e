"""Similar gemeenten, as waarstaatjegemeente's gemeentevergelijker finds them.

Each gemeente is described by a few structural attributes that drive demand in the
sociaal domein (size, urbanity, age structure, household composition, origin); every
attribute is standardised to a z-score over all gemeenten, so no unit dominates, and
the k nearest by Euclidean distance are the similar ones. Gemeenten lacking an attribute
are left out as candidates.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from zicht.errors import ZichtError

# (property in nl_gemeenten_*.geojson, transform): log for sizes that span orders of
# magnitude, so Amsterdam does not make every other difference look small.
ATTRIBUTES: tuple[tuple[str, str], ...] = (
    ("aantal_inwoners", "log"),
    ("bevolkingsdichtheid", "log"),
    ("stedelijkheid", "raw"),
    ("0_15", "raw"),
    ("15_25", "raw"),
    ("25_45", "raw"),
    ("45_65", "raw"),
    ("65plus", "raw"),
    ("gem_huishouden_grootte", "raw"),
    ("pct_eenpersoonshhd", "raw"),
    ("pct_hhd_met_kind", "raw"),
    ("pct_herkomst_buiten_europa", "raw"),
)


@dataclass(frozen=True)
class Neighbour:
    code: str
    name: str
    distance: float


def _features(path: Path) -> list[dict[str, Any]]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ZichtError(f"{path}: geen leesbaar GeoJSON ({type(exc).__name__})") from None
    return [f["properties"] for f in data.get("features", [])]


def attribute_matrix(
    path: Path, attributes: tuple[tuple[str, str], ...] = ATTRIBUTES
) -> tuple[list[str], list[str], np.ndarray]:
    """Codes, names and the z-scored attribute matrix of every complete gemeente."""
    codes: list[str] = []
    names: list[str] = []
    rows: list[list[float]] = []
    for props in _features(path):
        values = []
        for name, transform in attributes:
            v = props.get(name)
            if not isinstance(v, int | float) or (transform == "log" and v <= 0):
                break
            values.append(math.log(v) if transform == "log" else float(v))
        else:
            codes.append(str(props["gemeentecode"]))
            names.append(str(props.get("gemeentenaam", "")))
            rows.append(values)
    matrix = np.array(rows, dtype=float)
    std = matrix.std(axis=0)
    std[std == 0] = 1.0
    return codes, names, (matrix - matrix.mean(axis=0)) / std


def similar_gemeenten(
    path: Path,
    gemeente_code: str,
    k: int = 10,
    attributes: tuple[tuple[str, str], ...] = ATTRIBUTES,
) -> list[Neighbour]:
    """The ``k`` gemeenten most like ``gemeente_code``, nearest first (itself excluded)."""
    codes, names, z = attribute_matrix(path, attributes)
    if gemeente_code not in codes:
        raise ZichtError(f"{gemeente_code}: geen (volledige) gegevens in {path}")
    i = codes.index(gemeente_code)
    distance = np.sqrt(((z - z[i]) ** 2).sum(axis=1))
    distance[i] = np.inf
    order = np.lexsort((np.array(codes), distance))[:k]
    return [Neighbour(codes[j], names[j], float(distance[j])) for j in order]
