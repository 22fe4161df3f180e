"""Patterns: the planted ones are found after FDR, nothing else is; without a pattern
(permuted data) false alarms stay rare; the building blocks against hand-computed values."""

from __future__ import annotations

import csv
import math
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from zicht.analysis._signifiers import HIDDEN, anonymous_context, centre_region, geometric_centre
from zicht.analysis.patterns import (
    Variable,
    benjamini_hochberg,
    compare_pairs,
    filter_stories,
    find_patterns,
)
from zicht.model.stories import Answer, Story
from zicht.privacy.scrub import Scrubber
from zicht.stories.forms import load_forms
from zicht.stories.importer import build_story
from zicht.synth._stories import write

FORM = load_forms()["bewoner"]
WIJKEN = ["WK990101", "WK990102", "WK990103"]


def synthetic(tmp: Path, seed: int) -> tuple[list[Story], dict[str, Any]]:
    manifest = write(tmp, WIJKEN, [2024, 2025], seed)
    # The text is not what is tested here: rules only, no deduce (faster, same answers).
    scrub = Scrubber(use_deduce=False)
    with (tmp / manifest["file"]).open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh, delimiter=";"))
    stories = [
        build_story(FORM, r, story_id=f"s{i}", source="synth", scrubber=scrub, wijken=None)
        for i, r in enumerate(rows)
    ]
    return stories, manifest


@pytest.mark.slow
def test_planted_patterns_found_and_false_discoveries_within_fdr(tmp_path: Path) -> None:
    """Over 16 generated data sets: every planted pair is found every time, and the share
    of reported patterns that were not planted (the false discovery proportion) averages
    at most 0.10. Benjamini-Hochberg bounds its expectation by 0.05 x m0/m; the mean of 16
    proportions has a standard error near 0.017, so 0.10 leaves room for chance while
    an uncorrected analysis (about 13 false among 23 reported, 0.55) fails clearly."""
    proportions = []
    for seed in range(16):
        stories, manifest = synthetic(tmp_path / str(seed), seed)
        found = find_patterns(FORM, stories, min_group=20).patterns
        clusters = [set(p["cluster"]) for p in manifest["patterns"]]
        for pair in (tuple(d) for p in manifest["patterns"] for d in p["direct"]):
            assert any(set(p.signifiers) == set(pair) for p in found), (seed, pair)
        unplanted = [p for p in found if not any(set(p.signifiers) <= c for c in clusters)]
        proportions.append(len(unplanted) / len(found))
        # Ranked by effect size; a direct planted pair comes first.
        assert [p.effect for p in found] == sorted((p.effect for p in found), reverse=True)
        direct = [set(d) for p in manifest["patterns"] for d in p["direct"]]
        assert set(found[0].signifiers) in direct
        assert len(found[0].illustrate) == 3
    assert sum(proportions) / len(proportions) <= 0.10


def _permuted(stories: list[Story], rng: np.random.Generator) -> list[Story]:
    """Each signifier and each context field shuffled with its own permutation: the
    stories keep realistic answers, every association between variables is gone."""
    n = len(stories)
    perms = {sig.id: rng.permutation(n) for sig in FORM.signifiers}
    ctx = {f: rng.permutation(n) for f in ("role", "law", "wijk", "age_group")}
    out = []
    for i, s in enumerate(stories):
        answers = {
            sid: stories[int(p[i])].answers[sid]
            for sid, p in perms.items()
            if sid in stories[int(p[i])].answers
        }
        context = {f: stories[int(p[i])].context.get(f) for f, p in ctx.items()}
        out.append(replace(s, answers=answers, context=context))
    return out


def test_fdr_holds_on_permuted_data(tmp_path: Path) -> None:
    stories, _ = synthetic(tmp_path, 21)
    seeds_with_alarm = 0
    raw_alarms = 0
    for seed in range(10):
        report = find_patterns(FORM, _permuted(stories, np.random.default_rng(seed)))
        seeds_with_alarm += bool(report.patterns)
        raw_alarms += sum(p.p < 0.05 for p in report.tested)
        assert len(report.tested) > 200
    # Under the global null, BH at 0.05 gives any false alarm with probability <= 0.05;
    # 3 or more of 10 seeds would have probability 0.012.
    assert seeds_with_alarm <= 2
    # Without the correction there would be about 5% of ~260 tests per seed.
    assert raw_alarms / 10 >= 5


def test_benjamini_hochberg_by_hand() -> None:
    q = benjamini_hochberg([0.01, 0.04, 0.03, 0.5])
    assert q == pytest.approx([0.04, 0.04 * 4 / 3, 0.04 * 4 / 3, 0.5])


