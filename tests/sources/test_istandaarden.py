"""Reading iJw/iWmo messages: the public examples, hostile input and the writer's output."""

from __future__ import annotations

from dataclasses import asdict, replace
from datetime import date
from pathlib import Path

import pytest

from zicht.config import environment_flag, shared_data_dir
from zicht.errors import ConfigError, SourceError
from zicht.sources import _xml_schema
from zicht.sources.istandaarden import ParsedMessage, detect, read_message
from zicht.synth.messages import ClientMessage, Product, write_message

VALID = [
    "ijw/berichten/JW301.xml", "ijw/berichten/JW302.xml", "ijw/berichten/JW305.xml",
    "ijw/berichten/JW306.xml", "ijw/berichten/JW307.xml", "ijw/berichten/JW308.xml",
    "ijw/berichten/JW316.xml", "ijw/berichten/JW317.xml", "ijw/berichten/JW319.xml",
    "ijw/berichten/JW320.xml", "ijw/berichten/JW323.xml", "ijw/berichten/JW325.xml",
    "iwmo/berichten/WMO301.xml", "iwmo/berichten/WMO305.xml", "iwmo/berichten/WMO307.xml",
    "iwmo/berichten/WMO315.xml", "iwmo/berichten/WMO317.xml", "iwmo/berichten/WMO319.xml",
    "iwmo/berichten/WMO323.xml",
]  # fmt: skip
INVALID = ["ijw/berichten/JW315.xml", "ijw/berichten/JW318.xml"]


@pytest.fixture(scope="module")
def istandaarden() -> Path:
    shared = shared_data_dir()
    if shared is None or not (shared / "istandaarden").is_dir():
        if environment_flag("CI") == "true":
            pytest.fail("../shared/data/istandaarden is required in CI")
        pytest.skip("../shared/data/istandaarden (example messages and XSDs) is not present")
    return shared / "istandaarden"


def _read(istandaarden: Path, name: str, validate: bool = True) -> ParsedMessage:
    return read_message(istandaarden / name, istandaarden if validate else None)


# --- the public example messages -------------------------------------------------------


@pytest.mark.shared_data
def test_all_21_examples_are_read_and_19_validate(istandaarden: Path) -> None:
    found = sorted(str(p.relative_to(istandaarden)) for p in istandaarden.glob("*/berichten/*.xml"))
    assert found == sorted(VALID + INVALID)
    for name in VALID:
        message = _read(istandaarden, name)
        assert message.schema_error is None, name
        assert message.message_type == Path(name).stem
        assert message.law == ("jeugd" if name.startswith("ijw") else "wmo")
        assert message.message_id


@pytest.mark.shared_data
def test_jw315_names_the_impossible_date(istandaarden: Path) -> None:
    message = _read(istandaarden, "ijw/berichten/JW315.xml")
    error = message.schema_error
    assert error is not None and "\n" not in error
    assert error.startswith("JW315.xml: regel 44: element ToewijzingEinddatum:")
    assert "'2027-06-31' is geen geldige datum" in error
    # The records are still there, for the ingest to quarantine as schema_invalid.
    assert [r["row_number"] for r in message.records] == ["1", "2"]
    assert [r["referrer"] for r in message.records] == ["01", "02"]


@pytest.mark.shared_data
def test_jw318_names_the_misplaced_retourcode(istandaarden: Path) -> None:
    message = _read(istandaarden, "ijw/berichten/JW318.xml")
    error = message.schema_error
    assert error is not None and "\n" not in error
    assert error.startswith(
        "JW318.xml: regel 33: element RetourCode: staat hier niet op zijn plaats"
    )
    # A retour message models nothing, but an invalid one still counts as one row.
    assert message.target is None
    assert message.records == [{"row_number": "1"}]


@pytest.mark.shared_data
def test_without_xsd_dir_nothing_is_validated(istandaarden: Path) -> None:
    assert _read(istandaarden, "ijw/berichten/JW315.xml", validate=False).schema_error is None


