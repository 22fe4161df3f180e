"""Area profile, area list and comparison pages against the hand-made snapshot.

Expected texts are written by hand from snapshot_data.CELLS."""

from __future__ import annotations

import re
from pathlib import Path

from .accounts import logged_in
from .snapshot_data import BUURTEN, CELLS, WIJKEN, TestClient, write_snapshot

SUPPRESSED = "onderdrukt (privacybescherming)"


def _rows(html: str, table_id: str) -> dict[str, list[str]]:
    table = html.split(f'id="{table_id}"')[1].split("</table>")[0]
    body = table.split("<tbody>")[1]
    out = {}
    for ind, row in re.findall(r'<tr data-indicator="(\w+)"[^>]*>(.*?)</tr>', body, re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        out[ind] = [" ".join(re.sub(r"<[^>]+>", "", c).split()) for c in cells]
    return out


def test_wijk_profile_has_every_indicator(client: TestClient) -> None:
    r = client.get("/gebied/WK990101")
    assert r.status_code == 200 and "<h1>Wijk Centrum</h1>" in r.text
    rows = _rows(r.text, "profiel")
    assert set(rows) == {
        "jeugdhulp_pct",
        "bijstand_pct",
        "beschikking_binnen_termijn_pct",
        "kosten_per_client_wmo",
    }
    assert rows["jeugdhulp_pct"][1:] == [
        "2024",
        "14,2%",
        "▲ gestegen met 1,2 procentpunt t.o.v. 2023",
        "12,5%",
        "–",  # CBS
        "–",  # difference with CBS
    ]
    assert rows["bijstand_pct"][1:4] == [
        "2024",
        "4,5%",
        "geen vorige periode om mee te vergelijken",
    ]
    assert rows["bijstand_pct"][4] == "3,1%"
    assert rows["beschikking_binnen_termijn_pct"][1:3] == ["–", "geen gegevens"]
    # Buurten of the wijk are linked.
    assert 'href="/gebied/BU99010101"' in r.text and 'href="/gebied/BU99010102"' in r.text


def test_suppressed_area_figure_stays_words(client: TestClient) -> None:
    r = client.get("/gebied/WK990102")
    rows = _rows(r.text, "profiel")
    assert rows["jeugdhulp_pct"][2] == SUPPRESSED
    assert rows["jeugdhulp_pct"][3] == "geen vergelijking mogelijk (onderdrukt)"
    r = client.get("/gebied/WK990102?jaar=2023")
    assert _rows(r.text, "profiel")["jeugdhulp_pct"][1:3] == ["2023", "10,4%"]


def test_buurt_profile_and_unknown_area(client: TestClient) -> None:
    r = client.get("/gebied/BU99010101")
    assert "<h1>Buurt Binnenstad</h1>" in r.text
    assert 'href="/gebied/WK990101">Centrum</a>' in r.text  # breadcrumb to its wijk
    assert _rows(r.text, "profiel")["jeugdhulp_pct"][1:3] == ["2024", "16,0%"]
    r = client.get("/gebied/BU00000000")
    assert r.status_code == 404 and "bestaat niet" in r.text


def test_area_list_links_every_wijk_and_buurt(client: TestClient) -> None:
    html = client.get("/gebieden").text
    for code in list(WIJKEN) + list(BUURTEN):
        assert f'href="/gebied/{code}"' in html, code


def test_compare_two_wijken_side_by_side(client: TestClient) -> None:
    r = client.get("/vergelijk?gebied=WK990101&gebied=WK990103")
    rows = _rows(r.text, "vergelijking")
    assert rows["jeugdhulp_pct"][1:] == ["2024", "14,2%", "9,8%", "12,5%"]
    assert rows["bijstand_pct"][1:] == ["2024", "4,5%", "2,8%", "3,1%"]
    # The choice lives in the URL: the form shows both boxes ticked.
    assert 'value="WK990101" checked' in r.text and 'value="WK990103" checked' in r.text
    r = client.get("/vergelijk?gebied=WK990103&gebied=WK990102&gebied=BU99010101&jaar=2024")
    rows = _rows(r.text, "vergelijking")
    assert rows["jeugdhulp_pct"][1:] == ["2024", "9,8%", SUPPRESSED, "16,0%", "12,5%"]


def test_compare_needs_two_known_areas(client: TestClient) -> None:
    r = client.get("/vergelijk?gebied=WK990101&gebied=WK000000")
    assert r.status_code == 200
    assert "Onbekend gebied ‘WK000000’" in r.text and "Kies twee of meer" in r.text
    assert 'id="vergelijking"' not in r.text


def test_indicator_page_shows_breakdowns_with_suppression(tmp_path: Path) -> None:
    gm = "GM9901"
    cells = [
        *CELLS,
        ("jeugdhulp_pct", "gemeente", gm, 2024, 9.0, 90, 1000, "gepubliceerd", "leeftijd=0-11"),
        ("jeugdhulp_pct", "gemeente", gm, 2024, None, None, None, "onderdrukt", "leeftijd=12-17"),
    ]
    write_snapshot(tmp_path, cells)
    html = logged_in(tmp_path).get("/indicator/jeugdhulp_pct?niveau=wijk&jaar=2024").text
    table = html.split('id="uitsplitsing-tabel"')[1].split("</table>")[0]
    rows = [
        [
            " ".join(re.sub(r"<[^>]+>", "", c).split())
            for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r, re.S)
        ]
        for r in re.findall(r"<tr[^>]*>(.*?)</tr>", table.split("<tbody>")[1], re.S)
    ]
    assert rows == [
        ["leeftijd=0-11", "9,0%", "90", "1.000"],
        ["leeftijd=12-17", SUPPRESSED, "–", "–"],
    ]
    # The overview and the ranking still use the totals only.
    assert "12,5%" in logged_in(tmp_path).get("/").text
    no = logged_in(tmp_path).get("/indicator/jeugdhulp_pct?niveau=wijk&jaar=2023").text
    assert 'id="uitsplitsing-tabel"' not in no


