"""The columns of a published cell as exports and the API hand it out (docs/model.md,
"The published layer"), in one place for every outlet."""

from __future__ import annotations

EXPORT_COLUMNS: tuple[str, ...] = (
    "indicator_id",
    "level",
    "area_code",
    "area_name",
    "period",
    "breakdown",
    "category",
    "value",
    "numerator",
    "denominator",
    "unit",
    "status",
    "quality_score",
)
"""``quality_score``: the data-quality score (0-100) of the cell's sources
(:mod:`zicht.quality.lineage`); the same for every cell of one indicator."""

EXPORT_TITLES_NL: dict[str, str] = {
    "indicator_id": "indicator",
    "level": "niveau",
    "area_code": "gebiedscode",
    "area_name": "gebied",
    "period": "jaar",
    "breakdown": "uitsplitsing",
    "category": "categorie",
    "value": "waarde",
    "numerator": "teller",
    "denominator": "noemer",
    "unit": "eenheid",
    "status": "status",
    "quality_score": "datakwaliteit",
}
"""Dutch column titles of the ``zicht export`` CSV and XLSX (the API uses the names)."""

KETEN_TABLES: tuple[str, ...] = (
    "doorlooptijden",
    "termijnen",
    "conformiteit",
    "varianten",
    "wachttijd",
    "stapeling",
    "context",
    "mix",
    "lokaal_team",
    "signalen",
    "kwaliteit",
)
"""The published chain tables (``keten_<name>.parquet``, docs/chain.md)."""
