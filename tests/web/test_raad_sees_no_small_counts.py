"""A raad user never sees microdata or an unsuppressed small count: every page and API
route a raad user may open is requested on a snapshot where figures leaked into the
suppressed cells (defence in depth), and none of those figures may appear anywhere."""

from __future__ import annotations

import re
from pathlib import Path

from zicht.privacy.roles import Role
from zicht.web.access import iter_routes, rule_of

from .accounts import logged_in
from .snapshot_data import CELLS, write_snapshot

# Distinctive numbers planted in every suppressed cell: value, numerator, denominator.
LEAKS = {"value": 4242.42, "numerator": 4343.0, "denominator": 4444.0}
LEAKED_TEXTS = ["4242", "4.242", "4343", "4.343", "4444", "4.444"]
PARAMS = {"indicator_id": "jeugdhulp_pct", "code": "WK990102", "name": "x"}
EXTRA = [
    "/indicator/jeugdhulp_pct?niveau=buurt&jaar=2024",
    "/indicator/kosten_per_client_wmo?niveau=wijk",
    "/gebied/BU99010201",
    "/gebied/BU99010302?jaar=2024",
    "/vergelijk?gebied=WK990101&gebied=WK990102&gebied=BU99010201&gebied=BU99010302",
    "/api/indicator/jeugdhulp_pct.csv",
    "/api/indicator/kosten_per_client_wmo",
]


def test_no_leaked_figure_on_any_route_a_raad_user_can_open(tmp_path: Path) -> None:
    leaked = [
        (*c[:4], LEAKS["value"], LEAKS["numerator"], LEAKS["denominator"], c[7])
        if c[7] == "onderdrukt"
        else c
        for c in CELLS
    ]
    assert any(c[7] == "onderdrukt" for c in leaked)
    write_snapshot(tmp_path, leaked)
    client = logged_in(tmp_path, Role.RAAD)
    urls = list(EXTRA)
    for route in iter_routes(client.app):
        rule = rule_of(route)
        if "GET" not in (getattr(route, "methods", None) or ()) or rule == "public":
            continue
        if Role.RAAD in rule:  # type: ignore[operator]
            urls.append(
                re.sub(r"\{(\w+)\}", lambda m: PARAMS.get(m.group(1), "x"), route.path_format)
            )
    checked = 0
    for url in urls:
        r = client.get(url)
        if r.status_code != 200:
            continue
        checked += 1
        for text in LEAKED_TEXTS:
            assert text not in r.text, (url, text)
        assert "BSN" not in r.text or url.startswith("/api/openapi"), url
    assert checked >= 12
