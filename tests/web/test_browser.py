"""The served dashboard in a real headless Chromium (Playwright driving Debian's chromium).

Uvicorn serves the hand-made snapshot on a free port in a thread; the browser records
every request and console message, so the tests can assert that nothing but localhost
is contacted and nothing logs an error.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from zicht.config import environment_flag
from zicht.privacy.roles import Role
from zicht.web.app import create_app

from .accounts import add_user, password_for
from .snapshot_data import BUURTEN, WIJKEN, write_snapshot

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SUPPRESSED = "onderdrukt (privacybescherming)"

if not CHROMIUM.exists():
    if environment_flag("CI") == "true":
        pytest.fail(f"{CHROMIUM} ontbreekt in CI: installeer het Debian-pakket chromium")
    pytest.skip(
        f"{CHROMIUM} is not installed (apt-get install chromium); browser tests skipped",
        allow_module_level=True,
    )

sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def base_url(
    tmp_path_factory: pytest.TempPathFactory,
    serve_app: Callable[[Any], AbstractContextManager[str]],
) -> Iterator[str]:
    ws = tmp_path_factory.mktemp("ws")
    write_snapshot(ws)
    add_user(ws, Role.RAAD, username="raad")
    with serve_app(create_app(ws)) as url:
        yield url


@dataclass
class Recorder:
    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def foreign(self) -> list[str]:
        return [
            u
            for u in self.requests
            if urlparse(u).scheme not in {"data", "blob", "about"}
            and urlparse(u).hostname not in {"127.0.0.1", "localhost"}
        ]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


def browser_login(pg: Any, base_url: str, username: str) -> None:
    """Log in through the real form, as a person would."""
    pg.goto(base_url + "/inloggen")
    pg.fill("#username", username)
    pg.fill("#password", password_for(username))
    with pg.expect_navigation():
        pg.click("button[type=submit]")
    assert "/inloggen" not in pg.url


@pytest.fixture(scope="module")
def raad_state(browser: Any, base_url: str) -> Any:
    """The cookies of a raad user who logged in through the form (shared by the tests)."""
    context = browser.new_context()
    pg = context.new_page()
    pg.goto(base_url + "/")
    assert "/inloggen?next=" in pg.url  # not logged in: the dashboard sends you to the form
    browser_login(pg, base_url, "raad")
    state = context.storage_state()
    context.close()
    return state


@pytest.fixture
def page(browser: Any, raad_state: Any) -> Iterator[tuple[Any, Recorder]]:
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="nl-NL", storage_state=raad_state
    )
    pg = context.new_page()
    rec = Recorder()
    pg.on("request", lambda r: rec.requests.append(r.url))
    pg.on("console", lambda m: rec.console_errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: rec.page_errors.append(str(e)))
    pg.on("response", lambda r: rec.failed.append(r.url) if r.status >= 400 else None)
    yield pg, rec
    context.close()


def _assert_clean(rec: Recorder) -> None:
    assert rec.foreign() == [], rec.foreign()
    assert rec.failed == [], rec.failed
    assert rec.console_errors == [], rec.console_errors
    assert rec.page_errors == [], rec.page_errors


def test_overview_renders_charts(base_url: str, page: tuple[Any, Recorder]) -> None:
    pg, rec = page
    pg.goto(base_url + "/")
    pg.wait_for_selector('[data-chart="trend-jeugdhulp_pct"][data-ready="true"]', timeout=15000)
    assert pg.locator("h1").inner_text() == "Sociaal domein in Zichtdam"
    assert pg.locator('[data-testid="latest-jeugdhulp_pct"]').inner_text() == "12,5%"
    assert pg.locator('[data-testid="latest-kosten_per_client_wmo"]').inner_text() == SUPPRESSED
    # Every indicator with a gemeente trend got its Plotly chart with a drawn line.
    assert pg.locator(".chart-trend.js-plotly-plot").count() == 4
    assert pg.locator('[data-chart="trend-jeugdhulp_pct"] .scatterlayer path.js-line').count() == 1
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(SCREENSHOTS / "overview.png"), full_page=True)
    _assert_clean(rec)


def test_indicator_page_draws_map_and_table(base_url: str, page: tuple[Any, Recorder]) -> None:
    pg, rec = page
    pg.goto(base_url + "/indicator/jeugdhulp_pct?niveau=wijk&jaar=2024")
    pg.wait_for_selector('[data-chart="kaart"][data-ready="true"]', timeout=15000)
    paths = pg.locator('[data-chart="kaart"] .choroplethlayer path')
    assert paths.count() == len(WIJKEN)
    # The areas are real shapes inside the plot, not the whole-globe fill of a wrongly
    # wound ring: each wijk path is far smaller than the map.
    map_box = pg.locator('[data-chart="kaart"]').bounding_box()
    for i in range(paths.count()):
        box = paths.nth(i).bounding_box()
        assert box is not None and 5 < box["width"] < map_box["width"] / 2
    rows = pg.locator("#ranglijst-tabel tbody tr")
    assert rows.count() == len(WIJKEN)
    assert rows.nth(0).locator("th").inner_text() == "Centrum"
    assert rows.nth(2).locator("td").nth(2).inner_text() == SUPPRESSED
    pg.screenshot(path=str(SCREENSHOTS / "indicator.png"), full_page=True)
    _assert_clean(rec)


def test_buurt_map_has_every_buurt(base_url: str, page: tuple[Any, Recorder]) -> None:
    pg, rec = page
    pg.goto(base_url + "/indicator/jeugdhulp_pct?niveau=buurt&jaar=2024")
    pg.wait_for_selector('[data-chart="kaart"][data-ready="true"]', timeout=15000)
    assert pg.locator('[data-chart="kaart"] .choroplethlayer path').count() == len(BUURTEN)
    assert pg.locator("#ranglijst-tabel tbody tr").count() == len(BUURTEN)
    _assert_clean(rec)


def test_keyboard_reaches_skip_link_and_filters(base_url: str, page: tuple[Any, Recorder]) -> None:
    pg, rec = page
    pg.goto(base_url + "/indicator/jeugdhulp_pct")
    pg.keyboard.press("Tab")
    focused = pg.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Direct naar de inhoud"
    assert pg.evaluate("document.activeElement.getBoundingClientRect().top >= 0")
    pg.keyboard.press("Enter")
    assert pg.evaluate("document.activeElement.id") == "inhoud"
    for _ in range(20):
        pg.keyboard.press("Tab")
        if pg.evaluate("document.activeElement.id") == "niveau":
            break
    else:
        pytest.fail("Tab did not reach the filter form")
    # Choose buurten with the keyboard and submit the form: the URL carries the filter.
    pg.keyboard.press("ArrowDown")
    pg.keyboard.press("Tab")  # jaar
    pg.keyboard.press("Tab")  # Toon
    assert pg.evaluate("document.activeElement.textContent.trim()") == "Toon"
    with pg.expect_navigation():
        pg.keyboard.press("Enter")
    assert "niveau=buurt" in pg.url
    assert pg.locator("#ranglijst-tabel tbody tr").count() == len(BUURTEN)
    _assert_clean(rec)


def test_sorting_works_without_javascript(browser: Any, base_url: str, raad_state: Any) -> None:
    context = browser.new_context(java_script_enabled=False, storage_state=raad_state)
    pg = context.new_page()
    pg.goto(base_url + "/indicator/jeugdhulp_pct?niveau=wijk&jaar=2024")
    pg.click("#ranglijst-tabel thead th:nth-child(2) a")  # Gebied
    names = pg.locator("#ranglijst-tabel tbody th").all_inner_texts()
    assert names == sorted(WIJKEN.values())
    assert "sorteer=naam" in pg.url
    context.close()
