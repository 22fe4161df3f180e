"""The goal pages over the hand-made snapshot: who may see them, and every figure and
status against the hand-written tables (snapshot_data.py, goal_data.py)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from zicht.privacy.roles import Role
from zicht.web.app import create_app

from .goal_data import GOAL_STATUS, STATUS, write_goals
from .snapshot_data import TestClient

SUPPRESSED = "onderdrukt (privacybescherming)"


@pytest.fixture
def goals_ws(workspace: Path) -> Path:
    write_goals(workspace)
    return workspace


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize("role", [Role.RAAD, Role.BELEID, Role.ANALIST])
def test_raad_beleid_and_analist_see_the_goals(
    goals_ws: Path, login: Callable[..., object], role: Role
) -> None:
    c = TestClient(create_app(goals_ws))
    login(c, role)
    assert c.get("/doelen").status_code == 200
    assert c.get("/doelen/bijstand_omlaag").status_code == 200


@pytest.mark.parametrize("role", [Role.PROFESSIONAL, Role.FG, Role.BEHEER])
def test_other_roles_are_refused(goals_ws: Path, login: Callable[..., object], role: Role) -> None:
    c = TestClient(create_app(goals_ws))
    login(c, role)
    assert c.get("/doelen").status_code == 403
    assert c.get("/doelen/bijstand_omlaag").status_code == 403


def test_anonymous_is_sent_to_the_login_form(goals_ws: Path) -> None:
    r = TestClient(create_app(goals_ws)).get("/doelen", follow_redirects=False)
    assert r.status_code in (302, 303, 307) and "/inloggen" in r.headers["location"]


def test_overview_lists_every_goal_with_its_status(
    goals_ws: Path, login: Callable[..., object]
) -> None:
    c = TestClient(create_app(goals_ws))
    login(c, Role.RAAD)
    html = c.get("/doelen").text
    for (goal_id, indicator), status in STATUS.items():
        row = re.search(
            rf'<tr data-goal="{goal_id}" data-indicator="{indicator}">(.*?)</tr>', html, re.S
        )
        assert row, (goal_id, indicator)
        assert f">{status}</span>" in row.group(1), (goal_id, indicator)
    text = _text(html)
    assert "3,1% (2024)" in text and "2,5% (2026)" in text  # bijstand: latest and target
    assert "€ 4.321" not in text  # kosten: the latest year (2024) is suppressed
    # The shipped goals are listed too; their indicators are not in this snapshot.
    assert "Minder kinderen die opgroeien in armoede" in text
    assert "Deze indicator is niet gepubliceerd" not in text  # that text is on goal pages


def test_goal_page_shows_figures_status_chart_and_duiding(
    goals_ws: Path, login: Callable[..., object]
) -> None:
    c = TestClient(create_app(goals_ws))
    login(c, Role.BELEID)
    html = c.get("/doelen/jeugd_en_kosten").text
    text = _text(html)
    assert f'id="doel-status">{GOAL_STATUS["jeugd_en_kosten"]}<' in html
    # Year table and wijk table of jeugdhulp_pct, by hand from snapshot_data.CELLS.
    for year, value in ((2022, "11,2%"), (2023, "11,8%"), (2024, "12,5%")):
        assert re.search(rf"<th scope=\"row\">{year}</th><td class=\"num\">{value}</td>", html)
    assert re.search(r'<th scope="row">Centrum</th><td class="num">14,2%</td>', html)
    assert re.search(
        rf'<th scope="row">Noord</th><td class="num">{re.escape(SUPPRESSED)}</td>', html
    )
    assert "Basiswaarde 11,2% (2022)" in text and "Doel 10,0% in 2026 (dalen)" in text
    # Kosten: 2023 published, 2024 suppressed -> onbekend, and the reason says why.
    assert re.search(r'<th scope="row">2023</th><td class="num">€ 4.321</td>', html)
    assert re.search(
        rf'<th scope="row">2024</th><td class="num">{re.escape(SUPPRESSED)}</td>', html
    )
    assert "Het cijfer over 2024 is onderdrukt" in text
    # One chart per indicator, as inline SVG with its text alternative.
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg"') == 2
    assert 'aria-label="Lijngrafiek van jeugd met jeugdhulp in de gemeente per jaar.' in html
    page = c.get("/doelen/bijstand_omlaag").text
    assert "De daling volgt de aantrekkende arbeidsmarkt." in page
    assert "Team Onderzoek, 2025-02-10" in _text(page)


def test_unknown_goal_and_broken_goal_file(goals_ws: Path, login: Callable[..., object]) -> None:
    c = TestClient(create_app(goals_ws))
    login(c, Role.RAAD)
    r = c.get("/doelen/bestaat_niet")
    assert r.status_code == 404 and "bestaat niet" in r.text
    (goals_ws / "goals" / "kapot.yaml").write_text("id: kapot\ntitle: [\n", encoding="utf-8")
    r = c.get("/doelen")
    assert r.status_code == 503
    assert "kapot.yaml:" in r.text and "geen geldige YAML" in r.text


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found
    return found.group(1)


def test_an_analist_adds_a_duiding(goals_ws: Path, login: Callable[..., object]) -> None:
    c = TestClient(create_app(goals_ws))
    user = login(c, Role.ANALIST)
    page = c.get("/doelen/jeugd_en_kosten").text
    assert 'action="/doelen/jeugd_en_kosten/duiding"' in page
    r = c.post(
        "/doelen/jeugd_en_kosten/duiding",
        data={"periode": "2024", "indicator": "jeugdhulp_pct", "tekst": "Meer gezinnen in nood.",
              "csrf_token": _csrf(page)},
        follow_redirects=False,
    )  # fmt: skip
    assert r.status_code == 303
    text = _text(c.get("/doelen/jeugd_en_kosten").text)
    assert "Meer gezinnen in nood." in text
    assert f"Duiding over 2024 — {user.username}" in text  # type: ignore[attr-defined]
    # Without the CSRF token the same post is refused.
    r = c.post("/doelen/jeugd_en_kosten/duiding",
               data={"periode": "2024", "tekst": "x"}, follow_redirects=False)  # fmt: skip
    assert r.status_code == 403


@pytest.mark.parametrize("role", [Role.RAAD, Role.BELEID])
def test_raad_and_beleid_cannot_write_a_duiding(
    goals_ws: Path, login: Callable[..., object], role: Role
) -> None:
    c = TestClient(create_app(goals_ws))
    login(c, role)
    before = (goals_ws / "goals" / "jeugd_en_kosten.yaml").read_text(encoding="utf-8")
    page = c.get("/doelen/jeugd_en_kosten").text
    assert "/duiding" not in page  # no form
    r = c.post(
        "/doelen/jeugd_en_kosten/duiding",
        data={"periode": "2024", "tekst": "x", "csrf_token": _csrf(page)},
        follow_redirects=False,
    )
    assert r.status_code == 403
    assert (goals_ws / "goals" / "jeugd_en_kosten.yaml").read_text(encoding="utf-8") == before
