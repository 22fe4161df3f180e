"""The exports of one chunk: column building for every tabular file.

Each function turns a chunk's arrays into the columns of one file (object arrays of
strings, or Python values for the workbook) so the writers can join them in one go.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from zicht.synth._geo import Geography
from zicht.synth._population import Population, day_of_year_start
from zicht.synth._provisions import JEUGD, PWET, REFERRERS, SCHULD, WMO, Spells
from zicht.synth._writers import NO_DATE, fmt_bsn, fmt_cents, fmt_dates, fmt_ints

IntArray = npt.NDArray[np.int64]
ObjArray = npt.NDArray[np.object_]

SURNAMES = np.array([
    "de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder",
    "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker", "Brouwer",
    "de Wit", "Dijkstra", "Smits", "de Graaf", "van der Meer", "van den Berg", "Kok",
    "Jacobs", "de Haan", "Vermeulen", "van Dijk", "Koç", "El Amrani", "Öztürk", "Nguyen",
    "Janssens", "Çelik", "Boumediane", "Wijnands", "Hoekstra", "Postma", "Kuipers",
], dtype=object)  # fmt: skip
MALE = np.array(["Jan", "Pieter", "Daan", "Sem", "Mohammed", "Lucas", "Thijs", "Bram", "Joël",
                 "Noah", "Kees", "Ahmet", "Willem", "Finn", "Luuk"], dtype=object)  # fmt: skip
FEMALE = np.array(["Anna", "Emma", "Sophie", "Fenna", "Zoë", "Julia", "Noor", "Fatima", "Maria",
                   "Eline", "Saskia", "Aylin", "Marieke", "Lotte", "Renée"],
                  dtype=object)  # fmt: skip
REMARKS = np.array(["", "", "", "", "belt liever na 17 uur", "heeft hulp van dochter",
                    "zie vorig dossier", "spreekt weinig Nederlands", "graag via mail, niet bellen",
                    "huisbezoek gepland"], dtype=object)  # fmt: skip
STREETS = np.array(["Dorpsstraat", "Kerkweg", "Molenlaan", "Schoolstraat", "Lindenlaan",
                    "Beukenhof", "Vaartkade"], dtype=object)  # fmt: skip
REGELING = {0: "Bijstand", 1: "Re-integratie", 2: "Beschut werk"}
SOORT_SCHULD = {0: "Schuldhulptraject", 1: "Vroegsignalering"}
assert len(PWET) == len(REGELING) and len(SCHULD) == len(SOORT_SCHULD)


def first_names(pop: Population, idx: IntArray) -> ObjArray:
    male = MALE[pop.first_name[idx] % len(MALE)]
    female = FEMALE[pop.first_name[idx] % len(FEMALE)]
    return np.where(pop.sex[idx] == 1, male, female)


def full_names(pop: Population, idx: IntArray) -> ObjArray:
    out: ObjArray = first_names(pop, idx) + " " + SURNAMES[pop.surname[idx]]
    return out


def bsn_text(pop: Population, idx: IntArray, lost: npt.NDArray[np.bool_]) -> ObjArray:
    return fmt_bsn(pop.bsn[idx], lost[idx])


def bevolking(
    geo: Geography, pop: Population, k: int, lost: npt.NDArray[np.bool_]
) -> list[ObjArray]:
    idx = np.flatnonzero(pop.present(k))
    hh = pop.hh[idx]
    buurt = pop.hh_buurt[hh, k]
    codes = np.array(geo.buurt_codes, dtype=object)
    pc4 = fmt_ints(1000 + (buurt * 37) % 9000)
    letters = np.array(
        [a + b for a in "ABCDEGHJKLMNPRSTVWXZ" for b in "ABCDEGHJKLMNPRSTVWXZ"], dtype=object
    )
    house = pop.hh_house[hh, k]
    peil = np.full(len(idx), day_of_year_start(pop.periods[k]), dtype=np.int64)
    return [
        fmt_dates(peil),
        bsn_text(pop, idx, lost),
        SURNAMES[pop.surname[idx]],
        first_names(pop, idx),
        fmt_dates(pop.birth[idx]),
        fmt_ints(pop.sex[idx]),
        fmt_ints(pop.hh_number[hh]) if len(idx) else np.zeros(0, dtype=object),
        pc4 + letters[(house * 7 + buurt) % len(letters)],
        fmt_ints(house),
        codes[buurt],
    ]


def product_codes(s: Spells) -> ObjArray:
    types = JEUGD if s.law == "jeugd" else WMO
    cats = np.array([t.category for t in types], dtype=object)[s.kind]
    out: ObjArray = cats + "A0" + fmt_ints(1 + s.provider % 3)
    return out


def voorzieningen(
    s: Spells,
    pop: Population,
    refs: ObjArray,
    agb: ObjArray,
    lost: npt.NDArray[np.bool_],
    rng: np.random.Generator,
) -> list[ObjArray]:
    types = JEUGD if s.law == "jeugd" else WMO
    cats = np.array([t.category for t in types], dtype=object)[s.kind]
    has_tw = np.array([t.toewijzing for t in types])[s.kind]
    tw = np.where(has_tw, fmt_ints(s.toewijzing), "")
    cols = [
        refs,
        bsn_text(pop, s.person, lost),
        full_names(pop, s.person),
        cats,
        product_codes(s),
        agb[s.provider],
    ]
    if s.law == "jeugd":
        cols.append(np.array(REFERRERS, dtype=object)[s.referrer])
    else:
        cols.append(fmt_dates(s.melding))
    cols += [
        fmt_dates(s.aanvraag),
        fmt_dates(s.beschikking),
        fmt_dates(s.start),
        fmt_dates(s.end),
        fmt_ints(s.volume),
        np.array([t.unit for t in types], dtype=object)[s.kind],
        np.array([t.frequency for t in types], dtype=object)[s.kind],
        tw,
        REMARKS[rng.integers(0, len(REMARKS), s.n)],
    ]
    if s.law == "wmo":
        phone = "06-" + fmt_ints(10_000_000 + rng.integers(0, 89_999_999, s.n))
        cols.append(phone)
    return cols


def _dates_py(days: IntArray) -> list[Any]:
    out: list[Any] = np.where(days >= NO_DATE, 0, days).astype("datetime64[D]").tolist()
    return [None if d >= NO_DATE else v for d, v in zip(days.tolist(), out, strict=True)]


def participatie(
    s: Spells, pop: Population, refs: ObjArray, lost: npt.NDArray[np.bool_]
) -> list[list[Any]]:
    regeling = np.array([REGELING[i] for i in range(len(REGELING))], dtype=object)[s.kind]
    return [
        refs.tolist(),
        bsn_text(pop, s.person, lost).tolist(),
        full_names(pop, s.person).tolist(),
        regeling.tolist(),
        _dates_py(s.aanvraag),
        _dates_py(s.beschikking),
        _dates_py(s.start),
        _dates_py(s.end),
    ]


def schuldhulp(
    s: Spells,
    pop: Population,
    refs: ObjArray,
    lost: npt.NDArray[np.bool_],
    rng: np.random.Generator,
) -> list[ObjArray]:
    soort = np.array([SOORT_SCHULD[i] for i in range(len(SOORT_SCHULD))], dtype=object)[s.kind]
    street = STREETS[rng.integers(0, len(STREETS), s.n)]
    return [
        refs,
        bsn_text(pop, s.person, lost),
        full_names(pop, s.person),
        soort,
        fmt_dates(s.aanvraag),
        fmt_dates(s.melding),
        fmt_dates(s.start),
        fmt_dates(s.end),
        np.where(
            rng.random(s.n) < 0.3, "woont " + street + " " + fmt_ints(rng.integers(1, 200, s.n)), ""
        ),
    ]


_PER_MONTH = {"1": 30.4, "2": 4.33, "4": 1.0, "6": 1 / 6}


def declaraties(
    s: Spells, first_day: int, last_day: int
) -> tuple[IntArray, IntArray, IntArray, IntArray]:
    """Monthly bills per toewijzing: (spell index, period start, period end, cents)."""
    types = JEUGD if s.law == "jeugd" else WMO
    has_tw = np.array([t.toewijzing for t in types])[s.kind]
    sel = np.flatnonzero(has_tw)
    lo = np.maximum(s.start[sel], first_day)
    hi = np.minimum(s.end[sel], last_day)
    ok = lo <= hi
    sel, lo, hi = sel[ok], lo[ok], hi[ok]
    m_lo = lo.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    m_hi = hi.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    count = m_hi - m_lo + 1
    spell = np.repeat(sel, count)
    offset = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
    month = np.repeat(m_lo, count) + offset
    m_start = month.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    m_end = (month + 1).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64) - 1
    p_start = np.maximum(m_start, np.repeat(lo, count))
    p_end = np.minimum(m_end, np.repeat(hi, count))
    frac = (p_end - p_start + 1) / (m_end - m_start + 1)
    price = np.array([t.price_cents for t in types], dtype=np.float64)[s.kind[spell]]
    per_month = np.array([_PER_MONTH[t.frequency] for t in types])[s.kind[spell]]
    cents = np.maximum(1, np.round(s.volume[spell] * price * per_month * frac)).astype(np.int64)
    return spell, p_start, p_end, cents


def declaratie_columns(
    s: Spells,
    pop: Population,
    bills: tuple[IntArray, IntArray, IntArray, IntArray],
    ids: IntArray,
    agb: ObjArray,
    lost: npt.NDArray[np.bool_],
) -> list[ObjArray]:
    spell, p_start, p_end, cents = bills
    agb_s = agb[s.provider[spell]]
    month = p_start.astype("datetime64[D]").astype("datetime64[M]").astype(str).astype(object)
    invoice = "F" + agb_s + "-" + np.array([m.replace("-", "") for m in month], dtype=object)
    wet = "Jeugdwet" if s.law == "jeugd" else "Wmo"
    return [
        invoice,
        "D" + fmt_ints(ids),
        bsn_text(pop, s.person[spell], lost),
        fmt_ints(s.toewijzing[spell]),
        agb_s,
        product_codes(s)[spell],
        np.full(len(spell), wet, dtype=object),
        fmt_dates(p_start),
        fmt_dates(p_end),
        fmt_cents(cents),
    ]


def provider_table(rng: np.random.Generator) -> tuple[list[list[str]], dict[str, list[str]]]:
    """Aanbieders: rows for aanbieders.csv and the AGB codes serving each law."""
    words = ("Horizon", "De Brug", "Kompas", "Lindenhof", "Zorgkracht", "Thuis+", "Anker",
             "De Linde", "Samen Verder", "Vitaal", "Zonnebloem", "Het Baken", "Perspectief",
             "Stroom", "De Waard", "Elan", "Groeikracht", "Dichtbij", "Koers", "Veldzicht",
             "Rivierduin", "Meander", "Oosterpoort", "Welzijn Plus")  # fmt: skip
    rows: list[list[str]] = []
    by_law: dict[str, list[str]] = {"jeugd": [], "wmo": []}
    codes = rng.choice(np.arange(100_000, 999_999), size=len(words), replace=False)
    for i, word in enumerate(words):
        law = "jeugd" if i < 12 else ("wmo" if i < 21 else "beide")
        agb = f"{75 if law == 'jeugd' else 98}{int(codes[i]):06d}"
        kind = {"jeugd": "Jeugdhulp", "wmo": "Wmo-ondersteuning", "beide": "Jeugdhulp en Wmo"}[law]
        suffix = {"jeugd": "Jeugdzorg", "wmo": "Thuiszorg", "beide": "Zorggroep"}[law]
        rows.append([agb, f"{word} {suffix}", kind])
        for target in ("jeugd", "wmo"):
            if law in (target, "beide"):
                by_law[target].append(agb)
    return rows, by_law
