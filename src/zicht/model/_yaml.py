"""Reading a user-edited YAML definition (indicator, story form, goal) into a pydantic
model, with errors that name file, line and field: ``goal.yaml:12: veld
indicators[0].target: geen getal``.

One reader for every kind of definition, so a data adviser gets the same kind of message
whatever file they edit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from zicht.errors import MappingError

Loc = tuple[str | int, ...]
M = TypeVar("M", bound=BaseModel)

# pydantic's English messages of the kinds a person makes when editing by hand.
_DUTCH = {
    "missing": "verplicht veld ontbreekt",
    "extra_forbidden": "onbekend veld",
    "float_parsing": "geen getal",
    "int_parsing": "geen geheel getal",
    "date_from_datetime_parsing": "geen datum (jjjj-mm-dd)",
    "date_parsing": "geen datum (jjjj-mm-dd)",
    "string_too_short": "mag niet leeg zijn",
}


@dataclass(frozen=True)
class YamlDoc:
    """A parsed YAML mapping and the line of every key and list item in it."""

    path: Path
    data: dict[str, Any]
    lines: dict[Loc, int]

    def line(self, loc: Loc) -> int:
        """The line of ``loc`` or of its nearest parent that is in the file."""
        while loc:
            if loc in self.lines:
                return self.lines[loc]
            loc = loc[:-1]
        return 1

    def error(self, loc: Loc, message: str) -> MappingError:
        """``file:line: veld x[0].y: message`` for a check of the caller's own."""
        where = f"{self.path}:{self.line(loc)}"
        return MappingError(f"{where}: veld {field_text(loc) or '?'}: {message}")

    def check_id(self, value: str) -> None:
        """The ``id`` field must equal the file name (without ``.yaml``)."""
        if value != self.path.stem:
            raise self.error(
                ("id",), f"{value!r} moet gelijk zijn aan de bestandsnaam {self.path.stem!r}"
            )


def _node_lines(node: yaml.Node, loc: Loc, out: dict[Loc, int]) -> None:
    out.setdefault(loc, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            sub = (*loc, str(key.value))
            out[sub] = key.start_mark.line + 1
            _node_lines(value, sub, out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _node_lines(item, (*loc, i), out)


def field_text(loc: Loc) -> str:
    """``("indicators", 0, "target")`` → ``indicators[0].target``."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def read_mapping(path: Path, fields_hint: str = "id, title, ...") -> YamlDoc:
    """Parse ``path``; a file that is not UTF-8, not YAML or not a mapping is refused."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise MappingError(f"{path}:1: geen UTF-8-tekst") from None
    try:
        data = yaml.safe_load(text)
        node = yaml.compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        raise MappingError(f"{path}:{line}: geen geldige YAML") from None
    if not isinstance(data, dict):
        raise MappingError(f"{path}:1: verwacht een mapping met velden ({fields_hint})")
    lines: dict[Loc, int] = {}
    if node is not None:
        _node_lines(node, (), lines)
    return YamlDoc(path, data, lines)


def validate(
    doc: YamlDoc,
    model: type[M],
    *,
    clean_loc: Callable[[Loc], Loc] | None = None,
    messages: dict[str, str] | None = None,
) -> M:
    """``model`` from ``doc``; the first validation error becomes one ``MappingError``.

    ``clean_loc`` drops parts of pydantic's location that are not in the file (the tags
    of a discriminated union); ``messages`` adds Dutch texts per pydantic error type.
    """
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        # An unknown key explains a missing one (a typo), so it is reported first.
        err = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")[0]
        loc: Loc = tuple(p for p in err["loc"] if isinstance(p, int | str))
        if clean_loc is not None:
            loc = clean_loc(loc)
        texts = _DUTCH | (messages or {})
        msg = texts.get(err["type"], str(err["msg"]).removeprefix("Value error, "))
        # A model-level check says "field: reason"; it belongs under the model's location.
        if ":" in msg and err["type"] == "value_error":
            name, msg = (s.strip() for s in msg.split(":", 1))
            loc = (*loc, name)
        raise doc.error(loc, msg) from None
