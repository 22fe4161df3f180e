"""The public vertelpunt, in-process: no login, CSRF, honeypot, consent, rate limit,
scrubbing before storage, and the encrypted original only with follow-up."""

from __future__ import annotations

import re
from pathlib import Path

import pyarrow as pa
import pytest

from zicht.privacy.scrub import get_scrubber
from zicht.store import open_store
from zicht.stories import vault
from zicht.stories.storage import load_stories
from zicht.web.app import create_app
from zicht.workspace import Workspace

from .accounts import csrf_of
from .snapshot_data import TestClient

STORY = (
    "Ik ben Martijn du Burck, BSN 9999.97.865. Na drie maanden wachten kreeg ik hulp, "
    "bel me op 06-12345678."
)


@pytest.fixture(scope="module", autouse=True)
def _scrubber_loaded() -> None:
    get_scrubber()  # deduce loads once per process; do it before the first request


def make_workspace(tmp_path: Path, rate_limit: int = 10) -> Path:
    ws = Workspace.init(tmp_path / "ws")
    ws.set_setting("stories_rate_limit", rate_limit)
    with ws.store() as store:
        rows = [
            {"level": "wijk", "code": "WK990101", "name": "Molenhof", "parent_code": "GM9901",
             "gemeente_code": "GM9901", "boundary_year": 2025, "geometry": None, "load_id": "t"},
            {"level": "wijk", "code": "WK990102", "name": "Lindenveld", "parent_code": "GM9901",
             "gemeente_code": "GM9901", "boundary_year": 2025, "geometry": None, "load_id": "t"},
        ]  # fmt: skip
        store.insert_arrow("area", pa.Table.from_pylist(rows))
    return ws.root


def _form_data(token: str, **extra: str) -> dict[str, str | list[str]]:
    data: dict[str, str | list[str]] = {
        "csrf_token": token,
        "verhaal": STORY,
        "titel": "Wachten",
        "wat_bepaalde": "0.6/0.2/0.2",
        "gehoord": "0.15",
        "nvt_regie": "1",
        "belangrijk": "geld:0.2/0.9",
        "wachttijd": "lang",
        "thema": ["geld", "zorg"],
        "law": "wmo",
        "wijk": "WK990101",
        "age_group": "45-66",
        "identiteit": "schuilnaam",
        "schuilnaam": "Merel",
        "toestemming": "1",
        "website": "",
    }
    data.update(extra)
    return data


def _count(root: Path) -> int:
    with open_store(root / "zicht.duckdb", read_only=True) as store:
        return len(load_stories(store, "bewoner"))


def test_form_is_public_and_offers_every_signifier(tmp_path: Path) -> None:
    root = make_workspace(tmp_path)
    c = TestClient(create_app(root))
    page = c.get("/vertel/bewoner")
    assert page.status_code == 200
    html = page.text
    assert "Uw verhaal wordt gelezen door medewerkers" in html  # consent text
    needles = ['data-triad="wat_bepaalde"', 'data-dyad="gehoord"', 'data-stones="belangrijk"']
    needles += ['name="wachttijd"', 'id="nvt-regie"', ">Molenhof<", 'name="website"']
    for needle in needles:
        assert needle in html, needle
    assert c.get("/vertel").status_code == 200
    assert c.get("/vertel/bestaat-niet").status_code == 404


def test_story_is_scrubbed_before_it_is_stored(tmp_path: Path) -> None:
    root = make_workspace(tmp_path)
    c = TestClient(create_app(root))
    token = csrf_of(c.get("/vertel/bewoner").text)
    r = c.post("/vertel/bewoner", data=_form_data(token))
    assert r.status_code == 200, r.text
    assert "Bedankt voor uw verhaal" in r.text and "[BSN]" in r.text
    with open_store(root / "zicht.duckdb", read_only=True) as store:
        [story] = load_stories(store, "bewoner")
        dumped = " ".join(
            str(v)
            for table in ("story", "story_answer")
            for row in store.fetchall(f"SELECT * FROM {table}")
            for v in row
        )
        assert not store.table_exists("story_original") or not store.fetchall(
            "SELECT * FROM story_original"
        )
    for secret in ("Martijn", "Burck", "9999.97.865", "06-12345678"):
        assert secret not in dumped
    assert story.text.startswith("Ik ben [NAAM], BSN [BSN].")
    assert story.answers["regie"].na and story.answers["thema"].options == ("geld", "zorg")
    assert story.answers["gehoord"].values == (0.15,)
    assert story.context == {"role": None, "law": "wmo", "wijk": "WK990101", "age_group": "45-66"}
    assert story.pseudonym == "Merel" and story.source == "web"


def test_csrf_honeypot_and_consent(tmp_path: Path) -> None:
    root = make_workspace(tmp_path)
    c = TestClient(create_app(root))
    token = csrf_of(c.get("/vertel/bewoner").text)
    assert c.post("/vertel/bewoner", data=_form_data("vervalst")).status_code == 403
    robot = c.post("/vertel/bewoner", data=_form_data(token, website="http://spam.example"))
    assert robot.status_code == 200  # a robot is not told it was caught
    r = c.post("/vertel/bewoner", data=_form_data(token, toestemming=""))
    assert r.status_code == 400 and "Geef toestemming" in r.text
    assert "Na drie maanden wachten" in r.text  # what was typed is not lost
    r = c.post("/vertel/bewoner", data=_form_data(token, gehoord="7"))
    assert r.status_code == 400
    assert re.search(r"Voelde u zich gehoord\?: ongeldig antwoord", r.text)
    assert _count(root) == 0


def test_rate_limit_per_address(tmp_path: Path) -> None:
    root = make_workspace(tmp_path, rate_limit=2)
    c = TestClient(create_app(root))
    token = csrf_of(c.get("/vertel/bewoner").text)
    assert [c.post("/vertel/bewoner", data=_form_data(token)).status_code for _ in range(3)] == [
        200, 200, 429
    ]  # fmt: skip
    assert _count(root) == 2


def test_follow_up_keeps_the_original_encrypted(tmp_path: Path) -> None:
    root = make_workspace(tmp_path)
    c = TestClient(create_app(root))
    token = csrf_of(c.get("/vertel/professional").text)
    data = {
        "csrf_token": token,
        "verhaal": "Mevrouw Irene Kramer (BSN 999997968) kreeg na een half jaar eindelijk hulp.",
        "soort": "knelpunt",
        "ruimte": "0.2",
        "vervolg": "1",
        "contact": "06-98765432",
        "toestemming": "1",
    }
    assert c.post("/vertel/professional", data=data).status_code == 200
    with open_store(root / "zicht.duckdb", read_only=True) as store:
        [(story_id, token_text)] = store.fetchall("SELECT story_id, token FROM story_original")
        text = store.scalar("SELECT text_scrubbed FROM story WHERE story_id = ?", [story_id])
    assert "Kramer" not in token_text and "Kramer" not in text
    original = vault.decrypt(root, token_text)
    assert "Contact: 06-98765432" in original and "Irene Kramer (BSN 999997968)" in original
