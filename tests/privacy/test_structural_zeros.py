"""Numerators that are 0 by definition (``structural_zeros``: nobody under 18 has
bijstand): everyone knows them, so the gate must neither count on them to protect
another cell nor hide them as small counts.

The tables are written by hand and the attacker is :func:`zicht.privacy.secondary.attack`
over sums written out here, knowing the zeros.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from zicht.indicators.engine import CUBE_SCHEMA
from zicht.privacy.disclosure import (
    EMPTY_COLUMN,
    SUPPRESSED,
    ZERO_COLUMN,
    DisclosureError,
    apply_gate,
    assert_gated,
    contradicted_zeros,
    zero_mask,
)
from zicht.privacy.secondary import Constraint, attack, suppress_fields


def test_a_zero_everyone_knows_protects_nothing() -> None:
    """Worked by hand: total 40 (published) = a 0 + b 5 + c 35, protection 5; a is 0 by
    definition.

    Not told so, the gate hides a and b: a + b = 5, both anywhere in [0, 5], wide
    enough. But an attacker who knows a = 0 has b = 5 exactly. Told, it hides c as well:
    b + c = 40."""
    values = {"T": 40.0, "a": 0.0, "b": 5.0, "c": 35.0}
    sums = [Constraint("T", ("a", "b", "c"))]
    blind = suppress_fields([values], {"a", "b"}, sums, protection=5)
    assert blind == {"a", "b"}
    assert [(iv.low, iv.high) for iv in attack(values, blind - {"a"}, sums)] == [(5.0, 5.0)]

    told = suppress_fields([values], {"a", "b"}, sums, protection=5, public=[{"a"}])
    assert told == {"a", "b", "c"}
    assert all(iv.width >= 5 for iv in attack(values, told - {"a"}, sums))


def test_a_zero_everyone_knows_is_never_hidden_to_protect_another() -> None:
    """total 40 = a 0 + b 5 + c 35 with only b hidden: a is the smallest partner, but
    hiding it would leave b exact, so c is hidden instead."""
    values = {"T": 40.0, "a": 0.0, "b": 5.0, "c": 35.0}
    sums = [Constraint("T", ("a", "b", "c"))]
    assert suppress_fields([values], {"b"}, sums, protection=5) == {"a", "b"}
    assert suppress_fields([values], {"b"}, sums, protection=5, public=[{"a"}]) == {"b", "c"}


AREAS = pa.table(
    {
        "code": ["GM01", "WK01", "WK02", "BU01a", "BU01b", "BU02a", "BU02b"],
        "parent_code": [None, "GM01", "GM01", "WK01", "WK01", "WK02", "WK02"],
        "level": ["gemeente", "wijk", "wijk", "buurt", "buurt", "buurt", "buurt"],
    }
)
AGES = {  # (denominator, numerator) per age group; nobody under 18 has it
    "WK01": {"0-17": (300, 0), "18-64": (500, 40), "65+": (100, 6)},
    "WK02": {"0-17": (280, 0), "18-64": (450, 30), "65+": (120, 15)},
}
BUURTEN = {"BU01a": (500, 20), "BU01b": (400, 26), "BU02a": (450, 25), "BU02b": (400, 20)}


def _cube(zero: bool) -> pa.Table:
    gm = {a: tuple(sum(AGES[w][a][i] for w in AGES) for i in (0, 1)) for a in AGES["WK01"]}
    rows: list[dict[str, Any]] = []

    def cell(code: str, level: str, cat: str, den: int, num: int) -> None:
        rows.append({"indicator_id": "x", "level": level, "area_code": code, "period": 2024,
                     "breakdown": "leeftijd" if cat else "", "category": cat,
                     "value": 100 * num / den, "numerator": float(num), "denominator": den,
                     "unit": "%", "status": None})  # fmt: skip

    for code, ages, level in [("GM01", gm, "gemeente"), *((w, AGES[w], "wijk") for w in AGES)]:
        cell(code, level, "", sum(d for d, _ in ages.values()), sum(n for _, n in ages.values()))
        for cat, (den, num) in ages.items():
            cell(code, level, cat, den, num)
    for code, (den, num) in BUURTEN.items():
        cell(code, "buurt", "", den, num)
    cube = pa.Table.from_pylist(rows, schema=CUBE_SCHEMA)
    if zero:
        cube = cube.append_column(ZERO_COLUMN, pa.array(zero_mask(cube, ZEROS)))
    return cube


ZEROS = {"x": {"leeftijd": ["0-17"]}}


def _sums() -> list[Constraint]:
    """The table's sums, written out: each area's total over its age groups, each age
    group's gemeente over its wijken, every total over its children."""
    out = [Constraint((a, ""), tuple((a, c) for c in AGES["WK01"])) for a in ("GM01", *AGES)]
    out += [Constraint(("GM01", c), tuple((w, c) for w in AGES)) for c in AGES["WK01"]]
    out.append(Constraint(("GM01", ""), (("WK01", ""), ("WK02", ""))))
    out.append(Constraint(("WK01", ""), (("BU01a", ""), ("BU01b", ""))))
    out.append(Constraint(("WK02", ""), (("BU02a", ""), ("BU02b", ""))))
    return out


