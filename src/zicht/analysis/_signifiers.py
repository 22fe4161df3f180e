"""Stories as analysable variables, distributions per signifier, and k-anonymous context.

A *variable* is one column over the stories of a form: a context field or single choice
(categorical), one option of a multiple choice (categorical ``ja``/``nee``), a dyad value,
one component of a triad, or one axis of one stone (numeric). ``None`` = not answered,
"niet van toepassing", or a context value not given; such stories are left out of the
tests that use the variable.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from scipy import stats

from zicht.model.stories import Choice, Dyad, Stones, Story, StoryForm, Triad

CONTEXT_LABELS = {"role": "rol", "law": "wet", "wijk": "wijk", "age_group": "leeftijd"}
HIDDEN = "verborgen"
"""Shown instead of a context value shared by fewer than k stories."""


@dataclass(frozen=True)
class Variable:
    key: str
    signifier: str  # signifier id or context field: tests within one are skipped
    kind: Literal["cat", "num"]
    label: str  # Dutch, for the page
    values: tuple[Any, ...]  # per story, None = absent


def _context_value(story: Story, name: str) -> str | None:
    value = story.context.get(name)
    return None if value in (None, "nvt") else value


def variables(form: StoryForm, stories: list[Story]) -> list[Variable]:
    """Every variable of ``form`` over ``stories`` (in the stories' order)."""
    out: list[Variable] = []
    for q in form.context:
        ctx = tuple(_context_value(s, q.field) for s in stories)
        out.append(Variable(q.field, q.field, "cat", CONTEXT_LABELS[q.field], ctx))
    vals: tuple[Any, ...]
    for sig in form.signifiers:
        answers = [s.answers.get(sig.id) for s in stories]
        usable = [a if a is not None and not a.na else None for a in answers]
        if isinstance(sig, Dyad):
            vals = tuple(a.values[0] if a else None for a in usable)
            label = f"{sig.question} ({sig.left} → {sig.right})"
            out.append(Variable(sig.id, sig.id, "num", label, vals))
        elif isinstance(sig, Triad):
            for i, name in enumerate(sig.labels):
                vals = tuple(a.values[i] if a else None for a in usable)
                label = f"{sig.question}: aandeel '{name}'"
                out.append(Variable(f"{sig.id}:{name}", sig.id, "num", label, vals))
        elif isinstance(sig, Stones):
            for item in sig.items:
                for axis, (lo, hi) in (("x", sig.x_axis), ("y", sig.y_axis)):
                    j = 0 if axis == "x" else 1
                    vals = tuple(
                        a.points[item.id][j] if a and item.id in a.points else None for a in usable
                    )
                    label = f"{item.label}: {lo} → {hi}"
                    out.append(Variable(f"{sig.id}:{item.id}.{axis}", sig.id, "num", label, vals))
        elif isinstance(sig, Choice) and sig.multiple:
            for opt in sig.options:
                vals = tuple(
                    ("ja" if opt.id in a.options else "nee") if a else None for a in usable
                )
                label = f"{sig.question}: {opt.label}"
                out.append(Variable(f"{sig.id}={opt.id}", sig.id, "cat", label, vals))
        elif isinstance(sig, Choice):
            vals = tuple(a.options[0] if a else None for a in usable)
            out.append(Variable(sig.id, sig.id, "cat", sig.question, vals))
    return out


# --- distributions ---------------------------------------------------------------------

_FLOOR = 0.01  # zero weights become 1%: the geometric mean of a zero would be zero


def geometric_centre(points: np.ndarray[Any, Any]) -> tuple[float, float, float]:
    """The closed geometric mean of compositions (rows summing to 1), the usual centre
    of compositional data; zeros are replaced by 1% before taking logs."""
    p = np.clip(points, _FLOOR, None)
    g = np.exp(np.log(p).mean(axis=0))
    g = g / g.sum()
    return float(g[0]), float(g[1]), float(g[2])


def _alr(p: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    return np.column_stack([np.log(p[:, 0] / p[:, 2]), np.log(p[:, 1] / p[:, 2])])


def _alr_inv(z: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    e = np.column_stack([np.exp(z[:, 0]), np.exp(z[:, 1]), np.ones(len(z))])
    return np.asarray(e / e.sum(axis=1, keepdims=True))


def centre_region(
    points: np.ndarray[Any, Any], *, level: float = 0.95, boot: int = 400, seed: int = 0
) -> list[tuple[float, float, float]]:
    """A confidence region of the geometric centre: bootstrap centres, a normal ellipse
    fitted to them in additive log-ratio coordinates, mapped back into the triangle."""
    rng = np.random.default_rng(seed)
    n = len(points)
    centres = np.array(
        [geometric_centre(points[rng.integers(0, n, n)]) for _ in range(boot)], dtype=float
    )
    z = _alr(np.clip(centres, 1e-9, None))
    mean, cov = z.mean(axis=0), np.cov(z.T)
    radius = math.sqrt(stats.chi2.ppf(level, 2))
    vals, vecs = np.linalg.eigh(cov + np.eye(2) * 1e-12)
    t = np.linspace(0, 2 * math.pi, 48)
    circle = np.column_stack([np.cos(t), np.sin(t)]) * radius
    ellipse = mean + circle @ (vecs * np.sqrt(np.clip(vals, 0, None))).T
    return [(float(a), float(b), float(c)) for a, b, c in _alr_inv(ellipse)]


def distribution(
    form: StoryForm, stories: list[Story], signifier_id: str, *, bins: int = 10
) -> dict[str, Any]:
    """What the page draws for one signifier; counts include 'niet van toepassing'."""
    sig = form.signifier(signifier_id)
    answers = [s.answers[sig.id] for s in stories if sig.id in s.answers]
    na = sum(1 for a in answers if a.na)
    given = [a for a in answers if not a.na]
    out: dict[str, Any] = {"id": sig.id, "type": sig.type, "question": sig.question}
    out.update({"n": len(given), "nvt": na, "unanswered": len(stories) - len(answers)})
    if isinstance(sig, Triad):
        pts = np.array([a.values for a in given], dtype=float).reshape(-1, 3)
        out["labels"] = list(sig.labels)
        out["points"] = pts.tolist()
        if len(pts) >= 3:
            out["centre"] = list(geometric_centre(pts))
            out["region"] = [list(p) for p in centre_region(pts)]
    elif isinstance(sig, Dyad):
        vals = np.array([a.values[0] for a in given], dtype=float)
        hist, edges = np.histogram(vals, bins=bins, range=(0.0, 1.0))
        out.update({"left": sig.left, "right": sig.right, "counts": hist.tolist()})
        out["edges"] = edges.tolist()
        out["median"] = float(np.median(vals)) if len(vals) else None
    elif isinstance(sig, Stones):
        out["axes"] = [list(sig.x_axis), list(sig.y_axis)]
        out["items"] = [
            {
                "id": item.id,
                "label": item.label,
                "points": [list(a.points[item.id]) for a in given if item.id in a.points],
            }
            for item in sig.items
        ]
    else:
        counts = Counter(o for a in given for o in a.options)
        out["options"] = [{"id": o.id, "label": o.label, "n": counts[o.id]} for o in sig.options]
    return out


# --- k-anonymity of context ------------------------------------------------------------

_DROP_ORDER = ("age_group", "wijk", "law", "role")
"""Which context field is hidden first when a combination is too rare."""


def anonymous_context(stories: list[Story], k: int) -> dict[str, dict[str, str | None]]:
    """Context per story id that is safe to show: a combination of context values is
    shown only where at least ``k`` stories share it; otherwise fields are hidden one at
    a time (age group first, then wijk, law, role) until the rest is shared by ``k``."""
    fields = [f for f in _DROP_ORDER if any(s.context.get(f) for s in stories)]
    out: dict[str, dict[str, str | None]] = {}
    counts: dict[tuple[str, ...], Counter[tuple[Any, ...]]] = {}
    for s in stories:
        shown = list(fields)
        while shown:
            key = tuple(shown)
            if key not in counts:
                counts[key] = Counter(tuple(t.context.get(f) for f in key) for t in stories)
            if counts[key][tuple(s.context.get(f) for f in key)] >= k:
                break
            shown.pop(0)
        out[s.story_id] = {f: (s.context.get(f) if f in shown else HIDDEN) for f in fields}
    return out
