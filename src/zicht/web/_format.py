"""Dutch number formatting for pages (decimal comma, thousands dot)."""

from __future__ import annotations

from datetime import datetime

SUPPRESSED_TEXT = "onderdrukt (privacybescherming)"

# Decimals shown per unit; the published value may carry more (or be rounded already).
_DECIMALS = {"%": 1, "per 1.000": 1, "dagen": 1, "euro": 0, "aantal": 0}

STATUS_TEXT = {
    "gepubliceerd": "gepubliceerd",
    "afgerond": "afgerond",
    "onderdrukt": "onderdrukt",
}
_MONTHS = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)

LEVEL_TEXT = {"gemeente": "gemeente", "wijk": "wijken", "buurt": "buurten"}
LEVEL_SINGULAR = {"gemeente": "gemeente", "wijk": "wijk", "buurt": "buurt"}


def number(value: float, decimals: int) -> str:
    """``1234.5, 1`` → ``"1.234,5"``."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def decimals_for(unit: str) -> int:
    return _DECIMALS.get(unit, 1)


def value(value: float | None, unit: str, *, with_unit: bool = True) -> str:
    """A published value as shown on a page; None (suppressed) never becomes a number."""
    if value is None:
        return SUPPRESSED_TEXT
    text = number(value, decimals_for(unit))
    if not with_unit or not unit:
        return text
    if unit == "euro":
        return f"€ {text}"
    if unit == "%":
        return f"{text}%"
    if unit == "aantal":  # the title says what is counted: "11.118", not "11.118 aantal"
        return text
    return f"{text} {unit}"


def count(value: float | None) -> str:
    """A numerator or denominator: whole numbers without decimals, amounts with two."""
    if value is None:
        return "–"
    if float(value).is_integer():
        return number(value, 0)
    return number(value, 2)


def status(status: str) -> str:
    return STATUS_TEXT.get(status, status)


def timestamp(text: str) -> str:
    """An ISO 8601 time as Dutch words (``1 maart 2025, 12:00 UTC``); else the text itself."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    zone = ""
    offset = moment.utcoffset()
    if offset is not None:
        zone = " UTC" if offset.total_seconds() == 0 else moment.strftime(" UTC%z")
    month = _MONTHS[moment.month - 1]
    return f"{moment.day} {month} {moment.year}, {moment:%H:%M}{zone}"
