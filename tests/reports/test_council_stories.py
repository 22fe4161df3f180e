"""Story patterns in the council report (`zicht report --all`) on the synthetic gemeente
whose stories were imported as `zicht demo` does: the pattern the generator planted is
shown for the goal that names it, only scrubbed stories from the store are quoted, no
planted personal data reaches the PDF or the HTML, and context is shown only where at
least ``stories_k`` stories share it.
"""

from __future__ import annotations

import csv
import html
import re
from pathlib import Path

import pytest
import yaml

from zicht.config import Settings
from zicht.goals.load import DEFAULTS_DIR
from zicht.reports.council import write_report
from zicht.store import open_store
from zicht.stories.storage import load_stories

from .conftest import Demo
from .test_council import Built, built  # noqa: F401 - the module's fixture, shared

pytestmark = pytest.mark.slow
FORMS_DIR = DEFAULTS_DIR.parent / "forms"
GOAL = "wachttijden_wmo"
CONTEXT_FIELDS = {"rol": "role", "wet": "law", "wijk": "wijk", "leeftijd": "age_group"}


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def _goal_section(text: str, title: str) -> str:
    """The text of one goal chapter: from its heading to the next chapter."""
    flat = _flat(text)
    start = flat.rindex(f"Doel: {title} ")  # the chapter, not the table of contents
    rest = flat[start + 1 :]
    ends = [i for i in (rest.find(" Doel: "), rest.find(" Verantwoording ")) if i >= 0]
    return rest[: min(ends)]


@pytest.fixture(scope="module")
def report_html(demo: Demo, tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("report-html") / "report.html"
    write_report(demo.ws, out)
    return out.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def stored(demo: Demo) -> list[tuple[str, dict[str, str | None]]]:
    with open_store(demo.ws / "zicht.duckdb", read_only=True) as store:
        stories = load_stories(store, demo.manifest["stories"]["form"])
    return [(s.text, s.context) for s in stories]


def _quoted(page: str) -> list[str]:
    return [html.unescape(t) for t in re.findall(r'<span class="story-text">(.*?)</span>', page)]


def test_the_planted_pattern_is_shown_for_the_goal_that_names_it(
    built: Built,  # noqa: F811
    demo: Demo,
) -> None:
    planted = next(p for p in demo.manifest["stories"]["patterns"] if p["id"] == "wachten")
    pair = ["wachttijd", "gehoord"]
    assert pair in planted["direct"]
    goal = yaml.safe_load((DEFAULTS_DIR / f"{GOAL}.yaml").read_text(encoding="utf-8"))
    assert {"form": "bewoner", "signifiers": pair} in goal["stories"]
    form = yaml.safe_load((FORMS_DIR / "bewoner.yaml").read_text(encoding="utf-8"))
    questions = {s["id"]: s["question"] for s in form["signifiers"]}

    section = _goal_section(built.text, goal["title"])
    assert "Wat inwoners vertellen" in section
    # The generator planted: a long wait goes with a LOWER 'gehoord'.
    expected = f"{questions['gehoord']} (helemaal niet gehoord → helemaal gehoord) is lager bij "
    assert expected + f"{questions['wachttijd']} = lang" in section
    assert "Kruskal-Wallis" in section and "Het verband is" in section

    rows = [r for r in built.story_rows if r["doel"] == GOAL]
    assert [r["patroon"] for r in rows] == ["wachttijd|gehoord"]
    row = rows[0]
    assert row["q"] < 0.05 and row["p"] <= row["q"] and row["effect"] >= 0.3
    assert row["n"] == demo.manifest["stories"]["rows"]  # every story answered both
    assert f"over {row['n']} verhalen" in section
    assert 2 <= row["verhalen getoond"] <= 3
    # Only the goal that names stories gets them.
    assert {r["doel"] for r in built.story_rows} == {GOAL}
    for gid, g in built.goals.items():
        if gid != GOAL:
            assert "Wat inwoners vertellen" not in _goal_section(built.text, g["title"])


def test_no_planted_personal_data_reaches_the_pdf_or_the_html(
    built: Built,  # noqa: F811
    demo: Demo,
    report_html: str,
) -> None:
    planted = demo.manifest["stories"]["personal_data"]
    assert len(planted) > 50
    pdf = _flat(built.text)
    page = _flat(html.unescape(report_html))
    for item in planted:
        value = _flat(str(item["value"]))
        assert value not in pdf, item
        assert value not in page, item


def test_the_quoted_stories_are_scrubbed_texts_from_the_store(
    built: Built,  # noqa: F811
    demo: Demo,
    report_html: str,
    stored: list[tuple[str, dict[str, str | None]]],
) -> None:
    quoted = _quoted(report_html)
    assert 2 <= len(quoted) <= 3
    texts = {t for t, _ in stored}
    assert all(q in texts for q in quoted)
    # Never the original: read the generator's CSV, the rows it planted personal data in.
    info = demo.manifest["stories"]
    with (demo.exports / info["file"]).open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter=";"))
    originals = {rows[p["row"] - 2]["verhaal"] for p in info["personal_data"]}
    assert not set(quoted) & originals
    pdf = _flat(built.text)
    for q in quoted:  # the same stories are in the PDF (the first words, lines wrap)
        assert _flat(q)[:40] in pdf


def test_context_is_shown_only_where_k_stories_share_it(
    demo: Demo,
    report_html: str,
    stored: list[tuple[str, dict[str, str | None]]],
) -> None:
    k = Settings.load(demo.ws / "zicht.toml").get_int("stories_k")
    shown = [
        html.unescape(c) for c in re.findall(r'<p class="story-context">(.*?)</p>', report_html)
    ]
    for line in shown:
        combo = dict(part.split(": ", 1) for part in line.split(", "))
        sharing = [
            ctx
            for _, ctx in stored
            if all(ctx.get(CONTEXT_FIELDS[name]) == value for name, value in combo.items())
        ]
        assert len(sharing) >= k, (line, len(sharing))


def test_the_report_says_so_when_no_story_was_told(demo: Demo, tmp_path: Path) -> None:
    """A workspace without stories: one line instead of a pattern."""
    import shutil

    ws = tmp_path / "ws"
    shutil.copytree(demo.ws, ws, ignore=shutil.ignore_patterns("*.wal"))
    with open_store(ws / "zicht.duckdb") as store:
        store.execute("DELETE FROM story_answer")
        store.execute("DELETE FROM story")
    out = tmp_path / "r.html"
    write_report(ws, out, goal_id=GOAL)
    text = _flat(html.unescape(re.sub(r"<[^>]+>", " ", out.read_text(encoding="utf-8"))))
    assert "Er zijn nog geen verhalen opgehaald met het formulier" in text
    assert 'class="story-text"' not in out.read_text(encoding="utf-8")
