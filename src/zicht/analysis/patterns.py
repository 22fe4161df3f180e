"""Patterns in told stories: every pair of variables tested with a test that suits it,
corrected for multiple comparisons, ranked by effect size, illustrated with stories.

Tests per pair (pairs within one signifier are skipped: a triad's components always
move together):

============= ===================================================== ==================
pair          test                                                  effect (0..1)
============= ===================================================== ==================
cat × cat     chi-square, only where every expected count ≥ 5;      Cramér's V
              Fisher's exact test for a 2×2 table that misses it;
              otherwise not tested (listed as such)
cat × num     Mann-Whitney U for two groups, Kruskal-Wallis for     |rank-biserial r|,
              more                                                  √ε² (Kruskal)
num × num     Spearman's rank correlation                           |ρ|
============= ===================================================== ==================

Groups (levels of a categorical variable) smaller than the minimum group size are left
out, and so are stories without a value. The p-values of all tests are adjusted with
Benjamini-Hochberg. A *pattern* is a pair that is both credible and relevant: its
adjusted p (q) is below ``alpha`` AND its effect reaches the minimum effect size of its
test (``MinEffect``: Cohen's conventional "medium" values, settings in ``config.py``).
With some 260 pairs, BH at 5% lets about one chance association in twenty through, and
at n = 600 a chance effect of 0.15-0.20 is already "significant"; the minimum effect
keeps those out (docs/stories.md).

Example::

    report = find_patterns(form, stories, min_group=20)
    for p in report.patterns[:5]:
        print(p.description, p.effect, p.q)
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
from scipy import stats

from zicht.analysis._signifiers import Variable, variables
from zicht.config import SETTINGS, Settings
from zicht.model.stories import Story, StoryForm

MIN_EXPECTED = 5


@dataclass(frozen=True)
class MinEffect:
    """Smallest effect reported as a pattern, per test (Cohen 1988, "medium").

    ``cramers_v`` holds for a table with two rows or two columns; a larger table needs
    ``cramers_v / sqrt(min(rows, cols) - 1)`` (Cohen's w stays the same). ``epsilon2`` is
    on the scale of ε² (Kruskal-Wallis); the pattern shows √ε²."""

    cramers_v: float
    rank_biserial: float
    epsilon2: float
    spearman: float

    @classmethod
    def from_settings(cls, settings: Settings) -> MinEffect:
        return cls(
            cramers_v=settings.get_float("stories_min_cramers_v"),
            rank_biserial=settings.get_float("stories_min_rank_biserial"),
            epsilon2=settings.get_float("stories_min_epsilon2"),
            spearman=settings.get_float("stories_min_spearman"),
        )


DEFAULT_MIN_EFFECT = MinEffect.from_settings(Settings({s.name: s.default for s in SETTINGS}))
NO_MIN_EFFECT = MinEffect(0.0, 0.0, 0.0, 0.0)
"""Only the FDR correction decides (the analysis before the minimum effect existed)."""


@dataclass(frozen=True)
class Pattern:
    key: str  # "a|b": stable id of the pair, used by observations
    a: Variable
    b: Variable
    test: str
    n: int
    p: float
    effect: float
    effect_name: str
    description: str  # Dutch
    illustrate: tuple[int, ...]  # indices of stories that show the pattern best
    q: float = 1.0
    min_effect: float = 0.0  # smallest relevant effect for this test, on ``effect``'s scale

    @property
    def relevant(self) -> bool:
        return self.effect >= self.min_effect

    @property
    def signifiers(self) -> tuple[str, str]:
        return self.a.signifier, self.b.signifier


@dataclass
class PatternReport:
    tested: list[Pattern] = field(default_factory=list)
    untestable: list[tuple[str, str, str]] = field(default_factory=list)  # a, b, reason
    alpha: float = 0.05

    @property
    def patterns(self) -> list[Pattern]:
        """Pairs with q < alpha and at least the minimum effect, largest effect first."""
        found = [p for p in self.tested if p.q < self.alpha and p.relevant]
        return sorted(found, key=lambda p: (-p.effect, p.q, p.key))

    @property
    def too_small(self) -> list[Pattern]:
        """Pairs with q < alpha whose effect is below the minimum: credible, not relevant."""
        return [p for p in self.tested if p.q < self.alpha and not p.relevant]


def benjamini_hochberg(pvalues: list[float]) -> list[float]:
    """Adjusted p-values (q) of the Benjamini-Hochberg step-up procedure."""
    if not pvalues:
        return []
    return [float(q) for q in stats.false_discovery_control(np.array(pvalues), method="bh")]


def _fmt(x: float) -> str:
    return f"{x:.2f}".replace(".", ",")


def _levels(values: list[Any], min_group: int) -> list[Any]:
    counts = Counter(v for v in values if v is not None)
    return sorted(v for v, n in counts.items() if n >= min_group)


def _cat_cat(a: Variable, b: Variable, min_group: int, minimum: MinEffect) -> Pattern | str | None:
    la, lb = _levels(list(a.values), min_group), _levels(list(b.values), min_group)
    if len(la) < 2 or len(lb) < 2:
        return None
    ia, ib = {v: i for i, v in enumerate(la)}, {v: i for i, v in enumerate(lb)}
    table = np.zeros((len(la), len(lb)), dtype=float)
    rows: dict[tuple[int, int], list[int]] = {}
    for s, (x, y) in enumerate(zip(a.values, b.values, strict=True)):
        if x in ia and y in ib:
            table[ia[x], ib[y]] += 1
            rows.setdefault((ia[x], ib[y]), []).append(s)
    n = int(table.sum())
    if n == 0 or (table.sum(axis=0) == 0).any() or (table.sum(axis=1) == 0).any():
        return None
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / n
    if (expected >= MIN_EXPECTED).all():
        chi2, p, _, _ = stats.chi2_contingency(table, correction=False)
        test = "chi-kwadraat"
    elif table.shape == (2, 2):
        _, p = stats.fisher_exact(table)
        chi2 = stats.chi2_contingency(table, correction=False)[0]
        test = "Fisher (exact)"
    else:
        return "verwachte aantallen onder 5: niet toetsbaar"
    v = math.sqrt(chi2 / (n * (min(table.shape) - 1)))
    resid = (table - expected) / np.sqrt(expected)
    i, j = np.unravel_index(int(np.argmax(resid)), resid.shape)
    share = table[i, j] / table[i].sum()
    base = table[:, j].sum() / n
    desc = (
        f"{a.label} = {la[i]} gaat vaker samen met {b.label} = {lb[j]} "
        f"({_fmt(share * 100)}% tegen {_fmt(base * 100)}% gemiddeld)"
    )
    return Pattern(
        f"{a.key}|{b.key}", a, b, test, n, float(p), v, "Cramérs V", desc,
        tuple(rows.get((int(i), int(j)), [])[:3]),
        min_effect=minimum.cramers_v / math.sqrt(min(table.shape) - 1),
    )  # fmt: skip


def _cat_num(a: Variable, b: Variable, min_group: int, minimum: MinEffect) -> Pattern | None:
    pairs = [
        (x, y) for x, y in zip(a.values, b.values, strict=True) if x is not None and y is not None
    ]
    levels = _levels([x for x, _ in pairs], min_group)
    if len(levels) < 2:
        return None
    groups = {lv: np.array([y for x, y in pairs if x == lv], dtype=float) for lv in levels}
    n = sum(len(g) for g in groups.values())
    if len(levels) == 2:
        g1, g2 = groups[levels[0]], groups[levels[1]]
        u, p = stats.mannwhitneyu(g1, g2, alternative="two-sided")
        effect, test, name = (
            abs(1 - 2 * u / (len(g1) * len(g2))),
            "Mann-Whitney",
            "|r| rang-biserieel",
        )
        threshold = minimum.rank_biserial
    else:
        h, p = stats.kruskal(*groups.values())
        effect, test, name = math.sqrt(max(h, 0.0) / (n - 1)), "Kruskal-Wallis", "√ε²"
        threshold = math.sqrt(minimum.epsilon2)
    medians = {lv: float(np.median(g)) for lv, g in groups.items()}
    overall = float(np.median(np.concatenate(list(groups.values()))))
    extreme = max(levels, key=lambda lv: abs(medians[lv] - overall))
    word = "lager" if medians[extreme] < overall else "hoger"
    desc = (
        f"{b.label} is {word} bij {a.label} = {extreme} "
        f"(mediaan {_fmt(medians[extreme])} tegen {_fmt(overall)})"
    )
    idx = [
        s
        for s, (x, y) in enumerate(zip(a.values, b.values, strict=True))
        if x == extreme and y is not None
    ]
    idx.sort(key=lambda s: b.values[s] if word == "lager" else -b.values[s])
    return Pattern(
        f"{a.key}|{b.key}", a, b, test, n, float(p), float(effect), name, desc, tuple(idx[:3]),
        min_effect=threshold,
    )  # fmt: skip


def _num_num(a: Variable, b: Variable, min_group: int, minimum: MinEffect) -> Pattern | None:
    idx = [
        s
        for s, (x, y) in enumerate(zip(a.values, b.values, strict=True))
        if x is not None and y is not None
    ]
    if len(idx) < max(min_group, 3):
        return None
    x = np.array([a.values[s] for s in idx], dtype=float)
    y = np.array([b.values[s] for s in idx], dtype=float)
    if np.ptp(x) == 0 or np.ptp(y) == 0:
        return None
    res = stats.spearmanr(x, y)
    rho, p = float(res.statistic), float(res.pvalue)
    word = "samen op" if rho > 0 else "tegen elkaar in"
    desc = f"{a.label} en {b.label} lopen {word} (Spearman ρ = {_fmt(rho)})"
    rx, ry = stats.rankdata(x), stats.rankdata(y)
    score = rx + ry if rho > 0 else rx - ry
    best = [idx[i] for i in np.argsort(-score)[:3]]
    return Pattern(
        f"{a.key}|{b.key}", a, b, "Spearman", len(idx), p, abs(rho), "|ρ|", desc, tuple(best),
        min_effect=minimum.spearman,
    )  # fmt: skip


def compare_pairs(
    vars_: list[Variable],
    *,
    min_group: int,
    alpha: float = 0.05,
    min_effect: MinEffect = DEFAULT_MIN_EFFECT,
) -> PatternReport:
    """Test every pair of variables of different signifiers; BH over all tests; a
    pattern also needs ``min_effect``."""
    report = PatternReport(alpha=alpha)
    for i, a in enumerate(vars_):
        for b in vars_[i + 1 :]:
            if a.signifier == b.signifier:
                continue
            first, second = (a, b) if a.kind == "cat" or b.kind == "num" else (b, a)
            if first.kind == "cat" and second.kind == "cat":
                res: Pattern | str | None = _cat_cat(first, second, min_group, min_effect)
            elif first.kind == "cat":
                res = _cat_num(first, second, min_group, min_effect)
            else:
                res = _num_num(first, second, min_group, min_effect)
            if isinstance(res, str):
                report.untestable.append((first.key, second.key, res))
            elif res is not None and math.isfinite(res.p):
                report.tested.append(res)
    qs = benjamini_hochberg([p.p for p in report.tested])
    report.tested = [_with_q(p, q) for p, q in zip(report.tested, qs, strict=True)]
    return report


def _with_q(p: Pattern, q: float) -> Pattern:
    from dataclasses import replace

    return replace(p, q=q)


def filter_stories(
    stories: list[Story],
    *,
    role: str | None = None,
    law: str | None = None,
    wijk: str | None = None,
    period: int | None = None,
    since: date | None = None,
) -> list[Story]:
    """The stories matching every given filter."""
    out = []
    for s in stories:
        if role and s.context.get("role") != role:
            continue
        if law and s.context.get("law") != law:
            continue
        if wijk and s.context.get("wijk") != wijk:
            continue
        if period and s.period != period:
            continue
        if since and s.told_on < since:
            continue
        out.append(s)
    return out


def find_patterns(
    form: StoryForm,
    stories: list[Story],
    *,
    min_group: int = 20,
    k: int = 5,
    alpha: float = 0.05,
    min_effect: MinEffect = DEFAULT_MIN_EFFECT,
) -> PatternReport:
    """Patterns among ``stories`` of ``form``. Groups smaller than ``max(min_group, k)``
    are left out, so no group shown is smaller than the k of k-anonymity."""
    return compare_pairs(
        variables(form, stories), min_group=max(min_group, k), alpha=alpha, min_effect=min_effect
    )