def _narrow_for_one_who_knows(gated: pa.Table, raw: pa.Table, small: bool = False) -> list[Any]:
    """The hidden counts (denominator, numerator, complement, each on its own) that an
    attacker who knows every 0-17 numerator is 0 narrows under 10 (with ``small``: of
    the counts under 10, the ones linked gating protects)."""
    truth = {(r["area_code"], r["category"]): r for r in raw.to_pylist()}
    hidden = {(r["area_code"], r["category"]) for r in gated.to_pylist()
              if r["status"] == SUPPRESSED}  # fmt: skip
    narrow = []
    for field in ("den", "num", "comp"):
        values = {}
        for k, r in truth.items():
            den, num = float(r["denominator"]), float(r["numerator"])
            values[k] = {"den": den, "num": num, "comp": den - num}[field]
        known = {k for k in hidden if field == "num" and k[1] == "0-17"}
        narrow += [
            iv for iv in attack(values, hidden - known, _sums())
            if iv.width < 10 and not (small and values[iv.cell] >= 10)
        ]  # fmt: skip
    return narrow


def test_the_gate_told_of_the_zeros_publishes_them_and_leaves_nothing_narrow() -> None:
    raw = _cube(zero=True)
    gated = apply_gate(raw, 10, areas=AREAS)
    status = {(r["area_code"], r["category"]): r for r in gated.to_pylist()}
    for code in ("GM01", "WK01", "WK02"):  # 0 % of hundreds of minors: no small count
        assert status[(code, "0-17")]["status"] == "gepubliceerd"
        assert status[(code, "0-17")]["numerator"] == 0
    assert status[("WK01", "65+")]["status"] == SUPPRESSED  # 6
    assert not _narrow_for_one_who_knows(gated, raw)

    # Not told, it hides the zeros and counts on them: the attacker who knows them wins.
    blind = apply_gate(raw.drop_columns([ZERO_COLUMN]), 10, areas=AREAS)
    assert _narrow_for_one_who_knows(blind, raw)


@pytest.mark.parametrize("linked", [False, True])
def test_linked_gating_knows_the_zeros_too(linked: bool) -> None:
    raw = _cube(zero=True)
    gated = apply_gate(raw, 10, areas=AREAS, linked=linked)
    assert not _narrow_for_one_who_knows(gated, raw, small=linked)
    shown = [r for r in gated.to_pylist() if r["category"] == "0-17"]
    assert {r["status"] for r in shown} == {"gepubliceerd"}


def test_a_declared_category_that_is_not_zero_everywhere_is_an_ordinary_count() -> None:
    cube = _cube(zero=False)
    assert zero_mask(cube, ZEROS).sum() == 3  # the gemeente and both wijken
    counts = cube.column("numerator").to_pylist()
    counts[[r["category"] for r in cube.to_pylist()].index("0-17")] = 3.0  # a wrong datum
    cube = cube.set_column(cube.schema.get_field_index("numerator"), "numerator",
                           pa.array(counts))  # fmt: skip
    # Not 0 everywhere, so not 0 by definition: the other two zeros are no longer known.
    assert zero_mask(cube, ZEROS).sum() == 0
    assert contradicted_zeros(cube, ZEROS) == {("x", "leeftijd", "0-17"): 1}
    assert zero_mask(cube, {"y": {"leeftijd": ["0-17"]}}).sum() == 0  # another indicator


def test_the_last_check_accepts_a_published_zero_only_where_it_is_one_by_definition() -> None:
    gated = apply_gate(_cube(zero=True), 10, areas=AREAS)
    assert_gated(gated, 10, ZEROS)
    with pytest.raises(DisclosureError, match="te kleine aantallen"):
        assert_gated(gated, 10)
    with pytest.raises(DisclosureError, match="te kleine aantallen"):
        assert_gated(gated, 10, {"x": {"leeftijd": ["18-64"]}})