def _var(key: str, kind: str, values: list[Any]) -> Variable:
    return Variable(key, key, kind, key, tuple(values))  # type: ignore[arg-type]


def test_chi_square_only_with_expected_counts_of_five() -> None:
    # 2x2 table [[8, 2], [1, 5]]: expected count of a cell 6*9/16 < 5 -> Fisher's test.
    a = ["x"] * 10 + ["y"] * 6
    b = ["p"] * 8 + ["q"] * 2 + ["p"] * 1 + ["q"] * 5
    report = compare_pairs([_var("a", "cat", a), _var("b", "cat", b)], min_group=1)
    [pat] = report.tested
    assert pat.test == "Fisher (exact)"

    # Hypergeometric by hand: P(X = k) for the top-left cell, margins 10/6 and 9/7.
    def prob(k: int) -> float:
        return math.comb(9, k) * math.comb(7, 10 - k) / math.comb(16, 10)

    observed = prob(8)
    by_hand = sum(prob(k) for k in range(3, 10) if prob(k) <= observed * (1 + 1e-7))
    assert pat.p == pytest.approx(by_hand)
    # A 2x3 table with small expected counts is not tested at all.
    c = ["r", "s", "t"] * 5 + ["r"]
    report = compare_pairs([_var("a", "cat", a), _var("c", "cat", c)], min_group=1)
    assert report.tested == [] and report.untestable[0][2].startswith("verwachte aantallen")
    # Large enough: chi-square.
    report = compare_pairs([_var("a", "cat", a * 5), _var("b", "cat", b * 5)], min_group=1)
    assert report.tested[0].test == "chi-kwadraat"


def test_minimum_group_size_drops_small_groups() -> None:
    groups = ["a"] * 30 + ["b"] * 30 + ["c"] * 4
    values = list(np.linspace(0, 1, 64))
    report = compare_pairs([_var("g", "cat", groups), _var("v", "num", values)], min_group=5)
    [pat] = report.tested
    assert pat.test == "Mann-Whitney" and pat.n == 60  # group c (4 stories) left out


def test_geometric_centre_and_region_by_hand() -> None:
    pts = np.array([[0.5, 0.25, 0.25], [0.25, 0.5, 0.25]])
    g = math.sqrt(0.125)
    assert geometric_centre(pts) == pytest.approx(
        (g / (2 * g + 0.25), g / (2 * g + 0.25), 0.25 / (2 * g + 0.25))
    )
    rng = np.random.default_rng(1)
    cloud = rng.dirichlet([6, 2, 2], size=300)
    centre = geometric_centre(cloud)
    region = np.array(centre_region(cloud))
    assert np.allclose(region.sum(axis=1), 1) and (region > 0).all()
    # The centre lies inside the region's bounding box, which is small for 300 points.
    assert (region.min(axis=0) < centre).all() and (centre < region.max(axis=0)).all()
    assert (region.max(axis=0) - region.min(axis=0)).max() < 0.15


def _story(i: int, wijk: str, age: str, law: str = "wmo") -> Story:
    answers = {"gehoord": Answer("gehoord", values=(0.5,))}
    context: dict[str, str | None] = {"role": "inwoner", "law": law, "wijk": wijk, "age_group": age}
    return Story(f"s{i}", "bewoner", date(2025, 1, 1), "", "tekst", answers, context)


def test_k_anonymous_context() -> None:
    stories = [_story(i, "WK1", "27-44") for i in range(5)]
    stories += [_story(5, "WK1", "67+"), _story(6, "WK2", "67+")]
    shown = anonymous_context(stories, k=5)
    assert shown["s0"] == {"age_group": "27-44", "wijk": "WK1", "law": "wmo", "role": "inwoner"}
    # s5: (WK1, 67+) is unique; without age group, WK1 is shared by 6 stories.
    assert shown["s5"] == {"age_group": HIDDEN, "wijk": "WK1", "law": "wmo", "role": "inwoner"}
    # s6: WK2 is unique too: wijk hidden as well, law and role are shared by all 7.
    assert shown["s6"] == {"age_group": HIDDEN, "wijk": HIDDEN, "law": "wmo", "role": "inwoner"}


def test_filters() -> None:
    stories = [_story(0, "WK1", "27-44", "wmo"), _story(1, "WK2", "27-44", "jeugd")]
    assert [s.story_id for s in filter_stories(stories, law="jeugd")] == ["s1"]
    assert [s.story_id for s in filter_stories(stories, wijk="WK1", period=2025)] == ["s0"]
    assert filter_stories(stories, period=2024) == []
