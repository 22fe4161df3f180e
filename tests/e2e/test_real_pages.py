"""The pages of a workspace built by the real path, in real headless Chromium: the map
draws one shape per buurt of the generated gemeente, the ranking table lists every
buurt, and a suppressed cell shows words, never a number."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from zicht.config import environment_flag
from zicht.indicators.refresh import refresh
from zicht.privacy.accounts import Accounts
from zicht.privacy.roles import Role
from zicht.sources.ingest import ingest_files
from zicht.synth import generate
from zicht.web.app import create_app
from zicht.workspace import Workspace

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PASSWORD = "raad-wachtwoord-e2e"

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    if environment_flag("CI") == "true":
        pytest.fail(f"{CHROMIUM} is missing under CI; `make test` installs chromium")
    pytest.skip(f"{CHROMIUM} is not installed; browser tests skipped", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory,
    serve_app: Callable[[Any], AbstractContextManager[str]],
) -> Iterator[tuple[str, Path]]:
    root = tmp_path_factory.mktemp("pages")
    manifest = generate(root / "exports", persons=12_000, seed=11)
    ws = Workspace.init(root / "ws")
    for rel in manifest["ingest_order"]:
        ingest_files(ws, [root / "exports" / rel])
    refresh(Workspace.open(ws.root))
    Accounts(ws.root).add("raad", Role.RAAD, password=PASSWORD)
    with serve_app(create_app(ws.root)) as url:
        yield url, ws.root


def _snapshot(ws: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, Any]]:
    snap = ws / "published" / (ws / "published" / "CURRENT").read_text().strip()
    cube = pq.read_table(snap / "cube.parquet").to_pylist()
    areas = pq.read_table(snap / "areas.parquet").to_pylist()
    meta = json.loads((snap / "meta.json").read_text(encoding="utf-8"))
    return cube, areas, meta


def test_buurt_map_and_table_of_the_generated_gemeente(served: tuple[str, Path]) -> None:
    base, ws = served
    cube, areas, meta = _snapshot(ws)
    year = max(meta["periods"])
    buurten = [a for a in areas if a["level"] == "buurt"]
    by_indicator: dict[str, list[dict[str, Any]]] = {}
    for c in cube:
        if c["level"] == "buurt" and c["period"] == year and c["breakdown"] == "":
            by_indicator.setdefault(c["indicator_id"], []).append(c)
    # An indicator with both published and suppressed buurten shows both on one page.
    mixed = sorted(
        i
        for i, cs in by_indicator.items()
        if 0 < sum(c["status"] == "onderdrukt" for c in cs) < len(cs)
    )
    assert buurten and mixed, "the generated gemeente has no indicator with both kinds"
    indicator = mixed[0]
    cells = by_indicator[indicator]
    suppressed = sum(1 for c in cells if c["status"] == "onderdrukt")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        foreign: list[str] = []
        page.on("request", lambda r: foreign.append(r.url) if "127.0.0.1" not in r.url else None)
        page.goto(f"{base}/indicator/{indicator}?niveau=buurt&jaar={year}")
        assert "/inloggen" in page.url  # the login form first, then back to the page
        page.fill("#username", "raad")
        page.fill("#password", PASSWORD)
        with page.expect_navigation():
            page.click("button[type=submit]")
        assert f"/indicator/{indicator}?niveau=buurt" in page.url
        page.wait_for_selector('[data-chart="kaart"] .choroplethlayer path')
        assert page.locator('[data-chart="kaart"] .choroplethlayer path').count() == len(buurten)
        rows = page.locator("#ranglijst-tabel tbody tr")
        assert rows.count() == len(cells)
        texts = [rows.nth(i).inner_text() for i in range(rows.count())]
        assert sum("onderdrukt" in t for t in texts) == suppressed
        browser.close()
    assert [u for u in foreign if not u.startswith(("data:", "blob:"))] == []
