"""The story block of a goal, unit by unit: the one line when there is nothing to show,
the plain-Dutch reading of an effect and a q-value, and the goal file's validation."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from zicht.goals.model import StoryLink
from zicht.model.stories import Answer, Story
from zicht.reports._stories import block_for, chance_text, strength
from zicht.stories.forms import load_forms

LINK = StoryLink(form="bewoner", signifiers=("wachttijd", "gehoord"))


def _story(i: int, wait: str, heard: float, wijk: str | None = None) -> Story:
    return Story(
        story_id=f"s{i}",
        form_id="bewoner",
        told_on=date(2025, 3, 1),
        title="",
        text=f"verhaal {i}",
        answers={
            "wachttijd": Answer("wachttijd", options=(wait,)),
            "gehoord": Answer("gehoord", values=(heard,)),
        },
        context={"role": "inwoner", "law": "wmo", "wijk": wijk, "age_group": None},
    )


def test_no_stories_is_one_line() -> None:
    block = block_for([LINK], load_forms(), {}, k=5, min_group=20)
    assert block.patterns == []
    assert len(block.messages) == 1 and "nog geen verhalen" in block.messages[0]


def test_no_pattern_is_one_line() -> None:
    # Everyone waited briefly and felt equally heard: nothing to compare.
    stories = [_story(i, "kort", 0.5) for i in range(60)]
    block = block_for([LINK], load_forms(), {"bewoner": (stories, [])}, k=5, min_group=20)
    assert block.patterns == []
    assert block.messages == [
        "In de 60 verhalen van 'Vertel over de hulp die u kreeg' is geen duidelijk patroon "
        "gevonden tussen wachttijd, gehoord."
    ]


def test_a_clear_pattern_is_shown_with_scrubbed_examples_and_observations() -> None:
    # The first story is the only one in its wijk: fewer than k, so the wijk is hidden.
    stories = [_story(i, "lang", 0.1 + i / 1000, "WK01" if i == 0 else None) for i in range(30)]
    stories += [_story(30 + i, "kort", 0.8 + i / 1000) for i in range(30)]
    obs = [{"pattern_key": "wachttijd|gehoord", "observation": "o", "interpretations": ["a", "b"]}]
    block = block_for([LINK], load_forms(), {"bewoner": (stories, obs)}, k=5, min_group=20)
    assert block.messages == []
    (shown,) = block.patterns
    assert shown.pattern.key == "wachttijd|gehoord" and shown.strength == "sterk"
    # Mann-Whitney on completely separated groups of 30: |r| = 1.
    assert shown.pattern.effect == pytest.approx(1.0)
    assert [e.text for e in shown.examples] == ["verhaal 0", "verhaal 1", "verhaal 2"]
    assert all(e.context == "wet: wmo, rol: inwoner" for e in shown.examples)
    assert shown.observations == obs


def test_an_unknown_form_is_one_line() -> None:
    link = StoryLink(form="bestaat_niet", signifiers=("a", "b"))
    block = block_for([link], load_forms(), {}, k=5, min_group=20)
    assert block.messages == ["Het verhalenformulier 'bestaat_niet' bestaat niet."]


@pytest.mark.parametrize(
    ("effect", "word"),
    [(0.0, "nauwelijks"), (0.099, "nauwelijks"), (0.1, "zwak"), (0.3, "matig"), (0.5, "sterk")],
)
def test_strength_at_its_edges(effect: float, word: str) -> None:
    assert strength(effect) == word


def test_chance_in_words() -> None:
    assert chance_text(0.0004) == "kleiner dan 1 op 1.000"
    assert chance_text(0.004) == "kleiner dan 1 op 100"
    assert chance_text(0.03) == "ongeveer 3%"


def test_a_link_names_two_different_signifiers() -> None:
    with pytest.raises(ValidationError):
        StoryLink(form="bewoner", signifiers=("gehoord",))
    with pytest.raises(ValidationError):
        StoryLink(form="bewoner", signifiers=("gehoord", "gehoord"))
