"""The report page from a tiny hand-written snapshot: suppressed and missing figures."""

from __future__ import annotations

import base64
import re
from datetime import date

from zicht.goals.model import Goal
from zicht.goals.view import goal_views, published_from_tables
from zicht.reports import _svg
from zicht.reports.council import render_html

META = {"gemeente_code": "GM9901", "gemeente_naam": "Teststad", "periods": [2022, 2023],
        "boundary_year": 2024, "min_cell_count": 10, "loads": [], "refresh_id": "r1"}  # fmt: skip
INDICATORS = {"bijstand_pct": {"title": "Inwoners met bijstand", "description": "Aandeel.",
                               "unit": "%", "source": "s", "reference": "r"}}  # fmt: skip
CELLS = [
    # 2022 published, 2023 suppressed; wijk Noord suppressed, Zuid published in 2023.
    {"indicator_id": "bijstand_pct", "level": "gemeente", "area_code": "GM9901", "period": 2022,
     "breakdown": "", "value": 3.25, "numerator": 130, "denominator": 4000,
     "unit": "%", "status": "gepubliceerd"},
    {"indicator_id": "bijstand_pct", "level": "gemeente", "area_code": "GM9901", "period": 2023,
     "breakdown": "", "value": None, "numerator": None, "denominator": None,
     "unit": "%", "status": "onderdrukt"},
    {"indicator_id": "bijstand_pct", "level": "wijk", "area_code": "WK990101", "period": 2023,
     "breakdown": "", "value": None, "numerator": None, "denominator": None,
     "unit": "%", "status": "onderdrukt"},
    {"indicator_id": "bijstand_pct", "level": "wijk", "area_code": "WK990102", "period": 2023,
     "breakdown": "", "value": 2.5, "numerator": 50, "denominator": 2000,
     "unit": "%", "status": "gepubliceerd"},
]  # fmt: skip
AREAS = [
    {"level": "gemeente", "code": "GM9901", "name": "Teststad", "boundary_year": 2024},
    {"level": "wijk", "code": "WK990101", "name": "Noord", "boundary_year": 2024},
    {"level": "wijk", "code": "WK990102", "name": "Zuid", "boundary_year": 2024},
    {"level": "wijk", "code": "WK990101", "name": "Noord (oud)", "boundary_year": 2023},
]
GOAL = Goal.model_validate(
    {
        "id": "armoede", "title": "Minder armoede", "ambition": "Minder bijstand.",
        "programme": "P1",
        "indicators": [
            {"indicator": "bijstand_pct", "baseline_period": 2022, "target": 2.0,
             "target_date": date(2026, 12, 31), "direction": "omlaag"},
            {"indicator": "niet_gepubliceerd", "baseline_period": 2022, "target": 1.0,
             "target_date": date(2026, 12, 31), "direction": "omhoog"},
        ],
    }
)  # fmt: skip


def _render() -> tuple[str, list]:  # type: ignore[type-arg]
    pub = published_from_tables(META, INDICATORS, CELLS, AREAS)
    views = goal_views({"armoede": GOAL}, pub)
    return render_html(pub, views, today=date(2026, 1, 5)), views


def test_suppressed_and_unpublished_figures_are_words_not_numbers() -> None:
    html, views = _render()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    iv, missing = views[0].indicators
    assert [p.text for p in iv.series] == ["3,2%", "onderdrukt (privacybescherming)"]
    assert [(w.name, w.text) for w in iv.wijken] == [
        ("Noord", "onderdrukt (privacybescherming)"), ("Zuid", "2,5%")
    ]  # fmt: skip
    assert iv.progress.status == "onbekend" and "2023 is onderdrukt" in iv.progress.reason
    assert missing.progress.status == "onbekend" and not missing.published
    assert views[0].status == "onbekend"
    assert "Deze indicator is niet gepubliceerd." in text
    assert "Onderdrukt op gemeenteniveau: 2023" in text
    assert "1 van de 2 wijkcijfers over 2023 is onderdrukt" in text
    assert "Gemaakt op 5 januari 2026" in text
    assert "None" not in text and "nan" not in text.lower().split()


def test_chart_marks_the_suppressed_year_and_says_it_in_words() -> None:
    html, views = _render()
    iv = views[0].indicators[0]
    svg = _svg.line_chart(iv)
    assert svg.count("<circle") == 1  # only 2022 is drawn
    assert "×</text>" in svg
    alt = _svg.alt_text(iv)
    assert alt == (
        "Lijngrafiek van inwoners met bijstand in de gemeente per jaar. 2022: 3,2%; "
        "2023: onderdrukt (privacybescherming). Doel: 2,0% in 2026."
    )
    src = re.findall(r'<img src="data:image/svg\+xml;base64,([^"]+)"', html)
    assert len(src) == 2 and base64.b64decode(src[0]).decode() == svg
