"""The true value of every first indicator, counted from the generator's own arrays.

Counts are kept per (buurt, period) and summed up to wijk and gemeente, which is exact
because a person (and a household) has one buurt per period. Medians cannot be summed,
so doorlooptijd keeps a histogram of days per (buurt, period) and takes the median from
the cumulative counts, which gives what ``numpy.median`` gives on the raw values.
This module deliberately shares nothing with the ingest or refresh code.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from zicht.synth._geo import Geography
from zicht.synth._population import Population, day_of_year_start
from zicht.synth._provisions import Spells

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

YOUTH_MAX_AGE = 17
TERMS = {"jeugd": 56, "wmo": 14, "pwet": 56}
MAX_DAYS = 400  # histogram width; generated throughput never exceeds this
_COUNTS = (
    "youth", "jeugd_youth", "inhabitants", "wmo", "bijstand", "households", "stapeling",
    "cases", "within", "starts", "huisarts", "cost_jeugd", "cost_wmo",
    "cost_persons_jeugd", "cost_persons_wmo", "youth_bijstand_hh", "lokaal_team",
)  # fmt: skip


class Truth:
    def __init__(self, geo: Geography, periods: list[int]) -> None:
        self.geo = geo
        self.periods = periods
        shape = (len(geo.buurt_codes), len(periods))
        self.c: dict[str, IntArray] = {k: np.zeros(shape, dtype=np.int64) for k in _COUNTS}
        self.hist = np.zeros((*shape, MAX_DAYS + 1), dtype=np.int32)

    def _add(self, name: str, buurt: IntArray, k: int, weights: IntArray | None = None) -> None:
        self.c[name][:, k] += np.bincount(
            buurt, weights=weights, minlength=self.c[name].shape[0]
        ).astype(np.int64)

    def add_chunk(
        self,
        pop: Population,
        spells: dict[str, Spells],
        costs: dict[str, tuple[IntArray, IntArray, IntArray]],
    ) -> None:
        """Count one chunk. ``costs[law]`` = (person, period_start day, amount cents)."""
        for k, year in enumerate(self.periods):
            y0, y1 = day_of_year_start(year), day_of_year_start(year + 1)
            present = pop.present(k)
            buurt = pop.buurt(k)
            age = year - (
                pop.birth.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
            )
            youth = present & (age >= 0) & (age <= YOUTH_MAX_AGE)
            self._add("inhabitants", buurt[present], k)
            self._add("youth", buurt[youth], k)
            active: dict[str, BoolArray] = {}
            for law in ("jeugd", "wmo", "pwet"):
                s = spells[law]
                on = (s.start < y1) & (s.end >= y0)
                flag = np.zeros(pop.n, dtype=bool)
                flag[s.person[on]] = True
                active[law] = flag & present
                if law == "pwet":
                    bij = np.zeros(pop.n, dtype=bool)
                    bij[s.person[on & (s.kind == 0)]] = True
                    self._add("bijstand", buurt[bij & present], k)
                    # Minors whose household has a member present in Y with bijstand.
                    hh_bij = np.zeros(len(pop.hh_number), dtype=bool)
                    hh_bij[pop.hh[bij & present]] = True
                    self._add("youth_bijstand_hh", buurt[youth & hh_bij[pop.hh]], k)
            self._add("jeugd_youth", buurt[active["jeugd"] & youth], k)
            self._add("wmo", buurt[active["wmo"]], k)
            # Households: members present in Y; area = smallest buurt code among them
            # (buurt indices follow code order, so the smallest index is the smallest code).
            n_hh = len(pop.hh_number)
            hh_buurt = np.full(n_hh, np.iinfo(np.int64).max)
            np.minimum.at(hh_buurt, pop.hh[present], buurt[present])
            laws = np.zeros(n_hh, dtype=np.int64)
            for law in ("jeugd", "wmo", "pwet"):
                has = np.zeros(n_hh, dtype=bool)
                has[pop.hh[active[law]]] = True
                laws += has
            exists = hh_buurt < np.iinfo(np.int64).max
            self._add("households", hh_buurt[exists], k)
            self._add("stapeling", hh_buurt[exists & (laws >= 2)], k)
            self._throughput(pop, spells, present, buurt, k, y0, y1)
            j = spells["jeugd"]
            starts = (j.start >= y0) & (j.start < y1) & present[j.person]
            self._add("starts", buurt[j.person[starts]], k)
            self._add("huisarts", buurt[j.person[starts & (j.referrer == 1)]], k)
            self._add("lokaal_team", buurt[j.person[starts & (j.referrer == 0)]], k)
            for law in ("jeugd", "wmo"):
                person, pstart, cents = costs[law]
                sel = (pstart >= y0) & (pstart < y1) & present[person]
                self._add(f"cost_{law}", buurt[person[sel]], k, cents[sel])
                who = np.unique(person[sel])
                self._add(f"cost_persons_{law}", buurt[who], k)

    def _throughput(
        self,
        pop: Population,
        spells: dict[str, Spells],
        present: BoolArray,
        buurt: IntArray,
        k: int,
        y0: int,
        y1: int,
    ) -> None:
        for law, term in TERMS.items():
            s = spells[law]
            sel = (s.beschikking >= y0) & (s.beschikking < y1) & present[s.person]
            days = (s.beschikking - s.aanvraag)[sel]
            b = buurt[s.person[sel]]
            np.add.at(self.hist[:, k, :], (b, np.minimum(days, MAX_DAYS)), 1)
            self._add("cases", b, k)
            self._add("within", b[days <= term], k)

    def result(self) -> dict[str, list[dict[str, Any]]]:
        """Cells per indicator for every level, area and period (empty denominators omitted)."""
        geo = self.geo
        levels: list[tuple[str, list[str], IntArray]] = [
            ("gemeente", geo.gemeente_codes, geo.buurt_gemeente),
            ("wijk", geo.wijk_codes, geo.buurt_wijk),
            ("buurt", geo.buurt_codes, np.arange(len(geo.buurt_codes), dtype=np.int64)),
        ]
        spec: list[tuple[str, str, str, float]] = [
            ("jeugdhulp_pct", "jeugd_youth", "youth", 100.0),
            ("wmo_per_1000", "wmo", "inhabitants", 1000.0),
            ("bijstand_pct", "bijstand", "inhabitants", 100.0),
            ("stapeling_hh_pct", "stapeling", "households", 100.0),
            ("beschikking_binnen_termijn_pct", "within", "cases", 100.0),
            ("jeugdhulp_huisarts_pct", "huisarts", "starts", 100.0),
            ("kinderen_in_bijstandsgezin_pct", "youth_bijstand_hh", "youth", 100.0),
            ("jeugdhulp_via_gemeente_pct", "lokaal_team", "starts", 100.0),
        ]
        out: dict[str, list[dict[str, Any]]] = {}
        for level, codes, index in levels:

            def agg(name: str, codes: list[str] = codes, index: IntArray = index) -> IntArray:
                summed = np.zeros((len(codes), len(self.periods)), dtype=np.int64)
                np.add.at(summed, index, self.c[name])
                return summed

            hist = np.zeros((len(codes), len(self.periods), MAX_DAYS + 1), dtype=np.int64)
            np.add.at(hist, index, self.hist)
            sums = {name: agg(name) for name in _COUNTS}
            for a, code in enumerate(codes):
                for k, year in enumerate(self.periods):
                    cell = {"level": level, "area_code": code, "period": year}
                    for ind, num, den, scale in spec:
                        d = int(sums[den][a, k])
                        if d:
                            n = int(sums[num][a, k])
                            out.setdefault(ind, []).append(
                                {
                                    **cell,
                                    "numerator": n,
                                    "denominator": d,
                                    "value": round(scale * n / d, 6),
                                }
                            )
                    cases = int(sums["cases"][a, k])
                    if cases:
                        med = _median(hist[a, k])
                        out.setdefault("doorlooptijd_beschikking_mediaan", []).append(
                            {**cell, "numerator": med, "denominator": cases, "value": med}
                        )
                    for law in ("jeugd", "wmo"):
                        d = int(sums[f"cost_persons_{law}"][a, k])
                        if d:
                            cents = int(sums[f"cost_{law}"][a, k])
                            out.setdefault(f"kosten_per_client_{law}", []).append(
                                {
                                    **cell,
                                    "numerator": round(cents / 100, 2),
                                    "denominator": d,
                                    "value": round(cents / 100 / d, 6),
                                }
                            )
        return out


def _median(hist: IntArray) -> float:
    """The median of the values whose counts are ``hist`` (numpy.median semantics)."""
    cum = np.cumsum(hist)
    n = int(cum[-1])
    lo = int(np.searchsorted(cum, (n - 1) // 2 + 1))
    hi = int(np.searchsorted(cum, n // 2 + 1))
    return round((lo + hi) / 2, 6)
