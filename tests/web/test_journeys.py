"""Each role's main journey in real headless Chromium, with axe-core on every page.

The workspace holds a real ingest of tests/data (for the quarantine) and the hand-made
snapshot; one user per role logs in through the form. axe-core comes from the npm
registry (``make js-deps`` puts it in node_modules/); the contexts bypass the CSP only
so that the test can inject it (test_browser.py checks the pages under the real CSP).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest

from zicht.config import environment_flag
from zicht.privacy.roles import Role
from zicht.sources.ingest import ingest_files
from zicht.web.app import create_app
from zicht.workspace import Workspace

from .accounts import add_user, password_for
from .snapshot_data import write_snapshot

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "docs" / "screenshots"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
SUPPRESSED = "onderdrukt (privacybescherming)"
FORBIDDEN_LOGGED = "Failed to load resource: the server responded with a status of 403 (Forbidden)"

for needed, how in ((CHROMIUM, "apt-get install chromium"), (AXE, "make js-deps")):
    if not needed.exists():
        if environment_flag("CI") == "true":
            pytest.fail(f"{needed} is missing under CI ({how})")
        pytest.skip(f"{needed} is missing ({how}); journeys skipped", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def base_url(
    tmp_path_factory: pytest.TempPathFactory,
    serve_app: Callable[[Any], AbstractContextManager[str]],
) -> Iterator[str]:
    root = tmp_path_factory.mktemp("journeys") / "ws"
    workspace = Workspace.init(root)
    for name in ("gebieden.geojson", "bevolking.csv", "jeugd_voorzieningen.csv"):
        ingest_files(workspace, [ROOT / "tests" / "data" / name])
    write_snapshot(root)
    for role in Role:
        teams = ["WK990101"] if role is Role.PROFESSIONAL else []
        add_user(root, role, username=role.value, teams=teams)
    with serve_app(create_app(root)) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


class Visit:
    """A logged-in browser tab that checks every page it lands on."""

    def __init__(self, browser: Any, base_url: str) -> None:
        self.base = base_url
        self.context = browser.new_context(
            viewport={"width": 1280, "height": 900}, locale="nl-NL", bypass_csp=True
        )
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.foreign: list[str] = []
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on(
            "request",
            lambda r: (
                self.foreign.append(r.url)
                if not r.url.startswith((base_url, "data:", "blob:"))
                else None
            ),
        )

    def login(self, username: str, password: str | None = None) -> None:
        pg = self.page
        pg.goto(self.base + "/")
        assert "/inloggen?next=" in pg.url
        self.axe("inloggen")
        pg.fill("#username", username)
        pg.fill("#password", password or password_for(username))
        with pg.expect_navigation():
            pg.keyboard.press("Enter")
        assert pg.url == self.base + "/", pg.url

    def axe(self, what: str) -> None:
        """No serious or critical axe-core violation on the current page."""
        self.page.add_script_tag(path=str(AXE))
        result = self.page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        bad = [
            f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert bad == [], (what, self.page.url, bad)

    def menu(self, label: str) -> None:
        with self.page.expect_navigation():
            self.page.get_by_role("navigation", name="Hoofdmenu").get_by_role(
                "link", name=label
            ).click()

    def shot(self, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    def close(self) -> None:
        assert self.errors == [], self.errors
        assert self.foreign == [], self.foreign
        self.context.close()


@pytest.fixture
def visit(browser: Any, base_url: str) -> Iterator[Any]:
    opened: list[Visit] = []

    def make() -> Visit:
        v = Visit(browser, base_url)
        opened.append(v)
        return v

    yield make
    for v in opened:
        v.close()


def test_axe_finds_a_planted_violation(visit: Any) -> None:
    """The accessibility check can fail: an image without alt text is reported."""
    v = visit()
    v.page.goto(v.base + "/inloggen")
    v.page.evaluate(
        "document.querySelector('main').insertAdjacentHTML('beforeend',"
        " '<img src=\"/static/favicon.svg\">')"
    )
    with pytest.raises(AssertionError, match="image-alt"):
        v.axe("planted")


def test_raad_journey(visit: Any) -> None:
    v = visit()
    pg = v.page
    v.login("raad")
    pg.wait_for_selector('[data-chart="trend-jeugdhulp_pct"][data-ready="true"]')
    v.axe("overzicht")
    with pg.expect_navigation():
        pg.get_by_role("link", name="Jeugd met jeugdhulp").first.click()
    pg.wait_for_selector('[data-chart="kaart"][data-ready="true"]')
    v.axe("indicator")
    noord = pg.locator('#ranglijst-tabel tr[data-code="WK990102"]')
    assert SUPPRESSED in noord.inner_text() and not re.search(
        r"\d", noord.locator("td").nth(2).inner_text()
    )
    with pg.expect_navigation():
        pg.locator("#ranglijst-tabel").get_by_role("link", name="Centrum").click()
    assert pg.locator("h1").inner_text() == "Wijk Centrum"
    v.axe("profiel")
    v.shot("area")
    # Printed, the page keeps its figures and drops menu, forms and buttons.
    pg.emulate_media(media="print")
    assert pg.locator("#profiel").is_visible()
    assert not pg.locator(".site-nav").is_visible() and not pg.locator("form.filters").is_visible()
    pg.emulate_media(media="screen")
    with pg.expect_navigation():
        pg.get_by_role("link", name="Vergelijk met andere gebieden").click()
    pg.get_by_label("Zuid", exact=True).check()
    with pg.expect_navigation():
        pg.get_by_role("button", name="Vergelijk").click()
    assert "gebied=WK990101" in pg.url and "gebied=WK990103" in pg.url
    row = pg.locator('#vergelijking tr[data-indicator="jeugdhulp_pct"]').inner_text()
    assert "14,2%" in row and "9,8%" in row
    v.axe("vergelijken")
    v.shot("compare")
    # Microdata is not for the council: the page refuses in Dutch.
    r = pg.goto(v.base + "/datakwaliteit")
    assert r is not None and r.status == 403 and "Geen toegang" in pg.content()
    v.axe("403")
    v.errors.remove(
        "Failed to load resource: the server responded with a status of 403 (Forbidden)"
    )
    with pg.expect_navigation():
        pg.get_by_role("button", name="Uitloggen").click()
    assert pg.url.endswith("/inloggen")
    pg.goto(v.base + "/")
    assert "/inloggen?next=" in pg.url


def test_beleid_journey(visit: Any) -> None:
    v = visit()
    pg = v.page
    v.login("beleid")
    v.menu("Wijken en buurten")
    v.axe("gebieden")
    with pg.expect_navigation():
        pg.get_by_role("link", name="Noord", exact=True).click()
    row = pg.locator('#profiel tr[data-indicator="jeugdhulp_pct"]').inner_text()
    assert SUPPRESSED in row
    v.axe("profiel noord")


def test_analist_journey(visit: Any) -> None:
    v = visit()
    pg = v.page
    v.login("analist")
    v.menu("Datakwaliteit")
    counts = pg.locator('#quarantaine tr[data-rule="jeugd_zaaksysteem:missing_bsn"] td').last
    assert counts.inner_text() == "2"  # rows 4 and 14 of tests/data/jeugd_voorzieningen.csv
    pg.get_by_text("jeugd_zaaksysteem · missing_bsn").click()
    assert pg.get_by_text("BSN ontbreekt").first.is_visible()
    assert "Anna Smit" not in pg.content()
    v.axe("datakwaliteit")
    v.shot("quality")


def test_professional_journey(visit: Any) -> None:
    v = visit()
    pg = v.page
    v.login("professional")
    v.menu("Mijn gebied WK990101")
    assert pg.locator("h1").inner_text() == "Wijk Centrum"
    v.axe("mijn gebied")
    assert pg.goto(v.base + "/audit").status == 403
    v.errors.remove(
        "Failed to load resource: the server responded with a status of 403 (Forbidden)"
    )


def test_fg_journey(visit: Any) -> None:
    v = visit()
    pg = v.page
    v.login("fg")
    v.menu("Auditlog")
    pg.select_option("#actie", "inloggen")
    with pg.expect_navigation():
        pg.get_by_role("button", name="Toon").click()
    assert "actie=inloggen" in pg.url
    first = pg.locator("#auditlog tbody tr").first.inner_text()
    assert "fg" in first and "inloggen" in first
    v.axe("auditlog")
    v.shot("audit")


def test_beheer_journey(visit: Any) -> None:
    v = visit()
    pg = v.page
    v.login("beheer")
    v.menu("Gebruikers")
    pg.locator("#nieuw-naam").fill("nieuwelid")
    pg.locator("#nieuw-rol").select_option("beleid")
    with pg.expect_navigation():
        pg.get_by_role("button", name="Toevoegen").click()
    password = pg.locator('[data-testid="nieuw-wachtwoord"]').inner_text()
    assert len(password) == 16
    v.axe("beheer")
    v.shot("admin")
    other = visit()
    other.login("nieuwelid", password)
    assert "Ingelogd als" in other.page.content()
