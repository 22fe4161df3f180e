"""Stapeling against the generator's truth and against a hand-made household."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pytest
from tests.analysis.conftest import Built

from zicht.analysis import stapeling
from zicht.model.schema import create_schema
from zicht.store import open_store

pytestmark = pytest.mark.slow


def test_household_stapeling_equals_the_manifest_truth(gemeente: Callable[[int], Built]) -> None:
    built = gemeente(3)
    truth = {
        (c["level"], c["area_code"], c["period"]): (c["numerator"], c["denominator"])
        for c in built.manifest["truth"]["stapeling_hh_pct"]
    }
    with built.ws.store(read_only=True) as store:
        got = stapeling.cells(store, built.manifest["boundary_year"]).to_pylist()
    ours = {
        (r["level"], r["area_code"], r["period"]): (r["numerator"], r["denominator"])
        for r in got
        if r["indicator_id"] == stapeling.HOUSEHOLDS_ID and r["breakdown"] == ""
    }
    assert ours == truth
    # The combinations partition the households with stapeling.
    combos: dict[tuple[str, str, int], float] = {}
    for r in got:
        if r["indicator_id"] == stapeling.HOUSEHOLDS_ID and r["breakdown"]:
            key = (r["level"], r["area_code"], r["period"])
            combos[key] = combos.get(key, 0.0) + r["numerator"]
    assert combos == {k: v[0] for k, v in truth.items()}


def test_person_laws_and_overlaps_by_hand(tmp_path: Path) -> None:
    d = dt.date
    with open_store(tmp_path / "s.duckdb") as store:
        create_schema(store)
        store.insert_arrow(
            "person_period",
            pa.table({
                "period": [2024, 2024, 2024], "person_id": ["a", "b", "c"],
                "birth_year": [1980, 2010, 1950], "sex": ["1", "2", "1"],
                "household_id": ["h1", "h1", "h2"], "buurt_code": ["BU1", "BU1", "BU2"],
                "load_id": ["l"] * 3,
            }),
        )  # fmt: skip
        store.insert_arrow(
            "provision",
            pa.table({
                "provision_id": ["1", "2", "3", "4", "5"],
                "person_id": ["a", "a", "b", "c", "c"],
                "law": ["pwet", "wmo", "jeugd", "wmo", "schuld"],
                "product_category": ["bijstandsuitkering", "02", "45", "01", "schuldhulptraject"],
                "start_date": [d(2023, 1, 1), d(2024, 3, 1), d(2024, 1, 1), d(2020, 1, 1),
                               d(2024, 6, 1)],
                "end_date": [None, d(2024, 3, 10), d(2024, 12, 31), d(2024, 5, 31), None],
                "source": ["t"] * 5, "load_id": ["l"] * 5,
            }),
        )  # fmt: skip
        laws = {r["person_id"]: r["laws"] for r in stapeling.person_laws(store, 2024).to_pylist()}
        assert laws == {"a": "pwet+wmo", "b": "jeugd", "c": "schuld+wmo"}
        ov = {
            (r["person_id"], r["law_a"], r["law_b"]): r["overlap_days"]
            for r in stapeling.overlaps(store, 2024).to_pylist()
        }
        # a: bijstand all year, wmo 03-01..03-10 -> 10 days; c: wmo ended before schuld began.
        assert ov == {("a", "pwet", "wmo"): 10, ("c", "schuld", "wmo"): 0}
        hh = {
            r["household_id"]: r["laws"] for r in stapeling.household_laws(store, 2024).to_pylist()
        }
        assert hh == {"h1": "jeugd+pwet+wmo", "h2": "schuld+wmo"}


def test_the_mix_by_hand(tmp_path: Path) -> None:
    d = dt.date
    pp = [  # (period, person, household)
        (2024, "a", "h1"), (2024, "b", "h1"), (2025, "a", "h1"), (2025, "b", "h1"),
        (2024, "c", "h3"), (2025, "c", "h3"),
        (2024, "e", "h4"),  # h4 moved away before 2025: left out
    ]  # fmt: skip
    prov = [  # (person, law, start, end)
        ("a", "pwet", d(2023, 1, 1), d(2024, 12, 1)),
        ("a", "wmo", d(2024, 1, 1), None),
        ("b", "jeugd", d(2024, 2, 1), d(2024, 6, 1)),  # h1: 3 in 2024, 1 in 2025
        ("c", "pwet", d(2024, 1, 1), None),
        ("c", "wmo", d(2024, 1, 1), None),
        ("c", "schuld", d(2025, 3, 1), None),  # h3: 2 in 2024, 3 in 2025
        ("e", "pwet", d(2024, 1, 1), None),
        ("e", "wmo", d(2024, 1, 1), None),
    ]
    with open_store(tmp_path / "m.duckdb") as store:
        create_schema(store)
        store.insert_arrow(
            "person_period",
            pa.table({
                "period": [r[0] for r in pp], "person_id": [r[1] for r in pp],
                "birth_year": [1980] * len(pp), "sex": ["1"] * len(pp),
                "household_id": [r[2] for r in pp], "buurt_code": ["BU1"] * len(pp),
                "load_id": ["l"] * len(pp),
            }),
        )  # fmt: skip
        store.insert_arrow(
            "provision",
            pa.table({
                "provision_id": [str(i) for i in range(len(prov))],
                "person_id": [r[0] for r in prov], "law": [r[1] for r in prov],
                "start_date": [r[2] for r in prov], "end_date": [r[3] for r in prov],
                "source": ["t"] * len(prov), "load_id": ["l"] * len(prov),
            }),
        )  # fmt: skip
        got = {r["combination"]: r for r in stapeling.mix(store).to_pylist()}
    assert set(got) == {"jeugd+pwet+wmo", "pwet+wmo"}
    h1, h3 = got["jeugd+pwet+wmo"], got["pwet+wmo"]
    assert (h1["households"], h1["mean_now"], h1["mean_next"], h1["fewer"]) == (1, 3.0, 1.0, 1)
    assert (h3["households"], h3["mean_now"], h3["mean_next"], h3["more"]) == (1, 2.0, 3.0, 1)