def _households(overig: tuple[int, int], empty: bool) -> pa.Table:
    """Rate "x" by household type in two wijken: "overig" (households of minors only)
    has numerator 0 by definition and ``overig`` people (WK01, WK02); with ``empty`` the
    definition also says nobody is counted there (``structural_empty``)."""
    per = {"WK01": {"a": (400, 20), "b": (300, 15), "overig": (overig[0], 0)},
           "WK02": {"a": (350, 18), "b": (320, 12), "overig": (overig[1], 0)}}  # fmt: skip
    gm = {c: tuple(sum(per[w][c][i] for w in per) for i in (0, 1)) for c in per["WK01"]}
    rows: list[dict[str, Any]] = []
    for code, cells, level in [("GM01", gm, "gemeente"), *((w, per[w], "wijk") for w in per)]:
        den, num = sum(d for d, _ in cells.values()), sum(n for _, n in cells.values())
        rows.append({"indicator_id": "x", "level": level, "area_code": code, "period": 2024,
                     "breakdown": "", "category": "", "value": None, "numerator": float(num),
                     "denominator": den, "unit": "%", "status": None})  # fmt: skip
        for cat, (d, n) in cells.items():
            rows.append({"indicator_id": "x", "level": level, "area_code": code, "period": 2024,
                         "breakdown": "huishoudtype", "category": cat, "value": None,
                         "numerator": float(n), "denominator": d, "unit": "%",
                         "status": None})  # fmt: skip
    for code, w, den in [("BU01a", "WK01", 300), ("BU02a", "WK02", 300)]:
        total = sum(d for d, _ in per[w].values())
        num = sum(n for _, n in per[w].values())
        rows.append({"indicator_id": "x", "level": "buurt", "area_code": code, "period": 2024,
                     "breakdown": "", "category": "", "value": None, "numerator": float(num // 2),
                     "denominator": den, "unit": "%", "status": None})  # fmt: skip
        rows.append({"indicator_id": "x", "level": "buurt", "area_code": code + "x",
                     "period": 2024, "breakdown": "", "category": "", "value": None,
                     "numerator": float(num - num // 2), "denominator": total - den,
                     "unit": "%", "status": None})  # fmt: skip
    cube = pa.Table.from_pylist(rows, schema=CUBE_SCHEMA)
    declared = {"x": {"huishoudtype": ["overig"]}}
    cube = cube.append_column(ZERO_COLUMN, pa.array(zero_mask(cube, declared)))
    nobody = zero_mask(cube, declared, "denominator") if empty else np.zeros(cube.num_rows, bool)
    return cube.append_column(EMPTY_COLUMN, pa.array(nobody))


HOUSEHOLD_AREAS = pa.table(
    {
        "code": ["GM01", "WK01", "WK02", "BU01a", "BU01ax", "BU02a", "BU02ax"],
        "parent_code": [None, "GM01", "GM01", "WK01", "WK01", "WK02", "WK02"],
        "level": ["gemeente", "wijk", "wijk", "buurt", "buurt", "buurt", "buurt"],
    }
)


def _household_sums() -> list[Constraint]:
    cats = ("a", "b", "overig")
    out = [Constraint((a, ""), tuple((a, c) for c in cats)) for a in ("GM01", "WK01", "WK02")]
    out += [Constraint(("GM01", c), (("WK01", c), ("WK02", c))) for c in cats]
    out.append(Constraint(("GM01", ""), (("WK01", ""), ("WK02", ""))))
    out.append(Constraint(("WK01", ""), (("BU01a", ""), ("BU01ax", ""))))
    out.append(Constraint(("WK02", ""), (("BU02a", ""), ("BU02ax", ""))))
    return out


def _narrow_denominators(gated: pa.Table, raw: pa.Table, known: set[Any]) -> list[Any]:
    """Hidden denominators under 10 (an empty cell's 0 included) that an attacker who
    knows the ``known`` cells narrows."""
    den = {(r["area_code"], r["category"]): float(r["denominator"]) for r in raw.to_pylist()}
    hidden = {(r["area_code"], r["category"]) for r in gated.to_pylist()
              if r["status"] == SUPPRESSED} - known  # fmt: skip
    return [iv for iv in attack(den, hidden, _household_sums())
            if iv.width < 10 and den[iv.cell] < 10]  # fmt: skip


def test_an_empty_cell_that_is_not_empty_by_definition_stays_protected() -> None:
    """A numerator 0 by definition says nothing about the denominator: that WK01 has
    no household of minors only is a fact about its people. Linked gating protects such
    a 0 like any small count (the demo's first version of this took it as known, so
    bijstand_pct published the other household types around it)."""
    raw = _households((0, 3), empty=False)
    gated = apply_gate(raw, 10, areas=HOUSEHOLD_AREAS, linked=True)
    assert not _narrow_denominators(gated, raw, known=set())


def test_a_cell_empty_by_definition_is_known_and_costs_nothing() -> None:
    """Among people with bijstand nobody lives in a household of minors only: the empty
    cells are known to everyone, so the gate hides no neighbour for them."""
    raw = _households((0, 0), empty=True)
    gated = apply_gate(raw, 10, areas=HOUSEHOLD_AREAS, linked=True)
    status = {(r["area_code"], r["category"]): r["status"] for r in gated.to_pylist()}
    assert {k for k, s in status.items() if s == SUPPRESSED} == {
        ("GM01", "overig"),
        ("WK01", "overig"),
        ("WK02", "overig"),  # nobody: no figure
    }
    # Not told, the same zeros are protected: neighbours are hidden for them.
    blind = apply_gate(raw.drop_columns([EMPTY_COLUMN]), 10, areas=HOUSEHOLD_AREAS, linked=True)
    assert sum(r["status"] == SUPPRESSED for r in blind.to_pylist()) > 3
    assert not _narrow_denominators(blind, raw, known=set())