@pytest.mark.shared_data
def test_jw301_toewijzingen(istandaarden: Path) -> None:
    message = _read(istandaarden, "ijw/berichten/JW301.xml")
    assert (message.message_type, message.law, message.target) == ("JW301", "jeugd", "toewijzing")
    assert (message.message_id, message.sender, message.receiver, message.dagtekening) == (
        "123456789012", "0384", "42420001", "2026-04-01"
    )  # fmt: skip
    common = {"bsn": "999900006", "birth_date": "2010-02-14", "sex": "1",
              "product_category": "55", "provider_code": "42420001", "start_date": "2026-04-01",
              "volume": "2", "frequency": "2", "assigned_date": "2026-04-01"}  # fmt: skip
    assert message.records == [
        {**common, "toewijzing_ref": "300201", "product_code": "55A11",
         "end_date": "2026-07-14", "unit": "04", "row_number": "1"},
        {**common, "toewijzing_ref": "300202", "product_code": "55A12",
         "end_date": "2026-07-19", "unit": "16", "row_number": "2"},
    ]  # fmt: skip


@pytest.mark.shared_data
def test_wmo301_toewijzing(istandaarden: Path) -> None:
    message = _read(istandaarden, "iwmo/berichten/WMO301.xml")
    assert (message.message_type, message.law, message.dagtekening) == (
        "WMO301",
        "wmo",
        "2023-08-13",
    )
    assert message.records == [
        {"bsn": "999900006", "birth_date": "1967-08-13", "sex": "1", "toewijzing_ref": "101",
         "product_category": "01", "product_code": "01A01", "provider_code": "42420001",
         "start_date": "2023-01-01", "end_date": "2023-12-31", "volume": "10", "unit": "01",
         "frequency": "1", "assigned_date": "2023-08-13", "row_number": "1"},
    ]  # fmt: skip


@pytest.mark.shared_data
def test_events_and_costs(istandaarden: Path) -> None:
    start = _read(istandaarden, "ijw/berichten/JW305.xml")
    assert start.target == "event"
    fields = ("step", "event_date", "toewijzing_ref", "provider_code")
    assert [tuple(r[f] for f in fields) for r in start.records] == [
        ("start_levering", "2026-04-03", "300201", "65656055"),
        ("start_levering", "2026-04-15", "300202", "65656055"),
    ]  # fmt: skip
    stop = _read(istandaarden, "iwmo/berichten/WMO307.xml")
    assert [(r["step"], r["event_date"], r["detail"], r["product_code"]) for r in stop.records] == [
        ("stop_levering", "2025-07-18", "31", "01A11"),
        ("stop_levering", "2025-07-18", "31", "01A12"),
    ]
    request = _read(istandaarden, "iwmo/berichten/WMO315.xml")
    assert {(r["step"], r["event_date"], r["referrer"]) for r in request.records} == {
        ("verzoek_toewijzing", "2023-07-15", "04")
    }
    change = _read(istandaarden, "ijw/berichten/JW317.xml")
    assert [(r["step"], r["product_code"], r["detail"]) for r in change.records] == [
        ("verzoek_toewijzing", "45A03", "wijziging:1")
    ]
    cost = _read(istandaarden, "ijw/berichten/JW323.xml")
    assert cost.target == "cost"
    fields = ("declaratie_ref", "bsn", "toewijzing_ref", "amount")
    assert [tuple(r[f] for f in fields) for r in cost.records] == [
        ("DN001:RN001", "999900006", "10072", "50.00"),
        ("DN001:RN002", "999900006", "10073", "240.00"),
        ("DN001:RN003", "999900018", "10074", "50.00"),
        ("DN001:RN004", "999900018", "10073", "240.00"),
        ("DN001:RN004", "999900018", "10073", "210.00"),
    ]  # fmt: skip
    assert cost.records[0]["period_start"] == "2026-04-01"
    assert cost.records[4]["period_end"] == "2026-03-31"
    retour = _read(istandaarden, "ijw/berichten/JW302.xml")
    assert (retour.target, retour.records) == (None, [])


@pytest.mark.shared_data
def test_no_personal_text_leaks(istandaarden: Path) -> None:
    personal = ["Wit", "Tom", "Galen", "Vries", "Bakker", "Jansen", "Van Woustraat", "Kerklaan",
                "Mauritsstraat", "Amsterdam", "9999XX", "0201234567", "0707654321", "abc@def.com",
                "Commentaar", "Zweeds", "Ons Genoegen", "Verwijzer Naam", "Straatweg"]  # fmt: skip
    for name in VALID + INVALID:
        text = repr(asdict(_read(istandaarden, name))).lower()
        for word in personal:
            assert word.lower() not in text, (name, word)


