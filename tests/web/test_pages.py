"""Pages and API, in-process, against the hand-made snapshot of conftest.py."""

from __future__ import annotations

import csv
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import plotly.graph_objects as go

from zicht.web.app import create_app

from .accounts import logged_in
from .snapshot_data import (
    BUURTEN,
    CELLS,
    EXPECTED_LATEST,
    GM_NAME,
    INDICATORS,
    WIJKEN,
    TestClient,
    write_snapshot,
)

SUPPRESSED = "onderdrukt (privacybescherming)"


class _Tables(HTMLParser):
    """Collects the rows (lists of cell texts) of every table, by table id or caption."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.scripts: dict[str, str] = {}
        self._table: str | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._script: str | None = None
        self._count = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "table":
            self._count += 1
            self._table = a.get("id") or f"table{self._count}"
            self.tables[self._table] = []
        elif tag == "tr" and self._table:
            self._row = []
        elif tag in {"td", "th"} and self._row is not None:
            self._cell = []
        elif tag == "script" and a.get("type") == "application/json":
            self._script = a.get("id") or ""
            self.scripts[self._script] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag in {"td", "th"} and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None and self._table:
            self.tables[self._table].append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None
        elif tag == "script":
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        if self._script is not None:
            self.scripts[self._script] += data


def parse(html: str) -> _Tables:
    p = _Tables()
    p.feed(html)
    return p


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_overview_shows_latest_previous_and_direction(client: TestClient) -> None:
    r = client.get("/")
    assert r.status_code == 200
    assert '<html lang="nl">' in r.text
    page = text_of(r.text)
    assert f"Sociaal domein in {GM_NAME}" in page
    assert "Gepubliceerd 1 maart 2025, 12:00 UTC" in page
    for ind, (year, value, prev_year, prev_value, direction) in EXPECTED_LATEST.items():
        assert INDICATORS[ind]["title"] in page
        card = r.text.split(f'id="titel-{ind}"')[1].split("</article>")[0]
        assert f'data-testid="latest-{ind}">{value}<' in card
        assert f'data-testid="previous-{ind}">{prev_value}<' in card
        assert year in card and prev_year in card
        assert direction in text_of(card)
        assert f'href="/indicator/{ind}"' in card
    # Colour follows polarity, and the words say the same thing.
    assert "trend-gunstig" in r.text.split('id="titel-bijstand_pct"')[1].split("</article>")[0]
    card = r.text.split('id="titel-beschikking_binnen_termijn_pct"')[1].split("</article>")[0]
    assert "trend-ongunstig" in card and "4,5 procentpunt" in card
    jeugd = r.text.split('id="titel-jeugdhulp_pct"')[1].split("</article>")[0]
    assert "trend-neutraal" in jeugd and "(gunstig)" not in jeugd


def test_overview_groups_cards_under_their_theme(client: TestClient) -> None:
    """Headings in the fixed theme order; the Wmo cost card has no theme (as in a snapshot
    published before themes existed) and lands under "Overige indicatoren"."""
    html = client.get("/").text
    headings = re.findall(r'<h2 id="thema-titel-([a-z]+)"[^>]*>([^<]+)</h2>', html)
    assert headings == [
        ("jeugd", "Jeugd"),
        ("participatie", "Participatie en inkomen"),
        ("keten", "Klantketen en termijnen"),
        ("overig", "Overige indicatoren"),
    ]
    sections = {
        key: re.findall(
            r'id="titel-([a-z_]+)"', html.split(f'id="thema-{key}"')[1].split("</section>")[0]
        )
        for key, _ in headings
    }
    assert sections == {
        "jeugd": ["jeugdhulp_pct"],
        "participatie": ["bijstand_pct"],
        "keten": ["beschikking_binnen_termijn_pct"],
        "overig": ["kosten_per_client_wmo"],
    }
    nav = html.split('class="theme-nav"')[1].split("</nav>")[0]
    assert re.findall(r'href="#thema-([a-z]+)"', nav) == [key for key, _ in headings]


def test_cards_within_a_theme_follow_their_order(tmp_path: Path) -> None:
    """``order`` puts a card first within its theme; without it the file order stays."""
    from .snapshot_data import INDICATORS, write_snapshot

    indicators: dict[str, dict[str, object]] = {
        k: dict(v, theme="jeugd") for k, v in INDICATORS.items()
    }
    indicators["kosten_per_client_wmo"]["order"] = 1
    write_snapshot(tmp_path, indicators=indicators)
    html = logged_in(tmp_path).get("/").text
    section = html.split('id="thema-jeugd"')[1].split("</section>")[0]
    assert re.findall(r'id="titel-([a-z_]+)"', section) == [
        "kosten_per_client_wmo",
        *[k for k in INDICATORS if k != "kosten_per_client_wmo"],
    ]


def test_every_shipped_definition_names_its_theme() -> None:
    from zicht.indicators.definitions import load_definitions

    unthemed = [d.id for d in load_definitions().values() if d.theme == "overig"]
    assert unthemed == []


def test_overview_suppressed_latest_is_text_not_number(client: TestClient) -> None:
    r = client.get("/")
    card = r.text.split('id="titel-kosten_per_client_wmo"')[1].split("</article>")[0]
    assert f'data-testid="latest-kosten_per_client_wmo">{SUPPRESSED}<' in card
    assert "€ 4.321" in card  # 2023 was published
    assert "geen vergelijking mogelijk" in card
    tables = parse(card).tables
    rows = next(iter(tables.values()))
    assert rows[1:] == [["2023", "€ 4.321"], ["2024", SUPPRESSED]]


def test_overview_trend_chart_has_alternative(client: TestClient) -> None:
    r = client.get("/")
    parsed = parse(r.text)
    fig = json.loads(parsed.scripts["trend-jeugdhulp_pct"])
    assert fig["data"][0]["x"] == ["2022", "2023", "2024"]
    assert fig["data"][0]["y"] == [11.2, 11.8, 12.5]
    go.Figure(data=fig["data"], layout=fig["layout"])  # valid Plotly schema
    assert re.search(r'data-chart="trend-jeugdhulp_pct" role="img"\s+aria-label="Trend van', r.text)
    kosten = json.loads(parsed.scripts["trend-kosten_per_client_wmo"])
    assert kosten["data"][0]["y"] == [4321.0, None]


def test_indicator_page_wijk_ranking(client: TestClient) -> None:
    r = client.get("/indicator/jeugdhulp_pct?niveau=wijk&jaar=2024")
    assert r.status_code == 200
    page = text_of(r.text)
    assert INDICATORS["jeugdhulp_pct"]["description"] in page
    rows = parse(r.text).tables["ranglijst-tabel"]
    assert rows[0][:7] == ["Rang", "Gebied", "Code", "Waarde ▼", "Teller", "Noemer", "Status"]
    assert rows[1:] == [
        ["1", "Centrum", "WK990101", "14,2%", "71", "500", "gepubliceerd"],
        ["2", "Zuid", "WK990103", "9,8%", "49", "500", "gepubliceerd"],
        ["–", "Noord", "WK990102", SUPPRESSED, "–", "–", "onderdrukt"],
    ]
    assert 'href="/api/indicator/jeugdhulp_pct.csv?niveau=wijk&amp;jaar=2024"' in r.text
    trend = parse(r.text).tables["trendtabel"]
    assert [row[:4] for row in trend[1:]] == [
        ["2022", "11,2%", "168", "1.500"],
        ["2023", "11,8%", "177", "1.500"],
        ["2024", "12,5%", "190", "1.520"],
    ]


def test_indicator_page_buurt_sorted_by_name(client: TestClient) -> None:
    r = client.get("/indicator/jeugdhulp_pct?niveau=buurt&jaar=2024&sorteer=naam&volgorde=op")
    rows = parse(r.text).tables["ranglijst-tabel"][1:]
    names = [row[1].split(" (")[0] for row in rows]
    assert names == sorted(n for n, _ in BUURTEN.values())
    by_code = {row[2]: row for row in rows}
    assert by_code["BU99010101"][3] == "16,0%" and by_code["BU99010101"][0] == "1"
    assert by_code["BU99010201"][3:] == [SUPPRESSED, "–", "–", "onderdrukt"]
    assert "(Centrum)" in by_code["BU99010102"][1]  # the buurt's wijk
    assert 'aria-sort="ascending"' in r.text


def test_map_figure_has_every_area_and_no_suppressed_number(client: TestClient) -> None:
    r = client.get("/indicator/jeugdhulp_pct?niveau=buurt&jaar=2024")
    spec = json.loads(parse(r.text).scripts["kaart"])
    codes = [f["id"] for f in spec["geojson"]["features"]]
    assert sorted(codes) == sorted(BUURTEN)
    shown, hidden = spec["figure"]["data"]
    assert dict(zip(shown["locations"], shown["z"], strict=True)) == {
        "BU99010101": 16.0,
        "BU99010102": 12.4,
        "BU99010301": 10.5,
    }
    assert sorted(hidden["locations"]) == ["BU99010201", "BU99010302"]
    assert set(hidden["customdata"]) == {SUPPRESSED}
    layout = spec["figure"]["layout"]
    assert layout["geo"]["fitbounds"] == "locations" and layout["geo"]["visible"] is False
    traces = [dict(t, geojson=spec["geojson"]) for t in spec["figure"]["data"]]
    go.Figure(data=traces, layout=layout)  # valid Plotly schema


def test_suppressed_cells_never_show_a_number(client: TestClient) -> None:
    """Whatever is suppressed in the hand-made table is text on every page and export."""
    for niveau in ("wijk", "buurt"):
        r = client.get(f"/indicator/jeugdhulp_pct?niveau={niveau}&jaar=2024")
        for row in parse(r.text).tables["ranglijst-tabel"][1:]:
            if SUPPRESSED in row:
                assert not re.search(r"\d", " ".join(row[:2] + row[3:])), row


def test_leaked_value_in_a_suppressed_cell_is_still_hidden(tmp_path: Path) -> None:
    """Defence in depth: a cell marked onderdrukt shows no figure even if one leaked in."""
    cells = [c for c in CELLS if c[0] == "jeugdhulp_pct"]
    cells = [
        (*c[:4], 4242.42, 4343, 4444, "onderdrukt") if c[2] == "WK990102" and c[3] == 2024 else c
        for c in cells
    ]
    write_snapshot(tmp_path, cells)
    c = logged_in(tmp_path)
    for url in (
        "/indicator/jeugdhulp_pct?niveau=wijk&jaar=2024",
        "/api/indicator/jeugdhulp_pct?niveau=wijk",
        "/api/indicator/jeugdhulp_pct.csv?niveau=wijk",
    ):
        body = c.get(url).text
        for leaked in ("4242", "4.242", "4343", "4.343", "4444", "4.444"):
            assert leaked not in body, (url, leaked)


def _expected_rows(indicator: str, level: str, year: int) -> list[dict[str, str]]:
    names = dict(WIJKEN) | {k: v[0] for k, v in BUURTEN.items()}

    def num(v: float | None) -> str:
        return "" if v is None else (str(int(v)) if float(v).is_integer() else str(v))

    return [
        {
            "area_code": c[2],
            "area_name": names[c[2]],
            "value": num(c[4]),
            "numerator": num(c[5]),
            "denominator": num(c[6]),
            "status": c[7],
        }
        for c in sorted(CELLS, key=lambda c: c[2])
        if c[0] == indicator and c[1] == level and c[3] == year
    ]


def test_csv_matches_the_table(client: TestClient) -> None:
    r = client.get("/api/indicator/jeugdhulp_pct.csv?niveau=buurt&jaar=2024")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.text)))
    got = [
        {
            k: row[k]
            for k in ("area_code", "area_name", "value", "numerator", "denominator", "status")
        }
        for row in rows
    ]
    assert got == _expected_rows("jeugdhulp_pct", "buurt", 2024)
    assert {row["period"] for row in rows} == {"2024"}


def test_json_matches_the_table(client: TestClient) -> None:
    r = client.get("/api/indicator/jeugdhulp_pct?niveau=wijk&jaar=2024")
    body = r.json()
    assert body["indicator"]["title"] == INDICATORS["jeugdhulp_pct"]["title"]
    got = {
        c["area_code"]: (c["value"], c["numerator"], c["denominator"], c["status"])
        for c in body["cells"]
    }
    assert got == {
        "WK990101": (14.2, 71, 500, "gepubliceerd"),
        "WK990102": (None, None, None, "onderdrukt"),
        "WK990103": (9.8, 49, 500, "gepubliceerd"),
    }
    every = client.get("/api/indicator/jeugdhulp_pct").json()["cells"]
    assert len(every) == sum(1 for c in CELLS if c[0] == "jeugdhulp_pct")


def test_api_errors_are_dutch_json(client: TestClient) -> None:
    r = client.get("/api/indicator/bestaat_niet")
    assert r.status_code == 404 and "bestaat niet" in r.json()["detail"]
    r = client.get("/api/indicator/jeugdhulp_pct?niveau=provincie")
    assert r.status_code == 400 and "Niveau" in r.json()["detail"]
    assert client.get("/api/indicator/bestaat_niet.csv").status_code == 404


def test_health(client: TestClient, tmp_path: Path) -> None:
    assert client.get("/api/health").json()["published"] is True
    (tmp_path / "leeg").mkdir()
    empty = TestClient(create_app(tmp_path / "leeg"))  # health needs no login
    assert empty.get("/api/health").json() == {
        "status": "ok",
        "published": False,
        "refresh_id": None,
    }


def test_security_headers_everywhere(client: TestClient) -> None:
    for url in (
        "/",
        "/indicator/jeugdhulp_pct",
        "/api/health",
        "/static/zicht.css",
        "/vendor/plotly.min.js",
        "/bestaat-niet",
        "/gebied/WK990101",
        "/vergelijk?gebied=WK990101&gebied=WK990102",
        "/inloggen?next=/",
    ):
        r = client.get(url)
        csp = r.headers["content-security-policy"]
        assert "default-src 'self'" in csp
        assert "http:" not in csp and "https:" not in csp and "*" not in csp
        assert "'unsafe-eval'" not in csp
        directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
        assert directives["script-src"] == "'self'"  # no inline script, no eval
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "no-referrer"
        assert r.headers["x-frame-options"] == "DENY"


def test_pages_load_nothing_from_elsewhere(client: TestClient) -> None:
    for url in ("/", "/indicator/jeugdhulp_pct?niveau=buurt"):
        html = client.get(url).text
        assert not re.search(r"(src|href)=\"(https?:)?//", html)
        assert "<script>" not in html  # no inline script, only src= and JSON data blocks
    js = client.get("/vendor/plotly.min.js")
    assert js.status_code == 200 and b"plotly.js" in js.content[:200]


def test_unknown_indicator_is_a_dutch_404(client: TestClient) -> None:
    r = client.get("/indicator/bestaat_niet")
    assert r.status_code == 404
    assert "Pagina niet gevonden" in r.text and "bestaat niet" in r.text
    r = client.get("/geen/pagina")
    assert r.status_code == 404 and "Pagina niet gevonden" in r.text
    assert "Not Found" not in r.text


def test_bad_filters_fall_back_with_a_notice(client: TestClient) -> None:
    r = client.get("/indicator/jeugdhulp_pct?niveau=provincie&jaar=1999")
    assert r.status_code == 200
    page = text_of(r.text)
    assert "Onbekend niveau" in page and "Voor jaar 1999 zijn geen gegevens" in page
    assert "Ranglijst wijken, 2024" in page


def test_filter_form_is_plain_get(client: TestClient) -> None:
    r = client.get("/indicator/jeugdhulp_pct?niveau=wijk&jaar=2023")
    form = r.text.split('<form class="filters"')[1].split("</form>")[0]
    assert 'method="get"' in form and 'name="niveau"' in form and 'name="jaar"' in form
    assert '<option value="2023" selected>' in form
    rows = parse(r.text).tables["ranglijst-tabel"][1:]
    assert [row[3] for row in rows] == ["13,0%", "12,0%", "10,4%"]


def test_empty_workspace_explains_refresh(tmp_path: Path) -> None:
    c = logged_in(tmp_path)
    for url in ("/", "/indicator/jeugdhulp_pct"):
        r = c.get(url)
        assert r.status_code == 200
        assert "Nog niets gepubliceerd" in r.text and "zicht refresh" in r.text
    assert c.get("/api/indicator/jeugdhulp_pct").status_code == 404


def test_new_snapshot_is_picked_up(client: TestClient, workspace: Path) -> None:
    assert "12,5%" in client.get("/").text
    changed = [
        (*c[:4], 13.9, *c[5:])
        if c[1] == "gemeente" and c[3] == 2024 and c[0] == "jeugdhulp_pct"
        else c
        for c in CELLS
    ]
    write_snapshot(workspace, changed, snapshot_id="20250401T120000Z-cd34")
    assert "13,9%" in client.get("/").text
    assert client.get("/api/health").json()["refresh_id"] == "20250401T120000Z-cd34"


def test_unreadable_snapshot_is_a_dutch_error(tmp_path: Path) -> None:
    (tmp_path / "published").mkdir()
    (tmp_path / "published" / "CURRENT").write_text("ontbreekt", encoding="utf-8")
    r = logged_in(tmp_path).get("/")
    assert r.status_code == 503 and "onleesbaar" in r.text
