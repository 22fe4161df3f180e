"""Reading goal files: one YAML file per goal, the file name is the goal id.

Errors name the file, the line and the field (``goal.yaml:12: veld
indicators[0].target: ...``), as for indicator definitions and mapping files.

Example::

    from zicht.goals.load import load_goals
    goals = load_goals(Path("mijn-werkruimte") / "goals")   # shipped goals + the workspace's
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from zicht.errors import MappingError
from zicht.goals.model import Goal

DEFAULTS_DIR = Path(__file__).resolve().parent.parent / "defaults" / "goals"
WORKSPACE_GOALS_DIR = "goals"

Loc = tuple[str | int, ...]
_DUTCH = {
    "missing": "verplicht veld ontbreekt",
    "extra_forbidden": "onbekend veld",
    "float_parsing": "geen getal",
    "int_parsing": "geen geheel getal",
    "date_from_datetime_parsing": "geen datum (jjjj-mm-dd)",
    "date_parsing": "geen datum (jjjj-mm-dd)",
    "string_too_short": "mag niet leeg zijn",
    "literal_error": "kies omlaag of omhoog",
}


def _node_lines(node: yaml.Node, loc: Loc, out: dict[Loc, int]) -> None:
    """Line (1-based) of every key and list item under ``node``, by its location."""
    out.setdefault(loc, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            sub = (*loc, str(key.value))
            out[sub] = key.start_mark.line + 1
            _node_lines(value, sub, out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _node_lines(item, (*loc, i), out)


def _line_of(lines: dict[Loc, int], loc: Loc) -> int:
    """The line of ``loc`` or of its nearest parent that is in the file."""
    while loc:
        if loc in lines:
            return lines[loc]
        loc = loc[:-1]
    return 1


def _field_text(loc: Loc) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def _parse(path: Path) -> tuple[Any, dict[Loc, int]]:
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
    lines: dict[Loc, int] = {}
    if node is not None:
        _node_lines(node, (), lines)
    return data, lines


def load_file(path: Path) -> Goal:
    """Read and validate one goal; :class:`MappingError` names file, line and field."""
    data, lines = _parse(path)
    if not isinstance(data, dict):
        raise MappingError(f"{path}:1: verwacht een mapping met velden (id, title, ...)")
    try:
        goal = Goal.model_validate(data)
    except ValidationError as exc:
        # An unknown key explains a missing one (a typo), so it is reported first.
        err = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")[0]
        loc: Loc = tuple(err["loc"])
        msg = _DUTCH.get(err["type"], str(err["msg"]).removeprefix("Value error, "))
        # A model-level check says "field: reason"; it belongs under the model's location.
        if ":" in msg and err["type"] == "value_error":
            name, msg = (s.strip() for s in msg.split(":", 1))
            loc = (*loc, name)
        line = _line_of(lines, loc)
        raise MappingError(f"{path}:{line}: veld {_field_text(loc) or '?'}: {msg}") from None
    if goal.id != path.stem:
        raise MappingError(
            f"{path}:{_line_of(lines, ('id',))}: veld id: {goal.id!r} moet gelijk zijn aan "
            f"de bestandsnaam {path.stem!r}"
        )
    return goal


def load_goals(extra_dir: Path | None = None) -> dict[str, Goal]:
    """The shipped goals, overridden or extended by ``extra_dir/*.yaml``, ordered by id."""
    found: dict[str, Goal] = {}
    dirs = [DEFAULTS_DIR] + ([extra_dir] if extra_dir is not None and extra_dir.is_dir() else [])
    for folder in dirs:
        for path in sorted(folder.glob("*.yaml")):
            goal = load_file(path)
            found[goal.id] = goal
    return dict(sorted(found.items()))


def check_indicators(goals: dict[str, Goal], known: set[str]) -> None:
    """Every indicator a goal names must be defined (and so published)."""
    for goal in goals.values():
        for gi in goal.indicators:
            if gi.indicator not in known:
                raise MappingError(
                    f"doel {goal.id!r}: onbekende indicator {gi.indicator!r} "
                    "(niet in de gepubliceerde indicatoren)"
                )
