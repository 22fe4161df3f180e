"""Code lists (iJw/iWmo 3.2 and zicht's own for pwet and schuld), loaded once."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml


@cache
def code_lists() -> dict[str, Any]:
    text = resources.files("zicht.defaults").joinpath("codes.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def product_categories(law: str) -> dict[str, str]:
    cats: dict[str, str] = code_lists()["product_category"].get(law, {})
    return cats


def codes(name: str) -> dict[str, str]:
    """One flat code list: ``referrer``, ``unit``, ``frequency`` or ``sex``."""
    found: dict[str, str] = code_lists()[name]
    return found
