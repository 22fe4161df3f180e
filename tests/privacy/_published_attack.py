"""The attacker's model of everything a workspace publishes, written independently of the gate.

One linear program per period over *all* published tables at once (every indicator of
the cube and the stapeling combinations of ``keten_stapeling``), because an attacker
combines tables:

- within a table: gemeente = Σ wijken = Σ buurten (per breakdown category and for the
  total), an area's total = Σ the categories of each breakdown; for rates the complement
  (denominator − numerator, non-negative) is a variable of its own with
  denominator = numerator + complement;
- across tables: the same quantity published in two tables is one variable (a series of
  one table and field equal to another's on every area and period, e.g. the inhabitants
  behind every per-1,000 figure, or the persons with two or more laws in the cube and in
  ``keten_stapeling``), so a count hidden in one table and published in another is known;
- the stapeling sums the definitions imply: ``keten_stapeling`` "" (two or more laws) =
  Σ its four combinations; number of laws 1 = Σ "alleen_*", 2 = Σ the pairs, 3 = all
  three; persons (households) with two or more laws = laws 2 + laws 3.

Truth comes from the ungated engine, never from the gate. A cell without anyone in it
(denominator 0) is treated as a published 0 with ``empty_known`` (the per-table gate's
view: there is nobody to protect, and an attacker who knows it is only stronger);
without it, as what it is published as: hidden, a count the gate must protect.

Series are merged by their values, except two that a known sum sets apart
(``total = member + others``): their values agree when the others are 0 everywhere,
which the attacker cannot know.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from zicht.analysis import stapeling
from zicht.indicators.definitions import load_definitions
from zicht.indicators.engine import compute_cube
from zicht.privacy.disclosure import EMPTY_COLUMN, ZERO_COLUMN
from zicht.privacy.secondary import Constraint
from zicht.workspace import Workspace

Var = tuple[str, str, str, str, str]
"""(table, field, area_code, breakdown, category)."""

RATE_UNITS = ("%", "per 1.000")
KETEN_COMBOS = {
    "jeugd+pwet": "jeugd_pwet",
    "jeugd+wmo": "jeugd_wmo",
    "pwet+wmo": "wmo_pwet",
    "jeugd+pwet+wmo": "jeugd_wmo_pwet",
}
BY_N_LAWS = {
    "1": ("alleen_jeugd", "alleen_wmo", "alleen_pwet"),
    "2": ("jeugd_wmo", "jeugd_pwet", "wmo_pwet"),
    "3": ("jeugd_wmo_pwet",),
}
STAPELING_PAIRS = {  # rate of two or more laws → the count table with its breakdowns
    "stapeling_personen_pct": "stapeling_personen",
    "stapeling_hh_pct": "stapeling_huishoudens",
    "keten:keten_stapeling_personen_pct": "stapeling_personen",
    "keten:keten_stapeling_huishoudens_pct": "stapeling_huishoudens",
}


class _UnionFind:
    def __init__(self) -> None:
        self.up: dict[Var, Var] = {}

    def find(self, v: Var) -> Var:
        root = v
        while self.up.get(root, root) != root:
            root = self.up[root]
        while v != root:  # path compression
            self.up[v], v = root, self.up.get(v, v)
        return root

    def union(self, a: Var, b: Var) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.up[max(ra, rb)] = min(ra, rb)


@dataclass
class Period:
    """The attacker's program for one period (over merged variables)."""

    values: dict[Var, float] = field(default_factory=dict)
    hidden: set[Var] = field(default_factory=set)
    constraints: list[Constraint] = field(default_factory=list)
    tables: set[str] = field(default_factory=set)


def _fields(unit: str) -> tuple[str, ...]:
    if unit in RATE_UNITS:
        return ("den", "num", "comp")
    return ("den",)


