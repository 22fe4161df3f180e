"""Every published cell of the hand-made workspace (conftest.py) against a table computed
by hand from the rows there, and the disclosure gate on top of it."""

from __future__ import annotations

import json
from collections.abc import Callable

import pyarrow.compute as pc
import pytest

from zicht.errors import RefreshError
from zicht.indicators.definitions import load_definitions
from zicht.indicators.published import load_current
from zicht.indicators.refresh import refresh
from zicht.model.published import KETEN_TABLES
from zicht.privacy.disclosure import RATE_UNITS, assert_gated, zeros_of
from zicht.workspace import Workspace

GM, N, Z = "GM9901", "WK990101", "WK990102"
B11, B12, B21, B22 = "BU99010101", "BU99010102", "BU99010201", "BU99010202"
MakeWs = Callable[..., Workspace]

# (area, period): (numerator, denominator, value). Cells not listed have no unit at all
# (denominator 0) and must be suppressed. Medians have no numerator (None).
EXPECTED: dict[str, dict[tuple[str, int], tuple[float | None, int, float]]] = {
    "jeugdhulp_pct": {
        # 2023: a01 (J1 ends 1 Jan 2023), a02 (open end), e01 (17). x01 not in population.
        (GM, 2023): (3, 16, 18.75),
        (N, 2023): (2, 11, 18.181818),
        (Z, 2023): (1, 5, 20.0),
        (B11, 2023): (2, 8, 25.0),
        (B12, 2023): (0, 3, 0.0),
        (B21, 2023): (1, 5, 20.0),
        # 2024: a02, b01 (starts 31 Dec), c01; e01 is 18 now.
        (GM, 2024): (3, 15, 20.0),
        (N, 2024): (2, 11, 18.181818),
        (Z, 2024): (1, 4, 25.0),
        (B11, 2024): (1, 8, 12.5),
        (B12, 2024): (1, 3, 33.333333),
        (B21, 2024): (1, 4, 25.0),
    },
    "wmo_per_1000": {
        (GM, 2023): (4, 49, 81.632653),
        (N, 2023): (2, 30, 66.666667),
        (Z, 2023): (2, 19, 105.263158),
        (B11, 2023): (2, 20, 100.0),
        (B12, 2023): (0, 10, 0.0),
        (B21, 2023): (1, 14, 71.428571),
        (B22, 2023): (1, 5, 200.0),
        (GM, 2024): (3, 46, 65.217391),
        (N, 2024): (2, 30, 66.666667),
        (Z, 2024): (1, 16, 62.5),
        (B11, 2024): (1, 20, 50.0),
        (B12, 2024): (1, 10, 100.0),
        (B21, 2024): (1, 16, 62.5),
    },
    "bijstand_pct": {
        (GM, 2023): (2, 49, 4.081633),
        (N, 2023): (2, 30, 6.666667),
        (Z, 2023): (0, 19, 0.0),
        (B11, 2023): (2, 20, 10.0),
        (B12, 2023): (0, 10, 0.0),
        (B21, 2023): (0, 14, 0.0),
        (B22, 2023): (0, 5, 0.0),
        (GM, 2024): (3, 46, 6.521739),
        (N, 2024): (2, 30, 6.666667),
        (Z, 2024): (1, 16, 6.25),
        (B11, 2024): (2, 20, 10.0),
        (B12, 2024): (0, 10, 0.0),
        (B21, 2024): (1, 16, 6.25),
    },
    "stapeling_hh_pct": {
        # 2023: hA1 (3 laws), hA2 (jeugd + wmo). hX only pwet, hW's jeugd is x01's.
        (GM, 2023): (2, 45, 4.444444),
        (N, 2023): (2, 28, 7.142857),
        (Z, 2023): (0, 17, 0.0),
        (B11, 2023): (2, 18, 11.111111),
        (B12, 2023): (0, 10, 0.0),
        (B21, 2023): (0, 13, 0.0),
        (B22, 2023): (0, 4, 0.0),
        # 2024: hA1 (wmo + pwet ending 1 Jan), hX (b01 jeugd + c06 pwet) counted in B12.
        (GM, 2024): (2, 43, 4.651163),
        (N, 2024): (2, 28, 7.142857),
        (Z, 2024): (0, 15, 0.0),
        (B11, 2024): (1, 18, 5.555556),
        (B12, 2024): (1, 10, 10.0),
        (B21, 2024): (0, 15, 0.0),
    },
    "doorlooptijd_beschikking_mediaan": {
        # 2023 days: B11 [56, 14], B21 [40, 15], B22 [30].
        (GM, 2023): (None, 5, 30.0),
        (N, 2023): (None, 2, 35.0),
        (Z, 2023): (None, 3, 30.0),
        (B11, 2023): (None, 2, 35.0),
        (B21, 2023): (None, 2, 27.5),
        (B22, 2023): (None, 1, 30.0),
        # 2024 days: B12 [13, 57], B21 [61].
        (GM, 2024): (None, 3, 57.0),
        (N, 2024): (None, 2, 35.0),
        (Z, 2024): (None, 1, 61.0),
        (B12, 2024): (None, 2, 35.0),
        (B21, 2024): (None, 1, 61.0),
    },
    "beschikking_binnen_termijn_pct": {
        # Within term: 56 (jeugd, exactly), 40, 14 (wmo, exactly); not: 15, 30.
        (GM, 2023): (3, 5, 60.0),
        (N, 2023): (2, 2, 100.0),
        (Z, 2023): (1, 3, 33.333333),
        (B11, 2023): (2, 2, 100.0),
        (B21, 2023): (1, 2, 50.0),
        (B22, 2023): (0, 1, 0.0),
        # Within: 13 (wmo); not: 57 (jeugd), 61 (pwet).
        (GM, 2024): (1, 3, 33.333333),
        (N, 2024): (1, 2, 50.0),
        (Z, 2024): (0, 1, 0.0),
        (B12, 2024): (1, 2, 50.0),
        (B21, 2024): (0, 1, 0.0),
    },
    "kosten_per_client_jeugd": {
        # 2023: a01 250.50, a02 250.25, e01 400.00; x01's 999 does not count.
        (GM, 2023): (900.75, 3, 300.25),
        (N, 2023): (500.75, 2, 250.375),
        (Z, 2023): (400.0, 1, 400.0),
        (B11, 2023): (500.75, 2, 250.375),
        (B21, 2023): (400.0, 1, 400.0),
        (GM, 2024): (375.0, 2, 187.5),
        (N, 2024): (375.0, 2, 187.5),
        (B11, 2024): (300.0, 1, 300.0),
        (B12, 2024): (75.0, 1, 75.0),
    },
    "kosten_per_client_wmo": {
        (GM, 2023): (280.0, 3, 93.333333),
        (N, 2023): (120.0, 1, 120.0),
        (Z, 2023): (160.0, 2, 80.0),
        (B11, 2023): (120.0, 1, 120.0),
        (B21, 2023): (100.0, 1, 100.0),
        (B22, 2023): (60.0, 1, 60.0),
        (GM, 2024): (130.0, 1, 130.0),
        (N, 2024): (130.0, 1, 130.0),
        (B11, 2024): (130.0, 1, 130.0),
    },
    "jeugdhulp_huisarts_pct": {
        # 2023 starts: J2 (01), J5 (03); J6 (02) is x01's. 2024: J3 (02), J4 (02), J9 (01).
        (GM, 2023): (0, 2, 0.0),
        (N, 2023): (0, 1, 0.0),
        (Z, 2023): (0, 1, 0.0),
        (B11, 2023): (0, 1, 0.0),
        (B21, 2023): (0, 1, 0.0),
        (GM, 2024): (2, 3, 66.666667),
        (N, 2024): (2, 2, 100.0),
        (Z, 2024): (0, 1, 0.0),
        (B11, 2024): (1, 1, 100.0),
        (B12, 2024): (1, 1, 100.0),
        (B21, 2024): (0, 1, 0.0),
    },
    "kinderen_in_bijstandsgezin_pct": {
        # Youth as in jeugdhulp_pct; a01 lives with a09 (hA1), whose bijstand P2 runs
        # 1 Jul 2023 to 1 Jan 2024 (active both years). a11's bijstand has no minor in
        # hW (x01 is not in the population); c06's pwet is re-integratie, not bijstand.
        (GM, 2023): (1, 16, 6.25),
        (N, 2023): (1, 11, 9.090909),
        (Z, 2023): (0, 5, 0.0),
        (B11, 2023): (1, 8, 12.5),
        (B12, 2023): (0, 3, 0.0),
        (B21, 2023): (0, 5, 0.0),
        (GM, 2024): (1, 15, 6.666667),
        (N, 2024): (1, 11, 9.090909),
        (Z, 2024): (0, 4, 0.0),
        (B11, 2024): (1, 8, 12.5),
        (B12, 2024): (0, 3, 0.0),
        (B21, 2024): (0, 4, 0.0),
    },
}
# Every cell: indicators x 7 areas x 2 periods.
N_CELLS = len(EXPECTED) * 7 * 2
AREA_CODES = (GM, N, Z, B11, B12, B21, B22)
LEVEL = {
    GM: "gemeente",
    N: "wijk",
    Z: "wijk",
    B11: "buurt",
    B12: "buurt",
    B21: "buurt",
    B22: "buurt",
}


