"""The chain, stapeling and signal pages: roles, a snapshot without keten tables, and a
real synthetic gemeente (synth → ingest → refresh) served to headless Chromium."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest

from zicht.config import environment_flag
from zicht.indicators.refresh import refresh
from zicht.privacy.roles import Role, User
from zicht.sources.cbs import load_kwb
from zicht.sources.ingest import ingest_files
from zicht.synth import generate
from zicht.web.app import create_app
from zicht.workspace import Workspace

from .accounts import add_user, password_for
from .snapshot_data import TestClient

PAGES = ("/keten", "/keten/stapeling", "/keten/lokaal-team", "/keten/signalen")


def test_only_beleid_and_analist_see_the_chain(workspace: Path, login: Callable[..., User]) -> None:
    for role, expected in ((Role.RAAD, 403), (Role.PROFESSIONAL, 403), (Role.BELEID, 200),
                           (Role.ANALIST, 200)):  # fmt: skip
        c = TestClient(create_app(workspace))
        login(c, role)
        for path in PAGES:
            assert c.get(path).status_code == expected, (role, path)
    anonymous = TestClient(create_app(workspace))
    r = anonymous.get("/keten", follow_redirects=False)
    assert r.status_code == 303 and "/inloggen" in r.headers["location"]


def test_a_snapshot_without_keten_tables_says_so(
    workspace: Path, login: Callable[..., User]
) -> None:
    c = TestClient(create_app(workspace))
    login(c, Role.BELEID)
    for path in PAGES:
        r = c.get(path)
        assert r.status_code == 200
        assert "zicht refresh" in r.text and "nog geen cijfers over de klantketen" in r.text


# -- the real path in a browser -------------------------------------------------------


CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> tuple[Workspace, dict[str, Any]]:
    root = tmp_path_factory.mktemp("keten")
    manifest = generate(root / "exports", persons=16_000, seed=3)
    ws = Workspace.init(root / "ws")
    for rel in manifest["ingest_order"]:
        ingest_files(ws, [root / "exports" / rel])
    load_kwb(ws, root / "exports" / manifest["cbs_kwb"])
    assert refresh(Workspace.open(ws.root)).keten  # indicators and keten tables, one snapshot
    return ws, manifest


@pytest.fixture(scope="module")
def served(
    real: tuple[Workspace, dict[str, Any]], serve_app: Callable[[Any], AbstractContextManager[str]]
) -> Iterator[str]:
    ws, _ = real
    add_user(ws.root, Role.BELEID, username="beleid")
    with serve_app(create_app(ws.root)) as url:
        yield url


@pytest.mark.slow
@pytest.mark.browser
def test_chain_pages_in_chromium(served: str, real: tuple[Workspace, dict[str, Any]]) -> None:
    if not CHROMIUM.exists():
        if environment_flag("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing under CI; `make test` installs chromium")
        pytest.skip("Debian's chromium is not installed")
    sync_api = pytest.importorskip("playwright.sync_api")
    _, manifest = real
    planted = {p["pattern"]: p for p in manifest["planted"]}
    requests: list[str] = []
    errors: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        pg = browser.new_context(locale="nl-NL").new_page()
        pg.on("request", lambda r: requests.append(r.url))
        pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.goto(served + "/keten")
        assert "/inloggen" in pg.url
        pg.fill("#username", "beleid")
        pg.fill("#password", password_for("beleid"))
        with pg.expect_navigation():
            pg.click("button[type=submit]")
        pg.goto(served + "/keten")
        assert pg.locator("h1").inner_text() == "Klantketen"
        steps = pg.locator("#doorlooptijden tbody tr")
        assert steps.count() >= 6
        first = [c.inner_text() for c in steps.nth(0).locator("td").all()]
        assert first[0] == "totaal" and re.fullmatch(r"[\d.]+", first[3])
        assert pg.locator("#varianten tbody tr").count() >= 5
        # The planted provider shows among the declaraties outside their toewijzing.
        conf = pg.locator("#conformiteit").inner_text()
        assert planted["overbilling_provider"]["provider"] in conf
        # Breakdown by wijk through the plain GET form.
        pg.select_option("#uitsplitsing", "wijk_code")
        with pg.expect_navigation():
            pg.click("form.filters button[type=submit]")
        assert "uitsplitsing=wijk_code" in pg.url
        assert "WK99" in pg.locator("#doorlooptijden").inner_text()
        pg.goto(served + "/keten/stapeling?niveau=buurt")
        rows = pg.locator("#stapeling-gebieden tbody tr")
        assert rows.count() == 8
        # The buurt where stapeling was planted to rise is on top in the last year, unless
        # the gate hid it (secondary suppression may pick it as the partner of a small
        # cell: then it is shown as suppressed, never as a lower figure).
        texts = [rows.nth(i).inner_text() for i in range(rows.count())]
        (mine,) = [x for x in texts if planted["rising_stapeling"]["buurt"] in x]
        assert mine == texts[0] or "onderdrukt" in mine.split("\t")[2]
        assert pg.locator("#stapeling-trend tbody tr").count() == len(manifest["periods"])
        assert pg.locator("#stapeling-mix tbody tr").count() >= 1
        # The mix is one section of the content, not also in the title or breadcrumb.
        assert pg.locator("#stapeling-mix").count() == 1 and "mix" not in pg.title()
        # Context next to the share: own bijstand %, CBS bijstand % and social rent % (the
        # synthetic CBS file has no social rent column: shown as a dash, not as 0).
        own, cbs, rent = [c.inner_text() for c in rows.nth(0).locator("td").all()][-3:]
        assert re.fullmatch(r"\d+,\d", cbs) and rent == "–"
        assert re.fullmatch(r"\d+,\d", own) or own == "onderdrukt (privacybescherming)"
        pg.goto(served + "/keten/lokaal-team")
        team = pg.locator("#lokaal-team tbody tr")
        truth = manifest["lokaal_team"]
        assert team.count() == len(truth) + len(manifest["periods"])  # wijken + gemeente
        first = [c.inner_text() for c in team.nth(0).locator("td").all()]
        total = sum(t["requests"] for t in truth if t["period"] == int(first[0]))
        assert first[1] == f"{total:,}".replace(",", ".")
        pg.goto(served + "/keten/signalen")
        sig = pg.locator("#signalen tbody tr")
        assert sig.count() == 4
        text = pg.locator("#signalen").inner_text()
        for key in ("late_beschikking", "gp_hotspot", "rising_stapeling"):
            assert planted[key]["buurt"] in text
        assert pg.locator("#kwaliteit tbody tr").count() >= 8
        # Every indicator's score, as its cells carry it (not the chain table's short list).
        from zicht.indicators.definitions import load_definitions

        per_indicator = pg.locator("#kwaliteit-indicatoren tbody tr")
        assert per_indicator.count() == len(load_definitions())
        browser.close()
    foreign = [u for u in requests if not u.startswith(served) and not u.startswith("data:")]
    assert foreign == [] and errors == []
