"""Union cells of the linked gate: the age groups of one table that add up to an age group
of another (65-74 + 75+ = 65+) or to all the ages another table counts (18+).

The cube is written by hand; the expected union cells are the sums worked out below.
"""

from __future__ import annotations

import pyarrow as pa

from zicht.indicators.engine import CUBE_SCHEMA
from zicht.privacy._hierarchy import AGE_SPANS, span_members
from zicht.privacy.linked import _linked_unions, with_unions

AREAS = ("GM01", "WK01", "WK02")
PERIODS = (2024, 2025)


def _cells(table: str, unit: str, groups: dict[str, tuple[int, int]], shift: int) -> list[dict]:
    """One rate table: per area and period a total and the age groups (den, num); the
    values differ per area and period by ``shift`` so that series are not constant."""
    out = []
    for i, code in enumerate(AREAS):
        for j, period in enumerate(PERIODS):
            add = shift * (i + 2 * j)
            cells = {k: (d + add, n + add) for k, (d, n) in groups.items()}
            total = (sum(d for d, _ in cells.values()), sum(n for _, n in cells.values()))
            for cat, (den, num) in [("", total), *cells.items()]:
                out.append({"indicator_id": table, "level": code[:2], "area_code": code,
                            "period": period, "breakdown": "leeftijd" if cat else "",
                            "category": cat, "numerator": float(num), "denominator": den,
                            "unit": unit, "value": None, "status": None})  # fmt: skip
    return out


def _cube() -> pa.Table:
    # Table "a" splits the ages finely; "b" counts adults only, with a coarser 65+;
    # "c" splits like "a" but counts something else (its spans match nothing).
    a = _cells("a", "%", {"0-17": (50, 3), "18-64": (300, 20), "65-74": (40, 4), "75+": (30, 2)}, 1)
    b = [
        r | {"indicator_id": "b", "unit": "per 1.000"}
        for r in _cells("b", "%", {"18-64": (300, 20), "65+": (70, 6)}, 1)
    ]
    # "b"'s groups equal "a"'s where they coincide: 18-64 gets one shift, 65+ two
    # (the sum of a's two groups, each shifted once).
    for r in b:
        if r["category"] == "65+":
            i, j = AREAS.index(r["area_code"]), PERIODS.index(r["period"])
            r["denominator"] += i + 2 * j
            r["numerator"] += i + 2 * j
    for r in b:
        if r["category"] == "":
            code, period = r["area_code"], r["period"]
            groups = [x for x in b if (x["area_code"], x["period"]) == (code, period)]
            r["denominator"] = sum(x["denominator"] for x in groups if x["category"])
            r["numerator"] = sum(x["numerator"] for x in groups if x["category"])
    c = _cells("c", "%", {"0-17": (51, 5), "18-64": (301, 21), "65-74": (41, 5), "75+": (33, 3)}, 2)
    return pa.Table.from_pylist(a + b + c, schema=CUBE_SCHEMA)


def test_span_members_cover_the_span_exactly() -> None:
    ages = ["0-17", "18-64", "65-74", "75+", "onbekend"]
    assert span_members("65+", ages) == ("65-74", "75+")
    assert span_members("18+", ages) == ("18-64", "65-74", "75+")
    assert span_members("0-64", ages) == ("0-17", "18-64")
    assert span_members("0-26", ages) == ()  # 18-64 runs past 26
    assert span_members("0-64", ["0-17", "27-64"]) == ()  # 18-26 missing
    assert span_members("75+", ages) == ()  # one group is no union
    assert span_members("onbekend", ages) == ()


def test_the_union_cells_kept_are_the_spans_another_table_publishes() -> None:
    cube = _cube()
    n = cube.num_rows
    got, rows, groups = _linked_unions(with_unions(cube), n)
    union = got.slice(n).to_pylist()
    kept = {(r["indicator_id"], r["category"]) for r in union}
    # a's 65+ equals b's 65+ and a's 18+ b's total; c's spans equal nothing.
    assert kept == {("a", "65+"), ("a", "18+")}
    assert all(r["breakdown"] == AGE_SPANS for r in union)
    assert len(union) == 2 * len(AREAS) * len(PERIODS)
    # The values, by hand: a's 65-74 + 75+ = (40 + 30 + 2s, 4 + 2 + 2s), s = i + 2j.
    for r in union:
        s = AREAS.index(r["area_code"]) + 2 * PERIODS.index(r["period"])
        if r["category"] == "65+":
            assert (r["denominator"], r["numerator"]) == (70 + 2 * s, 6 + 2 * s)
        else:
            assert (r["denominator"], r["numerator"]) == (370 + 3 * s, 26 + 3 * s)
    linked = [set(g) for g in groups]
    for f in ("den", "num"):
        assert any({("a", f, AGE_SPANS, "65+"), ("b", f, "leeftijd", "65+")} <= g for g in linked)
        assert any({("a", f, AGE_SPANS, "18+"), ("b", f, "", "")} <= g for g in linked)
        assert not any(s[0] == "c" and s[2] == AGE_SPANS for s in rows)
