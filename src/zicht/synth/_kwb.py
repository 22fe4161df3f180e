"""A CBS Kerncijfers-wijken-en-buurten file for the synthetic gemeente.

Written the way CBS publishes it, from the generator's own truth: OData column names
with a year-specific suffix, Peildatum `1-1-JJJJ`, codes padded to 10 characters, counts
rounded to multiples of 5, counts below 10 left empty (suppressed), the youth percentage
with one implied decimal (`114` = 11.4 %) and Wmo clients per 1,000 computed after
rounding, as CBS notes for that column.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

REL = "cbs/kwb_synthetisch.csv"
HEADER = (
    "ID;Peildatum;WijkenEnBuurten;Gemeentenaam_1;SoortRegio_2;Codering_3;AantalInwoners_5;"
    "JongerenMetJeugdzorgInNatura_87;PercentageJongerenMetJeugdzorg_88;WmoClienten_89;"
    "WmoClientenRelatief_90;PersonenPerSoortUitkeringBijstand_83"
)
_SOORT = {"gemeente": "Gemeente", "wijk": "Wijk", "buurt": "Buurt"}


def round5(count: float) -> int:
    """CBS rounds counts to the nearest multiple of 5 (halves up)."""
    return int((int(count) + 2) // 5 * 5)


def _count(count: float | None) -> str:
    if count is None or count < 10:
        return ""
    return str(round5(count))


def write_kwb(out: Path, truth: dict[str, list[dict[str, Any]]], gemeente_name: str) -> str:
    """Write the file and return its path relative to ``out``."""
    cells: dict[tuple[str, str, int], dict[str, dict[str, Any]]] = {}
    for indicator in ("jeugdhulp_pct", "wmo_per_1000", "bijstand_pct"):
        for t in truth.get(indicator, []):
            key = (t["level"], t["area_code"], int(t["period"]))
            cells.setdefault(key, {})[indicator] = t
    order = {"gemeente": 0, "wijk": 1, "buurt": 2}
    lines = [HEADER]
    for i, (level, code, year) in enumerate(
        sorted(cells, key=lambda k: (k[2], order[k[0]], k[1])), start=1
    ):
        c = cells[(level, code, year)]
        jeugd, wmo, bijstand = c.get("jeugdhulp_pct"), c.get("wmo_per_1000"), c.get("bijstand_pct")
        inwoners = wmo["denominator"] if wmo else None
        pct = ""
        if jeugd and jeugd["denominator"] and jeugd["numerator"] >= 10:
            pct = str(round(1000 * jeugd["numerator"] / jeugd["denominator"]))
        wmo_text = _count(wmo["numerator"] if wmo else None)
        relatief = ""
        if wmo_text and inwoners and inwoners >= 10:
            relatief = str(round(1000 * int(wmo_text) / round5(inwoners)))
        lines.append(
            ";".join(
                [
                    str(i),
                    f"1-1-{year}",
                    f"{code:<10}",
                    f"{gemeente_name:<40}",
                    f"{_SOORT[level]:<10}",
                    f"{code:<10}",
                    str(inwoners or 0),  # CBS publishes inhabitants unrounded
                    _count(jeugd["numerator"] if jeugd else None),
                    pct,
                    wmo_text,
                    relatief,
                    _count(bijstand["numerator"] if bijstand else None),
                ]
            )
        )
    path = out / REL
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    return REL
