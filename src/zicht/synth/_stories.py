"""Synthetic stories for the ``bewoner`` form: Dutch texts with planted patterns and
planted personal data, both recorded in the manifest.

Planted patterns (everything else is drawn independently, so any other pattern a test
finds is a false alarm):

* ``wachten``: a long wait (``wachttijd = lang``) goes with feeling not heard (dyad
  ``gehoord`` low) and with a triad ``wat_bepaalde`` leaning to "de regels". Variables
  that depend on one cause are associated with each other too, so the cluster is
  {wachttijd, gehoord, wat_bepaalde}.
* ``bijstand_boos``: stories about the Participatiewet (``law = pwet``) lean to "boos"
  in the triad ``gevoel``: cluster {law, gevoel}.

About one story in four carries personal data in its text (name, BSN with or without
dots, phone, e-mail, IBAN with spaces, postcode with house number, licence plate); each
is listed in the manifest with its row and kind, so tests can check the scrubber on it.
The file is a CSV in the layout of ``zicht stories import`` (docs/stories.md).
"""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

REL_PATH = "verhalen/verhalen_bewoner.csv"
FORM_ID = "bewoner"
COLUMNS = (
    "verteld_op", "titel", "verhaal", "schuilnaam", "role", "law", "wijk", "age_group",
    "wat_bepaalde", "gehoord", "regie", "gevoel", "belangrijk", "wachttijd", "uitkomst",
    "thema",
)  # fmt: skip
PATTERNS = [
    {
        "id": "wachten",
        "cluster": ["wachttijd", "gehoord", "wat_bepaalde"],
        "direct": [["wachttijd", "gehoord"], ["wachttijd", "wat_bepaalde"]],
        "text": "lang wachten gaat samen met niet gehoord voelen en 'de regels' in de triade",
    },
    {
        "id": "bijstand_boos",
        "cluster": ["law", "gevoel"],
        "direct": [["law", "gevoel"]],
        "text": "verhalen over de Participatiewet neigen in de triade gevoel naar 'boos'",
    },
]

_FIRST = ("Sanne", "Ahmed", "Petra", "Jeroen", "Fatima", "Kees", "Yvonne", "Mehmet", "Ilse")
_LAST = ("Jansen", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "de Groot")
_STREETS = ("Lindenlaan", "Molenweg", "Kerkstraat", "Vaartkade", "Beukenhof", "Weidepad")
_BANKS = ("ABNA", "INGB", "RABO", "SNSB", "TRIO")
_LAW_TEXT = {
    "jeugd": ("jeugdhulp voor mijn zoon", "hulp voor onze dochter", "begeleiding voor ons kind"),
    "wmo": ("huishoudelijke hulp", "een traplift", "begeleiding thuis", "een scootmobiel"),
    "pwet": ("een bijstandsuitkering", "hulp bij het vinden van werk", "bijzondere bijstand"),
    "schuld": ("schuldhulp", "hulp bij mijn schulden", "een budgetcoach"),
}
_WAIT_TEXT = {
    "kort": ("Binnen een paar weken was er iemand.", "Het ging verrassend snel."),
    "middel": ("Het duurde een paar maanden.", "Na twee maanden kwam er beweging."),
    "lang": (
        "Ik heb meer dan een half jaar gewacht.",
        "Het duurde eindeloos, steeds weer een nieuw formulier.",
        "Maandenlang hoorde ik niets.",
    ),
}
_HEARD_TEXT = (
    ("Niemand luisterde echt naar wat ik nodig had.", "Ik voelde me een nummer."),
    ("Soms werd er geluisterd, soms niet.", "Het gesprek was wisselend."),
    ("De consulent nam echt de tijd voor mij.", "Ik voelde me serieus genomen."),
)
_OUTCOME_TEXT = {
    "beter": ("Nu gaat het beter met ons.", "Er is weer rust in huis."),
    "hetzelfde": ("Er is eigenlijk weinig veranderd.", "Het is nog steeds zwaar."),
    "slechter": ("Het is er niet beter op geworden.", "Ik sta er nu slechter voor."),
}
_TITLES = ("Wachten", "Eindelijk hulp", "Van het kastje naar de muur", "Een goed gesprek")
_AGE = ("0-17", "18-26", "27-44", "45-66", "67+")


def _bsn(rng: np.random.Generator) -> str:
    while True:
        d = [int(x) for x in rng.integers(0, 10, 8)]
        d[0] = int(rng.integers(1, 10))
        check = sum((9 - i) * d[i] for i in range(8)) % 11
        if check < 10:
            return "".join(map(str, d)) + str(check)


