"""Warm next to cold: per wijk and per law, what stories say beside the published
indicators of the same period.

Warm: the number of stories, the median of every dyad, the geometric-mean centre of
every triad and the most chosen option of every single choice. Cold: the published
cells (they passed the disclosure gate; a suppressed cell stays suppressed). A group of
stories is shown only when at least ``k`` stories share its wijk (or law) and period.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from zicht.analysis._signifiers import geometric_centre
from zicht.model.stories import Choice, Dyad, Story, StoryForm, Triad

LAW_INDICATORS: dict[str, tuple[str, ...]] = {
    "jeugd": ("jeugdhulp_pct", "kosten_per_client_jeugd", "beschikking_binnen_termijn_pct"),
    "wmo": ("wmo_per_1000", "kosten_per_client_wmo", "beschikking_binnen_termijn_pct"),
    "pwet": ("bijstand_pct", "beschikking_binnen_termijn_pct"),
    "schuld": ("stapeling_hh_pct",),
}
"""Indicators shown beside the stories about each law (at gemeente level)."""

WIJK_INDICATORS = (
    "jeugdhulp_pct",
    "wmo_per_1000",
    "bijstand_pct",
    "stapeling_hh_pct",
    "kosten_per_client_jeugd",
    "kosten_per_client_wmo",
)


@dataclass
class WarmRow:
    """One group of stories (a wijk or a law in one period) beside its indicators."""

    key: str  # wijk code or law
    period: int
    n: int
    warm: list[tuple[str, str]] = field(default_factory=list)  # (what, value as text)
    cold: list[dict[str, Any]] = field(default_factory=list)  # indicator, value, status


def _pct(x: float) -> str:
    return f"{round(x * 100)}%"


def warm_summary(form: StoryForm, stories: list[Story]) -> list[tuple[str, str]]:
    """Per signifier one line of what the stories say (Dutch)."""
    out: list[tuple[str, str]] = []
    for sig in form.signifiers:
        given = [s.answers[sig.id] for s in stories if sig.id in s.answers]
        given = [a for a in given if not a.na]
        if not given:
            continue
        if isinstance(sig, Dyad):
            med = float(np.median([a.values[0] for a in given]))
            out.append((sig.question, f"mediaan {_pct(med)} richting ‘{sig.right}’"))
        elif isinstance(sig, Triad):
            centre = geometric_centre(np.array([a.values for a in given], dtype=float))
            text = ", ".join(f"{lab} {_pct(c)}" for lab, c in zip(sig.labels, centre, strict=True))
            out.append((sig.question, text))
        elif isinstance(sig, Choice) and not sig.multiple:
            counts = Counter(a.options[0] for a in given)
            top, n = counts.most_common(1)[0]
            label = next(o.label for o in sig.options if o.id == top)
            out.append((sig.question, f"meest gekozen: {label} ({_pct(n / len(given))})"))
    return out


def _cold(
    snapshot: Any, indicator_ids: tuple[str, ...], level: str, code: str, period: int
) -> list[dict[str, Any]]:
    out = []
    for ind in indicator_ids:
        if ind not in snapshot.indicators:
            continue
        cells = [
            c for c in snapshot.cells_of(ind, level=level, period=period) if c.area_code == code
        ]
        if not cells:
            continue
        cell = cells[0]
        out.append(
            {
                "indicator": ind,
                "title": snapshot.indicators[ind].get("title", ind),
                "unit": cell.unit,
                "value": None if cell.suppressed else cell.value,
            }
        )
    return out


def warm_next_to_cold(
    form: StoryForm, stories: list[Story], snapshot: Any | None, k: int
) -> dict[str, list[WarmRow]]:
    """``{"wijk": rows, "law": rows}``; groups with fewer than ``k`` stories left out.

    ``snapshot`` is the published snapshot (``zicht.web._snapshot.Snapshot``) or None,
    in which case only the warm side is filled."""
    gemeente = snapshot.gemeente_code if snapshot is not None else ""
    result: dict[str, list[WarmRow]] = {"wijk": [], "law": []}
    for field_name in ("wijk", "law"):
        groups: dict[tuple[str, int], list[Story]] = {}
        for s in stories:
            value = s.context.get(field_name)
            if value and value != "nvt":
                groups.setdefault((value, s.period), []).append(s)
        for (key, period), members in sorted(groups.items()):
            if len(members) < k:
                continue
            row = WarmRow(key, period, len(members), warm_summary(form, members))
            if snapshot is not None:
                if field_name == "wijk":
                    row.cold = _cold(snapshot, WIJK_INDICATORS, "wijk", key, period)
                else:
                    row.cold = _cold(
                        snapshot, LAW_INDICATORS.get(key, ()), "gemeente", gemeente, period
                    )
            result[field_name].append(row)
    return result
