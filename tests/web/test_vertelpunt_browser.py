"""The vertelpunt in real headless Chromium: a story told by keyboard only, and one by
mouse, on a phone-sized screen; what is stored is read back from the database."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest

from zicht.privacy.roles import Role
from zicht.privacy.scrub import get_scrubber
from zicht.store import open_store
from zicht.stories.importer import import_csv
from zicht.stories.storage import load_stories
from zicht.synth._stories import write
from zicht.web.app import create_app
from zicht.workspace import Workspace

from .accounts import add_user
from .test_browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    Recorder,
    _assert_clean,
    browser_login,
)
from .test_vertelpunt import make_workspace

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory,
    serve_app: Callable[[Any], AbstractContextManager[str]],
) -> Iterator[tuple[str, Path]]:
    get_scrubber()  # load deduce before the first story arrives
    root = make_workspace(tmp_path_factory.mktemp("vp"))
    yield from _serve(root, serve_app)


def _serve(
    root: Path, serve_app: Callable[[Any], AbstractContextManager[str]]
) -> Iterator[tuple[str, Path]]:
    with serve_app(create_app(root)) as url:
        yield url, root


@pytest.fixture
def phone() -> Iterator[tuple[Any, Recorder]]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = b.new_context(viewport={"width": 390, "height": 844}, locale="nl-NL")
        pg = context.new_page()
        rec = Recorder()
        pg.on("request", lambda r: rec.requests.append(r.url))
        pg.on("console", lambda m: rec.console_errors.append(m.text) if m.type == "error" else None)
        pg.on("pageerror", lambda e: rec.page_errors.append(str(e)))
        pg.on("response", lambda r: rec.failed.append(r.url) if r.status >= 400 else None)
        yield pg, rec
        b.close()


def _stored(root: Path, words: str) -> Any:
    with open_store(root / "zicht.duckdb", read_only=True) as store:
        return next(s for s in load_stories(store, "bewoner") if words in s.text)


def _box(pg: Any, selector: str) -> Any:
    """The element's box in the viewport, after scrolling it into view (a phone screen
    shows only part of the form; a click outside the viewport hits nothing)."""
    loc = pg.locator(selector)
    loc.scroll_into_view_if_needed()
    return loc.bounding_box()


def _active_id(pg: Any) -> str:
    return str(pg.evaluate("document.activeElement.id"))


def test_story_by_keyboard_only(served: tuple[str, Path], phone: tuple[Any, Recorder]) -> None:
    base, root = served
    pg, rec = phone
    pg.goto(base + "/vertel/bewoner")
    pg.focus("#verhaal")
    pg.keyboard.type("Ik wachtte maanden op hulp en niemand luisterde. Bel 06-12345678.")
    pg.keyboard.press("Tab")
    pg.keyboard.type("Toetsenbord")
    # Tab order: title → triad dot → its 'niet van toepassing' → dyad slider.
    pg.keyboard.press("Tab")
    assert _active_id(pg) == "stip-wat_bepaalde"
    for _ in range(6):
        pg.keyboard.press("ArrowUp")  # the first press places the dot in the centre
    assert "de regels" in pg.get_attribute("#stip-wat_bepaalde", "aria-valuetext")
    pg.keyboard.press("Tab")
    assert _active_id(pg) == "nvt-wat_bepaalde"
    pg.keyboard.press("Tab")
    assert _active_id(pg) == "schuif-gehoord"
    for _ in range(30):
        pg.keyboard.press("ArrowLeft")  # 50 → 20
    pg.focus("#nvt-regie")
    pg.keyboard.press("Space")
    stone = pg.locator('[data-stones="belangrijk"] .vp-stone[data-item="geld"]')
    stone.focus()
    for _ in range(4):
        pg.keyboard.press("ArrowRight")  # placed at 0.5, then 3 × 0.05 to the right
    pg.focus("#wachttijd-lang")
    pg.keyboard.press("Space")
    pg.focus("#thema-zorg")
    pg.keyboard.press("Space")
    pg.focus("#ctx-law")
    pg.keyboard.press("ArrowDown")  # first option after "Zeg ik liever niet": jeugd
    pg.focus("#toestemming")
    pg.keyboard.press("Space")
    pg.focus("#versturen")
    with pg.expect_navigation():
        pg.keyboard.press("Enter")
    assert "Bedankt voor uw verhaal" in pg.content() and "[TELEFOON]" in pg.content()
    story = _stored(root, "niemand luisterde")
    a, b, c = story.answers["wat_bepaalde"].values
    assert a > 0.5 and a > b and a > c
    assert story.answers["gehoord"].values[0] == pytest.approx(0.20)
    assert story.answers["regie"].na
    assert story.answers["belangrijk"].points["geld"] == pytest.approx((0.65, 0.5))
    assert story.answers["wachttijd"].options == ("lang",)
    assert story.answers["thema"].options == ("zorg",)
    assert "gevoel" not in story.answers  # untouched: not answered
    assert story.context["law"] == "jeugd"
    _assert_clean(rec)


def test_story_by_mouse(served: tuple[str, Path], phone: tuple[Any, Recorder]) -> None:
    base, root = served
    pg, rec = phone
    pg.goto(base + "/vertel/bewoner")
    pg.fill("#verhaal", "De consulent nam de tijd en dacht mee; het ging snel.")
    pg.fill("#titel", "Muis")
    # Triad: click near the bottom-right corner ('mijn eigen situatie').
    box = _box(pg, '[data-triad="wat_bepaalde"] svg')
    pg.mouse.click(box["x"] + box["width"] * 0.85, box["y"] + box["height"] * 0.85)
    # Dyad: click near the right end of the slider.
    rng = _box(pg, "#schuif-gehoord")
    pg.mouse.click(rng["x"] + rng["width"] * 0.95, rng["y"] + rng["height"] / 2)
    # Stones: choose a stone, click the top-right of the field.
    pg.click('[data-stones="belangrijk"] .vp-stone[data-item="wonen"]')
    field = _box(pg, '[data-stones="belangrijk"] svg')
    pg.mouse.click(field["x"] + field["width"] * 0.9, field["y"] + field["height"] * 0.1)
    pg.click("label[for=wachttijd-kort]")
    pg.click("label[for=toestemming]")
    with pg.expect_navigation():
        pg.click("#versturen")
    assert "Bedankt voor uw verhaal" in pg.content()
    story = _stored(root, "dacht mee")
    a, b, c = story.answers["wat_bepaalde"].values
    assert c > a and c > b
    assert story.answers["gehoord"].values[0] > 0.85
    x, y = story.answers["belangrijk"].points["wonen"]
    assert x > 0.8 and y > 0.8
    assert story.answers["wachttijd"].options == ("kort",)
    _assert_clean(rec)


@pytest.fixture(scope="module")
def served_stories(
    tmp_path_factory: pytest.TempPathFactory,
    serve_app: Callable[[Any], AbstractContextManager[str]],
) -> Iterator[tuple[str, Path]]:
    tmp = tmp_path_factory.mktemp("analist")
    manifest = write(tmp / "synth", ["WK990101", "WK990102"], [2024, 2025], seed=5)
    ws = Workspace.init(tmp / "ws")
    import_csv(ws, "bewoner", tmp / "synth" / manifest["file"], get_scrubber())
    add_user(ws.root, Role.ANALIST, username="analist")
    yield from _serve(ws.root, serve_app)


def test_analyst_page_draws_ternary_plots_offline(
    served_stories: tuple[str, Path], phone: tuple[Any, Recorder]
) -> None:
    base, _ = served_stories
    pg, rec = phone
    pg.set_viewport_size({"width": 1280, "height": 900})
    pg.goto(base + "/verhalen/bewoner")
    assert "/inloggen" in pg.url
    browser_login(pg, base, "analist")
    pg.goto(base + "/verhalen/bewoner")
    for sig in ("wat_bepaalde", "gevoel", "gehoord"):
        pg.wait_for_selector(f'[data-chart="grafiek-{sig}"][data-ready="true"]', timeout=20000)
    # Plotly drew a ternary subplot with the stories, the region and the centre.
    assert pg.locator("#plot-wat_bepaalde .ternary").count() == 1
    assert pg.locator("#plot-wat_bepaalde .scatterlayer .trace").count() == 3
    assert "is lager bij" in pg.content()
    _assert_clean(rec)
