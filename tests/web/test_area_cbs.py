"""CBS context on the area profile (key figures and the difference with the own
figure) and the gemeente's own CBS figure in the indicator page's trend table."""

from __future__ import annotations

import re
from pathlib import Path

from .accounts import logged_in
from .snapshot_data import GM, write_context, write_snapshot


def _workspace(ws: Path) -> Path:
    write_snapshot(ws)
    rows = [  # own 2024: WK990101 14.2 %, WK990102 suppressed; GM 12.5 % (CELLS)
        ("jeugdhulp_pct", "WK990101", 2024, 12.5, "CBS: jeugdzorg", "noot"),
        ("jeugdhulp_pct", "WK990102", 2024, 11.0, "CBS: jeugdzorg", "noot"),
        ("jeugdhulp_pct", GM, 2024, 13.0, "CBS: jeugdzorg", "noot"),
        ("jeugdhulp_pct", GM, 2023, 11.0, "CBS: jeugdzorg", "noot"),
        ("cbs:inwoners", "WK990101", 2024, 4995.0, "Inwoners", "aantal"),
        ("cbs:pct_laag_inkomen", "WK990101", 2023, 7.9, "Laag inkomen", "%"),
        ("cbs:pct_laag_inkomen", "WK990101", 2022, 8.4, "Laag inkomen", "%"),
        ("cbs:pct_woningcorporatie", "WK990101", 2025, 31.0, "Sociale huur", "%"),
    ]
    write_context(ws, rows)
    return ws


def _texts(row_html: str) -> list[str]:
    cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row_html, re.S)
    return [re.sub(r"<[^>]+>", "", c).strip() for c in cells]


def _row(html: str, table: str, attr: str, key: str) -> list[str]:
    m = re.search(rf'id="{table}".*?<tr {attr}="{key}"[^>]*>(.*?)</tr>', html, re.S)
    assert m, (table, key)
    return _texts(m.group(1))


def test_area_profile_shows_difference_and_key_figures(tmp_path: Path) -> None:
    ws = _workspace(tmp_path / "ws")
    client = logged_in(ws)
    html = client.get("/gebied/WK990101?jaar=2024").text
    row = _row(html, "profiel", "data-indicator", "jeugdhulp_pct")
    assert row[-2:] == ["12,5%", "+1,7%"]  # 14.2 - 12.5
    facts = {
        m[0]: _texts(m[1])[1:]
        for m in re.findall(r'<tr data-concept="([a-z_]+)">(.*?)</tr>', html, re.S)
    }
    # 2024 asked: the 2025 figure is not shown, laag inkomen from its latest year 2023.
    assert facts == {"inwoners": ["4.995", "2024"], "pct_laag_inkomen": ["7,9%", "2023"]}
    html = client.get("/gebied/WK990102?jaar=2024").text
    row = _row(html, "profiel", "data-indicator", "jeugdhulp_pct")
    assert row[-2:] == ["11,0%", "–"]  # own suppressed: no difference
    assert 'id="cbs-kerncijfers"' not in html


def test_indicator_trend_has_the_gemeentes_cbs_figure(tmp_path: Path) -> None:
    ws = _workspace(tmp_path / "ws")
    html = logged_in(ws).get("/indicator/jeugdhulp_pct").text
    assert _row(html, "trendtabel", "data-period", "2024")[-2:] == ["13,0%", "-0,5%"]
    assert _row(html, "trendtabel", "data-period", "2023")[-2:] == ["11,0%", "+0,8%"]
    assert _row(html, "trendtabel", "data-period", "2022")[-2:] == ["–", "–"]