def _iban(rng: np.random.Generator) -> str:
    bank = _BANKS[int(rng.integers(len(_BANKS)))]
    acct = "".join(str(int(x)) for x in rng.integers(0, 10, 10))
    check = 98 - int("".join(str(int(c, 36)) for c in bank + acct + "NL00")) % 97
    raw = f"NL{check:02d}{bank}{acct}"
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def _pii(rng: np.random.Generator) -> tuple[str, str, str]:
    """(kind, value, sentence containing value)."""
    kind = str(rng.choice(["naam", "bsn", "telefoon", "email", "iban", "postcode", "kenteken"]))
    first = _FIRST[int(rng.integers(len(_FIRST)))]
    last = _LAST[int(rng.integers(len(_LAST)))]
    if kind == "naam":
        value = f"{first} {last}"
        return kind, value, f"Mijn consulent heette {value}."
    if kind == "bsn":
        b = _bsn(rng)
        value = b if rng.random() < 0.5 else f"{b[:4]}.{b[4:6]}.{b[6:]}"
        return kind, value, f"Mijn BSN is {value}, dat moest ik steeds opnieuw opgeven."
    if kind == "telefoon":
        digits = "".join(str(int(x)) for x in rng.integers(0, 10, 8))
        value = (
            f"06-{digits}"
            if rng.random() < 0.5
            else f"06 {digits[:2]} {digits[2:4]} " + (f"{digits[4:6]} {digits[6:]}")
        )
        return kind, value, f"Bel me gerust op {value}."
    if kind == "email":
        value = f"{first.lower()}.{last.lower().replace(' ', '')}@voorbeeld.nl"
        return kind, value, f"Mijn mail is {value}."
    if kind == "iban":
        value = _iban(rng)
        return kind, value, f"Het geld moest naar {value} maar kwam te laat."
    if kind == "postcode":
        num = int(rng.integers(1000, 10000))
        letters = "".join(chr(65 + int(x)) for x in rng.integers(0, 26, 2))
        if letters in ("SA", "SD", "SS"):
            letters = "AB"
        value = f"{num} {letters} {int(rng.integers(1, 200))}"
        return kind, value, f"We wonen op {value}, de taxi vond het nooit."
    letters = "".join(chr(66 + int(x)) for x in rng.integers(0, 24, 3))
    value = f"{int(rng.integers(1, 100)):02d}-{letters}-{int(rng.integers(1, 10))}"
    return kind, value, f"Onze auto, {value}, moest worden verkocht."


def _triad(rng: np.random.Generator, alpha: list[float]) -> str:
    v = rng.dirichlet(alpha)
    return "/".join(f"{x:.3f}" for x in v)


def _pick(rng: np.random.Generator, items: tuple[str, ...]) -> str:
    return items[int(rng.integers(len(items)))]


def _row(
    rng: np.random.Generator, wijken: list[str], periods: list[int], pii: bool
) -> tuple[list[str], tuple[str, str] | None]:
    law = str(rng.choice(["jeugd", "wmo", "pwet", "schuld"]))
    wait = str(rng.choice(["kort", "middel", "lang"], p=[0.35, 0.35, 0.30]))
    # Planted: a long wait lowers 'gehoord' and pulls 'wat_bepaalde' to 'de regels'.
    gehoord = float(np.clip(rng.normal(0.25 if wait == "lang" else 0.62, 0.17), 0, 1))
    bepaalde = _triad(rng, [5.0, 2.0, 2.0] if wait == "lang" else [2.0, 3.0, 3.0])
    # Planted: Participatiewet stories lean to 'boos'.
    gevoel = _triad(rng, [2.0, 5.0, 2.0] if law == "pwet" else [3.0, 2.0, 3.0])
    outcome = str(rng.choice(["beter", "hetzelfde", "slechter"]))
    themes = [t for t in ("geld", "zorg", "opvoeden", "werk") if rng.random() < 0.35]
    stones = "|".join(
        f"{item}:{rng.random():.3f}/{rng.random():.3f}"
        for item in ("geld", "wonen", "gezondheid", "gezin")
        if rng.random() < 0.8
    )
    heard_band = 0 if gehoord < 0.35 else (1 if gehoord < 0.65 else 2)
    sentences = [
        f"Ik had {_pick(rng, _LAW_TEXT[law])} nodig.",
        _pick(rng, _WAIT_TEXT[wait]),
        _pick(rng, _HEARD_TEXT[heard_band]),
        _pick(rng, _OUTCOME_TEXT[outcome]),
    ]
    planted: tuple[str, str] | None = None
    if pii:
        kind, value, sentence = _pii(rng)
        sentences.insert(int(rng.integers(1, len(sentences) + 1)), sentence)
        planted = (kind, value)
    period = periods[int(rng.integers(len(periods)))]
    told = date(period, 1, 1) + timedelta(days=int(rng.integers(0, 365)))
    na = rng.random() < 0.05  # now and then 'niet van toepassing' on regie
    row = [
        told.strftime("%d-%m-%Y"),
        _pick(rng, _TITLES),
        " ".join(sentences),
        "" if rng.random() < 0.7 else _pick(rng, ("Merel", "Zonnebloem", "Anoniem123")),
        "inwoner",
        law,
        wijken[int(rng.integers(len(wijken)))],
        _pick(rng, _AGE),
        bepaalde,
        f"{gehoord:.3f}",
        "nvt" if na else f"{rng.random():.3f}",
        gevoel,
        stones,
        wait,
        outcome,
        "|".join(themes),
    ]
    return row, planted


def write(
    out: Path, wijken: list[str], periods: list[int], seed: int, n: int = 600
) -> dict[str, Any]:
    """Write ``n`` stories to ``out/verhalen/verhalen_bewoner.csv``; return their manifest."""
    rng = np.random.default_rng([seed, 77])
    path = out / REL_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    planted_pii: list[dict[str, Any]] = []
    # The last two periods: stories are told about recent help.
    recent = periods[-2:]
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, delimiter=";")
        writer.writerow(COLUMNS)
        for i in range(n):
            row, planted = _row(rng, wijken, recent, rng.random() < 0.25)
            writer.writerow(row)
            if planted is not None:
                planted_pii.append({"row": i + 2, "kind": planted[0], "value": planted[1]})
    return {
        "file": REL_PATH,
        "form": FORM_ID,
        "rows": n,
        "patterns": PATTERNS,
        "personal_data": planted_pii,
    }
