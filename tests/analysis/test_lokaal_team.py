"""The local team's figures against the generator's own count (manifest ``lokaal_team``)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from tests.analysis.conftest import Built

from zicht.analysis import lokaal_team

pytestmark = pytest.mark.slow


def test_local_team_figures_equal_the_manifest(gemeente: Callable[[int], Built]) -> None:
    built = gemeente(3)
    truth = {(t["wijk"], t["period"]): t for t in built.manifest["lokaal_team"]}
    with built.ws.store(read_only=True) as store:
        got = lokaal_team.figures(store).to_pylist()
    wijk = {(r["area_code"], r["period"]): r for r in got if r["level"] == "wijk"}
    assert set(wijk) == set(truth)
    for key, t in truth.items():
        r = wijk[key]
        for field in ("requests", "without_maatwerk", "closed_observable", "reentries",
                      "contacts", "median_contact_days"):  # fmt: skip
            assert r[field] == t[field], (key, field)
    # The gemeente is the sum of its wijken; about three in four requests need no maatwerk.
    for r in (r for r in got if r["level"] == "gemeente"):
        parts = [t for (w, p), t in truth.items() if p == r["period"]]
        assert r["requests"] == sum(t["requests"] for t in parts)
        assert 65.0 <= r["without_maatwerk_pct"] <= 85.0