@pytest.mark.shared_data
def test_detect(istandaarden: Path, tmp_path: Path) -> None:
    assert all(detect(istandaarden / name) for name in VALID + INVALID)
    (tmp_path / "a.csv").write_text("BSN;Naam\n1;2\n")
    (tmp_path / "b.xml").write_text('<?xml version="1.0"?><x:Bericht xmlns:x="urn:other"/>')
    (tmp_path / "c.xml").write_text(
        '<!-- <y> --><Bericht xmlns="http://www.istandaarden.nl/ijw/3_2/jw301/schema"/>'
    )
    assert not detect(tmp_path / "a.csv")
    assert not detect(tmp_path / "b.xml")
    assert detect(tmp_path / "c.xml")
    assert not detect(tmp_path / "missing.xml")
    assert not detect(tmp_path)


@pytest.mark.shared_data
def test_schemas_are_compiled_once(istandaarden: Path) -> None:
    first = _xml_schema.schema_for(istandaarden, "ijw", "JW301")
    assert first is not None
    assert _xml_schema.schema_for(istandaarden, "ijw", "JW301") is first
    assert _xml_schema.schema_for(istandaarden, "iwmo", "WMO302") is None  # not shipped


def test_missing_xsd_folder_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "m.xml"
    write_message(path, MESSAGE)
    with pytest.raises(ConfigError, match="XSD"):
        read_message(path, tmp_path / "nowhere")


# --- hostile and malformed input -------------------------------------------------------

