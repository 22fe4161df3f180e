"""Persons and households of one chunk of buurten, over all peildata.

A chunk is a block of whole buurten; households never leave their chunk (moves go to
another buurt of the same chunk), so everything an indicator counts per buurt is
complete inside one chunk and chunks can be generated, written and forgotten in turn.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from zicht.synth._writers import day

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

_WEIGHTS = np.array([9, 8, 7, 6, 5, 4, 3, 2], dtype=np.int64)
# A multiplier coprime with 10**8 turns a counter into a scattered, collision-free prefix.
_MULTIPLIER = 73_939_133
_SPACE = 100_000_000

# Household sizes 1..6 (CBS: about 39% single, 33% two persons, mean about 2.1).
_HH_SIZE_P = np.array([0.385, 0.33, 0.125, 0.11, 0.04, 0.01])


class BsnSource:
    """Unique BSNs passing the 11-proef, deterministic for a seed, generated in blocks."""

    def __init__(self, seed: int) -> None:
        self._offset = (seed * 2_654_435_761) % _SPACE
        self._counter = 0

    def take(self, n: int) -> IntArray:
        out: list[IntArray] = []
        need = n
        while need > 0:
            # About 1 in 11 prefixes has check digit 10 and is skipped; ask for a margin.
            batch = int(need * 1.12) + 16
            idx = np.arange(self._counter, self._counter + batch, dtype=np.int64)
            if self._counter + batch > _SPACE:
                raise ValueError("BSN space exhausted")
            prefix = (idx * _MULTIPLIER + self._offset) % _SPACE
            digits = (prefix[:, None] // 10 ** np.arange(7, -1, -1, dtype=np.int64)) % 10
            check = (digits @ _WEIGHTS) % 11
            # Two leading zeros would leave 7 digits after Excel drops them: not a BSN.
            ok = (check < 10) & (prefix >= 1_000_000)
            bsn = prefix * 10 + check
            good = np.flatnonzero(ok)[:need]
            self._counter += int(good[-1]) + 1 if len(good) == need else batch
            out.append(bsn[good])
            need -= len(good)
        return np.concatenate(out) if out else np.zeros(0, dtype=np.int64)


@dataclass
class Population:
    """One chunk. Persons and households are local indices; buurten are global indices."""

    periods: list[int]
    bsn: IntArray
    birth: IntArray  # day number
    death: IntArray  # day number or NO_DATE
    sex: IntArray  # 1 man, 2 vrouw
    hh: IntArray  # person -> local household
    surname: IntArray  # index into the name lists
    first_name: IntArray
    hh_number: IntArray  # global household number (Huishoudnummer)
    hh_buurt: IntArray  # (households, periods): buurt index per peildatum
    hh_house: IntArray  # (households, periods): house number
    hh_risk: FloatArray  # latent household risk (deprivation + own circumstances)

    @property
    def n(self) -> int:
        return len(self.bsn)

    def present(self, k: int) -> BoolArray:
        """Who is registered on the peildatum (1 January) of period index ``k``."""
        peil = day_of_year_start(self.periods[k])
        return (self.birth < peil) & (self.death > peil)

    def buurt(self, k: int) -> IntArray:
        out: IntArray = self.hh_buurt[self.hh, k]
        return out


def day_of_year_start(year: int) -> int:
    from datetime import date

    return day(date(year, 1, 1))


def _ages_days(rng: np.random.Generator, years: FloatArray) -> IntArray:
    return (years * 365.25 + rng.uniform(0, 365, len(years))).astype(np.int64)


def generate(  # noqa: C901 - one linear recipe; splitting it would scatter the household logic
    rng: np.random.Generator,
    buurten: IntArray,
    sizes: IntArray,
    deprivation: FloatArray,
    periods: list[int],
    bsns: BsnSource,
    hh_counter: int,
    n_surnames: int,
    n_first: int,
) -> Population:
    """Households and persons for ``buurten`` (global indices, target sizes ``sizes``)."""
    target = int(sizes.sum())
    n_hh = int(target / 2.1 * 1.1) + 8
    size = rng.choice(np.arange(1, 7), size=n_hh, p=_HH_SIZE_P)
    cum = np.cumsum(size)
    n_hh = int(np.searchsorted(cum, target)) + 1
    size = size[:n_hh]
    size[-1] -= int(cum[n_hh - 1]) - target
    cum = np.cumsum(size)
    bounds = np.cumsum(sizes)
    hh_local_buurt = np.searchsorted(bounds, cum - size, side="right")
    hh_dep = deprivation[hh_local_buurt]

    # Composition: single parents are more common in deprived buurten.
    two_adults = np.where(
        size == 1,
        False,
        np.where(size == 2, rng.random(n_hh) < 0.72, rng.random(n_hh) < 0.85 - 0.35 * hh_dep),
    )
    adults = 1 + two_adults.astype(np.int64)
    has_kids = size > adults
    # Heads of families 25-52; others follow a broad adult age distribution.
    head_age = np.where(
        has_kids,
        rng.uniform(25, 52, n_hh),
        rng.choice(
            np.array([21.0, 30.0, 45.0, 60.0, 72.0, 82.0]),
            size=n_hh,
            p=[0.12, 0.2, 0.2, 0.2, 0.16, 0.12],
        )
        + rng.uniform(-3, 8, n_hh),
    )
    head_age = np.clip(head_age, 18, 100)

    person_hh = np.repeat(np.arange(n_hh), size)
    first_of_hh = cum - size
    rank = np.arange(target) - first_of_hh[person_hh]  # 0 = head, 1 = partner or child
    n = target
    is_partner = (rank == 1) & two_adults[person_hh]
    is_child = rank >= adults[person_hh]
    head = head_age[person_hh]
    age = np.where(
        is_child,
        rng.uniform(0, 1, n) * np.minimum(head - 19, 26),
        np.where(is_partner, np.clip(head + rng.normal(0, 3, n), 18, 100), head),
    )
    sex = np.where(
        is_child | (size[person_hh] == 1),
        rng.integers(1, 3, n),
        np.where(is_partner, 2, 1),
    ).astype(np.int64)
    # Some couples are two women or the woman is the head; keep the sexes mixed.
    swap = (rank <= 1) & two_adults[person_hh] & (rng.random(n) < 0.1)
    sex = np.where(swap, 3 - sex, sex)

    first_peil = day_of_year_start(periods[0])
    birth = first_peil - _ages_days(rng, age)
    death = np.full(n, np.iinfo(np.int64).max // 4, dtype=np.int64)
    hh_base = np.asarray(buurten[hh_local_buurt], dtype=np.int64)
    risk = hh_dep * 2.2 + rng.normal(0, 0.8, n_hh)

    births_birth: list[IntArray] = []
    births_hh: list[IntArray] = []
    births_sex: list[IntArray] = []
    n_k = len(periods)
    hh_buurt = np.repeat(hh_base[:, None], n_k, axis=1)
    hh_house = np.repeat(rng.integers(1, 180, n_hh)[:, None], n_k, axis=1)
    for k in range(n_k - 1):
        y0 = day_of_year_start(periods[k])
        y1 = day_of_year_start(periods[k] + 1)
        # Deaths during year k (Gompertz-like hazard by age).
        alive = (birth < y0) & (death > y0)
        age_y = (y0 - birth) / 365.25
        q = np.minimum(np.exp(-10.2 + 0.093 * age_y), 0.5)
        dies = alive & (rng.random(n) < q)
        death = np.where(dies, rng.integers(y0, y1, n), death)
        # Births: households with a living woman of 20-44 (mother of the newborn).
        mother_ok = alive & ~dies & (sex == 2) & (age_y >= 20) & (age_y < 45) & ~is_child
        cand = np.unique(person_hh[mother_ok])
        born = cand[rng.random(len(cand)) < 0.1]
        births_hh.append(born)
        births_birth.append(rng.integers(y0, y1, len(born)))
        births_sex.append(rng.integers(1, 3, len(born)))
        # Moves: whole households move to another buurt of the chunk from period k+1.
        movers = np.flatnonzero(rng.random(n_hh) < 0.04)
        new_b = buurten[rng.integers(0, len(buurten), len(movers))]
        hh_buurt[movers, k + 1 :] = new_b[:, None]
        hh_house[movers, k + 1 :] = rng.integers(1, 180, len(movers))[:, None]

    if births_hh:
        new_hh = np.concatenate(births_hh)
        new_birth = np.concatenate(births_birth)
        new_sex = np.concatenate(births_sex)
        person_hh = np.concatenate([person_hh, new_hh])
        birth = np.concatenate([birth, new_birth])
        death = np.concatenate([death, np.full(len(new_hh), death[0] if n else 0)])
        death[n:] = np.iinfo(np.int64).max // 4
        sex = np.concatenate([sex, new_sex])
    total = len(birth)
    # Children take the surname of their household head; everyone gets a first name.
    hh_surname = rng.integers(0, n_surnames, n_hh)
    surname = hh_surname[person_hh]
    partner_own = np.zeros(total, dtype=bool)
    partner_own[:n] = is_partner & (rng.random(n) < 0.5)
    surname = np.where(partner_own, rng.integers(0, n_surnames, total), surname)
    return Population(
        periods=periods,
        bsn=bsns.take(total),
        birth=birth,
        death=death,
        sex=sex,
        hh=person_hh,
        surname=surname,
        first_name=rng.integers(0, n_first, total),
        hh_number=hh_counter + np.arange(n_hh, dtype=np.int64),
        hh_buurt=hh_buurt,
        hh_house=hh_house,
        hh_risk=risk,
    )
