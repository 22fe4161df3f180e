"""Help requests to the local (wijk) team, seed 004: how much the generalists solve
without maatwerk.

Every jeugd and Wmo maatwerk spell whose aanvraag falls in the periods is preceded by a
help request (0-30 days earlier) with outcome ``maatwerk``; three times as many requests
are handled without maatwerk, by the team itself (``zelf``, 60%) or by referral to the
voorliggend veld (``voorliggend``, 40%), so about 75% of requests need no maatwerk as in
seed 004. 12% of those come back: a new request 30-330 days after the first was closed.
First contact follows the request after 0-20 days (mostly within a week); a request is
closed 14-180 days after it came in (open when that lies after the extraction date).

The team is the wijk team: a request belongs to the wijk of the person's buurt on the
peildatum of its year. :class:`LokaalTruth` counts the figures of
:mod:`zicht.analysis.lokaal_team` per wijk and year from these arrays, for the manifest.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np
import numpy.typing as npt

from zicht.synth._population import Population, day_of_year_start
from zicht.synth._provisions import Spells
from zicht.synth._writers import NO_DATE, fmt_dates

IntArray = npt.NDArray[np.int64]

OUTCOMES = ("zelf", "voorliggend", "maatwerk")
OUTCOME_TEXT = ("Zelf afgehandeld", "Voorliggend veld", "Maatwerk")
LIGHT_PER_MAATWERK = 3.0
RETURN_SHARE = 0.12


def make(rng: np.random.Generator, pop: Population, maatwerk: list[Spells]) -> Spells:
    """The chunk's help requests as spells of law ``wijkteam`` (kind = outcome index)."""
    first = day_of_year_start(pop.periods[0])
    extraction = day_of_year_start(pop.periods[-1] + 1) - 1
    persons: list[IntArray] = []
    days: list[IntArray] = []
    kinds: list[IntArray] = []
    for s in maatwerk:
        request = s.aanvraag - rng.integers(0, 31, s.n)
        ok = (request >= first) & (request <= extraction) & (request > pop.birth[s.person])
        persons.append(s.person[ok])
        days.append(request[ok])
        kinds.append(np.full(int(ok.sum()), 2, dtype=np.int64))
    n_maatwerk = int(sum(len(p) for p in persons))
    n_light = int(round(LIGHT_PER_MAATWERK * n_maatwerk))
    if n_light:
        rel = np.exp(0.5 * (pop.hh_risk - pop.hh_risk.mean()))[pop.hh]
        who = rng.choice(pop.n, size=n_light, p=rel / rel.sum())
        when = rng.integers(first, extraction - 30, n_light)
        ok = (when > pop.birth[who] + 365) & (when < pop.death[who])
        who, when = who[ok], when[ok]
        persons.append(who)
        days.append(when)
        kinds.append((rng.random(len(who)) < 0.4).astype(np.int64))
    person = np.concatenate(persons) if persons else np.zeros(0, dtype=np.int64)
    start = np.concatenate(days) if days else np.zeros(0, dtype=np.int64)
    kind = np.concatenate(kinds) if kinds else np.zeros(0, dtype=np.int64)
    end = start + rng.integers(14, 181, len(start))
    # Some light requests come back after they were closed.
    back = np.flatnonzero((kind < 2) & (rng.random(len(kind)) < RETURN_SHARE))
    again = end[back] + rng.integers(30, 331, len(back))
    ok = (again <= extraction) & (again < pop.death[person[back]])
    back, again = back[ok], again[ok]
    person = np.concatenate([person, person[back]])
    start = np.concatenate([start, again])
    kind = np.concatenate([kind, (rng.random(len(back)) < 0.5).astype(np.int64)])
    end = np.concatenate([end, again + rng.integers(14, 181, len(back))])
    contact = start + np.where(
        rng.random(len(start)) < 0.8,
        rng.integers(0, 8, len(start)),
        rng.integers(8, 21, len(start)),
    )
    end = np.maximum(end, contact)
    end = np.where(end > extraction, NO_DATE, end)
    contact = np.where(contact > extraction, NO_DATE, contact)
    order = np.lexsort((start, person))
    person, start, end, kind, contact = (a[order] for a in (person, start, end, kind, contact))
    return Spells(
        "wijkteam",
        person.astype(np.int64),
        start.astype(np.int64),
        end.astype(np.int64),
        np.zeros(len(person), dtype=bool),
        kind.astype(np.int64),
        start.astype(np.int64),  # aanvraag: the help request
        contact.astype(np.int64),  # beschikking slot: the first contact
        start.astype(np.int64),
    )