def _cells(ws: Workspace) -> dict[tuple[str, str, int], dict[str, object]]:
    snap = load_current(ws.root)
    assert snap is not None
    # The nine model indicators' totals (breakdown cells are tested in test_breakdowns).
    rows = [
        r for r in snap.cube.to_pylist() if r["breakdown"] == "" and r["indicator_id"] in EXPECTED
    ]
    cells = {(r["indicator_id"], r["area_code"], r["period"]): r for r in rows}
    assert len(cells) == len(rows) == N_CELLS
    return cells


def test_every_cell_matches_hand_computed_table(make_ws: MakeWs) -> None:
    ws = make_ws(min_cell_count=0)  # nothing small is suppressed: see every figure
    report = refresh(ws)
    cells = _cells(ws)
    assert report.periods == [2023, 2024]
    assert report.cells == report.published + report.suppressed
    for ind, table in EXPECTED.items():
        for area in AREA_CODES:
            for period in (2023, 2024):
                cell = cells[(ind, area, period)]
                assert cell["level"] == LEVEL[area] and cell["breakdown"] == ""
                if (area, period) not in table:
                    assert cell["status"] == "onderdrukt", (ind, area, period)
                    assert cell["value"] is cell["numerator"] is cell["denominator"] is None
                    continue
                num, den, value = table[(area, period)]
                assert cell["status"] == "gepubliceerd", (ind, area, period)
                assert cell["denominator"] == den, (ind, area, period)
                if num is None:
                    assert cell["numerator"] is None
                else:
                    assert cell["numerator"] == pytest.approx(num, abs=1e-6), (ind, area, period)
                assert cell["value"] == pytest.approx(value, abs=1e-6), (ind, area, period)
    shown = sum(c["status"] == "gepubliceerd" for c in cells.values())
    assert shown == sum(len(t) for t in EXPECTED.values())


