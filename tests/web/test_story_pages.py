"""The analyst pages for stories: only analist and beleid; the planted pattern shows with
scrubbed stories; an observation needs two interpretations."""

from __future__ import annotations

import csv
import json
import re
import statistics
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from zicht.privacy.roles import Role
from zicht.privacy.scrub import get_scrubber
from zicht.stories.importer import import_csv
from zicht.synth._stories import write
from zicht.web.app import create_app
from zicht.workspace import Workspace

from .accounts import csrf_of
from .snapshot_data import WIJKEN, TestClient, write_snapshot


@pytest.fixture(scope="module")
def story_ws(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("verhalen")
    manifest = write(tmp / "synth", ["WK990101", "WK990102"], [2024, 2025], seed=4)
    ws = Workspace.init(tmp / "ws")
    report = import_csv(ws, "bewoner", tmp / "synth" / manifest["file"], get_scrubber())
    assert report.accepted == 600
    return ws.root, manifest


def test_only_analist_and_beleid(
    story_ws: tuple[Path, dict[str, Any]], login: Callable[..., Any]
) -> None:
    root, _ = story_ws
    anonymous = TestClient(create_app(root))
    r = anonymous.get("/verhalen/bewoner", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/inloggen")
    for role, status in [(Role.RAAD, 403), (Role.PROFESSIONAL, 403), (Role.FG, 403),
                         (Role.ANALIST, 200), (Role.BELEID, 200)]:  # fmt: skip
        c = TestClient(create_app(root))
        login(c, role)
        assert c.get("/verhalen/bewoner").status_code == status, role
        assert c.get("/verhalen").status_code == status, role


def test_planted_pattern_with_scrubbed_stories_and_ternary_plots(
    story_ws: tuple[Path, dict[str, Any]], login: Callable[..., Any]
) -> None:
    root, manifest = story_ws
    c = TestClient(create_app(root))
    login(c, Role.ANALIST)
    html = c.get("/verhalen/bewoner").text
    assert "600 van 600 verhalen" in html
    assert re.search(r"is lager bij Hoe lang duurde het voordat de hulp begon\? = lang", html)
    assert "= pwet" in html  # the second planted pattern
    for item in manifest["personal_data"]:
        if item["kind"] in ("bsn", "iban", "email", "telefoon"):
            assert item["value"] not in html, item
    blocks = re.findall(
        r'<script type="application/json" id="grafiek-([a-z_]+)">(.*?)</script>', html
    )
    figures = {name: json.loads(body) for name, body in blocks}
    assert {"wat_bepaalde", "gevoel", "gehoord", "regie", "belangrijk"} <= set(figures)
    types = [t["type"] for t in figures["wat_bepaalde"]["data"]]
    assert types == ["scatterternary"] * 3  # stories, confidence region, centre
    # Filters: a law narrows the stories.
    narrowed = c.get("/verhalen/bewoner?wet=pwet").text
    n = int(re.search(r"(\d+) van 600 verhalen", narrowed).group(1))  # type: ignore[union-attr]
    assert 100 < n < 220


def test_observation_needs_two_interpretations(
    story_ws: tuple[Path, dict[str, Any]], login: Callable[..., Any]
) -> None:
    root, _ = story_ws
    c = TestClient(create_app(root))
    login(c, Role.BELEID)
    page = c.get("/verhalen/bewoner").text
    token = csrf_of(page)
    key = re.search(r'name="patroon" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    data = {"csrf_token": token, "patroon": key, "observatie": "Wachten en niet gehoord."}
    r = c.post("/verhalen/bewoner/opmerkelijk", data=data | {"interpretatie": ["capaciteit"]})
    assert r.status_code == 400 and "minstens twee" in r.text
    both = {"interpretatie": ["Te weinig capaciteit", "Regels gaan voor mensen"]}
    r = c.post("/verhalen/bewoner/opmerkelijk", data=data | both, follow_redirects=False)
    assert r.status_code == 303
    page = c.get("/verhalen/bewoner").text
    assert "Regels gaan voor mensen" in page and "Wachten en niet gehoord." in page


@pytest.fixture(scope="module")
def warm_ws(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """Stories about the wijken and years of the hand-made snapshot, beside it."""
    tmp = tmp_path_factory.mktemp("warm")
    manifest = write(tmp / "synth", list(WIJKEN), [2023, 2024], seed=9)
    ws = Workspace.init(tmp / "ws")
    write_snapshot(ws.root)
    import_csv(ws, "bewoner", tmp / "synth" / manifest["file"], get_scrubber())
    return ws.root, manifest


def test_warm_next_to_cold(warm_ws: tuple[Path, dict[str, Any]], login: Callable[..., Any]) -> None:
    root, manifest = warm_ws
    c = TestClient(create_app(root))
    login(c, Role.BELEID)
    html = c.get("/verhalen/bewoner/warm-koud").text
    # The cold side, as published in the hand-made snapshot (snapshot_data.CELLS).
    centrum_2024 = html.split('<th scope="row">Centrum</th><td>2024</td>')[1].split("</tr>")[0]
    assert "Jeugd met jeugdhulp: 14,2%" in centrum_2024
    assert "Inwoners met bijstand: 4,5%" in centrum_2024
    noord_2024 = html.split('<th scope="row">Noord</th><td>2024</td>')[1].split("</tr>")[0]
    assert "Jeugd met jeugdhulp: onderdrukt (privacybescherming)" in noord_2024
    # The warm side, recomputed here from the generated CSV.
    with (root.parent / "synth" / manifest["file"]).open(encoding="utf-8-sig") as fh:
        rows = [r for r in csv.DictReader(fh, delimiter=";")]
    mine = [r for r in rows if r["wijk"] == "WK990101" and r["verteld_op"].endswith("2024")]
    median = statistics.median(float(r["gehoord"]) for r in mine)
    assert f"<td>{len(mine)}</td>" in centrum_2024
    assert f"mediaan {round(median * 100)}%" in centrum_2024
    pwet = html.split('<th scope="row">pwet</th><td>2024</td>')[1].split("</tr>")[0]
    assert "Inwoners met bijstand: 3,1%" in pwet


def test_export_of_a_pattern_has_scrubbed_stories_only(
    warm_ws: tuple[Path, dict[str, Any]], login: Callable[..., Any]
) -> None:
    root, manifest = warm_ws
    c = TestClient(create_app(root))
    login(c, Role.ANALIST)
    page = c.get("/verhalen/bewoner").text
    link = re.search(r'class="vh-export" href="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    r = c.get(link.replace("&amp;", "&"))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/markdown")
    text = r.text
    assert text.startswith("# Patroon: ") and text.count("\n> ") >= 3
    with (root.parent / "synth" / manifest["file"]).open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh, delimiter=";"))
    for item in manifest["personal_data"]:
        assert item["value"] not in text
    assert not any(
        r["schuilnaam"] and f"{r['schuilnaam']}" in text
        for r in rows
        if r["schuilnaam"] == "Anoniem123"
    )
    assert "verhalen-" not in text  # no story ids
    assert c.get("/verhalen/bewoner/export?patroon=bestaat|niet").status_code == 404
    raad = TestClient(create_app(root))
    login(raad, Role.RAAD)
    assert raad.get(link.replace("&amp;", "&")).status_code == 403


def test_patterns_shown_reach_the_minimum_effect_from_the_settings(
    story_ws: tuple[Path, dict[str, Any]], login: Callable[..., Any]
) -> None:
    root, _ = story_ws
    c = TestClient(create_app(root))
    login(c, Role.ANALIST)
    html = c.get("/verhalen/bewoner").text
    shown = re.findall(r"effect \([^)]*\) = (\d+,\d+) \(minimaal (\d+,\d+)\)", html)
    assert shown and all(float(e.replace(",", ".")) >= float(m.replace(",", ".")) for e, m in shown)
    # Minima no effect can reach (zicht.toml, read per request): nothing is listed, and
    # the credible-but-small pairs are counted instead.
    toml = root / "zicht.toml"
    before = toml.read_text(encoding="utf-8")
    ws = Workspace.open(root)
    try:
        for name in ("cramers_v", "rank_biserial", "epsilon2", "spearman"):
            ws.set_setting(f"stories_min_{name}", 2)
        html = c.get("/verhalen/bewoner").text
        assert "Geen patronen gevonden in deze selectie." in html
        m = re.search(r"(\d+) verbanden zijn wel betrouwbaar maar te klein", html)
        assert m and int(m.group(1)) >= len(shown)
    finally:
        toml.write_text(before, encoding="utf-8")
