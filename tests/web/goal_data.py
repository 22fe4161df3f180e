"""Workspace goals over the hand-made snapshot (snapshot_data.py), with the status of each
worked out by hand from the figures there and the rule in docs/goals.md."""

from __future__ import annotations

from pathlib import Path

GOALS = {
    # bijstand_pct: 3.4 (2023) -> 3.1 (2024); path 3.4 -> 2.5 over 2023-2026 expects
    # 3.1 in 2024: on the path, trend -0.3 (the right way): op koers.
    "bijstand_omlaag": """\
id: bijstand_omlaag
title: Minder inwoners in de bijstand
ambition: Meer inwoners vinden werk en hebben geen bijstand meer nodig.
programme: Programma Werk en inkomen
indicators:
  - indicator: bijstand_pct
    baseline_period: 2023
    target: 2.5
    target_date: 2026-12-31
    direction: omlaag
duiding:
  - period: 2024
    indicator: bijstand_pct
    author: Team Onderzoek
    date: 2025-02-10
    text: De daling volgt de aantrekkende arbeidsmarkt.
""",
    # jeugdhulp_pct: 11.2 (2022) -> 12.5 (2024); path 11.2 -> 10.0 over 2022-2026 expects
    # 10.6 in 2024; lag (12.5 - 10.6) / 1.2 = 1.58, trend up: niet op koers.
    # kosten_per_client_wmo: 2024 suppressed: onbekend.
    "jeugd_en_kosten": """\
id: jeugd_en_kosten
title: Lichtere jeugdhulp en beheerste Wmo-kosten
ambition: Minder jongeren hebben jeugdhulp nodig en de Wmo blijft betaalbaar.
programme: Programma Zorg
indicators:
  - indicator: jeugdhulp_pct
    baseline_period: 2022
    target: 10.0
    target_date: 2026-06-30
    direction: omlaag
  - indicator: kosten_per_client_wmo
    baseline_period: 2023
    target: 4000
    target_date: 2026-12-31
    direction: omlaag
""",
}
STATUS = {
    ("bijstand_omlaag", "bijstand_pct"): "op koers",
    ("jeugd_en_kosten", "jeugdhulp_pct"): "niet op koers",
    ("jeugd_en_kosten", "kosten_per_client_wmo"): "onbekend",
}
GOAL_STATUS = {"bijstand_omlaag": "op koers", "jeugd_en_kosten": "niet op koers"}


def write_goals(ws: Path) -> None:
    folder = ws / "goals"
    folder.mkdir(exist_ok=True)
    for goal_id, text in GOALS.items():
        (folder / f"{goal_id}.yaml").write_text(text, encoding="utf-8")
