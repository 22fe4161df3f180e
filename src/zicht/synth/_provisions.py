"""Voorzieningen under the four laws, drawn as spells per person per year.

Each year a person starts a spell with a probability driven by age and by the
household's latent risk (its buurt's deprivation plus its own circumstances). Because
members share the household risk, provisions under several laws cluster in the same
households and buurten, which is what makes stapeling realistic.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from zicht.synth._population import Population, day_of_year_start
from zicht.synth._writers import NO_DATE

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

LOOKBACK_YEARS = 4  # spells may start this long before the first period
AOW_AGE = 67
OLD_AGE_PWET_RATE = 0.0012  # yearly start rate of bijstand above the AOW age


@dataclass(frozen=True)
class ProductType:
    category: str
    weight_young: float
    weight_old: float
    unit: str  # WJ756
    frequency: str  # WMO757
    volume: tuple[int, int]
    price_cents: int  # per unit
    toewijzing: bool  # delivered by a provider under an iJw/iWmo toewijzing
    median_days: int
    min_age: int = 0  # nobody younger starts it (age at the start of the spell)


JEUGD = (
    ProductType("45", 0.32, 0.32, "04", "2", (1, 4), 9_500, True, 240),
    ProductType("31", 0.10, 0.10, "04", "2", (1, 2), 8_000, True, 180),
    ProductType("32", 0.10, 0.10, "01", "4", (60, 600), 160, True, 200),
    ProductType("51", 0.12, 0.12, "04", "6", (8, 40), 10_500, True, 210),
    ProductType("41", 0.07, 0.07, "16", "2", (2, 8), 6_500, True, 300),
    ProductType("35", 0.05, 0.05, "14", "4", (28, 31), 6_000, True, 700),
    ProductType("43", 0.05, 0.05, "14", "4", (28, 31), 22_000, True, 400),
    ProductType("46", 0.04, 0.04, "14", "6", (3, 28), 30_000, True, 40),
    # Jeugdreclassering follows a criminal-law decision: not under 12 (Sr art. 486).
    ProductType("47", 0.03, 0.03, "82", "4", (1, 1), 190_000, True, 300, min_age=12),
    ProductType("48", 0.12, 0.12, "82", "4", (1, 1), 210_000, True, 420),
)
WMO = (
    ProductType("01", 0.10, 0.40, "04", "2", (2, 4), 3_300, True, 800),
    ProductType("02", 0.40, 0.12, "04", "2", (1, 6), 6_000, True, 500),
    ProductType("03", 0.04, 0.05, "04", "2", (1, 5), 5_500, True, 400),
    ProductType("07", 0.14, 0.06, "16", "2", (1, 6), 4_500, True, 700),
    ProductType("15", 0.12, 0.01, "14", "4", (28, 31), 13_000, True, 900),
    ProductType("16", 0.05, 0.00, "14", "4", (7, 31), 9_000, True, 120),
    ProductType("08", 0.06, 0.12, "82", "6", (1, 1), 0, False, 1000),
    ProductType("11", 0.03, 0.07, "82", "6", (1, 1), 0, False, 1200),
    ProductType("13", 0.04, 0.08, "82", "6", (1, 1), 0, False, 3000),
    ProductType("14", 0.06, 0.09, "82", "6", (1, 1), 0, False, 1200),
)
PWET = ("bijstandsuitkering", "re_integratie", "beschut_werk")
SCHULD = ("schuldhulptraject", "vroegsignalering")


@dataclass
class Spells:
    """Provisions of one law in one chunk; all arrays have one entry per provision."""

    law: str
    person: IntArray
    start: IntArray
    end: IntArray  # NO_DATE when ongoing at the extraction date
    died: npt.NDArray[np.bool_]  # ended by the person's death
    kind: IntArray  # index into the law's ProductType tuple / PWET / SCHULD
    aanvraag: IntArray
    beschikking: IntArray
    melding: IntArray  # wmo melding, schuld eerste gesprek; else equal to aanvraag
    volume: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    provider: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    referrer: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    toewijzing: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    @property
    def n(self) -> int:
        return len(self.person)


def _age_rate(law: str, age: FloatArray) -> FloatArray:
    if law == "jeugd":
        r = np.select([age < 4, age < 8, age < 16, age < 18], [0.025, 0.06, 0.078, 0.06], 0.0)
    elif law == "wmo":
        r = np.select(
            [age < 18, age < 45, age < 65, age < 75, age < 85],
            [0.0015, 0.0075, 0.012, 0.03, 0.075],
            0.14,
        )
    elif law == "pwet":
        # Above the AOW age the SVB pays most supplements (AIO), but a few people keep
        # bijstand from the gemeente; CBS counts them as "AOW-leeftijd en ouder".
        r = np.select([age < 18, age < AOW_AGE], [0.0, 0.0115], OLD_AGE_PWET_RATE)
    else:
        r = np.where((age >= 18) & (age < 80), 0.0045, 0.0)
    return np.asarray(r, dtype=np.float64)


_RISK_SLOPE = {"jeugd": 0.5, "wmo": 0.35, "pwet": 1.0, "schuld": 0.9}
_MEDIAN_DAYS = {"pwet": 700, "schuld": 500}
# Days aanvraag -> beschikking: (share within term, term, upper bound when late).
_THROUGHPUT = {"jeugd": (0.86, 56, 120), "wmo": (0.88, 14, 60), "pwet": (0.85, 56, 100)}


def draw(
    rng: np.random.Generator, pop: Population, law: str, first_year: int, last_year: int
) -> tuple[IntArray, IntArray]:
    """Start days and persons of new spells, years first_year - LOOKBACK .. last_year."""
    slope = _RISK_SLOPE[law]
    # Normalise so that the mean multiplier over households is about 1.
    rel = np.exp(slope * (pop.hh_risk - pop.hh_risk.mean()))
    rel = rel / rel.mean()
    person_rel = rel[pop.hh]
    persons: list[IntArray] = []
    starts: list[IntArray] = []
    for year in range(first_year - LOOKBACK_YEARS, last_year + 1):
        y0, y1 = day_of_year_start(year), day_of_year_start(year + 1)
        lo = np.maximum(y0, pop.birth + 150)
        hi = np.minimum(y1, pop.death)
        age = (y0 - pop.birth) / 365.25
        p = np.minimum(_age_rate(law, age) * person_rel, 0.6)
        hit = np.flatnonzero((lo < hi) & (rng.random(pop.n) < p))
        persons.append(hit)
        starts.append(rng.integers(lo[hit], hi[hit]))
    return np.concatenate(persons), np.concatenate(starts)


def _ends(
    rng: np.random.Generator,
    pop: Population,
    person: IntArray,
    start: IntArray,
    median: FloatArray,
    extraction: int,
) -> tuple[IntArray, npt.NDArray[np.bool_]]:
    dur = np.maximum(7, rng.lognormal(np.log(median), 0.8)).astype(np.int64)
    end = start + dur
    death = pop.death[person]
    died = death <= end
    end = np.where(died, death, end)
    end = np.where(end > extraction, NO_DATE, end)
    return end, died & (end < NO_DATE)


def make(
    rng: np.random.Generator,
    pop: Population,
    law: str,
    periods: list[int],
    n_providers: int,
) -> Spells:
    """All spells of ``law`` for the chunk that are active on or after the first period."""
    person, start = draw(rng, pop, law, periods[0], periods[-1])
    n = len(person)
    age = (start - pop.birth[person]) / 365.25
    if law in ("jeugd", "wmo"):
        types = JEUGD if law == "jeugd" else WMO
        w_young = np.array([t.weight_young for t in types])
        w_old = np.array([t.weight_old for t in types])
        min_age = np.array([t.min_age for t in types])
        weights = np.where((age >= 65)[:, None], w_old, w_young) * (age[:, None] >= min_age)
        cdf = np.cumsum(weights, axis=1)
        u = rng.random(n) * cdf[:, -1]
        kind = np.minimum((cdf <= u[:, None]).sum(axis=1), len(types) - 1).astype(np.int64)
        median = np.array([t.median_days for t in types], dtype=np.float64)[kind]
    elif law == "pwet":
        kind = np.zeros(n, dtype=np.int64)
        median = np.full(n, float(_MEDIAN_DAYS["pwet"]))
    else:
        kind = (rng.random(n) < 0.4).astype(np.int64)
        median = np.full(n, float(_MEDIAN_DAYS["schuld"]))
    extraction = day_of_year_start(periods[-1] + 1) - 1
    end, died = _ends(rng, pop, person, start, median, extraction)
    if law == "pwet":
        # Re-integratie (30%) and beschut werk (3%) follow some bijstand spells.
        parts = [(person, start, end, died, kind)]
        for k, share, dur in ((1, 0.30, 300.0), (2, 0.03, 1500.0)):
            sel = np.flatnonzero(rng.random(n) < share)
            s2 = start[sel] + rng.integers(30, 200, len(sel))
            ok = s2 < np.minimum(pop.death[person[sel]], extraction)
            # Not from the AOW age on: nobody there has to work.
            ok &= (s2 - pop.birth[person[sel]]) / 365.25 < AOW_AGE
            sel, s2 = sel[ok], s2[ok]
            e2, d2 = _ends(rng, pop, person[sel], s2, np.full(len(sel), dur), extraction)
            parts.append((person[sel], s2, e2, d2, np.full(len(sel), k, dtype=np.int64)))
        person, start, end, died, kind = (np.concatenate(x) for x in zip(*parts, strict=True))
    elif law in ("jeugd", "wmo"):
        # One beschikking often grants two products (same dates and provider).
        share = 0.12 if law == "jeugd" else 0.25
        sel = np.flatnonzero(rng.random(len(person)) < share)
        types = JEUGD if law == "jeugd" else WMO
        other = (kind[sel] + rng.integers(1, len(types), len(sel))) % len(types)
        # A product the person is too young for moves on to the next one.
        min_age = np.array([t.min_age for t in types])
        while (bad := (age[sel] < min_age[other]) | (other == kind[sel])).any():
            other = np.where(bad, (other + 1) % len(types), other)
        person, start, end = (np.concatenate([a, a[sel]]) for a in (person, start, end))
        died = np.concatenate([died, died[sel]])
        kind = np.concatenate([kind, other])
    keep = end >= day_of_year_start(periods[0])
    person, start, end, kind = (a[keep] for a in (person, start, end, kind))
    died = died[keep]
    n = len(person)
    beschikking, aanvraag, melding = _chain_dates(rng, law, start, n)
    spells = Spells(law, person, start, end, died, kind, aanvraag, beschikking, melding)
    if law in ("jeugd", "wmo"):
        types = JEUGD if law == "jeugd" else WMO
        lo = np.array([t.volume[0] for t in types])[kind]
        hi = np.array([t.volume[1] for t in types])[kind]
        spells.volume = rng.integers(lo, hi + 1)
        # A few large providers and a long tail, as in most regions.
        weights = 1.0 / np.arange(1, n_providers + 1)
        spells.provider = rng.choice(n_providers, size=n, p=weights / weights.sum())
        spells.referrer = _referrers(rng, law, kind)
    return spells


def _chain_dates(
    rng: np.random.Generator, law: str, start: IntArray, n: int
) -> tuple[IntArray, IntArray, IntArray]:
    if law == "schuld":
        # melding holds the eerste gesprek: mostly within the 4-week term.
        gesprek = start - rng.integers(0, 15, n)
        hulpvraag = gesprek - np.where(
            rng.random(n) < 0.85, rng.integers(1, 29, n), rng.integers(29, 70, n)
        )
        return gesprek, hulpvraag, gesprek
    within, term, late = _THROUGHPUT[law]
    days = np.where(
        rng.random(n) < within, rng.integers(1, term + 1, n), rng.integers(term + 1, late, n)
    )
    beschikking = start - rng.integers(0, 11, n)
    aanvraag = beschikking - days
    melding = aanvraag - rng.integers(0, 43, n) if law == "wmo" else aanvraag
    return beschikking, aanvraag, melding


def _referrers(rng: np.random.Generator, law: str, kind: IntArray) -> IntArray:
    """Index into REFERRERS; jeugdbescherming and -reclassering come via GI or court."""
    n = len(kind)
    if law != "jeugd":
        return np.zeros(n, dtype=np.int64)
    general = rng.choice(6, size=n, p=[0.33, 0.37, 0.07, 0.0, 0.1, 0.13])
    justice = np.where(rng.random(n) < 0.7, 3, 6)
    ggz = np.where(rng.random(n) < 0.7, 1, general)
    cat = np.array([t.category for t in JEUGD])[kind]
    return np.where(np.isin(cat, ["47", "48"]), justice, np.where(cat == "51", ggz, general))


REFERRERS = ("01", "02", "03", "04", "05", "06", "08")
