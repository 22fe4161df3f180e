"""Scrubbing personal data out of told stories before anyone but the teller sees them.

Two layers, their findings merged:

* the Dutch de-identification library ``deduce`` (names, streets and towns, dates, BSN
  written as nine plain digits, phone numbers, e-mail addresses, URLs);
* our own rules for what deduce misses (TOOLCHAIN.md: it caught 82% alone): BSN with
  the 11-proef, also written with dots or spaces; IBAN with or without spaces, checked
  with ISO 7064 mod 97; Dutch phone numbers in their usual spellings; e-mail; postcode
  with an optional house number; Dutch licence plates (the RDW side codes).

Each finding is replaced by a bracketed Dutch tag (``[NAAM]``, ``[BSN]``, ...). Deduce's
organisation tags (hospital, care institution) and ages are kept out on purpose: an
organisation is no personal data and a story without its organisations loses its meaning.

Loading deduce builds lookup structures (86 s on first use after installing, about 8 s
later), so one :class:`Scrubber` is made per process by :func:`get_scrubber`.

Example::

    get_scrubber().scrub("Bel Jan op 06-12345678").text   # 'Bel [NAAM] op [TELEFOON]'
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any

TAGS = {
    "naam": "[NAAM]",
    "bsn": "[BSN]",
    "iban": "[IBAN]",
    "telefoon": "[TELEFOON]",
    "email": "[E-MAIL]",
    "adres": "[ADRES]",
    "postcode": "[POSTCODE]",
    "kenteken": "[KENTEKEN]",
    "datum": "[DATUM]",
    "url": "[URL]",
    "id": "[NUMMER]",
}

_DEDUCE_KINDS = {
    "persoon": "naam",
    "patient": "naam",
    "locatie": "adres",
    "datum": "datum",
    "bsn": "bsn",
    "id": "id",
    "telefoonnummer": "telefoon",
    "emailadres": "email",
    "url": "url",
}
"""Deduce tags we act on; others (ziekenhuis, zorginstelling, leeftijd) stay in the text."""


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str
    source: str  # "regel" (own rule) or "deduce"


@dataclass(frozen=True)
class ScrubResult:
    text: str
    spans: tuple[Span, ...]  # positions in the ORIGINAL text

    @property
    def kinds(self) -> set[str]:
        return {s.kind for s in self.spans}


def bsn_valid(digits: str) -> bool:
    """The 11-proef: 9 digits, sum of digit × (9..2) minus the last digit, divisible by 11."""
    if len(digits) != 9 or not digits.isdigit() or digits == "000000000":
        return False
    d = [int(c) for c in digits]
    return (sum((9 - i) * d[i] for i in range(8)) - d[8]) % 11 == 0


def iban_valid(text: str) -> bool:
    """ISO 13616: move the first four characters to the end, letters to numbers, mod 97 = 1."""
    s = re.sub(r"\s", "", text).upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", s):
        return False
    return int("".join(str(int(c, 36)) for c in s[4:] + s[:4])) % 97 == 1


_BSN = re.compile(r"(?<![\d.])\d(?:[ .]?\d){7,8}(?![\d]|\.\d)")
_BSN_CONTEXT = re.compile(r"(?i)(bsn|burgerservice\s*nummer|sofi\s*nummer)\W{0,6}$")
_IBAN = re.compile(r"(?i)\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b")
_PHONE = re.compile(
    r"(?<![\w+])(?:"
    r"(?:\+31|0031)[\s\-]?(?:\(0\)[\s\-]?)?\d(?:[\s\-]?\d){8}"  # +31 6 12345678
    r"|\(0\d{2,3}\)[\s\-]?\d(?:[\s\-]?\d){5,6}"  # (020) 123 45 67
    r"|0\d(?:[\s\-]?\d){8}"  # 06-12345678, 010-4567890, 06 12 34 56 78
    r")(?!\d)"
)
_EMAIL = re.compile(r"(?i)\b[A-Z0-9._%+\-]+@[A-Z0-9.\-]+\.[A-Z]{2,}\b")
# Letters SA, SD and SS are not used in Dutch postcodes; a house number may follow.
_POSTCODE = re.compile(r"\b[1-9]\d{3} ?(?!SA|SD|SS)[A-Z]{2}\b(?:,? \d{1,5}(?: ?[a-zA-Z])?\b)?")
# RDW side codes 1-14: three groups of letters or digits joined by '-', six characters
# in all, with letters and digits both present (so dates like 12-03-24 are no plate).
_PLATE = re.compile(r"\b(?:[A-Z]{1,3}|\d{1,3})-(?:[A-Z]{1,3}|\d{1,3})-(?:[A-Z]{1,3}|\d{1,3})\b")


def _plate_ok(text: str) -> bool:
    body = text.replace("-", "")
    groups = text.split("-")
    mixed = any(c.isalpha() for c in body) and any(c.isdigit() for c in body)
    return len(body) == 6 and mixed and all(g.isalpha() or g.isdigit() for g in groups)


def own_rules(text: str) -> list[Span]:
    """Findings of our own rules (without deduce)."""
    spans: list[Span] = []
    for m in _IBAN.finditer(text):
        # The pattern may run on into a following word ("... 21 maar"): take the longest
        # prefix that ends on a character and passes the check.
        cand = m.group()
        for end in range(len(cand), 14, -1):
            if cand[end - 1] != " " and iban_valid(cand[:end]):
                spans.append(Span(m.start(), m.start() + end, "iban", "regel"))
                break
    for m in _BSN.finditer(text):
        digits = re.sub(r"\D", "", m.group())
        if len(digits) == 8:  # a BSN whose leading zero was lost
            digits = "0" + digits
        said = _BSN_CONTEXT.search(text[max(0, m.start() - 40) : m.start()]) is not None
        if bsn_valid(digits) or (said and len(digits) == 9):
            spans.append(Span(m.start(), m.end(), "bsn", "regel"))
    for m in _PHONE.finditer(text):
        spans.append(Span(m.start(), m.end(), "telefoon", "regel"))
    for m in _EMAIL.finditer(text):
        spans.append(Span(m.start(), m.end(), "email", "regel"))
    for m in _POSTCODE.finditer(text):
        spans.append(Span(m.start(), m.end(), "postcode", "regel"))
    for m in _PLATE.finditer(text):
        if _plate_ok(m.group()):
            spans.append(Span(m.start(), m.end(), "kenteken", "regel"))
    return spans


def merge(spans: list[Span]) -> list[Span]:
    """Overlapping findings become one; the kind of an own rule wins over deduce's."""
    ordered = sorted(spans, key=lambda s: (s.start, s.source != "regel", -s.end))
    out: list[Span] = []
    for s in ordered:
        if out and s.start < out[-1].end:
            last = out[-1]
            keep = last if last.source == "regel" or s.source != "regel" else s
            out[-1] = Span(last.start, max(last.end, s.end), keep.kind, keep.source)
        else:
            out.append(s)
    return out