def build(
    published: Iterable[dict[str, Any]],
    truth: Iterable[dict[str, Any]],
    parent: dict[str, str],
    *,
    link_tables: bool = True,
    empty_known: bool = True,
) -> dict[int, Period]:
    """The attacker's programs per period. Rows of ``published`` and ``truth`` carry
    ``table`` (indicator or ``keten:`` + indicator + ``|`` + combination), period,
    area_code, breakdown, category, unit, status, numerator, denominator."""
    true_row = {(r["table"], r["period"], r["area_code"], r["breakdown"], r["category"]): r
                for r in truth}  # fmt: skip
    value: dict[tuple[int, Var], float] = {}
    shown: set[tuple[int, Var]] = set()
    cells: dict[tuple[int, str], set[tuple[str, str, str]]] = defaultdict(set)
    units: dict[str, str] = {}
    for r in published:
        t, p = r["table"], int(r["period"])
        key = (r["area_code"], r["breakdown"] or "", r["category"] or "")
        cells[(p, t)].add(key)
        units[t] = r["unit"]
        true = true_row[(t, r["period"], r["area_code"], r["breakdown"], r["category"])]
        den = float(true["denominator"] or 0)
        num = float(true["numerator"] or 0.0)
        zero = bool(true.get(ZERO_COLUMN))  # a numerator 0 by definition: known to all
        nobody = den == 0 and (empty_known or bool(true.get(EMPTY_COLUMN)))
        for f in _fields(r["unit"]):
            v: Var = (t, f, *key)
            value[(p, v)] = {"den": den, "num": num, "comp": den - num}[f]
            if r["status"] != "onderdrukt" or nobody or (zero and f == "num"):
                shown.add((p, v))

    spans = _age_spans(value, cells, units)
    uf = _UnionFind()
    # Series: one table, field, breakdown and category over all areas and periods.
    series: dict[tuple[str, str, str, str], dict[tuple[int, str], float]] = defaultdict(dict)
    for (p, (t, f, code, bd, cat)), x in value.items():
        if f != "comp":
            series[(t, f, bd, cat)][(p, code)] = x
    if link_tables:
        _merge_partial(uf, series)

    out: dict[int, Period] = {}
    for (p, t), keys in cells.items():
        per = out.setdefault(p, Period())
        per.tables.add(t)
        for f in _fields(units[t]):
            per.constraints += _table_sums(t, f, keys, parent)
        if units[t] in RATE_UNITS:
            for code, bd, cat in keys:
                per.constraints.append(
                    Constraint((t, "den", code, bd, cat),
                               ((t, "num", code, bd, cat), (t, "comp", code, bd, cat)))
                )  # fmt: skip
    for p, per in out.items():
        per.constraints += _stapeling_sums(p, cells, link_tables)
        if link_tables:
            per.constraints += spans.get(p, [])
    for p, per in out.items():
        _rewrite(per, p, value, shown, uf)
    return out


def _age(label: str) -> tuple[int, int] | None:
    if label.endswith("+") and label[:-1].isdigit():
        return int(label[:-1]), 999
    lo, dash, hi = label.partition("-")
    return (int(lo), int(hi)) if dash and lo.isdigit() and hi.isdigit() else None


def _age_spans(
    value: dict[tuple[int, Var], float],
    cells: dict[tuple[int, str], set[tuple[str, str, str]]],
    units: dict[str, str],
) -> dict[int, list[Constraint]]:
    """Age groups of one table that add up to an age group of another (65-74 + 75+ =
    65+), or to the ages another table covers (18+): per table and area a hidden
    variable ``(t, f, code, "leeftijd~", span)`` equal to that sum, so that merging by
    value ties it to the other table's cell. Adds the variables to ``value``; returns
    their sums per period (sums across tables: only an attacker who links them)."""
    ages: dict[tuple[int, str, str], list[str]] = defaultdict(list)
    for (p, t), keys in cells.items():
        for code, bd, cat in keys:
            if bd == "leeftijd" and _age(cat) is not None:
                ages[(p, t, code)].append(cat)
    wanted = {_age(c) for cats in ages.values() for c in cats}
    for cats in ages.values():
        got = [_age(c) for c in cats]
        wanted.add((min(a[0] for a in got if a), max(a[1] for a in got if a)))
    out: dict[int, list[Constraint]] = defaultdict(list)
    for (p, t, code), cats in ages.items():
        for span in wanted:
            assert span is not None
            inside = sorted((a, c) for c in cats if (a := _age(c)) and _covers(span, a))
            covered = sum(a[1] - a[0] + 1 for a, _ in inside)
            if not 2 <= len(inside) < len(cats) or covered != span[1] - span[0] + 1:
                continue
            label = f"{span[0]}+" if span[1] == 999 else f"{span[0]}-{span[1]}"
            for f in _fields(units[t]):
                union: Var = (t, f, code, "leeftijd~", label)
                members = tuple((t, f, code, "leeftijd", c) for _, c in inside)
                value[(p, union)] = sum(value[(p, m)] for m in members)
                out[p].append(Constraint(union, members))
    return out