def test_default_gate_suppresses_and_nulls_small_cells(make_ws: MakeWs) -> None:
    ws = make_ws()  # min_cell_count 10: every numerator and case count here is below it
    report = refresh(ws)
    snap = load_current(ws.root)
    assert snap is not None and snap.meta["min_cell_count"] == 10
    cells = _cells(ws)
    assert all(c["status"] == "onderdrukt" for c in cells.values())
    for col in ("value", "numerator", "denominator"):
        assert all(c[col] is None for c in cells.values())
    assert report.suppressed >= len(cells)
    assert_gated(snap.cube, 10, zeros_of(snap.indicators))


def test_gate_threshold_three(make_ws: MakeWs) -> None:
    """Per table (``gate_linked_tables = 0``), where a secondary
    suppression can only come from a small cell of the same indicator and year."""
    ws = make_ws(min_cell_count=3, linked=False)
    refresh(ws)
    cells = _cells(ws)
    for ind, table in EXPECTED.items():
        primary_years = set()
        for (area, period), (num, den, _value) in table.items():
            unit = cells[(ind, area, period)]["unit"]
            if den < 3 or (unit in RATE_UNITS and num is not None and num < 3):
                primary_years.add(period)
        for (area, period), (num, den, value) in table.items():
            cell = cells[(ind, area, period)]
            small = den < 3 or (cell["unit"] in RATE_UNITS and num is not None and num < 3)
            if small:
                assert cell["status"] == "onderdrukt", (ind, area, period)
                assert cell["value"] is cell["numerator"] is cell["denominator"] is None
            elif cell["status"] == "onderdrukt":
                # Secondary suppression: only where a small cell of the same table needs
                # protection (tests/privacy/test_secondary.py proves the protection).
                assert period in primary_years, (ind, area, period)
                assert cell["value"] is cell["numerator"] is cell["denominator"] is None
            else:
                assert cell["status"] == "gepubliceerd", (ind, area, period)
                assert cell["value"] == pytest.approx(value, abs=1e-6)
    # e.g. bijstand gemeente 2024: 3 of 46 is shown; wijk Noord 2 of 30 is not.
    assert cells[("bijstand_pct", GM, 2024)]["status"] == "gepubliceerd"
    assert cells[("bijstand_pct", N, 2024)]["status"] == "onderdrukt"
    assert cells[("doorlooptijd_beschikking_mediaan", GM, 2023)]["value"] == 30.0


