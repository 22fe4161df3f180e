"""Validation rules and what each target requires.

Rule ids are those of docs/model.md. Every rejected row carries exactly one rule: the
first that fails in :data:`RULE_ORDER`. Row-level rules come first; the two rules that
look beyond the row (``unknown_reference``, ``duplicate_row``) come last, so that a
duplicate is only ever judged against rows that are otherwise acceptable and the first
acceptable occurrence of a key is the one kept.
"""

from __future__ import annotations

from dataclasses import dataclass

RULE_ORDER: tuple[str, ...] = (
    "schema_invalid",
    "missing_bsn",
    "invalid_bsn",
    "missing_value",
    "invalid_date",
    "end_before_start",
    "unknown_code",
    "invalid_number",
    "unknown_reference",
    "duplicate_row",
)
"""Order in which rules are applied; the first failing rule is recorded."""


@dataclass(frozen=True)
class TargetSpec:
    """What one target (a canonical table family) needs from its input rows."""

    name: str
    fields: tuple[str, ...]
    mapping_required: tuple[str, ...]  # must be mapped (or present in a message)
    required: tuple[str, ...]  # must be non-empty in a row (missing_value)
    dates: tuple[str, ...] = ()
    date_pairs: tuple[tuple[str, str], ...] = ()  # (start, end): end_before_start
    codes: tuple[str, ...] = ()  # unknown_code when present and non-empty
    numbers: tuple[str, ...] = ()  # decimal numbers (invalid_number)
    integers: tuple[str, ...] = ()  # whole numbers (invalid_number)
    key: tuple[str, ...] = ()
    has_bsn: bool = True


TARGET_SPECS: dict[str, TargetSpec] = {
    "area": TargetSpec(
        name="area",
        fields=("level", "code", "name", "parent_code", "gemeente_code", "boundary_year"),
        mapping_required=("level", "code", "name", "gemeente_code", "boundary_year"),
        required=("level", "code", "name", "gemeente_code", "boundary_year"),
        codes=("level",),
        integers=("boundary_year",),
        key=("code", "boundary_year"),
        has_bsn=False,
    ),
    "population": TargetSpec(
        name="population",
        fields=(
            "peildatum",
            "bsn",
            "birth_date",
            "birth_year",
            "sex",
            "household_ref",
            "buurt_code",
        ),
        mapping_required=("peildatum", "bsn", "sex", "household_ref", "buurt_code"),
        required=("peildatum", "birth_date", "birth_year", "sex", "household_ref", "buurt_code"),
        dates=("peildatum", "birth_date"),
        codes=("sex",),
        integers=("birth_year",),
        key=("peildatum", "bsn"),
    ),
    "provider": TargetSpec(
        name="provider",
        fields=("provider_code", "name", "kind"),
        mapping_required=("provider_code", "name"),
        required=("provider_code", "name"),
        key=("provider_code",),
        has_bsn=False,
    ),
    "provision": TargetSpec(
        name="provision",
        fields=(
            "bsn",
            "provision_ref",
            "product_category",
            "product_code",
            "provider_code",
            "referrer",
            "start_date",
            "end_date",
            "volume",
            "unit",
            "frequency",
            "toewijzing_ref",
            "law",
        ),
        mapping_required=("bsn", "provision_ref", "start_date"),
        required=("provision_ref", "start_date", "law"),
        dates=("start_date", "end_date"),
        date_pairs=(("start_date", "end_date"),),
        codes=("law", "product_category", "referrer", "unit", "frequency"),
        numbers=("volume",),
        key=("provision_ref",),
    ),
    "cost": TargetSpec(
        name="cost",
        fields=(
            "declaratie_ref",
            "bsn",
            "toewijzing_ref",
            "provider_code",
            "product_code",
            "period_start",
            "period_end",
            "amount",
            "law",
        ),
        mapping_required=("declaratie_ref", "bsn", "period_start", "period_end", "amount"),
        required=("declaratie_ref", "period_start", "period_end", "amount", "law"),
        dates=("period_start", "period_end"),
        date_pairs=(("period_start", "period_end"),),
        codes=("law",),
        numbers=("amount",),
        key=("declaratie_ref",),
    ),
    # Targets of iJw/iWmo messages (zicht.sources.istandaarden); never in a mapping file.
    "toewijzing": TargetSpec(
        name="toewijzing",
        fields=(
            "bsn",
            "birth_date",
            "sex",
            "toewijzing_ref",
            "product_category",
            "product_code",
            "provider_code",
            "start_date",
            "end_date",
            "volume",
            "unit",
            "frequency",
            "assigned_date",
        ),
        mapping_required=(),
        required=("toewijzing_ref", "start_date"),
        dates=("birth_date", "start_date", "end_date", "assigned_date"),
        date_pairs=(("start_date", "end_date"),),
        codes=("sex", "product_category", "unit", "frequency"),
        numbers=("volume",),
        key=("toewijzing_ref",),
    ),
    "event": TargetSpec(
        name="event",
        fields=(
            "bsn",
            "step",
            "event_date",
            "toewijzing_ref",
            "product_category",
            "product_code",
            "provider_code",
            "detail",
            "referrer",
        ),
        mapping_required=(),
        required=("step", "event_date"),
        dates=("event_date",),
        codes=("step", "product_category", "referrer"),
    ),
}
TARGET_SPECS["xml_cost"] = TARGET_SPECS["cost"]

MESSAGES: dict[str, str] = {
    "schema_invalid": "bericht voldoet niet aan het XSD: {value}",
    "missing_bsn": "BSN ontbreekt",
    "invalid_bsn": "ongeldig BSN in veld bsn: '***' (geen 8-9 cijfers of faalt op de 11-proef)",
    "missing_value": "verplicht veld {field} is leeg",
    "invalid_date": "ongeldige datum in veld {field}: '{value}'",
    "end_before_start": "{field} ligt vóór {other}: '{value}'",
    "unknown_code": "onbekende code in veld {field}: '{value}'",
    "invalid_number": "geen geldig getal in veld {field}: '{value}'",
    "unknown_reference": "onbekende verwijzing in veld {field}: '{value}'",
    "duplicate_row": "dubbele sleutel ({field}): '{value}' komt al eerder voor",
}
"""Dutch message templates; a BSN never appears in clear (pseudonym or '***')."""
