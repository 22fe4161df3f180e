"""Write synthetic iJw/iWmo 3.2 messages (JW/WMO 301, 305 and 307).

The generator writes tens of thousands of these, so documents are rendered from string
templates rather than element trees. Templates follow the public example messages and
carry only what the 3.2 XSDs require plus the fields zicht models. Values are escaped but
not checked: a value outside its XSD format (an 8-digit BSN, a 6-character product code)
gives a message that fails its schema, which is how the generator plants
``schema_invalid`` defects on purpose. Structural impossibilities (an unknown law or kind,
a 307 without end date or reason, a volume without unit or frequency) raise
:class:`ValueError`, because they are bugs in the caller.

Example::

    msg = ClientMessage(law="jeugd", kind="301", gemeente_code="9901",
                        provider_code="12345678", message_id="1", ...)
    write_message(Path("berichten/ijw/1.xml"), msg)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

__all__ = ["ClientMessage", "Product", "render_message", "write_message"]


@dataclass(frozen=True)
class Product:
    """One toegewezen (301), gestart (305) or gestopt (307) product."""

    toewijzing_nr: str  # digits; the XSD (LDT_Nummer) allows at most 999999999
    product_category: str  # JZ020 / WMO020 code
    product_code: str  # 5 characters, e.g. "45A01"
    start: date
    end: date | None
    volume: int | None
    unit: str | None  # WJ756 code
    frequency: str | None  # WMO757 code
    reason_end: str | None = None  # JZ588 / WMO588 code, required for 307


@dataclass(frozen=True)
class ClientMessage:
    """One message about one client, from gemeente to aanbieder (301) or back (305, 307)."""

    law: str  # 'jeugd' | 'wmo'
    kind: str  # '301' | '305' | '307'
    gemeente_code: str  # 4 digits, e.g. '9901'
    provider_code: str  # AGB code, 8 digits
    message_id: str  # digits, at most 12, unique per message
    dagtekening: date
    bsn: str
    birth_date: date
    sex: str  # COD046: '0' onbekend, '1' man, '2' vrouw
    surname: str
    first_names: str
    products: tuple[Product, ...]


# (law, kind) -> BerichtCode (COD002), from the XSDs' fixed patterns.
_BERICHTCODE = {
    ("jeugd", "301"): "436",
    ("jeugd", "305"): "438",
    ("jeugd", "307"): "440",
    ("wmo", "301"): "414",
    ("wmo", "305"): "418",
    ("wmo", "307"): "420",
}
_LAW_PREFIX = {"jeugd": ("ijw", "jw"), "wmo": ("iwmo", "wmo")}
# Time of the toewijzing; the model does not keep it, the XSD requires it.
_TOEWIJZINGSTIJD = "09:00:00"

# Templates use "M:" for the message namespace prefix and "B:" for the basisschema one;
# they are specialised per (law, kind) once, on first use.
_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<M:Bericht xmlns:{base}="{base_ns}" xmlns:{msg}="{msg_ns}">
\t<M:Header>
\t\t<M:BerichtCode>{code}</M:BerichtCode>
\t\t<M:BerichtVersie>3</M:BerichtVersie>
\t\t<M:BerichtSubversie>2</M:BerichtSubversie>
\t\t<M:Afzender>%(afzender)s</M:Afzender>
\t\t<M:Ontvanger>%(ontvanger)s</M:Ontvanger>
\t\t<M:BerichtIdentificatie>
\t\t\t<B:Identificatie>%(message_id)s</B:Identificatie>
\t\t\t<B:Dagtekening>%(dagtekening)s</B:Dagtekening>
\t\t</M:BerichtIdentificatie>
\t\t<M:XsdVersie>
\t\t\t<B:BasisschemaXsdVersie>1.0.0</B:BasisschemaXsdVersie>
\t\t\t<B:BerichtXsdVersie>1.0.0</B:BerichtXsdVersie>
\t\t</M:XsdVersie>
\t</M:Header>
\t<M:Client>
\t\t<M:Bsn>%(bsn)s</M:Bsn>
\t\t<M:Geboortedatum>
\t\t\t<B:Datum>%(birth_date)s</B:Datum>
\t\t</M:Geboortedatum>
\t\t<M:Geslacht>%(sex)s</M:Geslacht>
\t\t<M:Naam>
\t\t\t<B:Geslachtsnaam>
\t\t\t\t<B:Achternaam>%(surname)s</B:Achternaam>
\t\t\t</B:Geslachtsnaam>
%(given)s"""

