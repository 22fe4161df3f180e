"""Dutch words for the codes a breakdown publishes (``geslacht`` ``2`` → "vrouw").

The cube keeps the codes (exports and the API are for machines and analysts); pages show
what a council member reads. Codes come from the iJw/iWmo code lists in
``defaults/codes.yaml`` where they exist; an unknown code is shown as it is.
"""

from __future__ import annotations

import re
from functools import cache

from zicht.model.codes import code_lists, codes

BREAKDOWN_TEXT = {
    "leeftijd": "Leeftijd",
    "geslacht": "Geslacht",
    "wet": "Wet",
    "productcategorie": "Productcategorie",
    "huishoudtype": "Huishouden",
    "verwijzer": "Verwijzer",
    "aantal_wetten": "Aantal wetten",
    "wetcombinatie": "Combinatie van wetten",
}
LAW_TEXT = {
    "jeugd": "Jeugdwet",
    "wmo": "Wmo 2015",
    "pwet": "Participatiewet",
    "schuld": "Schuldhulpverlening",
    "wijkteam": "Wijkteam",
}
_SEX_TEXT = {"1": "man", "2": "vrouw", "0": "onbekend"}
_HOUSEHOLD_TEXT = {
    "eenpersoons": "eenpersoonshuishouden",
    "eenouder": "eenoudergezin",
    "meerpersoons_met_kinderen": "meer volwassenen met kinderen",
    "meerpersoons_zonder_kinderen": "meer volwassenen zonder kinderen",
    "overig": "overig",
}
_AGE = re.compile(r"^(\d+)(?:-(\d+)|(\+))$")


@cache
def _products() -> dict[str, str]:
    """Product category codes of every law; iJw (31–55) and iWmo (01–18) do not overlap."""
    merged: dict[str, str] = {}
    for cats in code_lists()["product_category"].values():
        for code, text in cats.items():
            merged.setdefault(str(code), str(text))
    return merged


def _age(category: str) -> str:
    m = _AGE.match(category)
    if m is None:
        return category
    low, high, plus = m.groups()
    return f"{low} jaar en ouder" if plus else f"{low} t/m {high} jaar"


def _combination(category: str) -> str:
    """``alleen_wmo`` → "alleen Wmo 2015"; ``jeugd_wmo_pwet`` → "Jeugdwet + Wmo 2015 +
    Participatiewet"."""
    if category.startswith("alleen_"):
        return "alleen " + LAW_TEXT.get(category[len("alleen_") :], category)
    parts = category.split("_")
    if all(p in LAW_TEXT for p in parts):
        return " + ".join(LAW_TEXT[p] for p in parts)
    return category


def category_text(breakdown: str, category: str) -> str:
    """The Dutch words for one category of one breakdown."""
    if breakdown == "leeftijd":
        return _age(category)
    if breakdown == "geslacht":
        return _SEX_TEXT.get(category, category)
    if breakdown == "wet":
        return LAW_TEXT.get(category, category)
    if breakdown == "huishoudtype":
        return _HOUSEHOLD_TEXT.get(category, category)
    if breakdown == "verwijzer":
        return codes("referrer").get(category, category)
    if breakdown == "productcategorie":
        return _products().get(category, category)
    if breakdown == "aantal_wetten":
        return "1 wet" if category == "1" else f"{category} wetten"
    if breakdown == "wetcombinatie":
        return _combination(category)
    return category


def category_order(breakdown: str, category: str) -> tuple[int, str]:
    """Sort key: ages by their lower bound (0-5 before 12-17 before 65+), codes as text."""
    if breakdown in ("leeftijd", "aantal_wetten"):
        digits = re.match(r"\d+", category)
        return (int(digits.group()) if digits else 10**6, category)
    return (0, category)


def breakdown_text(breakdown: str) -> str:
    return BREAKDOWN_TEXT.get(breakdown, breakdown)