def test_breakdown_categories_read_as_dutch_words_in_age_order(tmp_path: Path) -> None:
    """The cube keeps codes; the page shows words (codes from the iJw/iWmo lists in
    defaults/codes.yaml: COD046 geslacht 2, COD327 verwijzer 02, iJw productcategorie 45)
    and ages by their lower bound, not as text ("12-17" sorts before "6-11" as text)."""
    gm, p = "GM9901", "gepubliceerd"
    extra = [
        ("leeftijd", "12-17"),
        ("leeftijd", "6-11"),
        ("leeftijd", "0-5"),
        ("geslacht", "2"),
        ("verwijzer", "02"),
        ("productcategorie", "45"),
        ("wetcombinatie", "jeugd_wmo"),
        ("wetcombinatie", "alleen_pwet"),
    ]
    cells = [
        *CELLS,
        *(("jeugdhulp_pct", "gemeente", gm, 2024, 10.0, 10, 100, p, b, c) for b, c in extra),
    ]
    write_snapshot(tmp_path, cells)
    html = logged_in(tmp_path).get("/indicator/jeugdhulp_pct?niveau=wijk&jaar=2024").text
    table = html.split('id="uitsplitsing-tabel"')[1].split("</table>")[0]
    labels = [
        " ".join(re.sub(r"<[^>]+>", "", cells[0]).split())
        for cells in (
            re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r, re.S)
            for r in re.findall(r"<tr[^>]*>(.*?)</tr>", table.split("<tbody>")[1], re.S)
        )
    ]
    assert labels == [
        "Geslacht: vrouw",
        "Leeftijd: 0 t/m 5 jaar",
        "Leeftijd: 6 t/m 11 jaar",
        "Leeftijd: 12 t/m 17 jaar",
        "Productcategorie: Jeugdhulp ambulant",
        "Verwijzer: Huisarts",
        "Combinatie van wetten: alleen Participatiewet",
        "Combinatie van wetten: Jeugdwet + Wmo 2015",
    ]
