"""The standard indicators against a table computed by hand from conftest.py's workspace.

Every expected figure below is counted by hand from the rows listed in conftest.py (the
comments say which persons, provisions and events count), independently of the SQL.
The cube is computed ungated, so every figure is visible.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pytest

from zicht.indicators.definitions import load_definitions
from zicht.indicators.engine import compute_cube
from zicht.workspace import Workspace

GM, N, Z = "GM9901", "WK990101", "WK990102"

# (indicator, area, period, breakdown, category) -> (numerator or None, denominator, value)
EXPECTED: dict[tuple[str, str, int, str, str], tuple[float | None, int, float]] = {
    # Youth 2023: a01-a08, b01-b03, c01-c04, e01 = 16; 2024: e01 is 18, so 15.
    # Jeugdbescherming (48): J2 of a02, open from 2023-06-01.
    ("jeugdbescherming_pct", GM, 2023, "", ""): (1, 16, 6.25),
    ("jeugdbescherming_pct", GM, 2024, "", ""): (1, 15, 100 / 15),
    ("jeugdbescherming_pct", N, 2023, "", ""): (1, 11, 100 / 11),
    ("jeugdbescherming_pct", Z, 2023, "", ""): (0, 5, 0.0),
    # a02 is 13 in 2023 (12-17, with a01-a08 and e01: 9), sex 2 (even).
    ("jeugdbescherming_pct", GM, 2023, "leeftijd", "12-17"): (1, 9, 100 / 9),
    ("jeugdbescherming_pct", GM, 2023, "leeftijd", "6-11"): (0, 7, 0.0),
    # Jeugdreclassering (47): J9 of c01 in March 2024.
    ("jeugdreclassering_pct", GM, 2023, "", ""): (0, 16, 0.0),
    ("jeugdreclassering_pct", GM, 2024, "", ""): (1, 15, 100 / 15),
    # Verblijf (35): J5 of e01, who is youth in 2023 only.
    ("jeugdhulp_verblijf_pct", GM, 2023, "", ""): (1, 16, 6.25),
    ("jeugdhulp_verblijf_pct", GM, 2024, "", ""): (0, 15, 0.0),
    # Jeugd starts: 2023 J2 (01) and J5 (04), J6 is x01's; 2024 J3 (02), J4 (02), J9 (05).
    ("jeugdhulp_via_gemeente_pct", GM, 2023, "", ""): (1, 2, 50.0),
    ("jeugdhulp_via_gemeente_pct", GM, 2024, "", ""): (0, 3, 0.0),
    ("jeugdhulp_gi_pct", GM, 2023, "", ""): (1, 2, 50.0),
    ("jeugdhulp_medisch_specialist_pct", GM, 2024, "", ""): (1, 3, 100 / 3),
    ("jeugdhulp_starts", GM, 2023, "", ""): (None, 2, 2.0),
    ("jeugdhulp_starts", GM, 2023, "verwijzer", "01"): (None, 1, 1.0),
    ("jeugdhulp_starts", GM, 2023, "verwijzer", "04"): (None, 1, 1.0),
    ("jeugdhulp_starts", GM, 2024, "verwijzer", "02"): (None, 2, 2.0),
    ("jeugdhulp_starts", GM, 2024, "verwijzer", "05"): (None, 1, 1.0),
    ("jeugdhulp_starts", GM, 2024, "verwijzer", "01"): (None, 0, float("nan")),
    # Inhabitants 2023: 49, 2024: 46. Hulp bij het huishouden (01): 2023 a09, a10, d01;
    # 2024 a09, b04.
    ("wmo_hbh_per_1000", GM, 2023, "", ""): (3, 49, 3000 / 49),
    ("wmo_hbh_per_1000", GM, 2024, "", ""): (2, 46, 2000 / 46),
    # Wmo by sex, 2023: a09, d01, c05 are 1 (26 inhabitants), a10 is 2 (23).
    ("wmo_per_1000", GM, 2023, "geslacht", "1"): (3, 26, 3000 / 26),
    ("wmo_per_1000", GM, 2023, "geslacht", "2"): (1, 23, 1000 / 23),
    # Active wmo provisions: 2023 W1, W2, W4 (01) and W5, W6 (02); 2024 W1, W3 and W5.
    ("wmo_voorzieningen", GM, 2023, "", ""): (None, 5, 5.0),
    ("wmo_voorzieningen", GM, 2023, "productcategorie", "01"): (None, 3, 3.0),
    ("wmo_voorzieningen", GM, 2023, "productcategorie", "02"): (None, 2, 2.0),
    ("wmo_voorzieningen", GM, 2024, "productcategorie", "01"): (None, 2, 2.0),
    # Adults: 2023 49 - 16 = 33, 2024 46 - 15 = 31. Bijstand: 2023 a11, a09; 2024 also c07.
    ("bijstand_per_1000", GM, 2023, "", ""): (2, 33, 2000 / 33),
    ("bijstand_per_1000", GM, 2024, "", ""): (3, 31, 3000 / 31),
    # a11 and c07 live alone; a09 with youth a01 (one adult with a child).
    ("bijstand_per_1000", GM, 2024, "huishoudtype", "eenpersoons"): (2, -1, float("nan")),
    ("bijstand_per_1000", GM, 2024, "huishoudtype", "eenouder"): (1, -1, float("nan")),
    # Outflow: 2023 nobody's bijstand ended before 31 Dec; 2024 a09's ended 1 Jan.
    ("bijstand_uitstroom_pct", GM, 2023, "", ""): (0, 2, 0.0),
    ("bijstand_uitstroom_pct", GM, 2024, "", ""): (1, 3, 100 / 3),
    # Re-integratie: c07 (P5 from August 2024); c06 has one but no bijstand.
    ("re_integratie_pct", GM, 2023, "", ""): (0, 2, 0.0),
    ("re_integratie_pct", GM, 2024, "", ""): (1, 3, 100 / 3),
    # Schuldhulp requests by adults: 2023 a12, b05 (a03's S1 is a youth's); 2024 c08.
    ("schuldhulp_aanvragen_per_1000", GM, 2023, "", ""): (2, 33, 2000 / 33),
    ("schuldhulp_aanvragen_per_1000", GM, 2024, "", ""): (1, 31, 1000 / 31),
    # First conversation: 2023 S2 (19 days); 2024 S3 (41) and S4 (28, within 4 weeks).
    ("schuldhulp_eerste_gesprek_mediaan", GM, 2023, "", ""): (None, 1, 19.0),
    ("schuldhulp_eerste_gesprek_mediaan", GM, 2024, "", ""): (None, 2, 34.5),
    ("schuldhulp_eerste_gesprek_binnen_termijn_pct", GM, 2023, "", ""): (1, 1, 100.0),
    ("schuldhulp_eerste_gesprek_binnen_termijn_pct", GM, 2024, "", ""): (1, 2, 50.0),
    # Persons with provisions 2023: a01, a02, e01 (jeugd), a10, d01, c05 (wmo), a11, c06
    # (pwet), a09 (wmo + pwet). 2024: a02, b01, e01, c01; b04, c05; a11, c06, c07; a09.
    ("stapeling_personen", GM, 2023, "", ""): (None, 9, 9.0),
    ("stapeling_personen", GM, 2023, "aantal_wetten", "1"): (None, 8, 8.0),
    ("stapeling_personen", GM, 2023, "aantal_wetten", "2"): (None, 1, 1.0),
    ("stapeling_personen", GM, 2023, "wetcombinatie", "alleen_jeugd"): (None, 3, 3.0),
    ("stapeling_personen", GM, 2023, "wetcombinatie", "alleen_wmo"): (None, 3, 3.0),
    ("stapeling_personen", GM, 2023, "wetcombinatie", "alleen_pwet"): (None, 2, 2.0),
    ("stapeling_personen", GM, 2023, "wetcombinatie", "wmo_pwet"): (None, 1, 1.0),
    ("stapeling_personen", GM, 2024, "wetcombinatie", "alleen_jeugd"): (None, 4, 4.0),
    ("stapeling_personen", GM, 2024, "wetcombinatie", "alleen_pwet"): (None, 3, 3.0),
    ("stapeling_personen", Z, 2024, "wetcombinatie", "alleen_jeugd"): (None, 2, 2.0),
    ("stapeling_personen", Z, 2024, "wetcombinatie", "alleen_pwet"): (None, 2, 2.0),
    ("stapeling_personen_pct", GM, 2023, "", ""): (1, 49, 100 / 49),
    ("stapeling_personen_pct", GM, 2024, "", ""): (1, 46, 100 / 46),
    # Households 2023: hA1 (all three), hA2 (jeugd + wmo), hX and hW (pwet), hY (wmo),
    # e01 alone (jeugd). 2024: hA1 (wmo + pwet), hX (jeugd + pwet), hA2, e01, c01
    # (jeugd), hY, b04 (wmo), hW, c07 (pwet).
    ("stapeling_huishoudens", GM, 2023, "", ""): (None, 6, 6.0),
    ("stapeling_huishoudens", GM, 2023, "aantal_wetten", "3"): (None, 1, 1.0),
    ("stapeling_huishoudens", GM, 2023, "wetcombinatie", "jeugd_wmo_pwet"): (None, 1, 1.0),
    ("stapeling_huishoudens", GM, 2023, "wetcombinatie", "jeugd_wmo"): (None, 1, 1.0),
    ("stapeling_huishoudens", GM, 2023, "wetcombinatie", "alleen_pwet"): (None, 2, 2.0),
    ("stapeling_huishoudens", GM, 2024, "", ""): (None, 9, 9.0),
    ("stapeling_huishoudens", GM, 2024, "aantal_wetten", "2"): (None, 2, 2.0),
    ("stapeling_huishoudens", GM, 2024, "wetcombinatie", "jeugd_pwet"): (None, 1, 1.0),
    ("stapeling_huishoudens", GM, 2024, "wetcombinatie", "alleen_jeugd"): (None, 3, 3.0),
    # Aanvraag -> beschikking, 2023: 14, 15, 30 (wmo), 40, 56 (jeugd); 2024: 13 (wmo),
    # 57 (jeugd), 61 (pwet). p90 by linear interpolation: 2023 rank 3.6 -> 49.6.
    ("doorlooptijd_beschikking_p90", GM, 2023, "", ""): (None, 5, 49.6),
    ("doorlooptijd_beschikking_p90", GM, 2024, "", ""): (None, 3, 60.2),
    ("doorlooptijd_beschikking_mediaan", GM, 2023, "wet", "jeugd"): (None, 2, 48.0),
    ("doorlooptijd_beschikking_mediaan", GM, 2023, "wet", "wmo"): (None, 3, 15.0),
    ("doorlooptijd_beschikking_mediaan", GM, 2024, "wet", "pwet"): (None, 1, 61.0),
    ("beschikking_binnen_termijn_pct", GM, 2023, "wet", "jeugd"): (2, 2, 100.0),
    ("beschikking_binnen_termijn_pct", GM, 2023, "wet", "wmo"): (1, 3, 100 / 3),
    # Melding -> aanvraag (wmo), all aanvragen in 2023: 31, 30, 19.
    ("doorlooptijd_melding_aanvraag_mediaan", GM, 2023, "", ""): (None, 3, 30.0),
    ("doorlooptijd_melding_aanvraag_p90", GM, 2023, "", ""): (None, 3, 30.8),
    ("doorlooptijd_melding_aanvraag_mediaan", GM, 2024, "", ""): (None, 0, float("nan")),
    # Beschikking -> start, by the start's year: 2023 J2 5, J5 5, W2 16, W5 16 (W4 started
    # before its beschikking); 2024 J3 12, P4 31, J4 34 (W3 started before it).
    ("doorlooptijd_beschikking_start_mediaan", GM, 2023, "", ""): (None, 4, 10.5),
    ("doorlooptijd_beschikking_start_p90", GM, 2023, "", ""): (None, 4, 16.0),
    ("doorlooptijd_beschikking_start_mediaan", GM, 2024, "", ""): (None, 3, 31.0),
    ("doorlooptijd_beschikking_start_p90", GM, 2024, "", ""): (None, 3, 33.4),
    ("doorlooptijd_beschikking_start_mediaan", GM, 2024, "wet", "pwet"): (None, 1, 31.0),
}


@pytest.fixture(scope="module")
def cube(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    from tests.indicators.conftest import insert_rows

    root = tmp_path_factory.mktemp("std")
    ws = Workspace.init(
        root / "ws", gemeente_code="GM9901", gemeente_naam="Teststad", boundary_year=2024
    )
    insert_rows(ws)
    with ws.store(read_only=True) as store:
        return list(compute_cube(store, load_definitions(), ws.settings, 2024).to_pylist())


def test_standard_indicators_equal_the_hand_computed_table(cube: list[dict[str, Any]]) -> None:
    cells = {
        (c["indicator_id"], c["area_code"], c["period"], c["breakdown"], c["category"]): c
        for c in cube
    }
    assert len(cells) == len(cube)
    for key, (num, den, value) in EXPECTED.items():
        cell = cells.get(key)
        if den == 0 and cell is None:
            continue  # a category nobody has in any area is not in the grid
        assert cell is not None, key
        if num is not None:
            assert cell["numerator"] == pytest.approx(num), key
        if den >= 0:
            assert cell["denominator"] == den, key
        if value == value:  # not NaN
            assert cell["value"] == pytest.approx(value, abs=1e-9), key
        elif den == 0:
            assert cell["value"] is None, key


def test_every_new_indicator_is_checked_by_hand() -> None:
    shipped = set(load_definitions())
    checked = {k[0] for k in EXPECTED}
    first_nine = {
        "jeugdhulp_pct",
        "wmo_per_1000",
        "bijstand_pct",
        "stapeling_hh_pct",
        "doorlooptijd_beschikking_mediaan",
        "beschikking_binnen_termijn_pct",
        "kosten_per_client_jeugd",
        "kosten_per_client_wmo",
        "jeugdhulp_huisarts_pct",
    }
    # Definitions another branch adds are tested there.
    elsewhere = {"kinderen_in_bijstandsgezin_pct", "jeugdhulp_via_lokaal_team_pct"}
    # The first nine are checked in test_refresh.py (and against the generator's truth).
    assert shipped - first_nine - elsewhere - checked == set()


def test_breakdown_categories_add_up_to_the_total(cube: list[dict[str, Any]]) -> None:
    totals = {
        (c["indicator_id"], c["area_code"], c["period"]): c for c in cube if c["breakdown"] == ""
    }
    sums: dict[tuple[str, str, int, str], list[float]] = defaultdict(lambda: [0.0, 0.0])
    for c in cube:
        if c["breakdown"]:
            assert c["level"] in ("gemeente", "wijk"), c
            s = sums[(c["indicator_id"], c["area_code"], c["period"], c["breakdown"])]
            s[0] += c["numerator"] or 0.0
            s[1] += c["denominator"]
    assert len(sums) > 100
    for (ind, area, period, _bd), (num, den) in sums.items():
        total = totals[(ind, area, period)]
        assert den == total["denominator"], (ind, area, period, _bd)
        assert num == pytest.approx(total["numerator"] or 0.0), (ind, area, period, _bd)


def test_totals_and_only_totals_have_an_empty_category(cube: list[dict[str, Any]]) -> None:
    for c in cube:
        assert (c["breakdown"] == "") == (c["category"] == ""), c