_GIVEN_NAMES = "\t\t\t<B:Voornamen>%(first_names)s</B:Voornamen>\n"
_INITIALS = "\t\t\t<B:Voorletters>%(initials)s</B:Voorletters>\n"

# 301 carries the full name (NaamGebruik is mandatory there) and one contact: the XSD
# requires Contactgegevens, and the BRP address type without an address is the least PII.
_BODY = {
    "301": (
        "\t\t\t<B:NaamGebruik>1</B:NaamGebruik>\n"
        "\t\t</M:Naam>\n"
        "\t\t<M:Contactgegevens>\n"
        "\t\t\t<M:Contact>\n"
        "\t\t\t\t<M:Soort>01</M:Soort>\n"
        "\t\t\t</M:Contact>\n"
        "\t\t</M:Contactgegevens>\n"
        "\t\t<M:ToegewezenProducten>\n",
        "\t\t</M:ToegewezenProducten>\n",
    ),
    "305": ("\t\t</M:Naam>\n\t\t<M:StartProducten>\n", "\t\t</M:StartProducten>\n"),
    "307": ("\t\t</M:Naam>\n\t\t<M:StopProducten>\n", "\t\t</M:StopProducten>\n"),
}
_TAIL = "\t</M:Client>\n</M:Bericht>\n"

_PRODUCT_HEAD = {
    "301": "\t\t\t<M:ToegewezenProduct>\n",
    "305": "\t\t\t<M:StartProduct>\n",
    "307": "\t\t\t<M:StopProduct>\n",
}
_PRODUCT_TAIL = {
    "301": "\t\t\t</M:ToegewezenProduct>\n",
    "305": "\t\t\t</M:StartProduct>\n",
    "307": "\t\t\t</M:StopProduct>\n",
}
_NUMBER = "\t\t\t\t<M:ToewijzingNummer>%s</M:ToewijzingNummer>\n"
_PRODUCT = (
    "\t\t\t\t<M:Product>\n"
    "\t\t\t\t\t<B:Categorie>%(category)s</B:Categorie>\n"
    "%(code)s"
    "\t\t\t\t</M:Product>\n"
)
_CODE = "\t\t\t\t\t<B:Code>%s</B:Code>\n"
_ASSIGNED = (
    "\t\t\t\t<M:Toewijzingsdatum>%(assigned)s</M:Toewijzingsdatum>\n"
    "\t\t\t\t<M:Toewijzingstijd>" + _TOEWIJZINGSTIJD + "</M:Toewijzingstijd>\n"
    "\t\t\t\t<M:Ingangsdatum>%(start)s</M:Ingangsdatum>\n"
)
_END_301 = "\t\t\t\t<M:Einddatum>%s</M:Einddatum>\n"
_VOLUME = (
    "\t\t\t\t<M:Omvang>\n"
    "\t\t\t\t\t<B:Volume>%(volume)d</B:Volume>\n"
    "\t\t\t\t\t<B:Eenheid>%(unit)s</B:Eenheid>\n"
    "\t\t\t\t\t<B:Frequentie>%(frequency)s</B:Frequentie>\n"
    "\t\t\t\t</M:Omvang>\n"
)
_BEGIN = "\t\t\t\t<M:Begindatum>%s</M:Begindatum>\n"
_STOP = (
    "\t\t\t\t<M:RedenBeeindiging>%(reason)s</M:RedenBeeindiging>\n"
    "\t\t\t\t<M:Einddatum>%(end)s</M:Einddatum>\n"
)
_STATUS = "\t\t\t\t<M:StatusAanlevering>1</M:StatusAanlevering>\n"

_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
# LDT_Voorletters: 1 to 6 letters from this range.
_LETTER = re.compile(r"[a-zA-ZÀ-ỳ]")


def _esc(value: str) -> str:
    """Escape text content; values only ever go into element text, never attributes."""
    return value.translate(_ESCAPES)


