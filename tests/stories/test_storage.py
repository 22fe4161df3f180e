"""Stories survive a round trip through the store, on DuckDB and on a real PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from zicht.model.stories import Answer, Story
from zicht.store import Store, open_store
from zicht.stories.forms import load_forms
from zicht.stories.storage import (
    load_observations,
    load_stories,
    save_observation,
    save_stories,
)


@pytest.fixture(params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "duckdb":
        s = open_store(tmp_path / "x.duckdb")
    else:
        s = open_store(request.getfixturevalue("postgres_dsn"))
        s.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    yield s
    s.close()


def test_roundtrip(store: Store) -> None:
    form = load_forms()["bewoner"]
    kinds = {s.id: s.type for s in form.signifiers}
    story = Story(
        story_id="s1",
        form_id="bewoner",
        told_on=date(2025, 3, 4),
        title="Lang wachten",
        text="Ik wachtte [PERSOON] maanden.",
        answers={
            "wat_bepaalde": Answer("wat_bepaalde", values=(0.5, 0.25, 0.25)),
            "gehoord": Answer("gehoord", values=(0.1,)),
            "regie": Answer("regie", na=True),
            "belangrijk": Answer("belangrijk", points={"geld": (0.2, 0.9), "wonen": (1.0, 0.0)}),
            "thema": Answer("thema", options=("geld", "zorg")),
        },
        context={"role": "inwoner", "law": "wmo", "wijk": "WK01", "age_group": None},
        pseudonym="Merel",
        source="web",
    )
    assert save_stories(store, [story], kinds, "L1") == 1
    [back] = load_stories(store, "bewoner")
    assert back == story
    assert load_stories(store, "professional") == []
    save_observation(store, "o1", "bewoner", "k", "Opvallend", ["regels", "capaciteit"])
    [obs] = load_observations(store, "bewoner")
    assert obs["interpretations"] == ["regels", "capaciteit"]