def test_gate_threshold_three_linked(make_ws: MakeWs) -> None:
    """Linked (``gate_linked_tables = 1``, the default): every small cell hidden, every
    published one the hand-made figure; a secondary suppression may come from another
    indicator of the same year that shares a quantity, so only years with a small cell
    somewhere have them."""
    ws = make_ws(min_cell_count=3, linked=True)
    refresh(ws)
    cells = _cells(ws)
    small_years = set()
    for ind, table in EXPECTED.items():
        for (area, period), (num, den, _value) in table.items():
            unit = cells[(ind, area, period)]["unit"]
            if den < 3 or (unit in RATE_UNITS and num is not None and num < 3):
                small_years.add(period)
    published = 0
    for ind, table in EXPECTED.items():
        for (area, period), (num, den, value) in table.items():
            cell = cells[(ind, area, period)]
            small = den < 3 or (cell["unit"] in RATE_UNITS and num is not None and num < 3)
            if cell["status"] == "onderdrukt":
                assert small or period in small_years, (ind, area, period)
                assert cell["value"] is cell["numerator"] is cell["denominator"] is None
            else:
                assert not small, (ind, area, period)
                assert cell["value"] == pytest.approx(value, abs=1e-6)
                published += 1
    assert published > 0


def test_snapshot_files_follow_the_contract(make_ws: MakeWs) -> None:
    ws = make_ws(min_cell_count=0)
    report = refresh(ws)
    snap = load_current(ws.root)
    assert snap is not None and snap.path == ws.published_dir / report.refresh_id
    assert (ws.published_dir / "CURRENT").read_text().strip() == report.refresh_id
    assert snap.cube.column_names == [
        "indicator_id",
        "level",
        "area_code",
        "period",
        "breakdown",
        "value",
        "numerator",
        "denominator",
        "unit",
        "status",
        "category",  # added after status: readers of the first format are unaffected
    ]
    meta = snap.meta
    assert set(meta) == {
        "refresh_id",
        "created_at",
        "gemeente_code",
        "gemeente_naam",
        "periods",
        "boundary_year",
        "min_cell_count",
        "loads",
        "keten",  # the keten tables of the same snapshot (added with them)
    }
    assert meta["refresh_id"] == report.refresh_id and meta["periods"] == [2023, 2024]
    assert sorted(meta["keten"]) == sorted(f"keten_{n}.parquet" for n in KETEN_TABLES)
    assert all((snap.path / f).is_file() for f in meta["keten"])
    assert (meta["gemeente_code"], meta["gemeente_naam"]) == ("GM9901", "Teststad")
    assert meta["boundary_year"] == 2024 and meta["min_cell_count"] == 0
    assert meta["loads"] == [
        {"file": "brp/bevolking.csv", "rows_in": 100, "accepted": 95, "quarantined": 5}
    ]
    assert sorted(snap.indicators) == sorted(load_definitions())
    for info in snap.indicators.values():
        assert set(info) == {
            "title",
            "description",
            "unit",
            "polarity",
            "theme",
            "order",
            "source",
            "reference",
            "breakdowns",
            "structural_zeros",
            "structural_empty",
        }
    assert snap.indicators["wmo_per_1000"]["unit"] == "per 1.000"
    assert snap.indicators["bijstand_pct"]["structural_zeros"] == {
        "leeftijd": ["0-17"], "huishoudtype": ["overig"],
    }  # fmt: skip
    # Only the areas of the workspace's boundary year, with their names of that year.
    assert snap.areas.column_names == [
        "level",
        "code",
        "name",
        "parent_code",
        "gemeente_code",
        "boundary_year",
        "geometry",
    ]
    assert snap.areas.num_rows == 7
    assert set(snap.areas.column("boundary_year").to_pylist()) == {2024}
    assert "Noord (oud)" not in snap.areas.column("name").to_pylist()
    units = dict(
        zip(
            snap.cube.column("indicator_id").to_pylist(),
            snap.cube.column("unit").to_pylist(),
            strict=True,
        )
    )
    assert units["kosten_per_client_jeugd"] == "euro" and units["jeugdhulp_pct"] == "%"
    assert json.loads((snap.path / "indicators.json").read_text())  # valid JSON on disk
    assert report.as_dict()["refresh_id"] == report.refresh_id


def test_empty_workspace_is_a_one_line_dutch_error(make_ws: MakeWs) -> None:
    ws = make_ws(rows=False)
    with pytest.raises(RefreshError) as info:
        refresh(ws)
    assert "\n" not in str(info.value) and "nog geen bevolking" in str(info.value)
    assert load_current(ws.root) is None
    assert not (ws.published_dir / "CURRENT").exists()


