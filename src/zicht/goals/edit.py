"""Adding an analyst's duiding to a goal from the dashboard.

The goal is written to the workspace (``WORKSPACE/goals/<id>.yaml``): a shipped goal is
copied there first, so the shipped file is never changed and the workspace copy wins
from then on (:func:`zicht.goals.load.load_goals`). The new file is validated as a whole
before it replaces the old one atomically, so a bad entry never leaves a broken file.
Comments of a shipped file do not survive the copy (YAML is rewritten from its data).

Example::

    add_duiding(ws_root, "kinderarmoede", period=2025, indicator=None,
                author="a.analist", text="...", today=date(2026, 3, 1))
"""

from __future__ import annotations

import os
import re
import threading
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from zicht.errors import ZichtError
from zicht.goals.load import DEFAULTS_DIR, WORKSPACE_GOALS_DIR
from zicht.goals.model import Goal

MAX_TEXT = 4000
_LOCK = threading.Lock()  # one writer at a time within a server process


class GoalEditError(ZichtError):
    """The duiding cannot be added; the message (Dutch) says why."""


def _source(ws_root: Path, goal_id: str) -> Path:
    if not re.fullmatch(r"[a-z][a-z0-9_]*", goal_id):  # it becomes a file name
        raise GoalEditError(f"het doel {goal_id!r} bestaat niet")
    own = Path(ws_root) / WORKSPACE_GOALS_DIR / f"{goal_id}.yaml"
    if own.is_file():
        return own
    shipped = DEFAULTS_DIR / f"{goal_id}.yaml"
    if shipped.is_file():
        return shipped
    raise GoalEditError(f"het doel {goal_id!r} bestaat niet")


def add_duiding(
    ws_root: Path,
    goal_id: str,
    *,
    period: int,
    indicator: str | None,
    author: str,
    text: str,
    today: date,
) -> Goal:
    """Append one duiding to the goal and write it to the workspace; returns the goal."""
    text = text.strip()
    if not text:
        raise GoalEditError("de duiding is leeg")
    if len(text) > MAX_TEXT:
        raise GoalEditError(f"de duiding is langer dan {MAX_TEXT} tekens")
    with _LOCK:
        source = _source(ws_root, goal_id)
        data: Any = yaml.safe_load(source.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise GoalEditError(f"{source}: geen geldig doelbestand")
        entry: dict[str, Any] = {"period": period, "author": author, "date": today, "text": text}
        if indicator:
            entry["indicator"] = indicator
        data["duiding"] = [*(data.get("duiding") or []), entry]
        try:
            goal = Goal.model_validate(data)
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(x) for x in err["loc"]) or "duiding"
            raise GoalEditError(f"ongeldige duiding ({where}): {err['msg']}") from None
        folder = Path(ws_root) / WORKSPACE_GOALS_DIR
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{goal_id}.yaml"
        tmp = folder / f".{goal_id}.yaml.tmp"
        with tmp.open("w", encoding="utf-8") as fh:
            yaml.safe_dump(data, fh, allow_unicode=True, sort_keys=False, width=88)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    return goal
