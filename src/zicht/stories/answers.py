"""Parsing answers from text, one format for the web form and the CSV import.

======== ======================================= =====================================
type     text                                    example
======== ======================================= =====================================
triad    three non-negative weights, ``/``       ``0.6/0.3/0.1`` (normalised to sum 1)
dyad     a number from 0 (left) to 1 (right)     ``0.25``
stones   ``item:x/y`` joined by ``|``, x,y 0..1  ``geld:0.2/0.9|wonen:0.7/0.4``
choice   option id, several joined by ``|``      ``lang`` or ``geld|zorg``
context  option id (wijk: wijk code)             ``wmo``, ``WK999901``
======== ======================================= =====================================

``nvt`` means "niet van toepassing" (where the form allows it); empty means unanswered.
Errors are Dutch, one line each, naming the question.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping

from zicht.model.stories import Answer, Choice, Dyad, Stones, StoryForm, Triad

NA = "nvt"


def _unit(text: str) -> float:
    value = float(text.strip().replace(",", "."))
    if not math.isfinite(value) or not 0.0 <= value <= 1.0:
        raise ValueError
    return value


def parse_answer(sig: Triad | Dyad | Stones | Choice, raw: str) -> Answer | None:
    """One answer; ``None`` when empty. Raises ValueError with a Dutch message."""
    text = raw.strip()
    if not text:
        return None
    if text.lower() == NA:
        if not sig.allow_na:
            raise ValueError(f"{sig.id}: 'niet van toepassing' is hier niet mogelijk")
        return Answer(sig.id, na=True)
    try:
        if isinstance(sig, Triad):
            parts = [float(p.replace(",", ".")) for p in text.split("/")]
            total = sum(parts)
            if len(parts) != 3 or any(p < 0 or not math.isfinite(p) for p in parts) or total <= 0:
                raise ValueError
            a, b, c = (p / total for p in parts)
            return Answer(sig.id, values=(a, b, c))
        if isinstance(sig, Dyad):
            return Answer(sig.id, values=(_unit(text),))
        if isinstance(sig, Stones):
            allowed = {o.id for o in sig.items}
            points: dict[str, tuple[float, float]] = {}
            for part in text.split("|"):
                item, _, xy = part.partition(":")
                x, _, y = xy.partition("/")
                if item.strip() not in allowed or item.strip() in points:
                    raise ValueError
                points[item.strip()] = (_unit(x), _unit(y))
            return Answer(sig.id, points=points)
        options = [p.strip() for p in text.split("|")]
        valid = {o.id for o in sig.options}
        if any(o not in valid for o in options) or len(set(options)) != len(options):
            raise ValueError
        if len(options) > 1 and not sig.multiple:
            raise ValueError
        return Answer(sig.id, options=tuple(options))
    except ValueError:
        raise ValueError(f"{sig.id}: ongeldig antwoord {text[:40]!r}") from None


def parse_context(
    form: StoryForm, raw: Mapping[str, str], wijk_codes: Collection[str] | None
) -> dict[str, str | None]:
    """Context answers by field; ``wijk_codes`` (None: not checked) are the valid wijken."""
    out: dict[str, str | None] = {}
    for q in form.context:
        text = raw.get(q.field, "").strip()
        if not text:
            out[q.field] = None
            continue
        if text.lower() == NA:
            if not q.allow_na:
                raise ValueError(f"{q.field}: 'niet van toepassing' is hier niet mogelijk")
            out[q.field] = NA
            continue
        valid: Collection[str] | None = (
            wijk_codes if q.field == "wijk" else {o.id for o in q.options}
        )
        if valid is not None and text not in valid:
            raise ValueError(f"{q.field}: onbekende waarde {text[:40]!r}")
        out[q.field] = text
    return out


def parse_answers(form: StoryForm, raw: Mapping[str, str]) -> dict[str, Answer]:
    """Every signifier answer present in ``raw`` (keyed by signifier id)."""
    out: dict[str, Answer] = {}
    for sig in form.signifiers:
        ans = parse_answer(sig, raw.get(sig.id, ""))
        if ans is not None:
            out[sig.id] = ans
    return out
