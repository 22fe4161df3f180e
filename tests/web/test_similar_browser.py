"""The similar-gemeenten page in real headless Chromium, with axe-core: a raad member
opens it from the menu, reads the own figure against the similar gemeenten's CBS
figures, opens the attributes, and the indicator page shows the data-quality score."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import require_shared_data

from zicht.privacy.roles import Role
from zicht.web.app import create_app

from .accounts import add_user
from .test_journeys import AXE, CHROMIUM, Visit
from .test_similar_page import similar_workspace

pytestmark = pytest.mark.browser

if not (CHROMIUM.exists() and AXE.exists()):  # test_journeys skips (or fails under CI)
    pytest.skip("chromium or axe-core missing", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory,
    serve_app: Callable[[Any], AbstractContextManager[str]],
) -> Iterator[tuple[str, list[str]]]:
    ws, first = similar_workspace(tmp_path_factory.mktemp("peers") / "ws", require_shared_data())
    add_user(ws, Role.RAAD, username="raad")
    with serve_app(create_app(Path(ws))) as url:
        yield url, first


def test_raad_compares_with_similar_gemeenten(served: tuple[str, list[str]]) -> None:
    base, first = served
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        v = Visit(browser, base)
        try:
            pg = v.page
            v.login("raad")
            v.menu("Vergelijkbare gemeenten")
            assert pg.locator("h1").inner_text() == "Vergelijkbare gemeenten"
            row = pg.locator('#cijfers-tabel tr[data-indicator="jeugdhulp_pct"]')
            cells = row.locator("td").all_inner_texts()
            assert cells == ["2024", "12,5%", "13,0%", "10,0%", "–", "12,0%", "11,0%", "+1,5%"]
            ranked = pg.locator("#gemeenten-tabel tbody tr").evaluate_all(
                "rows => rows.map(r => r.dataset.code)"
            )
            assert ranked == first
            assert not pg.locator("#kenmerken-tabel").is_visible()
            pg.get_by_text("Alle kenmerken naast elkaar").click()
            assert pg.locator("#kenmerken-tabel").is_visible()
            assert "226.500" in pg.locator("#kenmerken-tabel").inner_text()  # Almere
            v.axe("vergelijkbare gemeenten")
            v.shot("similar")
            # From the row to the indicator page, which carries the quality score.
            with pg.expect_navigation():
                row.get_by_role("link").click()
            badge = pg.locator("#datakwaliteit")
            assert "91,5 van 100" in badge.inner_text()
            pg.get_by_text("Wat betekent dit?").click()
            assert "laagste score van de bronnen" in badge.inner_text()
            v.axe("indicator met datakwaliteit")
        finally:
            v.close()
            browser.close()
