"""Headers, mapping files and defect layouts of every tabular export."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from zicht.synth._defects import Layout

_CSV = {
    "format": "csv",
    "delimiter": ";",
    "encoding": "auto",
    "decimal": ",",
    "date_format": "%d-%m-%Y",
}
_COMMON_RULES = (
    "invalid_bsn",
    "missing_bsn",
    "invalid_date",
    "end_before_start",
    "unknown_code",
    "duplicate_row",
)


@dataclass(frozen=True)
class FileSpec:
    rel: str
    header: tuple[str, ...]
    mapping: dict[str, Any]
    layout: Layout | None
    encoding: str = "utf-8-sig"

    @property
    def source(self) -> str:
        return str(self.mapping["source"])

    @property
    def target(self) -> str:
        return str(self.mapping["target"])


GEO = FileSpec(
    "geografie/gebieden.geojson",
    (),
    {
        "source": "synth_geografie",
        "target": "area",
        "format": "geojson",
        "columns": {
            k: k for k in ("level", "code", "name", "parent_code", "gemeente_code", "boundary_year")
        },
    },
    None,
)

BRP = FileSpec(
    "brp/bevolking.csv",
    (
        "Peildatum",
        "BSN",
        "Geslachtsnaam",
        "Voornamen",
        "Geboortedatum",
        "Geslacht",
        "Huishoudnummer",
        "Postcode",
        "Huisnummer",
        "Buurtcode",
    ),  # fmt: skip
    {
        "source": "brp",
        "target": "population",
        **_CSV,
        "columns": {
            "peildatum": "Peildatum",
            "bsn": "BSN",
            "birth_date": "Geboortedatum",
            "sex": "Geslacht",
            "household_ref": "Huishoudnummer",
            "buurt_code": "Buurtcode",
        },
        "key": ["peildatum", "bsn"],
    },
    Layout(
        rules=(
            "invalid_bsn",
            "missing_bsn",
            "invalid_date",
            "unknown_code",
            "unknown_reference",
            "duplicate_row",
        ),
        bsn=1,
        key=None,
        date=4,
        category=5,
        bad_category="7",
        reference=9,
        bad_reference="BU99999999",
    ),  # fmt: skip
)

PROVIDERS = FileSpec(
    "aanbieders/aanbieders.csv",
    ("AGB-code", "Naam", "Soort"),
    {
        "source": "aanbieders",
        "target": "provider",
        **_CSV,
        "columns": {"provider_code": "AGB-code", "name": "Naam", "kind": "Soort"},
        "key": ["provider_code"],
    },
    None,
)


def _voorzieningen(law: str) -> FileSpec:
    jeugd = law == "jeugd"
    header = (
        "Beschikkingnummer", "BSN", "Naam cliënt", "Productcategorie", "Productcode",
        "AGB-code aanbieder", "Verwijzer" if jeugd else "Datum melding", "Datum aanvraag",
        "Datum beschikking", "Ingangsdatum", "Einddatum", "Omvang", "Eenheid", "Frequentie",
        "Toewijzingnummer", "Opmerking",
    ) + (() if jeugd else ("Telefoon",))  # fmt: skip
    columns = {
        "provision_ref": "Beschikkingnummer",
        "bsn": "BSN",
        "product_category": "Productcategorie",
        "product_code": "Productcode",
        "provider_code": "AGB-code aanbieder",
        "start_date": "Ingangsdatum",
        "end_date": "Einddatum",
        "volume": "Omvang",
        "unit": "Eenheid",
        "frequency": "Frequentie",
        "toewijzing_ref": "Toewijzingnummer",
    }
    events = {"aanvraag": "Datum aanvraag", "beschikking": "Datum beschikking"}
    if jeugd:
        columns["referrer"] = "Verwijzer"
    else:
        events = {"melding": "Datum melding", **events}
    return FileSpec(
        f"zaaksysteem/{law}_voorzieningen.csv",
        header,
        {
            "source": f"{law}_zaaksysteem",
            "target": "provision",
            "law": law,
            **_CSV,
            "columns": columns,
            "events": events,
            "key": ["provision_ref"],
        },  # fmt: skip
        Layout(rules=_COMMON_RULES, bsn=1, key=0, date=9, end=10, start=9, category=3, clear=(14,)),
    )


JEUGD = _voorzieningen("jeugd")
WMO = _voorzieningen("wmo")

PWET = FileSpec(
    "zaaksysteem/participatie_uitkeringen.xlsx",
    (
        "Dossiernummer",
        "BSN",
        "Naam",
        "Regeling",
        "Datum aanvraag",
        "Datum besluit",
        "Ingangsdatum",
        "Einddatum",
    ),
    {
        "source": "participatie_zaaksysteem",
        "target": "provision",
        "law": "pwet",
        "format": "xlsx",
        "date_format": "%d-%m-%Y",
        "sheet": None,
        "columns": {
            "provision_ref": "Dossiernummer",
            "bsn": "BSN",
            "product_category": "Regeling",
            "start_date": "Ingangsdatum",
            "end_date": "Einddatum",
        },
        "events": {"aanvraag": "Datum aanvraag", "beschikking": "Datum besluit"},
        "values": {
            "product_category": {
                "Bijstand": "bijstandsuitkering",
                "Re-integratie": "re_integratie",
                "Beschut werk": "beschut_werk",
            }
        },
        "key": ["provision_ref"],
    },
    Layout(
        rules=_COMMON_RULES,
        bsn=1,
        key=0,
        date=6,
        end=7,
        start=6,
        category=3,
        bad_category="Loonkostensubsidie",
        xlsx=True,
    ),  # fmt: skip
)

SCHULD = FileSpec(
    "zaaksysteem/schuldhulp_trajecten.csv",
    (
        "Dossiernummer",
        "BSN",
        "Naam",
        "Soort",
        "Datum hulpvraag",
        "Datum eerste gesprek",
        "Ingangsdatum",
        "Einddatum",
        "Toelichting",
    ),  # fmt: skip
    {
        "source": "schuldhulp_zaaksysteem",
        "target": "provision",
        "law": "schuld",
        **_CSV,
        "columns": {
            "provision_ref": "Dossiernummer",
            "bsn": "BSN",
            "product_category": "Soort",
            "start_date": "Ingangsdatum",
            "end_date": "Einddatum",
        },
        "events": {"aanvraag": "Datum hulpvraag", "eerste_gesprek": "Datum eerste gesprek"},
        "values": {
            "product_category": {
                "Schuldhulptraject": "schuldhulptraject",
                "Vroegsignalering": "vroegsignalering",
            }
        },
        "key": ["provision_ref"],
    },
    Layout(
        rules=_COMMON_RULES,
        bsn=1,
        key=0,
        date=6,
        end=7,
        start=6,
        category=3,
        bad_category="Budgetbeheer",
    ),
    encoding="cp1252",
)

DECLARATIES = FileSpec(
    "declaraties/declaraties.csv",
    (
        "Factuurnummer",
        "Declaratienummer",
        "BSN",
        "Toewijzingnummer",
        "AGB-code",
        "Productcode",
        "Wet",
        "Periode begin",
        "Periode einde",
        "Bedrag",
    ),  # fmt: skip
    {
        "source": "declaraties",
        "target": "cost",
        **_CSV,
        "columns": {
            "declaratie_ref": "Declaratienummer",
            "bsn": "BSN",
            "toewijzing_ref": "Toewijzingnummer",
            "provider_code": "AGB-code",
            "product_code": "Productcode",
            "law": "Wet",
            "period_start": "Periode begin",
            "period_end": "Periode einde",
            "amount": "Bedrag",
        },
        "values": {"law": {"Jeugdwet": "jeugd", "Wmo": "wmo"}},
        "key": ["declaratie_ref"],
    },
    Layout(
        rules=(
            "invalid_bsn",
            "missing_bsn",
            "invalid_date",
            "end_before_start",
            "invalid_number",
            "unknown_reference",
            "duplicate_row",
        ),
        bsn=2,
        key=1,
        date=7,
        end=8,
        start=7,
        reference=3,
        amount=9,
    ),  # fmt: skip
)

WIJKTEAM = FileSpec(
    "wijkteam/hulpvragen.csv",
    (
        "Hulpvraagnummer",
        "BSN",
        "Naam",
        "Ingangsdatum",
        "Datum eerste contact",
        "Einddatum",
        "Soort",
        "Notitie",
    ),  # fmt: skip
    {
        "source": "wijkteam_registratie",
        "target": "provision",
        "law": "wijkteam",
        **_CSV,
        "columns": {
            "provision_ref": "Hulpvraagnummer",
            "bsn": "BSN",
            "product_category": "Soort",
            "start_date": "Ingangsdatum",
            "end_date": "Einddatum",
        },
        "events": {"melding": "Ingangsdatum", "eerste_gesprek": "Datum eerste contact"},
        "values": {
            "product_category": {
                "Zelf afgehandeld": "zelf",
                "Voorliggend veld": "voorliggend",
                "Maatwerk": "maatwerk",
            }
        },
        "key": ["provision_ref"],
    },
    Layout(
        rules=_COMMON_RULES,
        bsn=1,
        key=0,
        date=3,
        end=5,
        start=3,
        category=6,
        bad_category="Budgetbeheer",
    ),
)

TABULAR = (BRP, JEUGD, WMO, PWET, SCHULD, WIJKTEAM, DECLARATIES)
MESSAGE_FOLDERS = ("berichten/ijw", "berichten/iwmo")
INGEST_ORDER = (
    GEO.rel,
    BRP.rel,
    PROVIDERS.rel,
    JEUGD.rel,
    WMO.rel,
    PWET.rel,
    SCHULD.rel,
    WIJKTEAM.rel,
    *MESSAGE_FOLDERS,
    DECLARATIES.rel,
)


def write_mapping(root: Path, spec: FileSpec) -> None:
    """Write ``X.mapping.yaml`` next to export ``X``."""
    path = root / spec.rel
    mapping_path = path.with_name(path.stem + ".mapping.yaml")
    mapping_path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(spec.mapping, sort_keys=False, allow_unicode=True)
    mapping_path.write_text(text, encoding="utf-8")