def columns(s: Spells, refs: Any, bsn: Any, names: Any) -> list[Any]:
    """Hulpvraagnummer, BSN, Naam, Ingangsdatum (the request), Datum eerste contact,
    Einddatum (closed), Soort (the outcome), Notitie (free text that ingest must drop)."""
    outcome = np.array(OUTCOME_TEXT, dtype=object)[s.kind]
    note = np.where(s.kind == 2, "zie zaaksysteem", "")
    return [
        refs,
        bsn,
        names,
        fmt_dates(s.start),
        fmt_dates(s.beschikking),
        fmt_dates(s.end),
        outcome,
        note.astype(object),
    ]


class LokaalTruth:
    """Per (wijk code, year of the request): the local-team figures, from the arrays."""

    def __init__(self, wijk_of_buurt: list[str], periods: list[int]) -> None:
        self.wijk_of_buurt = wijk_of_buurt
        self.periods = periods
        self.extraction = day_of_year_start(periods[-1] + 1) - 1
        self.counts: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
        self.contact_days: dict[tuple[str, int], list[int]] = defaultdict(list)

    def add(self, pop: Population, s: Spells) -> None:
        if not s.n:
            return
        year = s.start.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
        k = year - self.periods[0]
        inside = (k >= 0) & (k < len(self.periods))
        kk = np.clip(k, 0, len(self.periods) - 1)
        peil = np.array([day_of_year_start(p) for p in self.periods])[kk]
        present = (pop.birth[s.person] < peil) & (pop.death[s.person] > peil) & inside
        buurt = pop.hh_buurt[pop.hh[s.person], kk]
        # Re-entry: another request of the same person within 365 days after closing.
        closed = s.end < NO_DATE
        observable = closed & (s.end <= self.extraction - 365)
        order = np.lexsort((s.start, s.person))
        big = np.int64(1) << np.int64(32)
        keys = s.person[order] * big + s.start[order]
        query = s.person * big + np.where(observable, s.end, 0)
        j = np.minimum(np.searchsorted(keys, query, side="right"), s.n - 1)
        nxt = order[j]
        back = (
            observable
            & (s.person[nxt] == s.person)
            & (s.start[nxt] > s.end)
            & (s.start[nxt] <= s.end + 365)
        )
        for i in np.flatnonzero(present):
            key = (self.wijk_of_buurt[int(buurt[i])], int(year[i]))
            c = self.counts[key]
            c[0] += 1
            c[1] += int(s.kind[i] < 2)
            c[2] += int(observable[i])
            c[3] += int(back[i])
            if s.beschikking[i] < NO_DATE:
                self.contact_days[key].append(int(s.beschikking[i] - s.start[i]))

    def result(self) -> list[dict[str, Any]]:
        out = []
        for (wijk, year), (n, light, obs, back) in sorted(self.counts.items()):
            days = self.contact_days.get((wijk, year), [])
            out.append(
                {
                    "wijk": wijk,
                    "period": year,
                    "requests": n,
                    "without_maatwerk": light,
                    "closed_observable": obs,
                    "reentries": back,
                    "contacts": len(days),
                    "median_contact_days": float(np.median(days)) if days else None,
                }
            )
        return out
