"""The generator's provisions keep to the law where the indicators' zeros by definition
rest on it (docs/disclosure.md, "Zeros by definition"): no jeugdreclassering under 12,
no re-integratie from the AOW age on, and bijstand above the AOW age for a few, as CBS
counts it. Drawn on a hand-made population: 1,000 people of every age 0–99."""

from __future__ import annotations

import numpy as np

from zicht.synth._population import Population, day_of_year_start
from zicht.synth._provisions import AOW_AGE, JEUGD, OLD_AGE_PWET_RATE, PWET, make
from zicht.synth._writers import NO_DATE

PERIODS = [2021, 2022, 2023, 2024, 2025]
PER_AGE = 1_000


def _population() -> Population:
    ages = np.repeat(np.arange(100), PER_AGE)
    n = len(ages)
    peil = day_of_year_start(PERIODS[0])
    ones = np.ones(n, dtype=np.int64)
    return Population(
        periods=PERIODS,
        bsn=np.arange(n, dtype=np.int64),
        birth=(peil - ages * 365.25 - 100).astype(np.int64),
        death=np.full(n, NO_DATE, dtype=np.int64),
        sex=ones,
        hh=np.arange(n, dtype=np.int64),
        surname=ones,
        first_name=ones,
        hh_number=np.arange(n, dtype=np.int64),
        hh_buurt=np.zeros((n, len(PERIODS)), dtype=np.int64),
        hh_house=np.ones((n, len(PERIODS)), dtype=np.int64),
        hh_risk=np.zeros(n),
    )


def _age_at_start(pop: Population, person: np.ndarray, start: np.ndarray) -> np.ndarray:
    return np.asarray((start - pop.birth[person]) / 365.25)


def test_nobody_under_12_starts_jeugdreclassering() -> None:
    pop = _population()
    s = make(np.random.default_rng(3), pop, "jeugd", PERIODS, 5)
    category = np.array([t.category for t in JEUGD])[s.kind]
    age = _age_at_start(pop, s.person, s.start)
    reclassering = category == "47"
    assert reclassering.sum() > 50  # so the test can fail
    assert age[reclassering].min() >= 12
    # Children under 12 still get every other product, jeugdbescherming (48) included.
    young = age < 12
    assert set(category[young]) == {t.category for t in JEUGD} - {"47"}


def test_bijstand_above_the_aow_age_for_a_few_and_no_re_integratie() -> None:
    pop = _population()
    s = make(np.random.default_rng(4), pop, "pwet", PERIODS, 5)
    kind = np.array(PWET)[s.kind]
    # The start rate goes by the age on 1 January of the year the spell starts in.
    year_starts = np.array([day_of_year_start(y) for y in range(PERIODS[0], PERIODS[-1] + 2)])
    in_periods = s.start >= year_starts[0]
    y0 = year_starts[np.maximum(np.searchsorted(year_starts, s.start, side="right") - 1, 0)]
    age_jan = _age_at_start(pop, s.person, y0)
    old = (kind == "bijstandsuitkering") & in_periods & (age_jan >= AOW_AGE)
    # By hand: 1,000 people of every age, each a year older every period, the ages
    # 67–99 at the rate; spells that start in the periods are all kept.
    person_years = sum(
        PER_AGE * int((np.arange(100) + k >= AOW_AGE).sum()) for k in range(len(PERIODS))
    )
    expected = OLD_AGE_PWET_RATE * person_years  # 1.2 ‰ × 5 × 33,000 + ... ≈ 200
    assert 0.75 * expected < old.sum() < 1.25 * expected, (old.sum(), expected)
    age = _age_at_start(pop, s.person, s.start)
    assert age[kind != "bijstandsuitkering"].max() < AOW_AGE
    assert (kind == "re_integratie").sum() > 100