class _Templates:
    """The templates of one (law, kind), with namespace prefixes filled in."""

    def __init__(self, law: str, kind: str) -> None:
        base, short = _LAW_PREFIX[law]
        msg_prefix = f"{short}{kind}"
        base_ns = f"http://www.istandaarden.nl/{base}/3_2/basisschema/schema"
        msg_ns = f"http://www.istandaarden.nl/{base}/3_2/{msg_prefix}/schema"

        def fill(text: str) -> str:
            return text.replace("M:", msg_prefix + ":").replace("B:", base + ":")

        head = _HEAD.replace("{base_ns}", base_ns).replace("{msg_ns}", msg_ns)
        head = head.replace("{base}", base).replace("{msg}", msg_prefix)
        self.head = fill(head.replace("{code}", _BERICHTCODE[(law, kind)]))
        self.given = fill(_GIVEN_NAMES)
        self.initials = fill(_INITIALS)
        self.body_open, self.body_close = (fill(t) for t in _BODY[kind])
        self.tail = fill(_TAIL)
        self.product_head = fill(_PRODUCT_HEAD[kind])
        self.product_tail = fill(_PRODUCT_TAIL[kind])
        self.number = fill(_NUMBER)
        self.product = fill(_PRODUCT)
        self.code = fill(_CODE)
        self.assigned = fill(_ASSIGNED)
        self.end_301 = fill(_END_301)
        self.volume = fill(_VOLUME)
        self.begin = fill(_BEGIN)
        self.stop = fill(_STOP)
        self.status = fill(_STATUS)


_CACHE: dict[tuple[str, str], _Templates] = {}


def _templates(law: str, kind: str) -> _Templates:
    key = (law, kind)
    found = _CACHE.get(key)
    if found is None:
        if key not in _BERICHTCODE:
            raise ValueError(f"unknown message: law={law!r} kind={kind!r}")
        found = _CACHE[key] = _Templates(law, kind)
    return found


def _initials(first_names: str) -> str:
    letters = []
    for name in first_names.split():
        if _LETTER.match(name[0]):
            letters.append(name[0].upper())
    return "".join(letters[:6])


def _render_product(t: _Templates, kind: str, p: Product, assigned: str) -> str:
    parts = [t.product_head, t.number % _esc(p.toewijzing_nr)]
    code = t.code % _esc(p.product_code) if p.product_code else ""
    parts.append(t.product % {"category": _esc(p.product_category), "code": code})
    if kind == "301":
        parts.append(t.assigned % {"assigned": assigned, "start": p.start.isoformat()})
        if p.end is not None:
            parts.append(t.end_301 % p.end.isoformat())
        if p.volume is not None:
            if p.unit is None or p.frequency is None:
                raise ValueError(
                    f"toewijzing {p.toewijzing_nr}: a volume needs both unit and frequency"
                )
            parts.append(
                t.volume
                % {"volume": p.volume, "unit": _esc(p.unit), "frequency": _esc(p.frequency)}
            )
    else:
        parts.append(t.begin % p.start.isoformat())
        if kind == "307":
            if p.end is None or p.reason_end is None:
                raise ValueError(
                    f"toewijzing {p.toewijzing_nr}: a 307 needs an end date and reason_end"
                )
            parts.append(t.stop % {"reason": _esc(p.reason_end), "end": p.end.isoformat()})
        parts.append(t.status)
    parts.append(t.product_tail)
    return "".join(parts)


def render_message(msg: ClientMessage) -> bytes:
    """The UTF-8 XML document of ``msg``; valid against its 3.2 XSD for valid values."""
    t = _templates(msg.law, msg.kind)
    if not msg.products:
        raise ValueError(f"message {msg.message_id}: no products")
    if msg.kind == "301":
        afzender, ontvanger = msg.gemeente_code, msg.provider_code
    else:
        afzender, ontvanger = msg.provider_code, msg.gemeente_code
    given = ""
    first_names = msg.first_names.strip()
    if first_names:
        given = t.given % {"first_names": _esc(first_names)}
        initials = _initials(first_names)
        if initials:
            given += t.initials % {"initials": initials}
    dagtekening = msg.dagtekening.isoformat()
    parts = [
        t.head
        % {
            "afzender": _esc(afzender),
            "ontvanger": _esc(ontvanger),
            "message_id": _esc(msg.message_id),
            "dagtekening": dagtekening,
            "bsn": _esc(msg.bsn),
            "birth_date": msg.birth_date.isoformat(),
            "sex": _esc(msg.sex),
            "surname": _esc(msg.surname),
            "given": given,
        },
        t.body_open,
    ]
    for product in msg.products:
        parts.append(_render_product(t, msg.kind, product, dagtekening))
    parts.append(t.body_close)
    parts.append(t.tail)
    return "".join(parts).encode("utf-8")


def write_message(path: Path, msg: ClientMessage) -> None:
    """Write ``msg`` to ``path`` (parent folders must exist)."""
    path.write_bytes(render_message(msg))
