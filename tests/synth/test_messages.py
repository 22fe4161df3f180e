"""The message writer produces JW/WMO 301, 305 and 307 documents that pass the real XSDs."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from functools import cache
from pathlib import Path

import pytest
from lxml import etree

from zicht.config import environment_flag, shared_data_dir
from zicht.synth.messages import ClientMessage, Product, render_message, write_message


def _istandaarden() -> Path:
    shared = shared_data_dir()
    if shared is None or not (shared / "istandaarden").is_dir():
        if environment_flag("CI") == "true":
            pytest.fail("../shared/data/istandaarden is required in CI")
        pytest.skip("../shared/data/istandaarden (the iJw/iWmo XSDs) is not present")
    return shared / "istandaarden"


@cache
def _schema(law: str, kind: str) -> etree.XMLSchema:
    folder, prefix = {"jeugd": ("ijw", "JW"), "wmo": ("iwmo", "WMO")}[law]
    return etree.XMLSchema(
        etree.parse(str(_istandaarden() / folder / "xsd" / f"{prefix}{kind}.xsd"))
    )


def _assert_valid(msg: ClientMessage) -> etree._Element:
    schema = _schema(msg.law, msg.kind)
    doc = etree.fromstring(render_message(msg))
    if not schema.validate(doc):
        errors = "; ".join(f"{e.line}: {e.message}" for e in schema.error_log)
        pytest.fail(f"{msg.law} {msg.kind} invalid: {errors}")
    return doc


PRODUCT = Product(
    toewijzing_nr="123456789",
    product_category="45",
    product_code="45A01",
    start=date(2024, 3, 1),
    end=date(2024, 12, 31),
    volume=8,
    unit="04",
    frequency="2",
    reason_end="02",
)
MESSAGE = ClientMessage(
    law="jeugd",
    kind="301",
    gemeente_code="9901",
    provider_code="12345678",
    message_id="100000000001",
    dagtekening=date(2024, 2, 20),
    bsn="999900006",
    birth_date=date(2012, 5, 17),
    sex="2",
    surname="Jansen",
    first_names="Anna Maria",
    products=(PRODUCT, replace(PRODUCT, toewijzing_nr="7", product_code="45A02")),
)

KINDS = [(law, kind) for law in ("jeugd", "wmo") for kind in ("301", "305", "307")]


def _for_law(msg: ClientMessage, law: str, kind: str) -> ClientMessage:
    """The same message under another law; product categories are law-specific in the XSDs."""
    if law == "wmo":
        products = tuple(
            replace(p, product_category="02", product_code="02A" + p.product_code[3:])
            for p in msg.products
        )
        msg = replace(msg, products=products)
    return replace(msg, law=law, kind=kind)


@pytest.mark.shared_data
@pytest.mark.parametrize(("law", "kind"), KINDS)
def test_every_kind_and_law_validates(law: str, kind: str) -> None:
    doc = _assert_valid(_for_law(MESSAGE, law, kind))
    root = etree.QName(doc)
    short = "jw" if law == "jeugd" else "wmo"
    assert root.namespace is not None and root.namespace.endswith(f"/{short}{kind}/schema")


@pytest.mark.shared_data
@pytest.mark.parametrize(("law", "kind"), KINDS)
def test_edge_cases_validate(law: str, kind: str) -> None:
    base = _for_law(MESSAGE, law, kind)
    open_ended = replace(base.products[0], end=None, volume=None, unit=None, frequency=None)
    if kind == "307":
        open_ended = replace(open_ended, end=date(2024, 6, 30))
    msg = replace(
        base,
        surname='O\'Brien & <Zoon> "BV"',
        first_names="",
        products=(open_ended,),
    )
    doc = _assert_valid(msg)
    texts = [t for t in doc.itertext() if t.strip()]
    assert 'O\'Brien & <Zoon> "BV"' in texts


@pytest.mark.shared_data
def test_unusual_given_names_still_validate() -> None:
    # Initials are derived only from letters the XSD allows; digits are skipped.
    _assert_valid(replace(MESSAGE, first_names="Émile 2de & <x>"))
    _assert_valid(replace(MESSAGE, first_names="1 2 3"))
    _assert_valid(replace(MESSAGE, first_names="A B C D E F G H"))


def test_fields_land_in_the_right_elements(tmp_path: Path) -> None:
    path = tmp_path / "m.xml"
    write_message(path, MESSAGE)
    doc = etree.parse(str(path)).getroot()
    ns = {
        "m": "http://www.istandaarden.nl/ijw/3_2/jw301/schema",
        "b": "http://www.istandaarden.nl/ijw/3_2/basisschema/schema",
    }
    assert doc.findtext("m:Header/m:BerichtCode", namespaces=ns) == "436"
    assert doc.findtext("m:Header/m:Afzender", namespaces=ns) == "9901"
    assert doc.findtext("m:Header/m:Ontvanger", namespaces=ns) == "12345678"
    products = doc.findall("m:Client/m:ToegewezenProducten/m:ToegewezenProduct", ns)
    assert [p.findtext("m:ToewijzingNummer", namespaces=ns) for p in products] == ["123456789", "7"]
    assert products[0].findtext("m:Omvang/b:Volume", namespaces=ns) == "8"
    assert products[0].findtext("m:Einddatum", namespaces=ns) == "2024-12-31"


def test_305_and_307_go_from_provider_to_gemeente() -> None:
    doc = etree.fromstring(render_message(_for_law(MESSAGE, "wmo", "305")))
    ns = {"m": "http://www.istandaarden.nl/iwmo/3_2/wmo305/schema"}
    assert doc.findtext("m:Header/m:BerichtCode", namespaces=ns) == "418"
    assert doc.findtext("m:Header/m:Afzender", namespaces=ns) == "12345678"
    assert doc.findtext("m:Header/m:Ontvanger", namespaces=ns) == "9901"


def test_structural_mistakes_raise() -> None:
    with pytest.raises(ValueError, match="unknown message"):
        render_message(replace(MESSAGE, kind="303"))
    with pytest.raises(ValueError, match="reason_end"):
        render_message(replace(MESSAGE, kind="307", products=(replace(PRODUCT, reason_end=None),)))
    with pytest.raises(ValueError, match="unit and frequency"):
        render_message(replace(MESSAGE, products=(replace(PRODUCT, frequency=None),)))
    with pytest.raises(ValueError, match="no products"):
        render_message(replace(MESSAGE, products=()))


@pytest.mark.shared_data
def test_out_of_format_values_make_a_schema_invalid_message() -> None:
    # How the generator plants schema_invalid defects: the writer renders, the XSD judges.
    doc = etree.fromstring(render_message(replace(MESSAGE, bsn="12345678")))
    assert not _schema("jeugd", "301").validate(doc)
