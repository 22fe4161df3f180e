"""CBS figures next to the own figures on the indicator page, from context.parquet."""

from __future__ import annotations

import re
from pathlib import Path

from .accounts import logged_in
from .snapshot_data import write_context, write_snapshot


def _with_context(ws: Path) -> Path:
    write_snapshot(ws)
    title, note = "CBS: jongeren met jeugdzorg (%)", "CBS telt jongeren tot 23 jaar."
    # own 2024: WK990101 14.2 %, WK990102 suppressed, WK990103 9.8 %
    write_context(
        ws,
        [
            ("jeugdhulp_pct", "WK990101", 2024, 12.5, title, note),
            ("jeugdhulp_pct", "WK990102", 2024, 11.0, title, note),
            ("jeugdhulp_pct", "WK990103", 2024, 10.3, title, note),
        ],
    )
    return ws


def _row(html: str, code: str) -> list[str]:
    match = re.search(rf'id="cbs-tabel".*?<tr data-code="{code}"[^>]*>(.*?)</tr>', html, re.S)
    assert match, code
    return [
        re.sub(r"<[^>]+>", "", c).strip()
        for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", match.group(1), re.S)
    ]


def test_cbs_figures_sit_next_to_own_ones_with_the_difference(tmp_path: Path) -> None:
    ws = _with_context(tmp_path / "ws")
    html = logged_in(ws).get("/indicator/jeugdhulp_pct?niveau=wijk&jaar=2024").text
    assert "Vergelijking met het CBS" in html and "CBS telt jongeren tot 23 jaar." in html
    assert _row(html, "WK990101") == ["Centrum", "WK990101", "14,2%", "12,5%", "+1,7%"]
    assert _row(html, "WK990103") == ["Zuid", "WK990103", "9,8%", "10,3%", "-0,5%"]
    # A suppressed own figure stays suppressed: no difference that would give it away.
    noord = _row(html, "WK990102")
    assert noord[2].startswith("onderdrukt") and noord[3] == "11,0%" and noord[4] == "–"


def test_no_cbs_panel_without_cbs_figures(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    write_snapshot(ws)
    html = logged_in(ws).get("/indicator/jeugdhulp_pct?niveau=wijk&jaar=2024").text
    assert "Vergelijking met het CBS" not in html
