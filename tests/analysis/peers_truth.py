"""An independent nearest-neighbour computation for the similar-gemeenten tests.

Written apart from zicht.analysis.similar, the straightforward way: read the
attributes, drop gemeenten missing one, log-transform sizes, standardise each column
with numpy (population standard deviation), and sort by Euclidean distance.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np


def nearest_by_hand(path: Path, code: str, k: int, attributes: list[tuple[str, bool]]) -> list[str]:
    """``attributes``: (property, take the log?) pairs."""
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    codes, rows = [], []
    for f in features:
        p = f["properties"]
        values = [p.get(name) for name, _ in attributes]
        if any(not isinstance(v, int | float) for v in values):
            continue
        codes.append(p["gemeentecode"])
        rows.append(
            [np.log(v) if log else v for v, (_, log) in zip(values, attributes, strict=True)]
        )
    x = np.array(rows, dtype=float)
    z = (x - x.mean(axis=0)) / x.std(axis=0)
    me = z[codes.index(code)]
    dist = [
        (float(np.linalg.norm(row - me)), c) for row, c in zip(z, codes, strict=True) if c != code
    ]
    return [c for _, c in sorted(dist)[:k]]


ALL_TWELVE = [
    ("aantal_inwoners", True), ("bevolkingsdichtheid", True), ("stedelijkheid", False),
    ("0_15", False), ("15_25", False), ("25_45", False), ("45_65", False),
    ("65plus", False), ("gem_huishouden_grootte", False), ("pct_eenpersoonshhd", False),
    ("pct_hhd_met_kind", False), ("pct_herkomst_buiten_europa", False),
]  # fmt: skip
