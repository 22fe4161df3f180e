"""Reading goal files: one YAML file per goal, the file name is the goal id.

Errors name the file, the line and the field (``goal.yaml:12: veld
indicators[0].target: ...``), as for indicator definitions and mapping files.

Example::

    from zicht.goals.load import load_goals
    goals = load_goals(Path("mijn-werkruimte") / "goals")   # shipped goals + the workspace's
"""

from __future__ import annotations

from pathlib import Path

from zicht.errors import MappingError
from zicht.goals.model import Goal
from zicht.model._yaml import read_mapping, validate

DEFAULTS_DIR = Path(__file__).resolve().parent.parent / "defaults" / "goals"
WORKSPACE_GOALS_DIR = "goals"

_MESSAGES = {"literal_error": "kies omlaag of omhoog"}


def load_file(path: Path) -> Goal:
    """Read and validate one goal; :class:`MappingError` names file, line and field."""
    doc = read_mapping(path)
    goal = validate(doc, Goal, messages=_MESSAGES)
    doc.check_id(goal.id)
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
