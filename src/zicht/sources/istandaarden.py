"""Read iJw/iWmo 3.2 messages (JW3xx, WMO3xx) into canonical records.

Only the fields of docs/model.md are read; names, addresses, phone numbers, e-mail,
comments and relations are never touched, so they cannot leak into a record.

What each message type becomes (``target`` and, for events, ``step``):

=============  ============  ======================  ==========================================
message        target        step                    event_date
=============  ============  ======================  ==========================================
301            toewijzing    -                       -
305            event         start_levering          Begindatum
307            event         stop_levering           Einddatum (detail: RedenBeeindiging)
315            event         verzoek_toewijzing      Dagtekening (detail, referrer: Verwijzer)
317            event         verzoek_toewijzing      Dagtekening (detail: ``wijziging:<reden>``)
323            cost          -                       -
302 306 308    None          -                       retour- and antwoordberichten carry no
316 318 319                                          facts zicht models; records = []
320 325
=============  ============  ======================  ==========================================

A 317 (verzoek om wijziging) asks for a new or changed toewijzing, so it is one more
``verzoek_toewijzing`` step in the chain: one record per product to change (with its
ToewijzingNummer) or new product; unchanged products are not a request and are skipped.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from lxml import etree

from zicht.sources import _xml_safety, _xml_schema

__all__ = ["ParsedMessage", "detect", "read_message"]

Record = dict[str, str | None]


@dataclass
class ParsedMessage:
    """One message: header facts plus one canonical record per client product or line."""

    message_type: str  # e.g. 'JW301', 'WMO305'
    law: str  # 'jeugd' | 'wmo'
    message_id: str  # BerichtIdentificatie/Identificatie
    sender: str | None
    receiver: str | None
    dagtekening: str | None  # ISO date text as in the message
    target: str | None  # 'toewijzing' | 'event' | 'cost' | None (nothing modelled)
    records: list[Record]  # canonical fields + 'row_number' ("1", "2", ...)
    schema_error: str | None  # one Dutch line when the message fails its XSD


_NAMESPACE = re.compile(
    r"^http://www\.istandaarden\.nl/(ijw|iwmo)/([0-9_]+)/(jw|wmo)(\d{3})/schema$"
)
_LAWS = {"ijw": ("jeugd", "JW"), "iwmo": ("wmo", "WMO")}
_NOT_MODELLED = frozenset({"302", "306", "308", "316", "318", "319", "320", "325"})


class _Doc:
    """Namespace-aware lookups in one message; ``m`` and ``b`` are Clark prefixes."""

    __slots__ = ("b", "m", "root")

    def __init__(self, root: etree._Element, message_ns: str, base_ns: str) -> None:
        self.root = root
        self.m = "{" + message_ns + "}"
        self.b = "{" + base_ns + "}"

    def path(self, *steps: str) -> str:
        """An ElementPath; steps starting with ``b:`` are in the basisschema namespace."""
        return _element_path(self.m, self.b, steps)

    def text(self, element: etree._Element | None, *steps: str) -> str | None:
        if element is None:
            return None
        found = element.find(self.path(*steps)) if steps else element
        if found is None or found.text is None:
            return None
        value = found.text.strip()
        return value or None

    def all(self, element: etree._Element | None, *steps: str) -> list[etree._Element]:
        if element is None:
            return []
        return list(element.iterfind(self.path(*steps)))


@functools.cache
def _element_path(m: str, b: str, steps: tuple[str, ...]) -> str:
    # Cached: the same few dozen paths are built for every message of a type.
    return "/".join(b + s[2:] if s.startswith("b:") else m + s for s in steps)


@dataclass(frozen=True)
class _Header:
    sender: str | None
    receiver: str | None
    dagtekening: str | None


def _product(doc: _Doc, el: etree._Element) -> Record:
    return {
        "product_category": doc.text(el, "Product", "b:Categorie"),
        "product_code": doc.text(el, "Product", "b:Code"),
    }


def _toewijzingen(doc: _Doc, head: _Header) -> Iterator[Record]:
    client = doc.root.find(doc.path("Client"))
    person = _person(doc, client)
    for el in doc.all(client, "ToegewezenProducten", "ToegewezenProduct"):
        yield {
            **person,
            "toewijzing_ref": doc.text(el, "ToewijzingNummer"),
            **_product(doc, el),
            "provider_code": head.receiver,
            "start_date": doc.text(el, "Ingangsdatum"),
            "end_date": doc.text(el, "Einddatum"),
            "volume": doc.text(el, "Omvang", "b:Volume"),
            "unit": doc.text(el, "Omvang", "b:Eenheid"),
            "frequency": doc.text(el, "Omvang", "b:Frequentie"),
            "assigned_date": doc.text(el, "Toewijzingsdatum"),
        }


def _person(doc: _Doc, client: etree._Element | None) -> Record:
    return {
        "bsn": doc.text(client, "Bsn"),
        "birth_date": doc.text(client, "Geboortedatum", "b:Datum"),
        "sex": doc.text(client, "Geslacht"),
    }


def _event(
    doc: _Doc,
    bsn: str | None,
    step: str,
    event_date: str | None,
    toewijzing_ref: str | None,
    product: Record,
    provider_code: str | None,
    detail: str | None = None,
    referrer: str | None = None,
) -> Record:
    return {
        "bsn": bsn,
        "step": step,
        "event_date": event_date,
        "toewijzing_ref": toewijzing_ref,
        **product,
        "provider_code": provider_code,
        "detail": detail,
        "referrer": referrer,
    }


def _starts(doc: _Doc, head: _Header) -> Iterator[Record]:
    client = doc.root.find(doc.path("Client"))
    bsn = doc.text(client, "Bsn")
    for el in doc.all(client, "StartProducten", "StartProduct"):
        ref = doc.text(el, "ToewijzingNummer")
        date = doc.text(el, "Begindatum")
        yield _event(doc, bsn, "start_levering", date, ref, _product(doc, el), head.sender)


def _stops(doc: _Doc, head: _Header) -> Iterator[Record]:
    client = doc.root.find(doc.path("Client"))
    bsn = doc.text(client, "Bsn")
    for el in doc.all(client, "StopProducten", "StopProduct"):
        yield _event(
            doc,
            bsn,
            "stop_levering",
            doc.text(el, "Einddatum"),
            doc.text(el, "ToewijzingNummer"),
            _product(doc, el),
            head.sender,
            detail=doc.text(el, "RedenBeeindiging"),
        )


def _requests(doc: _Doc, head: _Header) -> Iterator[Record]:
    client = doc.root.find(doc.path("Client"))
    bsn = doc.text(client, "Bsn")
    for el in doc.all(client, "AangevraagdeProducten", "AangevraagdProduct"):
        referrer = doc.text(el, "Verwijzer", "b:Type")
        yield _event(
            doc,
            bsn,
            "verzoek_toewijzing",
            head.dagtekening,
            None,
            _product(doc, el),
            head.sender,
            detail=referrer,
            referrer=referrer,
        )


def _change_requests(doc: _Doc, head: _Header) -> Iterator[Record]:
    client = doc.root.find(doc.path("Client"))
    bsn = doc.text(client, "Bsn")
    verzoek = client.find(doc.path("Verzoek")) if client is not None else None
    reason = doc.text(verzoek, "RedenVerzoek")
    detail = f"wijziging:{reason}" if reason else "wijziging"
    empty: Record = {"product_category": None, "product_code": None}
    for el in doc.all(verzoek, "TeWijzigenProducten", "TeWijzigenProduct"):
        ref = doc.text(el, "ToewijzingNummer")
        yield _event(
            doc, bsn, "verzoek_toewijzing", head.dagtekening, ref, empty, head.sender, detail
        )
    for el in doc.all(verzoek, "NieuweProducten", "NieuwProduct"):
        yield _event(
            doc,
            bsn,
            "verzoek_toewijzing",
            head.dagtekening,
            None,
            _product(doc, el),
            head.sender,
            detail,
        )


def _costs(doc: _Doc, head: _Header) -> Iterator[Record]:
    declaratie = doc.root.find(doc.path("Declaratie"))
    number = doc.text(declaratie, "DeclaratieNummer")
    for client in doc.all(declaratie, "Clienten", "Client"):
        bsn = doc.text(client, "Bsn")
        for el in doc.all(client, "Prestaties", "Prestatie"):
            reference = doc.text(el, "ProductReferentie", "b:ReferentieNummer")
            yield {
                # DeclaratieNummer alone names the whole bill; the prestatie's
                # ReferentieNummer makes the line unique within it.
                "declaratie_ref": f"{number}:{reference}" if number and reference else None,
                "bsn": bsn,
                "toewijzing_ref": doc.text(el, "ToewijzingNummer"),
                "provider_code": head.sender,
                "product_code": doc.text(el, "ProductCode"),
                "period_start": doc.text(el, "ProductPeriode", "b:Begindatum"),
                "period_end": doc.text(el, "ProductPeriode", "b:Einddatum"),
                "amount": _euros(
                    doc.text(el, "IngediendBedrag", "b:Bedrag"),
                    doc.text(el, "IngediendBedrag", "b:DebetCredit"),
                ),
            }


def _euros(cents: str | None, debit_credit: str | None) -> str | None:
    """Bedrag is in eurocent with a separate D/C flag; the model wants signed euros."""
    if cents is None or not cents.isdigit():
        return cents  # left for the validator's invalid_number rule
    euros = Decimal(cents) / 100
    if debit_credit == "C":
        euros = -euros
    return f"{euros:.2f}"


_Extractor = Callable[[_Doc, _Header], Iterator[Record]]
_BY_CODE: dict[str, tuple[str, _Extractor]] = {
    "301": ("toewijzing", _toewijzingen),
    "305": ("event", _starts),
    "307": ("event", _stops),
    "315": ("event", _requests),
    "317": ("event", _change_requests),
    "323": ("cost", _costs),
}


def read_message(path: Path, xsd_dir: Path | None) -> ParsedMessage:
    """Read one message; validate it against its XSD when ``xsd_dir`` is given.

    ``xsd_dir`` is the folder holding ``ijw/xsd`` and ``iwmo/xsd`` (see
    :func:`zicht.config.istandaarden_dir`). Raises :class:`~zicht.errors.SourceError`
    (one Dutch line) for files that are not a readable iJw/iWmo message. A message that
    fails its XSD is still read, with ``schema_error`` set, and always has a record.
    """
    root = _xml_safety.parse(path, _xml_safety.read_bytes(path))
    folder, version, code, message_ns = _message_namespace(path, root)
    law, letters = _LAWS[folder]
    message_type = f"{letters}{code}"
    if code not in _BY_CODE and code not in _NOT_MODELLED:
        raise _xml_safety.fail(path, f"onbekend berichttype {message_type}")
    doc = _Doc(
        root, message_ns, f"http://www.istandaarden.nl/{folder}/{version}/basisschema/schema"
    )

    schema_error = None
    if xsd_dir is not None:
        schema = _xml_schema.schema_for(xsd_dir, folder, message_type)
        if schema is not None:
            schema_error = _xml_schema.validate(schema, root, path.name)

    header = root.find(doc.path("Header"))
    ident = header.find(doc.path("BerichtIdentificatie")) if header is not None else None
    head = _Header(
        sender=doc.text(header, "Afzender"),
        receiver=doc.text(header, "Ontvanger"),
        dagtekening=doc.text(ident, "b:Dagtekening"),
    )
    target, records = None, []
    if code in _BY_CODE:
        target, extract = _BY_CODE[code]
        for number, record in enumerate(extract(doc, head), start=1):
            record["row_number"] = str(number)
            records.append(record)
    if schema_error is not None and not records:
        records = [{"row_number": "1"}]  # so the invalid message still counts as one row
    return ParsedMessage(
        message_type=message_type,
        law=law,
        message_id=doc.text(ident, "b:Identificatie") or "",
        sender=head.sender,
        receiver=head.receiver,
        dagtekening=head.dagtekening,
        target=target,
        records=records,
        schema_error=schema_error,
    )


def _message_namespace(path: Path, root: etree._Element) -> tuple[str, str, str, str]:
    qname = etree.QName(root)
    namespace = qname.namespace or ""
    found = _NAMESPACE.match(namespace)
    if found is None:
        if "istandaarden.nl" in namespace:
            raise _xml_safety.fail(path, f"onbekend berichttype of namespace {namespace}")
        raise _xml_safety.fail(path, "geen iJw/iWmo-bericht (namespace is niet istandaarden.nl)")
    folder, version, short, code = found.groups()
    if (folder, short) not in (("ijw", "jw"), ("iwmo", "wmo")):
        raise _xml_safety.fail(path, f"onbekend berichttype of namespace {namespace}")
    if version != "3_2":
        raise _xml_safety.fail(path, f"versie {version.replace('_', '.')} wordt niet ondersteund")
    if qname.localname != "Bericht":
        raise _xml_safety.fail(path, f"hoofdelement is {qname.localname}, verwacht Bericht")
    return folder, version, code, namespace


# The root start tag within the first bytes: skips the declaration, comments and BOM.
_ROOT_TAG = re.compile(rb"<([A-Za-z_][^\s>/]*)([^>]*)>")
_COMMENT = re.compile(rb"<!--.*?-->", re.DOTALL)
_DETECT_BYTES = 4096


def detect(path: Path) -> bool:
    """Cheap check: does ``path`` look like an iJw/iWmo message (root in istandaarden.nl)?

    Reads at most the first 4 KB; never raises for unreadable files (returns False).
    """
    try:
        with path.open("rb") as handle:
            head = handle.read(_DETECT_BYTES)
    except OSError:
        return False
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            head = head.decode("utf-16", errors="ignore").encode("utf-8")
        except UnicodeError:  # pragma: no cover - errors are ignored
            return False
    found = _ROOT_TAG.search(_COMMENT.sub(b"", head))
    if found is None:
        return False
    name, attributes = found.group(1), found.group(2)
    attribute = b"xmlns:" + name.split(b":")[0] if b":" in name else b"xmlns"
    declared = re.search(re.escape(attribute) + rb"\s*=\s*[\"']([^\"']*)", attributes)
    return declared is not None and b"www.istandaarden.nl/" in declared.group(1)