class Scrubber:
    """Scrubs texts; thread-safe (deduce is not, so calls into it are serialised)."""

    def __init__(self, use_deduce: bool = True) -> None:
        self._deduce: Any = None
        if use_deduce:
            from deduce import Deduce  # heavy: builds or loads lookup structures

            self._deduce = Deduce()
        self._lock = threading.Lock()

    def _deduce_spans(self, text: str) -> list[Span]:
        if self._deduce is None:
            return []
        with self._lock:
            doc = self._deduce.deidentify(text)
        spans = []
        for ann in doc.annotations:
            kind = _DEDUCE_KINDS.get(str(ann.tag))
            if kind is not None:
                spans.append(Span(int(ann.start_char), int(ann.end_char), kind, "deduce"))
        return spans

    @staticmethod
    def rules_only(text: str) -> str:
        """``text`` scrubbed by the own rules alone (no names, streets or dates)."""
        return _replace(text, merge(own_rules(text)))

    def scrub(self, text: str) -> ScrubResult:
        spans = merge(own_rules(text) + self._deduce_spans(text))
        return ScrubResult(_replace(text, spans), tuple(spans))


def _replace(text: str, spans: list[Span]) -> str:
    parts: list[str] = []
    pos = 0
    for s in spans:
        parts.append(text[pos : s.start])
        parts.append(TAGS[s.kind])
        pos = s.end
    parts.append(text[pos:])
    return "".join(parts)


_SCRUBBER: Scrubber | None = None
_SCRUBBER_LOCK = threading.Lock()


def get_scrubber() -> Scrubber:
    """The process's one scrubber (deduce loaded on first call)."""
    global _SCRUBBER
    with _SCRUBBER_LOCK:
        if _SCRUBBER is None:
            _SCRUBBER = Scrubber()
        return _SCRUBBER
