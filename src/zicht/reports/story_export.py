"""Export of one story pattern for the council: the pattern, its statistics, the
observations with their interpretations, and illustrating stories, scrubbed only.

The stories come from the database, where only scrubbed text is stored; their context
is the k-anonymous context (``zicht.analysis._signifiers.anonymous_context``). No
unscrubbed text, pseudonym or story id leaves the system through this export.
"""

from __future__ import annotations

from typing import Any

from zicht.analysis._signifiers import HIDDEN, anonymous_context
from zicht.analysis.patterns import Pattern
from zicht.model.stories import Story, StoryForm

CONTEXT_NAMES = {"role": "rol", "law": "wet", "wijk": "wijk", "age_group": "leeftijd"}


def _fmt(x: float, digits: int = 2) -> str:
    return f"{x:.{digits}f}".replace(".", ",")


def pattern_markdown(
    form: StoryForm,
    pattern: Pattern,
    stories: list[Story],
    observations: list[dict[str, Any]],
    k: int,
    *,
    max_stories: int = 5,
) -> str:
    """A Markdown document (Dutch) illustrating ``pattern`` with scrubbed stories."""
    shown = anonymous_context(stories, k)
    lines = [
        f"# Patroon: {pattern.description}",
        "",
        f"Formulier: {form.title}. Toets: {pattern.test}, n = {pattern.n}, "
        f"effect ({pattern.effect_name}) = {_fmt(pattern.effect)} "
        f"(minimaal {_fmt(pattern.min_effect)}: een middelgroot effect), "
        f"q = {f'{pattern.q:.2g}'.replace('.', ',')} (na correctie voor meervoudig toetsen).",
        "",
        "Verhalen zijn ontdaan van persoonsgegevens; context staat er alleen bij als "
        f"minstens {k} verhalen die delen.",
        "",
    ]
    mine = [o for o in observations if o["pattern_key"] == pattern.key]
    if mine:
        lines += ["## Observaties", ""]
        for o in mine:
            lines.append(f"- {o['observation']}")
            lines += [f"  - Interpretatie: {i}" for i in o["interpretations"]]
        lines.append("")
    lines += ["## Verhalen die het patroon illustreren", ""]
    for idx in pattern.illustrate[:max_stories]:
        story = stories[idx]
        ctx = ", ".join(
            f"{CONTEXT_NAMES[f]}: {v}"
            for f, v in shown[story.story_id].items()
            if v and v != HIDDEN
        )
        title = f"**{story.title}**: " if story.title else ""
        lines.append(f"> {title}{story.text}")
        if ctx:
            lines.append(f">\n> _{ctx}_")
        lines.append("")
    return "\n".join(lines)