def _covers(span: tuple[int, int], age: tuple[int, int]) -> bool:
    return span[0] <= age[0] and age[1] <= span[1]


def _rewrite(
    per: Period,
    p: int,
    value: dict[tuple[int, Var], float],
    shown: set[tuple[int, Var]],
    uf: _UnionFind,
) -> None:
    """``per`` over merged variables: one variable per quantity, known when any table
    shows it."""
    known: set[Var] = set()
    for (q, v), x in value.items():
        if q != p:
            continue
        root = uf.find(v)
        per.values[root] = x
        if (q, v) in shown:
            known.add(root)
    for q, v in value:  # a complement is known where its two terms are
        t, f, *key = v
        if q == p and f == "comp" and all(uf.find((t, g, *key)) in known for g in ("den", "num")):
            known.add(uf.find(v))
    per.hidden = {v for v in per.values if v not in known}
    merged = []
    for c in per.constraints:
        if c.total not in per.values and uf.find(c.total) not in per.values:
            continue
        total, members = uf.find(c.total), tuple(uf.find(m) for m in c.members)
        if total not in per.values or any(m not in per.values for m in members):
            continue
        if members == (total,):
            continue
        merged.append(Constraint(total, members))
    per.constraints = merged


def _merge_series(
    uf: _UnionFind,
    series: dict[tuple[str, str, str, str], dict[tuple[int, str], float]],
    a: tuple[str, str, str, str],
    b: tuple[str, str, str, str],
) -> None:
    for p, code in series[a].keys() & series[b].keys():
        uf.union((a[0], a[1], code, a[2], a[3]), (b[0], b[1], code, b[2], b[3]))
        _ = p


def _merge_partial(
    uf: _UnionFind, series: dict[tuple[str, str, str, str], dict[tuple[int, str], float]]
) -> None:
    """Series over different area sets (a breakdown category at gemeente and wijk level,
    a total or a keten combination at every level) that agree wherever both exist."""
    apart = _differ_by_others()
    items = [(s, xs) for s, xs in series.items() if max(xs.values()) > 0]
    index: dict[Hashable, list[int]] = defaultdict(list)
    for i, (_, xs) in enumerate(items):
        # Key on the gemeente figures of every period: both series have those.
        gm = tuple(sorted((p, x) for (p, code), x in xs.items() if code.startswith("GM")))
        index[gm].append(i)
    for group in index.values():
        for i in group:
            for j in group:
                if i >= j:
                    continue
                (sa, xa), (sb, xb) = items[i], items[j]
                if _apart(sa, sb, apart):
                    continue
                common = xa.keys() & xb.keys()
                if len(common) >= 4 and all(xa[k] == xb[k] for k in common):
                    _merge_series(uf, series, sa, sb)


def _differ_by_others() -> set[tuple[tuple[str, str, str, str], tuple[str, str, str, str]]]:
    """Pairs of series that a known sum sets apart: ``total = member + others``. Their
    values may agree (the others are 0 everywhere), but the attacker cannot know that:
    merging them would hand it those zeros, the very counts the gate hides."""
    out = set()
    for count in ("stapeling_personen", "stapeling_huishoudens"):
        laws = {k: (count, "den", "aantal_wetten", k) for k in BY_N_LAWS}
        combos = {c: (count, "den", "wetcombinatie", c) for cs in BY_N_LAWS.values() for c in cs}
        for rate, of in STAPELING_PAIRS.items():
            if of != count:
                continue
            two_plus = (rate + "|" if rate.startswith("keten:") else rate, "num", "", "")
            out |= {(two_plus, laws["2"]), (two_plus, laws["3"])}
            for combo in KETEN_COMBOS:
                if rate.startswith("keten:"):
                    out.add((two_plus, (rate + "|" + combo, "num", "", "")))
        for k, members in BY_N_LAWS.items():
            if len(members) > 1:
                out |= {(laws[k], combos[m]) for m in members}
    return out


