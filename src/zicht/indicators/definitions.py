"""Indicator definitions: one YAML file per indicator, validated with pydantic.

A definition says what a figure means (Dutch title and description, unit, polarity,
source, legal reference) and how it is computed:

``facts``
    a SELECT over the canonical tables returning one row per unit counted (person,
    household, case, client, provision) with at least the columns ``period`` and
    ``buurt_code`` (the unit's buurt in that period), plus the columns the aggregates
    below use. ``{setting_name}`` inserts an integer setting (e.g. ``{youth_max_age}``)
    as a literal; only integer settings are allowed, so no text is ever pasted in.
``numerator`` / ``denominator``
    aggregate expressions over those columns (``sum(num)``, ``count(*)``).
``median_of``
    for ``kind: median``: the column whose median (or other ``quantile``) is the value.
``breakdowns``
    dimensions the figure is also given for, at gemeente and wijk level (see
    :data:`BREAKDOWNS`); ``facts`` must return the dimension's column. Every fact row
    has one category per dimension, so the categories always add up to the total.
``structural_zeros``
    for rates: per breakdown, the categories whose numerator is 0 by definition or by
    law (nobody under 18 has bijstand, nobody under 12 jeugdreclassering). Everyone
    knows that 0, so the gate neither counts it as a small count nor protects it, and
    the attacker it guards against is assumed to know it too
    (:data:`zicht.privacy.disclosure.ZERO_COLUMN`). A category must be one the facts
    name literally (``'0-17'``) or one of :data:`FIXED_CATEGORIES`.
``structural_empty``
    the same for categories nobody is counted in at all by definition (the denominator
    is 0 too: among people with bijstand nobody is under 18). Only there is a
    denominator of 0 public knowledge; elsewhere "nobody here" is a fact about the
    people of the area.

The value follows from ``kind``: ``rate`` = numerator × scale / denominator,
``mean_amount`` = numerator / denominator, ``median`` = quantile(median_of),
``count`` = the number of units (the denominator). The engine
(:mod:`zicht.indicators.engine`) adds the levels, areas and the zero-denominator cells.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from zicht.config import SETTINGS, Settings
from zicht.model._yaml import read_mapping, validate
from zicht.privacy.disclosure import RATE_UNITS, merged_zeros

DEFAULTS_DIR = Path(__file__).resolve().parent.parent / "defaults" / "indicators"

PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")
INT_SETTINGS = frozenset(
    s.name for s in SETTINGS if isinstance(s.default, int) and not isinstance(s.default, bool)
)


BREAKDOWNS: dict[str, str] = {
    "leeftijd": "age_group",
    "geslacht": "sex",
    "wet": "law",
    "productcategorie": "product_category",
    "huishoudtype": "household_type",
    "verwijzer": "referrer",
    "aantal_wetten": "n_laws",
    "wetcombinatie": "law_combination",
}
"""Breakdown dimension (as published in ``breakdown``) → the facts column it reads."""

FIXED_CATEGORIES: dict[str, tuple[str, ...]] = {
    "aantal_wetten": ("1", "2", "3"),
    "wetcombinatie": (
        "alleen_jeugd", "alleen_pwet", "alleen_wmo", "jeugd_pwet", "jeugd_wmo", "wmo_pwet",
        "jeugd_wmo_pwet",
    ),
}  # fmt: skip
"""Breakdowns whose categories are known beforehand: every one gets a cell, also where
nobody has it. A category left out because nobody in the gemeente has it would tell
that 0 without a cell to suppress (other categories come from the data)."""

Breakdown = Literal[
    "leeftijd",
    "geslacht",
    "wet",
    "productcategorie",
    "huishoudtype",
    "verwijzer",
    "aantal_wetten",
    "wetcombinatie",
]

THEMES: dict[str, str] = {
    "jeugd": "Jeugd",
    "wmo": "Wmo en ondersteuning",
    "participatie": "Participatie en inkomen",
    "schulden": "Schuldhulpverlening",
    "stapeling": "Stapeling",
    "keten": "Klantketen en termijnen",
    "overig": "Overige indicatoren",
}
"""Theme (``theme:`` in a definition) → the heading the overview groups it under."""

Theme = Literal["jeugd", "wmo", "participatie", "schulden", "stapeling", "keten", "overig"]


class IndicatorDefinition(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str = Field(min_length=1)
    description: str = Field(min_length=1)
    unit: str = Field(min_length=1)
    polarity: Literal["hoger_beter", "lager_beter", "neutraal"]
    theme: Theme = "overig"
    order: int = Field(default=100, ge=0)
    source: str = Field(min_length=1)
    reference: str = Field(min_length=1)
    kind: Literal["rate", "median", "mean_amount", "count"]
    scale: int = Field(default=1, ge=1)
    facts: str = Field(min_length=1)
    numerator: str | None = None
    denominator: str = "count(*)"
    median_of: str | None = Field(default=None, pattern=r"^[a-z_][a-z0-9_]*$")
    quantile: float = Field(default=0.5, gt=0.0, lt=1.0)
    breakdowns: tuple[Breakdown, ...] = ()
    dominance_of: str | None = Field(default=None, pattern=r"^[a-z_][a-z0-9_]*$")
    structural_zeros: dict[Breakdown, tuple[str, ...]] = Field(default_factory=dict)
    structural_empty: dict[Breakdown, tuple[str, ...]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _consistent(self) -> IndicatorDefinition:
        if self.kind == "rate":
            if self.numerator is None:
                raise ValueError("numerator: verplicht bij kind rate")
            if self.unit not in RATE_UNITS:
                raise ValueError(f"unit: bij kind rate één van {sorted(RATE_UNITS)}")
        elif self.kind == "mean_amount":
            if self.numerator is None:
                raise ValueError("numerator: verplicht bij kind mean_amount")
        elif self.kind == "median" and self.median_of is None:
            raise ValueError("median_of: verplicht bij kind median")
        if self.kind != "median" and self.quantile != 0.5:
            raise ValueError("quantile: alleen bij kind median")
        if self.dominance_of is not None and self.kind != "mean_amount":
            raise ValueError("dominance_of: alleen bij kind mean_amount")
        if len(set(self.breakdowns)) != len(self.breakdowns):
            raise ValueError("breakdowns: een uitsplitsing staat er twee keer in")
        for name in self.breakdowns:
            column = BREAKDOWNS[name]
            if not re.search(rf"\b{column}\b", self.facts):
                raise ValueError(
                    f"breakdowns: uitsplitsing {name!r} vraagt kolom {column!r} in facts"
                )
        self._check_zeros()
        if self.kind != "rate" and self.unit in RATE_UNITS:
            raise ValueError(f"unit: {self.unit!r} hoort bij kind rate")
        self._check_placeholders()
        return self

    def _check_placeholders(self) -> None:
        for key, text in (("facts", self.facts), ("description", self.description)):
            for name in PLACEHOLDER.findall(text):
                if name not in INT_SETTINGS:
                    raise ValueError(f"{key}: onbekende of niet-gehele instelling {{{name}}}")

    def _check_zeros(self) -> None:
        for key, declared in (("structural_zeros", self.structural_zeros),
                              ("structural_empty", self.structural_empty)):  # fmt: skip
            if declared and self.kind != "rate":
                raise ValueError(f"{key}: alleen bij kind rate (een teller die 0 is)")
            for name, categories in declared.items():
                if name not in self.breakdowns:
                    raise ValueError(f"{key}: {name!r} staat niet in breakdowns")
                if not categories:
                    raise ValueError(f"{key}: geen categorieën bij {name!r}")
                for category in categories:
                    fixed = FIXED_CATEGORIES.get(name, ())
                    if category not in fixed and f"'{category}'" not in self.facts:
                        raise ValueError(
                            f"{key}: categorie {category!r} van {name!r} komt niet voor in facts"
                        )

    def zeros(self) -> dict[str, tuple[str, ...]]:
        """Per breakdown the categories whose numerator is 0 by definition (those of
        ``structural_zeros`` and of ``structural_empty``)."""
        return merged_zeros(self.structural_zeros, self.structural_empty)

    def public(self, settings: Settings) -> dict[str, Any]:
        """The fields ``indicators.json`` publishes, the description's ``{setting}``
        replaced by its value (the youth's oldest age)."""
        return {
            "title": self.title,
            "description": _with_settings(self.description, settings),
            "unit": self.unit,
            "polarity": self.polarity,
            "theme": self.theme,
            "order": self.order,
            "source": self.source,
            "reference": self.reference,
            "breakdowns": list(self.breakdowns),
            "structural_zeros": {k: list(v) for k, v in self.structural_zeros.items()},
            "structural_empty": {k: list(v) for k, v in self.structural_empty.items()},
        }

    def facts_sql(self, settings: Settings) -> str:
        """``facts`` with every ``{setting}`` replaced by its integer value."""
        return _with_settings(self.facts, settings)


def _with_settings(text: str, settings: Settings) -> str:
    return PLACEHOLDER.sub(lambda m: str(settings.get_int(m.group(1))), text)


def load_file(path: Path) -> IndicatorDefinition:
    """Read and validate one definition; :class:`MappingError` names file, line, field."""
    doc = read_mapping(path)
    definition = validate(doc, IndicatorDefinition)
    doc.check_id(definition.id)
    return definition


def load_definitions(extra_dir: Path | None = None) -> dict[str, IndicatorDefinition]:
    """The shipped definitions, overridden or extended by ``extra_dir/*.yaml``.

    Ordered by id, so the cube and ``indicators.json`` come out in a stable order.
    """
    found: dict[str, IndicatorDefinition] = {}
    dirs = [DEFAULTS_DIR] + ([extra_dir] if extra_dir is not None and extra_dir.is_dir() else [])
    for folder in dirs:
        for path in sorted(folder.glob("*.yaml")):
            definition = load_file(path)
            found[definition.id] = definition
    return dict(sorted(found.items()))
