"""Adding a duiding writes a valid goal file to the workspace, never the shipped one."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from zicht.goals.edit import GoalEditError, add_duiding
from zicht.goals.load import DEFAULTS_DIR, load_goals

TODAY = date(2026, 3, 2)


def test_duiding_on_a_shipped_goal_goes_to_a_workspace_copy(tmp_path: Path) -> None:
    shipped = (DEFAULTS_DIR / "kinderarmoede.yaml").read_text(encoding="utf-8")
    before = len(load_goals()["kinderarmoede"].duiding)
    add_duiding(
        tmp_path, "kinderarmoede", period=2025, indicator="kinderen_in_bijstandsgezin_pct",
        author="a.analist", text="  Gedaald door de nieuwe aanpak.  ", today=TODAY,
    )  # fmt: skip
    assert (DEFAULTS_DIR / "kinderarmoede.yaml").read_text(encoding="utf-8") == shipped
    goal = load_goals(tmp_path / "goals")["kinderarmoede"]
    assert len(goal.duiding) == before + 1
    newest = goal.duiding_for("kinderen_in_bijstandsgezin_pct")[0]
    assert (newest.period, newest.author, newest.date, newest.text) == (
        2025, "a.analist", TODAY, "Gedaald door de nieuwe aanpak."
    )  # fmt: skip
    # A second one is added to the workspace copy, next to the first.
    add_duiding(tmp_path, "kinderarmoede", period=2025, indicator=None, author="b",
                text="Voor het hele doel.", today=TODAY)  # fmt: skip
    goal = load_goals(tmp_path / "goals")["kinderarmoede"]
    assert len(goal.duiding) == before + 2 and goal.duiding_for(None)[0].author == "b"
    assert [p.name for p in (tmp_path / "goals").iterdir()] == ["kinderarmoede.yaml"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"text": "   "}, "de duiding is leeg"),
        ({"text": "x" * 4001}, "langer dan 4000 tekens"),
        ({"indicator": "bijstand_pct"}, "hoort niet bij dit doel"),
        ({"period": 1800}, "ongeldige duiding"),
        ({"goal_id": "../../etc/passwd"}, "bestaat niet"),
        ({"goal_id": "bestaat_niet"}, "bestaat niet"),
    ],
)
def test_bad_duiding_is_refused_and_nothing_is_written(
    tmp_path: Path, kwargs: dict[str, object], message: str
) -> None:
    args: dict[str, object] = {
        "goal_id": "kinderarmoede", "period": 2025, "indicator": None, "author": "a",
        "text": "ok", "today": TODAY,
    }  # fmt: skip
    args.update(kwargs)
    goal_id = args.pop("goal_id")
    with pytest.raises(GoalEditError, match=message):
        add_duiding(tmp_path, goal_id, **args)  # type: ignore[arg-type]
    assert not (tmp_path / "goals").exists() or not any((tmp_path / "goals").iterdir())