def _apart(
    a: tuple[str, str, str, str],
    b: tuple[str, str, str, str],
    apart: set[tuple[tuple[str, str, str, str], tuple[str, str, str, str]]],
) -> bool:
    return (a, b) in apart or (b, a) in apart


def _table_sums(
    t: str, f: str, keys: set[tuple[str, str, str]], parent: dict[str, str]
) -> list[Constraint]:
    kids: dict[tuple[str, str, str], list[Var]] = defaultdict(list)
    for code, bd, cat in keys:
        p = parent.get(code)
        if p is not None and (p, bd, cat) in keys:
            kids[(p, bd, cat)].append((t, f, code, bd, cat))
    out = [Constraint((t, f, *total), tuple(sorted(m))) for total, m in kids.items()]
    cats: dict[tuple[str, str], list[Var]] = defaultdict(list)
    for code, bd, cat in keys:
        if bd:
            cats[(code, bd)].append((t, f, code, bd, cat))
    out += [
        Constraint((t, f, code, "", ""), tuple(sorted(m)))
        for (code, _), m in cats.items()
        if (code, "", "") in keys
    ]
    return out


def _stapeling_sums(
    p: int, cells: dict[tuple[int, str], set[tuple[str, str, str]]], link_tables: bool
) -> list[Constraint]:
    """The sums the stapeling definitions imply (those between two tables only with
    ``link_tables``)."""
    out: list[Constraint] = []
    for rate, count in STAPELING_PAIRS.items():
        keten = rate.startswith("keten:")
        total_table = rate + "|" if keten else rate
        areas = {code for code, bd, _ in cells.get((p, total_table), set()) if not bd}
        counted = cells.get((p, count), set())
        for code in areas:
            if keten:
                members = tuple((rate + "|" + c, "num", code, "", "") for c in KETEN_COMBOS)
                if all((p, m[0]) in cells for m in members):
                    out.append(Constraint((total_table, "num", code, "", ""), members))
            if not link_tables:
                continue
            two_plus = tuple(
                (count, "den", code, "aantal_wetten", k) for k in ("2", "3")
                if (code, "aantal_wetten", k) in counted
            )  # fmt: skip
            if two_plus:
                out.append(Constraint((total_table, "num", code, "", ""), two_plus))
    for count in ("stapeling_personen", "stapeling_huishoudens"):
        counted = cells.get((p, count), set())
        for code, bd, k in counted:
            if bd != "aantal_wetten" or k not in BY_N_LAWS:
                continue
            members = tuple(
                (count, "den", code, "wetcombinatie", c) for c in BY_N_LAWS[k]
                if (code, "wetcombinatie", c) in counted
            )  # fmt: skip
            out.append(Constraint((count, "den", code, bd, k), members))
    return out


def _table_rows(table: pa.Table, keten: bool) -> list[dict[str, Any]]:
    """The rows of a cube (``keten`` False) or of ``keten_stapeling``, each with the
    ``table`` :func:`build` reads (a keten row's combination is its table)."""
    rows = table.to_pylist()
    for r in rows:
        if keten:
            r["table"] = "keten:" + r["indicator_id"] + "|" + (r["breakdown"] or "")
            r["breakdown"] = r["category"] = ""
        else:
            r["table"] = r["indicator_id"]
    return rows


def read_publication(
    ws: Workspace, boundary_year: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, str]]:
    """What :func:`build` needs from a refreshed workspace: the published rows of the
    cube and ``keten_stapeling``, their true values from the ungated engine, and every
    area's parent."""
    snap = ws.published_dir / (ws.published_dir / "CURRENT").read_text().strip()
    published = _table_rows(pq.read_table(snap / "cube.parquet"), False)
    published += _table_rows(pq.read_table(snap / "keten_stapeling.parquet"), True)
    areas = pq.read_table(snap / "areas.parquet").to_pylist()
    parent = {a["code"]: a["parent_code"] for a in areas if a["parent_code"]}
    with ws.store(read_only=True) as store:
        truth = _table_rows(
            compute_cube(store, load_definitions(), ws.settings, boundary_year), False
        )
        truth += _table_rows(stapeling.cells(store, boundary_year), True)
    return published, truth, parent
