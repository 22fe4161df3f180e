"""The similar-gemeenten page on a hand-made snapshot: the hand-made gemeente is placed
as Almere (GM0034) among the national attribute file, and CBS figures of two of its
three nearest gemeenten are in context.parquet."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from tests.analysis.peers_truth import ALL_TWELVE, nearest_by_hand

from zicht.privacy.roles import Role, User
from zicht.web._nav import nav_for

from .accounts import logged_in
from .snapshot_data import GM, write_context, write_snapshot

GEO = "geo/nl_gemeenten_2024.geojson"


def similar_workspace(ws: Path, shared_data: Path) -> tuple[Path, list[str]]:
    """The hand-made snapshot, settings placing it as Almere, and CBS figures of the
    first and third peer (the second has none) plus the own gemeente."""
    write_snapshot(ws)
    (ws / "zicht.toml").write_text(
        "[zicht]\n"
        f'similar_attributes_file = "{shared_data / GEO}"\n'
        'similar_gemeente_code = "GM0034"\n'
        "similar_k = 3\n",
        encoding="utf-8",
    )
    first = nearest_by_hand(shared_data / GEO, "GM0034", 3, ALL_TWELVE)
    # own jeugdhulp_pct 2024: 12.5 % (snapshot_data.CELLS); kosten_per_client_wmo 2024
    # is suppressed and 2023 has no peer figure.
    title, note = "CBS: jongeren met jeugdzorg (%)", "CBS telt jongeren tot 23 jaar."
    write_context(
        ws,
        [
            ("jeugdhulp_pct", first[0], 2024, 10.0, title, note),
            ("jeugdhulp_pct", first[2], 2024, 12.0, title, note),
            ("jeugdhulp_pct", GM, 2024, 13.0, title, note),
            ("kosten_per_client_wmo", first[0], 2024, 5000.0, "CBS: kosten", "Kosten."),
        ],
    )
    return ws, first


@pytest.fixture
def setup(tmp_path: Path, shared_data: Path) -> tuple[Path, list[str]]:
    return similar_workspace(tmp_path / "ws", shared_data)


def _cells(html: str, indicator: str) -> list[str]:
    row = re.search(rf'<tr data-indicator="{indicator}"[^>]*>(.*?)</tr>', html, re.S)
    assert row, indicator
    return [
        re.sub(r"<[^>]+>", "", c).strip()
        for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row.group(1), re.S)
    ]


def test_own_figure_against_the_peers(setup: tuple[Path, list[str]]) -> None:
    ws, first = setup
    html = logged_in(ws, Role.RAAD).get("/vergelijkbare-gemeenten").text
    # title, year, own, own per CBS, three peers, mean, difference
    assert _cells(html, "jeugdhulp_pct") == [
        "Jeugd met jeugdhulp",
        "2024", "12,5%", "13,0%", "10,0%", "–", "12,0%", "11,0%", "+1,5%",
    ]  # fmt: skip
    assert _cells(html, "kosten_per_client_wmo")[2] == "onderdrukt (privacybescherming)"
    assert _cells(html, "kosten_per_client_wmo")[-1] == "–"
    ranked = re.findall(r'<tr data-code="(GM\d{4})">', html)
    assert ranked == first
    assert f"<code>{first[1]}</code>" in html.split('id="ontbrekend"')[1]
    assert "bijstand_pct" not in html.split('id="cijfers-tabel"')[1].split("</table>")[0]


def test_a_gemeente_outside_the_file_gets_one_line(tmp_path: Path, shared_data: Path) -> None:
    ws = tmp_path / "ws"
    write_snapshot(ws)
    (ws / "zicht.toml").write_text(
        f'[zicht]\nsimilar_attributes_file = "{shared_data / GEO}"\n', encoding="utf-8"
    )
    r = logged_in(ws, Role.RAAD).get("/vergelijkbare-gemeenten")
    assert r.status_code == 200
    assert "Geen vergelijking mogelijk: GM9901 staat niet" in r.text
    assert "similar_gemeente_code" in r.text


def test_in_the_menu_of_every_role() -> None:
    for role in Role:
        user = User("x", role, frozenset(), frozenset())
        assert "/vergelijkbare-gemeenten" in [link.path for link in nav_for(user)], role
