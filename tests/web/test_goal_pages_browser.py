"""The goal pages in a real headless Chromium: log in as raad, open the goals, follow a
goal, and see its status, chart and figures; nothing leaves localhost, nothing errors."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from zicht.privacy.roles import Role
from zicht.web.app import create_app

from .accounts import add_user, password_for
from .goal_data import STATUS, write_goals
from .snapshot_data import write_snapshot
from .test_browser import CHROMIUM, CHROMIUM_ARGS  # skips this module where chromium is absent

pytestmark = pytest.mark.browser

sync_api = pytest.importorskip("playwright.sync_api")
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def _axe(pg: Any, what: str) -> None:
    """No serious or critical axe-core violation (skipped without `make js-deps`)."""
    if not AXE.is_file():
        return
    pg.add_script_tag(path=str(AXE))
    result = pg.evaluate("axe.run(document, {resultTypes: ['violations']})")
    bad = [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert bad == [], (what, bad)


@pytest.fixture(scope="module")
def base_url(
    tmp_path_factory: pytest.TempPathFactory,
    serve_app: Callable[[Any], AbstractContextManager[str]],
) -> Iterator[str]:
    ws = tmp_path_factory.mktemp("ws")
    write_snapshot(ws)
    write_goals(ws)
    add_user(ws, Role.RAAD, username="raadslid")
    with serve_app(create_app(ws)) as url:
        yield url


def test_raad_follows_a_goal_from_the_overview(base_url: str) -> None:
    requests: list[str] = []
    errors: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            pg: Any = browser.new_page(viewport={"width": 1280, "height": 900}, locale="nl-NL")
            pg.on("request", lambda r: requests.append(r.url))
            pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            pg.on("pageerror", lambda e: errors.append(str(e)))
            pg.goto(base_url + "/doelen")
            assert "/inloggen" in pg.url  # not logged in yet
            pg.fill("#username", "raadslid")
            pg.fill("#password", password_for("raadslid"))
            with pg.expect_navigation():
                pg.click("button[type=submit]")
            assert pg.url.endswith("/doelen")
            assert pg.locator("h1").inner_text() == "Doelen van de raad"
            menu = pg.get_by_role("navigation", name="Hoofdmenu")
            assert menu.get_by_role("link", name="Doelen").get_attribute("aria-current") == "page"
            for (goal_id, indicator), status in STATUS.items():
                row = pg.locator(f'tr[data-goal="{goal_id}"][data-indicator="{indicator}"]')
                assert row.locator(".doel-status").inner_text() == status
            with pg.expect_navigation():
                pg.click("text=Lichtere jeugdhulp en beheerste Wmo-kosten")
            assert pg.url.endswith("/doelen/jeugd_en_kosten")
            assert pg.locator("#doel-status").inner_text() == "niet op koers"
            chart = pg.locator("#jeugdhulp_pct svg[role=img]")
            assert chart.is_visible()
            box = chart.bounding_box()
            assert box is not None and box["width"] > 300
            assert "12,5%" in (chart.get_attribute("aria-label") or "")
            reason = pg.locator("#kosten_per_client_wmo .doel-reden").inner_text()
            assert "onderdrukt" in reason
            assert pg.locator("#kosten_per_client_wmo .doel-status").inner_text() == "onbekend"
            # axe-core is injected as a script, which the CSP forbids (rightly): check the
            # same pages again in a context that bypasses it, with the same session.
            state = pg.context.storage_state()
            axe_ctx = browser.new_context(bypass_csp=True, storage_state=state)
            axe_page = axe_ctx.new_page()
            for url in ("/doelen", "/doelen/jeugd_en_kosten"):
                axe_page.goto(base_url + url)
                _axe(axe_page, url)
            axe_ctx.close()
        finally:
            browser.close()
    foreign = [u for u in requests if urlparse(u).hostname not in {"127.0.0.1", "localhost"}
               and urlparse(u).scheme not in {"data", "blob", "about"}]  # fmt: skip
    assert foreign == [] and errors == []