def test_unknown_boundary_year_is_refused(make_ws: MakeWs) -> None:
    ws = make_ws(min_cell_count=0)
    ws.set_setting("boundary_year", 2030)
    with pytest.raises(RefreshError, match="grensjaar 2030"):
        refresh(ws)


def test_gated_cube_passes_the_last_check(make_ws: MakeWs) -> None:
    ws = make_ws(min_cell_count=0)
    refresh(ws)
    snap = load_current(ws.root)
    assert snap is not None
    assert_gated(snap.cube, 0)
    assert pc.sum(pc.equal(snap.cube.column("status"), "afgerond")).as_py() in (0, None)


def test_dominance_rule_suppresses_a_lone_clients_costs(make_ws: MakeWs) -> None:
    # B21 2023: e01 is the only jeugd client (400 euro, 100 % of the sum); B22 2023: d01
    # is the only wmo client. The gemeente sums have no dominant client (44 %, 43 %).
    ws = make_ws(min_cell_count=0, dominance_pct=85)
    refresh(ws)
    cells = _cells(ws)
    assert cells[("kosten_per_client_jeugd", B21, 2023)]["status"] == "onderdrukt"
    assert cells[("kosten_per_client_wmo", B22, 2023)]["status"] == "onderdrukt"
    assert cells[("kosten_per_client_jeugd", GM, 2023)]["status"] == "gepubliceerd"
    assert cells[("kosten_per_client_wmo", GM, 2023)]["status"] == "gepubliceerd"


def test_a_changed_youth_age_moves_the_youth_bands_and_drops_the_zeros_resting_on_it(
    make_ws: MakeWs,
) -> None:
    """With ``youth_max_age`` 18, e01 (born 2006, conftest.py) is youth in 2024: the
    youth tables' top band is "12-18" and holds a01..a08 (14), b01..b03 (12) and e01,
    while the "0-17" of a table of all inhabitants stays the minors (a01..a08, b01..b03,
    c01..c04) and e01 is 18-26. The zeros by definition of the four definitions that
    read the setting (through ``household_period``, where a household of "youth" only
    is no longer one of minors) are not used, and the refresh says so."""
    from zicht.indicators.engine import compute_cube, settled
    from zicht.privacy.disclosure import EMPTY_COLUMN, ZERO_COLUMN

    ws = make_ws()
    ws.set_setting("youth_max_age", 18)
    definitions, dropped = settled(load_definitions(), ws.settings)
    with ws.store(read_only=True) as store:
        # The declared definitions as loaded: the engine itself must not flag their zeros.
        cube = compute_cube(store, load_definitions(), ws.settings, 2024).to_pylist()
    assert not any(c[ZERO_COLUMN] or c[EMPTY_COLUMN] for c in cube)

    def den(indicator: str, category: str) -> int | None:
        got = [
            c["denominator"] for c in cube
            if (c["indicator_id"], c["level"], c["period"], c["breakdown"], c["category"])
            == (indicator, "gemeente", 2024, "leeftijd", category)
        ]  # fmt: skip
        return got[0] if got else None

    assert den("jeugdhulp_pct", "12-18") == 12
    assert den("jeugdhulp_pct", "12-17") is None
    assert den("wmo_per_1000", "0-17") == 15
    assert den("wmo_per_1000", "18-26") == 1
    expected = ["bijstand_pct", "bijstand_uitstroom_pct", "jeugdreclassering_pct"]
    expected += ["re_integratie_pct"]
    assert sorted(d.split(" ")[0] for d in dropped) == expected
    assert all(d.endswith("(youth_max_age = 18)") for d in dropped)
    assert all(not definitions[k].zeros() for k in expected)

    report = refresh(ws)
    assert sorted(report.unsettled_zeros) == sorted(dropped)
    assert all(line.startswith("Let op: ") for line in report.warnings())
    snap = load_current(ws.root)
    assert snap is not None
    assert not any(zeros_of(snap.indicators)[k] for k in expected)
    # At the default they are there (so the last check can fail).
    ws.set_setting("youth_max_age", 17)
    default = {k: d.public(ws.settings) for k, d in load_definitions().items()}
    assert zeros_of(default)["bijstand_pct"]
    # The youth tables' descriptions name the setting's age.
    assert "0 tot en met 18 jaar" in snap.indicators["jeugdhulp_pct"]["description"]
    assert "0 tot en met 17 jaar" in default["jeugdhulp_pct"]["description"]
