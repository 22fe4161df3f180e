"""Story patterns in the council report: per goal, the patterns its YAML names
(``stories:``), found by :func:`zicht.analysis.patterns.find_patterns` over every stored
story of the form, with their test and effect in plain Dutch, the analysts' observations
("opmerkelijk") and two or three illustrating stories.

Privacy, as in the analyst pages and their export (:mod:`zicht.reports.story_export`):
the stories come from the store, which holds scrubbed text only (the unscrubbed text, if
kept at all, is encrypted in ``story_original`` and never read here); no story id or
pseudonym is shown; context is the k-anonymous context of
:func:`zicht.analysis._signifiers.anonymous_context` with ``stories_k``; and no group
smaller than ``max(stories_min_group, stories_k)`` is tested.

Example::

    blocks = story_blocks(Path("mijn-werkruimte"), goals)
    blocks["wachttijden_wmo"].patterns[0].pattern.description
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zicht.analysis._signifiers import HIDDEN, anonymous_context
from zicht.analysis.patterns import Pattern, find_patterns
from zicht.config import Settings
from zicht.goals.model import Goal, StoryLink
from zicht.model.stories import Story, StoryForm

MAX_PATTERNS = 3
MAX_STORIES = 3
CONTEXT_NAMES = {"role": "rol", "law": "wet", "wijk": "wijk", "age_group": "leeftijd"}


@dataclass(frozen=True)
class Example:
    title: str
    text: str  # scrubbed
    context: str  # k-anonymous, "" when nothing may be shown


@dataclass(frozen=True)
class ShownPattern:
    form_title: str
    pattern: Pattern
    strength: str  # plain Dutch: "sterk", "matig", ...
    explanation: str  # plain Dutch: test, n, effect and chance
    examples: list[Example]
    observations: list[dict[str, Any]]


@dataclass
class StoryBlock:
    """What the report shows for one goal's ``stories:``."""

    links: list[StoryLink]
    patterns: list[ShownPattern] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)  # one line each, when nothing found
    n_stories: int = 0


def strength(effect: float) -> str:
    """Size of an effect on a 0..1 scale (Cramér's V, |r|, √ε², |ρ|), after Cohen's
    rule of thumb for correlations: below 0.1 hardly any, 0.1 weak, 0.3 moderate,
    0.5 and above strong."""
    if effect >= 0.5:
        return "sterk"
    if effect >= 0.3:
        return "matig"
    if effect >= 0.1:
        return "zwak"
    return "nauwelijks"


def _fmt(x: float, digits: int = 2) -> str:
    return f"{x:.{digits}f}".replace(".", ",")


def chance_text(q: float) -> str:
    """The adjusted p-value as a reader reads it."""
    if q < 0.001:
        return "kleiner dan 1 op 1.000"
    if q < 0.01:
        return "kleiner dan 1 op 100"
    return f"ongeveer {_fmt(100 * q, 0)}%"


TEST_NAMES = {
    "chi-kwadraat": "een chi-kwadraattoets",
    "Fisher (exact)": "de exacte toets van Fisher",
    "Mann-Whitney": "de Mann-Whitney-toets (twee groepen)",
    "Kruskal-Wallis": "de Kruskal-Wallis-toets (meer dan twee groepen)",
    "Spearman": "de rangcorrelatie van Spearman",
}


def explain(p: Pattern) -> str:
    test = TEST_NAMES.get(p.test, p.test)
    return (
        f"Getoetst met {test} over {p.n} verhalen. Het verband is {strength(p.effect)} "
        f"({p.effect_name} = {_fmt(p.effect)} op een schaal van 0 tot 1). De kans dat zo'n "
        f"verband alleen door toeval ontstaat is, gecorrigeerd voor het aantal toetsen, "
        f"{chance_text(p.q)} ({q_text(p.q)})."
    )


def q_text(q: float) -> str:
    return "q < 0,001" if q < 0.001 else f"q = {f'{q:.2g}'.replace('.', ',')}"


def _matches(p: Pattern, link: StoryLink) -> bool:
    a, b = p.signifiers
    return a in link.signifiers and b in link.signifiers


def _examples(p: Pattern, stories: list[Story], k: int) -> list[Example]:
    shown = anonymous_context(stories, k)
    out = []
    for idx in p.illustrate[:MAX_STORIES]:
        story = stories[idx]
        ctx = ", ".join(
            f"{CONTEXT_NAMES[f]}: {v}"
            for f, v in shown[story.story_id].items()
            if v and v != HIDDEN and v != "nvt"
        )
        out.append(Example(title=story.title, text=story.text, context=ctx))
    return out


def _load(ws_root: Path, form_id: str) -> tuple[list[Story], list[dict[str, Any]]]:
    from zicht.store import open_store
    from zicht.stories.storage import load_observations, load_stories

    path = ws_root / "zicht.duckdb"
    if not path.exists():
        return [], []
    with open_store(path, read_only=True) as store:
        return load_stories(store, form_id), load_observations(store, form_id)


def block_for(
    links: list[StoryLink],
    forms: dict[str, StoryForm],
    loaded: dict[str, tuple[list[Story], list[dict[str, Any]]]],
    *,
    k: int,
    min_group: int,
) -> StoryBlock:
    """The story block of one goal from already loaded forms and stories."""
    block = StoryBlock(links=links)
    for link in links:
        form = forms.get(link.form)
        if form is None:
            block.messages.append(f"Het verhalenformulier {link.form!r} bestaat niet.")
            continue
        stories, observations = loaded.get(link.form, ([], []))
        block.n_stories += len(stories)
        if not stories:
            block.messages.append(
                f"Er zijn nog geen verhalen opgehaald met het formulier '{form.title}'."
            )
            continue
        report = find_patterns(form, stories, min_group=min_group, k=k)
        found = [p for p in report.patterns if _matches(p, link)][:MAX_PATTERNS]
        if not found:
            block.messages.append(
                f"In de {len(stories)} verhalen van '{form.title}' is geen duidelijk patroon "
                f"gevonden tussen {', '.join(link.signifiers)}."
            )
            continue
        for p in found:
            block.patterns.append(
                ShownPattern(
                    form_title=form.title,
                    pattern=p,
                    strength=strength(p.effect),
                    explanation=explain(p),
                    examples=_examples(p, stories, k),
                    observations=[o for o in observations if o["pattern_key"] == p.key],
                )
            )
    return block


def story_blocks(ws_root: Path, goals: dict[str, Goal]) -> dict[str, StoryBlock]:
    """Per goal that names story patterns, what the report shows about them."""
    from zicht.stories.forms import load_forms

    wanted = {gid: list(g.stories) for gid, g in goals.items() if g.stories}
    if not wanted:
        return {}
    ws_root = Path(ws_root)
    settings = Settings.load(ws_root / "zicht.toml")
    k, min_group = settings.get_int("stories_k"), settings.get_int("stories_min_group")
    forms = load_forms(ws_root / "forms")
    form_ids = {link.form for links in wanted.values() for link in links if link.form in forms}
    loaded = {fid: _load(ws_root, fid) for fid in sorted(form_ids)}
    return {
        gid: block_for(links, forms, loaded, k=k, min_group=min_group)
        for gid, links in wanted.items()
    }
