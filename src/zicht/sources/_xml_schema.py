"""Validate messages against the iJw/iWmo 3.2 XSDs, each compiled once per process.

Validation failures are reported as one Dutch line naming the file, the line and the
element, e.g. ``JW315.xml: regel 44: element ToewijzingEinddatum: '2027-06-31' is geen
geldige datum``.
"""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from zicht.errors import ConfigError

# (xsd_dir, folder, message type) -> compiled schema, or None when no XSD is shipped for
# it. Keyed on the arguments, not the resolved path, to keep file-system calls off the
# per-message path.
_SCHEMAS: dict[tuple[Path, str, str], etree.XMLSchema | None] = {}

_ELEMENT = re.compile(r"^Element '(?:\{[^}]*\})?([^']+)'(?:, attribute '[^']+')?: ")
_NOT_VALID = re.compile(r"^'(.*)' is not a valid value of the (?:atomic|local|list) type '([^']*)'")
_FACET = re.compile(r"^\[facet '(\w+)'\] The value '(.*?)'")
_EXPECTED = re.compile(r"Expected is(?: one of)? \( ?(.*?) ?\)")
_CLARK = re.compile(r"\{[^}]*\}")


def schema_for(xsd_dir: Path, folder: str, message_type: str) -> etree.XMLSchema | None:
    """The compiled XSD of ``message_type`` under ``xsd_dir/folder/xsd``, or None if absent.

    ``xsd_dir`` is the folder holding ``ijw/xsd`` and ``iwmo/xsd``; the XSDs import
    ``basisschema.xsd`` relative to their own file, so they are parsed from their path.
    """
    key = (xsd_dir, folder, message_type)
    if key in _SCHEMAS:
        return _SCHEMAS[key]
    xsd_folder = xsd_dir / folder / "xsd"
    path = xsd_folder / f"{message_type}.xsd"
    if not xsd_folder.is_dir():
        raise ConfigError(f"map met iStandaarden-XSD's niet gevonden: {xsd_folder}")
    schema: etree.XMLSchema | None = None
    if path.is_file():
        try:
            schema = etree.XMLSchema(etree.parse(str(path)))
        except (etree.XMLSyntaxError, etree.XMLSchemaParseError) as exc:
            raise ConfigError(f"XSD {path.name} kan niet worden geladen: {exc}") from None
    _SCHEMAS[key] = schema
    return schema


def validate(schema: etree.XMLSchema, root: etree._Element, file_name: str) -> str | None:
    """None when ``root`` is valid, else one Dutch line about the first error."""
    if schema.validate(root):
        return None
    errors = list(schema.error_log)
    first = errors[0]
    text = f"{file_name}: regel {first.line}: {_describe(first.message)}"
    if len(errors) > 1:
        text += f" (en nog {len(errors) - 1} andere fout{'en' if len(errors) > 2 else ''})"
    return " ".join(text.split())


def _describe(message: str) -> str:
    """Translate one libxml2 schema message into Dutch; unknown ones keep their text."""
    found = _ELEMENT.match(message)
    if not found:
        return f"voldoet niet aan het XSD: {_CLARK.sub('', message)}"
    element = found.group(1)
    rest = message[found.end() :]
    prefix = f"element {element}: "
    if not_valid := _NOT_VALID.match(rest):
        value, type_name = not_valid.group(1), _CLARK.sub("", not_valid.group(2))
        if type_name.endswith("Datum"):
            return prefix + f"'{value}' is geen geldige datum"
        if type_name.endswith("Tijd"):
            return prefix + f"'{value}' is geen geldige tijd"
        return prefix + f"'{value}' is geen geldige waarde (type {type_name})"
    if facet := _FACET.match(rest):
        kind, value = facet.group(1), facet.group(2)
        if kind == "enumeration":
            return prefix + f"'{value}' is geen geldige code"
        if kind in ("minLength", "maxLength", "length", "totalDigits"):
            return prefix + f"'{value}' heeft niet de toegestane lengte"
        if kind in ("minInclusive", "maxInclusive", "minExclusive", "maxExclusive"):
            return prefix + f"'{value}' valt buiten het toegestane bereik"
        return prefix + f"'{value}' heeft niet het voorgeschreven formaat"
    expected = _EXPECTED.search(rest)
    names = (
        ", ".join(_CLARK.sub("", n).strip() for n in expected.group(1).split(","))
        if expected
        else ""
    )
    if "This element is not expected" in rest:
        where = f" (verwacht: {names})" if names else ""
        return prefix + f"staat hier niet op zijn plaats{where}"
    if "Missing child element" in rest:
        return prefix + f"verplicht onderdeel ontbreekt ({names})"
    if "is not a valid value" in rest or "not accepted by the pattern" in rest:
        return prefix + "waarde heeft niet het voorgeschreven formaat"
    if "No matching global declaration" in rest:
        return prefix + "is geen bekend berichtelement"
    return prefix + f"voldoet niet aan het XSD ({_CLARK.sub('', rest)})"
