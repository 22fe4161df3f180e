"""The status rule at every edge, with figures chosen so the arithmetic is exact by hand.

Most cases: baseline 20 in 2021, target 10 in 2026 (omlaag); the agreed change is 10, so
the path is 20 → 10 in five years and expects 16 in 2023. A lag of 0.1 is 1 behind.
"""

from __future__ import annotations

import pytest

from zicht.goals.progress import (
    MIN_QUALITY,
    assess,
    data_quality,
    expected_on_path,
    meets,
    trend,
)

BASE = {"baseline_period": 2021, "target": 10.0, "target_period": 2026, "direction": "omlaag"}


def status(series: dict[int, float | None], **kw: object) -> str:
    args = {**BASE, **kw}
    return assess(series=series, **args).status


@pytest.mark.parametrize(
    ("latest", "expected_status", "lag"),
    [
        (16.0, "op koers", 0.0),  # on the path
        (15.0, "op koers", -0.1),  # ahead of it
        (17.0, "op koers", 0.1),  # exactly ON_TRACK_LAG behind
        (17.01, "risico", 0.101),  # just past it
        (18.5, "risico", 0.25),  # exactly RISK_LAG behind
        (18.51, "niet op koers", 0.251),  # just past it; the trend does not catch up
    ],
)
def test_lag_thresholds(latest: float, expected_status: str, lag: float) -> None:
    # 2022 halfway, so the trend points the right way (downward) in every case.
    series = {2021: 20.0, 2022: (20.0 + latest) / 2, 2023: latest}
    got = assess(series=series, **BASE)
    assert got.status == expected_status
    assert got.expected_value == pytest.approx(16.0)
    assert got.lag == pytest.approx(lag)
    assert got.latest_period == 2023 and got.baseline_value == 20.0


def test_on_path_but_trend_against_is_risico() -> None:
    # Path expects 14 in 2024; 2024 is 14 (lag 0) but the last three rise: 13, 13.5, 14.
    series = {2021: 20.0, 2022: 13.0, 2023: 13.5, 2024: 14.0}
    got = assess(series=series, **BASE)
    assert got.lag == pytest.approx(0.0) and got.trend == pytest.approx(0.5)
    assert got.status == "risico" and "verkeerde kant" in got.reason


def test_a_suppressed_year_is_skipped_by_the_trend() -> None:
    # 2022 suppressed: the trend runs through 2021 and 2023 (slope -2, the right way).
    assert status({2021: 20.0, 2022: None, 2023: 16.0}) == "op koers"
    assert trend({2021: 20.0}, 2021) is None


def test_far_behind_but_trend_reaches_target_is_risico() -> None:
    # omhoog: 50 → 60 from 2021 to 2031, path expects 53 in 2024; 50 is lag 0.3.
    kw = {"baseline_period": 2021, "target": 60.0, "target_period": 2031, "direction": "omhoog"}
    fast = assess(series={2021: 50.0, 2022: 46.0, 2023: 48.0, 2024: 50.0}, **kw)
    assert fast.lag == pytest.approx(0.3) and fast.trend == pytest.approx(2.0)
    assert fast.projected == pytest.approx(64.0)  # 50 + 2 x 7 years ≥ 60
    assert fast.status == "risico"
    slow = assess(series={2021: 50.0, 2022: 48.0, 2023: 49.0, 2024: 50.0}, **kw)
    assert slow.projected == pytest.approx(57.0)  # 50 + 1 x 7 < 60
    assert slow.status == "niet op koers"


def test_target_met_early_and_exactly() -> None:
    assert status({2021: 20.0, 2022: 12.0, 2023: 9.0}) == "op koers"
    assert status({2021: 20.0, 2022: 30.0, 2023: 10.0}) == "op koers"  # equal is met
    assert meets(10.0, 10.0, "omlaag") and meets(10.0, 10.0, "omhoog")
    assert not meets(10.01, 10.0, "omlaag") and not meets(9.99, 10.0, "omhoog")


