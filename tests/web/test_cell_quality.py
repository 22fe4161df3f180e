"""Every cell that leaves through the API and the indicator page carries the
data-quality score of its sources, as the hand-made snapshot states it (QUALITY)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from csvw import Table

from .snapshot_data import CELLS, QUALITY, TestClient


def test_api_json_cells_carry_the_score_and_the_definition(client: TestClient) -> None:
    body = client.get("/api/indicator/jeugdhulp_pct").json()
    n = sum(1 for c in CELLS if c[0] == "jeugdhulp_pct")
    assert len(body["cells"]) == n
    assert {c["quality_score"] for c in body["cells"]} == {91.5}
    assert body["quality"]["definition"] == QUALITY["definition"]
    assert [s["source"] for s in body["quality"]["sources"]] == ["jeugd", "brp"]
    # Suppressed cells carry it too: the score is about the sources, not the figure.
    assert any(c["status"] == "onderdrukt" for c in body["cells"])
    # No score known: null, never a made-up number.
    other = client.get("/api/indicator/beschikking_binnen_termijn_pct").json()
    assert {c["quality_score"] for c in other["cells"]} == {None}


def test_api_csv_has_a_quality_column(client: TestClient) -> None:
    text = client.get("/api/indicator/bijstand_pct.csv").text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows and {r["quality_score"] for r in rows} == {"78.25"}


def test_indicator_page_shows_the_score_with_its_explanation(client: TestClient) -> None:
    html = client.get("/indicator/jeugdhulp_pct").text
    assert "91,5 van 100" in html
    assert QUALITY["definition"] in html
    assert "jeugd: 91,5" in html and "brp: 99,0" in html
    html = client.get("/indicator/beschikking_binnen_termijn_pct").text
    assert "Datakwaliteit" in html and "niet bekend" in html


def test_api_csv_points_to_csvw_metadata_with_the_definition(
    client: TestClient, tmp_path: Path
) -> None:
    r = client.get("/api/indicator/jeugdhulp_pct.csv")
    assert r.headers["link"].startswith('<jeugdhulp_pct.csv-metadata.json>; rel="describedby"')
    meta = client.get("/api/indicator/jeugdhulp_pct.csv-metadata.json")
    assert meta.status_code == 200
    assert meta.headers["content-type"].startswith("application/csvm+json")
    doc = meta.json()
    body = client.get("/api/indicator/jeugdhulp_pct").json()
    assert doc["notes"][0]["indicator"]["title"] == body["indicator"]["title"]
    assert doc["notes"][0]["indicator"]["datakwaliteit"]["score"] == 91.5
    # An independent CSVW processor reads the API's CSV with it to the JSON's figures.
    (tmp_path / "jeugdhulp_pct.csv").write_bytes(r.content)
    (tmp_path / "jeugdhulp_pct.csv-metadata.json").write_bytes(meta.content)
    rows = list(Table.from_file(tmp_path / "jeugdhulp_pct.csv-metadata.json").iterdicts())
    want = {(c["level"], c["area_code"], c["period"], c["breakdown"] or "", c["category"] or ""): c
            for c in body["cells"]}  # fmt: skip
    assert len(rows) == len(want)
    for row in rows:
        cell = want[(row["level"], row["area_code"], row["period"],
                     row["breakdown"] or "", row["category"] or "")]  # fmt: skip
        for name in ("value", "numerator", "denominator"):
            got = row[name]
            assert (got is None) == (cell[name] is None), (name, row)
            if got is not None:
                assert float(got) == float(cell[name]), (name, row)
    assert client.get("/api/indicator/bestaat_niet.csv-metadata.json").status_code == 404
