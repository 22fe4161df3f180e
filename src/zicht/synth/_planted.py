"""Planted truth: four known patterns the analyses must find (and nothing else).

The generator draws provisions without any local anomaly; this module then plants, in
places chosen from the seed, patterns that a monitor is meant to reveal:

- ``late_beschikking``: in one buurt, every beschikking of one jeugd product comes after
  the legal term (aanvraag → beschikking 20-80 days beyond it);
- ``overbilling_provider``: one provider bills two more months after the end of most of
  its ended toewijzingen (declaraties outside the toewijzing's period);
- ``gp_hotspot``: in one buurt three in four general jeugd provisions come via the huisarts;
- ``rising_stapeling``: in one buurt each year about 3% more households get a bijstand
  uitkering and a Wmo hulpmiddel together, so stapeling rises year on year.

Changes happen on the generator's arrays before anything is written or counted, so the
exports, the messages and the manifest's indicator truth all include them. Nothing is
planted in a gemeente of fewer than ``MIN_BUURTEN`` buurten (a "hot spot" needs a rest to
stand out from); the manifest then lists no planted patterns.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import numpy.typing as npt

from zicht.synth._population import Population, day_of_year_start
from zicht.synth._provisions import JEUGD, Spells
from zicht.synth._writers import NO_DATE

__all__ = ["Plan"]

IntArray = npt.NDArray[np.int64]

MIN_BUURTEN = 8
LATE_PRODUCT = "45"  # jeugd: ambulante jeugdhulp, the most frequent product
LATE_TERM_DAYS = 56
GP_SHARE = 0.75
GP_REFERRER = 1  # index of "02" (huisarts) in _provisions.REFERRERS
STAPELING_SHARE = 0.03  # of the buurt's households, per year after the first
OVERBILL_SHARE = 0.6
OVERBILL_MONTHS = 2
_HULPMIDDEL = 6  # index of Wmo product "08" (no toewijzing, no messages)


def _buurt_at(pop: Population, person: IntArray, day: IntArray) -> IntArray:
    """The buurt index of each person in the period of ``day`` (clipped to the periods)."""
    years = day.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    k = np.clip(years - pop.periods[0], 0, len(pop.periods) - 1)
    out: IntArray = pop.hh_buurt[pop.hh[person], k]
    return out


@dataclass(frozen=True)
class Plan:
    """Where the patterns go; ``active`` is False for a gemeente too small to plant in."""

    active: bool
    seed: int
    late_buurt: int = -1
    gp_buurt: int = -1
    stapeling_buurt: int = -1
    provider: int = -1  # index into the jeugd provider codes

    @classmethod
    def choose(cls, seed: int, n_buurten: int, n_providers: int) -> Plan:
        if n_buurten < MIN_BUURTEN:
            return cls(active=False, seed=seed)
        rng = np.random.default_rng([seed, 50])
        late, gp, stap = (int(b) for b in rng.choice(n_buurten, size=3, replace=False))
        provider = int(rng.integers(2, min(8, n_providers)))
        return cls(True, seed, late, gp, stap, provider)

    # -- hooks called by zicht.synth.generate ---------------------------------------------

    def adjust(self, s: Spells, pop: Population, chunk: int, buurten: IntArray) -> Spells:
        """Plant the buurt patterns in the spells of one law of one chunk."""
        if not self.active:
            return s
        if s.law == "jeugd":
            self._late(s, pop)
            self._gp(s, pop)
        if s.law in ("wmo", "pwet") and self.stapeling_buurt in buurten.tolist():
            return _concat(s, self._stapeling(s.law, pop, chunk))
        return s

    def overbill(
        self, s: Spells, bills: tuple[IntArray, IntArray, IntArray, IntArray], last_day: int
    ) -> tuple[IntArray, IntArray, IntArray, IntArray]:
        """Extra monthly bills after the end of the planted provider's toewijzingen."""
        if not self.active or s.law != "jeugd" or not s.n:
            return bills
        spell, p_start, p_end, cents = bills
        end_month = s.end.astype("datetime64[D]").astype("datetime64[M]")
        rng = np.random.default_rng([self.seed, 51, int(s.toewijzing[0])])
        last_month = np.datetime64(int(last_day), "D").astype("datetime64[M]")
        ok = (
            (s.provider == self.provider)
            & (s.end < NO_DATE)
            & np.array([t.toewijzing for t in JEUGD])[s.kind]
            & (rng.random(s.n) < OVERBILL_SHARE)
        )
        ok &= np.where(ok, end_month + OVERBILL_MONTHS <= last_month, False)
        sel = np.flatnonzero(ok)
        if not len(sel):
            return bills
        top = np.zeros(s.n, dtype=np.int64)
        np.maximum.at(top, spell, cents)
        sel = sel[top[sel] > 0]
        extra_spell = np.repeat(sel, OVERBILL_MONTHS)
        offset = np.tile(np.arange(1, OVERBILL_MONTHS + 1), len(sel))
        month = end_month[extra_spell] + offset
        m_start = month.astype("datetime64[D]").astype(np.int64)
        m_end = (month + 1).astype("datetime64[D]").astype(np.int64) - 1
        return (
            np.concatenate([spell, extra_spell]),
            np.concatenate([p_start, m_start]),
            np.concatenate([p_end, m_end]),
            np.concatenate([cents, top[extra_spell]]),
        )

    # -- the patterns ---------------------------------------------------------------------

    def _late(self, s: Spells, pop: Population) -> None:
        cat = np.array([t.category for t in JEUGD])[s.kind]
        sel = np.flatnonzero(
            (cat == LATE_PRODUCT) & (_buurt_at(pop, s.person, s.beschikking) == self.late_buurt)
        )
        rng = np.random.default_rng([self.seed, 52, len(sel), int(s.start[:1].sum())])
        days = LATE_TERM_DAYS + rng.integers(20, 81, len(sel))
        s.aanvraag[sel] = s.beschikking[sel] - days
        s.melding[sel] = s.aanvraag[sel]

    def _gp(self, s: Spells, pop: Population) -> None:
        cat = np.array([t.category for t in JEUGD])[s.kind]
        general = ~np.isin(cat, ["47", "48", "51"])
        here = general & (_buurt_at(pop, s.person, s.start) == self.gp_buurt)
        rng = np.random.default_rng([self.seed, 53, int(here.sum())])
        hit = here & (rng.random(s.n) < GP_SHARE)
        # Those not via the huisarts keep their drawn referrer unless it was the huisarts.
        s.referrer[:] = np.where(hit, GP_REFERRER, s.referrer)

    def _stapeling(self, law: str, pop: Population, chunk: int) -> Spells:
        """The same adults for both laws (same random stream), one per household."""
        rng = np.random.default_rng([self.seed, 54, chunk])
        persons: list[IntArray] = []
        starts: list[IntArray] = []
        taken = np.zeros(len(pop.hh_number), dtype=bool)
        for k in range(1, len(pop.periods)):
            y0, y1 = day_of_year_start(pop.periods[k]), day_of_year_start(pop.periods[k] + 1)
            age = (y0 - pop.birth) / 365.25
            adult = pop.present(k) & (age >= 18) & (age < 67) & (pop.death > y1)
            adult &= pop.buurt(k) == self.stapeling_buurt
            hh_here = np.flatnonzero(np.bincount(pop.hh[adult], minlength=len(taken)) > 0)
            n_pick = int(round(STAPELING_SHARE * len(hh_here)))
            free = hh_here[~taken[hh_here]]
            pick = rng.choice(free, size=min(n_pick, len(free)), replace=False)
            taken[pick] = True
            # First adult of each picked household, in person order.
            cand = np.flatnonzero(adult & np.isin(pop.hh, pick))
            _, first = np.unique(pop.hh[cand], return_index=True)
            who = cand[first]
            persons.append(who)
            starts.append(rng.integers(y0, y1 - 30, len(who)))
        person = np.concatenate(persons) if persons else np.zeros(0, dtype=np.int64)
        start = np.concatenate(starts) if starts else np.zeros(0, dtype=np.int64)
        n = len(person)
        beschikking = start - 3
        aanvraag = beschikking - 7
        kind = np.full(n, _HULPMIDDEL if law == "wmo" else 0, dtype=np.int64)
        extra = Spells(
            law,
            person.astype(np.int64),
            start.astype(np.int64),
            np.full(n, NO_DATE, dtype=np.int64),
            np.zeros(n, dtype=bool),
            kind,
            aanvraag,
            beschikking,
            aanvraag - 10 if law == "wmo" else aanvraag.copy(),
        )
        if law == "wmo":
            extra.volume = np.ones(n, dtype=np.int64)
            extra.provider = np.zeros(n, dtype=np.int64)
            extra.referrer = np.zeros(n, dtype=np.int64)
        return extra

    def manifest(
        self, buurt_codes: list[str], jeugd_agb: npt.NDArray[np.object_]
    ) -> list[dict[str, Any]]:
        """The planted patterns as recorded in ``manifest.json`` under ``planted``."""
        if not self.active:
            return []
        return [
            {
                "pattern": "late_beschikking",
                "law": "jeugd",
                "product_category": LATE_PRODUCT,
                "buurt": buurt_codes[self.late_buurt],
            },
            {
                "pattern": "overbilling_provider",
                "law": "jeugd",
                "provider": str(jeugd_agb[self.provider]),
            },
            {"pattern": "gp_hotspot", "law": "jeugd", "buurt": buurt_codes[self.gp_buurt]},
            {"pattern": "rising_stapeling", "buurt": buurt_codes[self.stapeling_buurt]},
        ]


def _concat(s: Spells, extra: Spells) -> Spells:
    if not extra.n:
        return s
    out: dict[str, Any] = {"law": s.law}
    for f in fields(Spells):
        if f.name == "law":
            continue
        a, b = getattr(s, f.name), getattr(extra, f.name)
        if len(a) == s.n and len(b) == extra.n:
            out[f.name] = np.concatenate([a, b])
        else:
            out[f.name] = a
    return Spells(**out)