EXAMPLE_START = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<jw301:Bericht xmlns:ijw="http://www.istandaarden.nl/ijw/3_2/basisschema/schema" '
    b'xmlns:jw301="http://www.istandaarden.nl/ijw/3_2/jw301/schema">\n'
    b"\t<jw301:Header>\n\t\t<jw301:BerichtCode>436</jw301:BerichtCode>\n"
)
BOMB = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>\n'
    b'<Bericht xmlns="http://www.istandaarden.nl/ijw/3_2/jw301/schema">&lol3;</Bericht>'
)
XXE = (
    b'<?xml version="1.0"?>\n<!DOCTYPE b [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
    b'<Bericht xmlns="http://www.istandaarden.nl/ijw/3_2/jw301/schema">&x;</Bericht>'
)
NS = b'xmlns="http://www.istandaarden.nl/ijw/3_2/jw301/schema"'
ENDING = b"</jw301:Header></jw301:Bericht>\n"
MALFORMED = {
    "empty": (b"", "leeg bestand"),
    "whitespace": (b"  \n\n", "leeg bestand"),
    "not_xml": (b"BSN;Naam;Adres\n999900006;Wit;Kerklaan 1\n", "geen XML-bestand"),
    "binary": (bytes(range(256)) * 4, "binair bestand"),
    "gzip": (b"\x1f\x8b\x08\x00" + b"\x00" * 40, "binair bestand"),
    "truncated": (EXAMPLE_START + b"\t\t<jw301:Berich", "afgebroken"),
    "truncated_between_tags": (EXAMPLE_START, "afgebroken"),
    "broken_in_the_middle": (EXAMPLE_START + b"<a></b>\n" + ENDING, "geen geldige XML"),
    "cp1252_as_utf8": (
        EXAMPLE_START.replace(b"436", "Wüt".encode("cp1252")) + ENDING,
        "tekencodering",
    ),
    "entity_bomb": (BOMB, "DOCTYPE"),
    "external_entity": (XXE, "DOCTYPE"),
    "entity_bomb_utf16": (
        BOMB.replace(b'"1.0"', b'"1.0" encoding="UTF-16"').decode().encode("utf-16"),
        "DOCTYPE",
    ),
    "other_namespace": (b'<Bericht xmlns="urn:example:other"/>', "geen iJw/iWmo-bericht"),
    "no_namespace": (b"<Bericht><Header/></Bericht>", "geen iJw/iWmo-bericht"),
    "unknown_type": (b"<Bericht " + NS.replace(b"jw301", b"jw399") + b"/>", "berichttype JW399"),
    "other_version": (b"<Bericht " + NS.replace(b"3_2", b"3_1") + b"/>", "versie 3.1"),
    "wrong_root": (b"<Header " + NS + b"/>", "verwacht Bericht"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_input_raises_one_line(case: str, tmp_path: Path) -> None:
    data, expected = MALFORMED[case]
    path = tmp_path / f"{case}.xml"
    path.write_bytes(data)
    with pytest.raises(SourceError) as caught:
        read_message(path, None)
    text = str(caught.value)
    assert "\n" not in text
    assert text.startswith(f"{case}.xml: ")
    assert expected in text
    assert "root:" not in text and "lollol" not in text


def test_missing_file_raises(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="bestaat niet"):
        read_message(tmp_path / "weg.xml", None)


# --- round trip through the writer ------------------------------------------------------

PRODUCT = Product(
    toewijzing_nr="987654321",
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
    surname="de Wit & <Zonen>",
    first_names="Anna Maria",
    products=(PRODUCT, replace(PRODUCT, toewijzing_nr="12", end=None, volume=None)),
)


def _expected(msg: ClientMessage) -> list[dict[str, str | None]]:
    """The records the reader should give, derived from the writer's input by hand."""
    rows: list[dict[str, str | None]] = []
    for number, p in enumerate(msg.products, start=1):
        end = p.end.isoformat() if p.end else None
        product = {"toewijzing_ref": p.toewijzing_nr, "product_category": p.product_category,
                   "product_code": p.product_code}  # fmt: skip
        if msg.kind == "301":
            has_volume = p.volume is not None
            row = {"bsn": msg.bsn, "birth_date": msg.birth_date.isoformat(), "sex": msg.sex,
                   **product, "provider_code": msg.provider_code,
                   "start_date": p.start.isoformat(), "end_date": end,
                   "volume": str(p.volume) if has_volume else None,
                   "unit": p.unit if has_volume else None,
                   "frequency": p.frequency if has_volume else None,
                   "assigned_date": msg.dagtekening.isoformat()}  # fmt: skip
        else:
            stop = msg.kind == "307"
            row = {"bsn": msg.bsn, "step": "stop_levering" if stop else "start_levering",
                   "event_date": end if stop else p.start.isoformat(), **product,
                   "provider_code": msg.provider_code, "detail": p.reason_end if stop else None,
                   "referrer": None}  # fmt: skip
        rows.append({**row, "row_number": str(number)})
    return rows


@pytest.mark.shared_data
@pytest.mark.parametrize("law", ["jeugd", "wmo"])
@pytest.mark.parametrize("kind", ["301", "305", "307"])
def test_round_trip(law: str, kind: str, istandaarden: Path, tmp_path: Path) -> None:
    products = MESSAGE.products
    if kind == "307":
        products = tuple(replace(p, end=p.end or date(2024, 5, 31)) for p in products)
    if law == "wmo":
        products = tuple(replace(p, product_category="02", product_code="02A07") for p in products)
    msg = replace(MESSAGE, law=law, kind=kind, products=products)
    path = tmp_path / "bericht.xml"
    write_message(path, msg)
    assert detect(path)
    parsed = read_message(path, istandaarden)
    assert parsed.schema_error is None
    assert parsed.message_type == ("JW" if law == "jeugd" else "WMO") + kind
    assert (parsed.law, parsed.message_id, parsed.dagtekening) == (
        law,
        "100000000001",
        "2024-02-20",
    )
    gemeente, provider = "9901", "12345678"
    assert (parsed.sender, parsed.receiver) == (
        (gemeente, provider) if kind == "301" else (provider, gemeente)
    )
    assert parsed.target == ("toewijzing" if kind == "301" else "event")
    assert parsed.records == _expected(msg)
    assert "Wit" not in repr(parsed) and "Anna" not in repr(parsed)


@pytest.mark.shared_data
def test_planted_schema_defect_is_reported_with_its_records(
    istandaarden: Path, tmp_path: Path
) -> None:
    path = tmp_path / "defect.xml"
    write_message(path, replace(MESSAGE, bsn="99990006"))  # a BSN that lost its leading digit
    parsed = read_message(path, istandaarden)
    assert parsed.schema_error is not None
    assert parsed.schema_error.startswith("defect.xml: regel ")
    assert "element Bsn: '99990006' heeft niet het voorgeschreven formaat" in parsed.schema_error
    assert [r["bsn"] for r in parsed.records] == ["99990006", "99990006"]


def test_the_parser_itself_never_expands_entities() -> None:
    # Second line of defence behind the DOCTYPE refusal: even if such a document reached
    # libxml2, neither the local file nor the amplified text would appear.
    from lxml import etree

    from zicht.sources._xml_safety import _PARSER

    for data in (XXE, BOMB):
        root = etree.fromstring(data, _PARSER)
        text = etree.tostring(root)
        assert b"root:" not in text
        assert b"lollollol" not in text