def test_target_period_reached_decides_on_the_target_alone() -> None:
    assert status({2021: 20.0, 2026: 10.0}) == "op koers"
    assert status({2021: 20.0, 2025: 10.0, 2026: 10.5}) == "niet op koers"
    assert status({2021: 20.0, 2027: 9.0}) == "op koers"  # after the target year
    assert status({2021: 20.0, 2027: 11.0}) == "niet op koers"


@pytest.mark.parametrize(
    ("series", "quality", "reason"),
    [
        ({}, None, "nog geen gepubliceerd cijfer"),
        ({2021: 20.0}, None, "nog geen cijfer na de basisperiode"),
        ({2020: 25.0, 2021: 20.0}, None, "nog geen cijfer na de basisperiode"),
        ({2021: 20.0, 2023: None}, None, "over 2023 is onderdrukt"),
        ({2021: None, 2023: 16.0}, None, "basisperiode 2021 is onderdrukt"),
        ({2022: 18.0, 2023: 16.0}, None, "basisperiode 2021 is onderdrukt of ontbreekt"),
        ({2021: 20.0, 2023: 16.0}, MIN_QUALITY - 0.0001, "datakwaliteit"),
    ],
)
def test_unknown(series: dict[int, float | None], quality: float | None, reason: str) -> None:
    got = assess(series=series, quality=quality, **BASE)
    assert got.status == "onbekend" and reason in got.reason


def test_quality_at_the_minimum_is_enough() -> None:
    assert status({2021: 20.0, 2023: 16.0}, quality=MIN_QUALITY) == "op koers"


def test_milestones_bend_the_path() -> None:
    # Milestone 12 in 2022: the path expects 12 - 2 x (1/4) = 11.5 in 2023; 14 is 0.25 behind.
    series = {2021: 20.0, 2022: 17.0, 2023: 14.0}
    assert status(series) == "op koers"  # straight path expects 16: ahead
    got = assess(series=series, milestones=[(2022, 12.0)], **BASE)
    assert got.expected_value == pytest.approx(11.5)
    assert got.lag == pytest.approx(0.25) and got.status == "risico"


def test_hold_goal_uses_a_share_of_the_target_as_scale() -> None:
    # Baseline already at the target (10, at most 10): scale 5% of 10 = 0.5.
    kw = {**BASE, "target": 10.0}
    got = assess(series={2021: 10.0, 2022: 10.2, 2023: 10.1}, **kw)
    assert got.lag == pytest.approx(0.2) and got.status == "risico"
    got = assess(series={2021: 10.0, 2022: 10.6, 2023: 10.3}, **kw)
    assert got.lag == pytest.approx(0.6) and got.status == "niet op koers"


def test_expected_on_path_and_trend() -> None:
    path = [(2023, 14.0), (2026, 10.0)]
    assert expected_on_path(2021, 20.0, path, 2021) == 20.0
    assert expected_on_path(2021, 20.0, path, 2022) == 17.0
    assert expected_on_path(2021, 20.0, path, 2023) == 14.0
    assert expected_on_path(2021, 20.0, path, 2029) == 10.0
    # Least squares over the last three: (2022, 3), (2023, 1), (2024, 2) -> slope -0.5.
    assert trend({2020: 100.0, 2022: 3.0, 2023: 1.0, 2024: 2.0}, 2024) == pytest.approx(-0.5)
    assert trend({2022: 3.0, 2023: None, 2024: 2.0}, 2024) == pytest.approx(-0.5)


def test_data_quality() -> None:
    meta = {"loads": [{"rows_in": 100, "accepted": 96}, {"rows_in": 100, "accepted": 94}]}
    assert data_quality(meta) == pytest.approx(0.95)
    assert data_quality(meta, {"quality": 0.5}) == 0.5
    assert data_quality({"loads": []}) is None
