"""Goal files: the shipped examples validate, and a broken file names file, line, field."""

from __future__ import annotations

from pathlib import Path

import pytest

from zicht.errors import MappingError
from zicht.goals.load import DEFAULTS_DIR, check_indicators, load_file, load_goals
from zicht.indicators.definitions import load_definitions

GOOD = (DEFAULTS_DIR / "kinderarmoede.yaml").read_text(encoding="utf-8")


def test_shipped_goals_name_defined_indicators() -> None:
    goals = load_goals()
    assert set(goals) == {"kinderarmoede", "wachttijden_wmo", "jeugdhulp_lokaal_team"}
    check_indicators(goals, set(load_definitions()))
    poverty = goals["kinderarmoede"].indicators[0]
    assert poverty.indicator == "kinderen_in_bijstandsgezin_pct"
    assert poverty.target_period == 2026 and poverty.direction == "omlaag"
    assert poverty.path() == [(2023, 5.3), (2026, 4.5)]
    assert [d.period for d in goals["kinderarmoede"].duiding_for(poverty.indicator)] == [2024]


def test_workspace_overrides_and_adds(tmp_path: Path) -> None:
    (tmp_path / "kinderarmoede.yaml").write_text(
        GOOD.replace("target: 4.5", "target: 3.9"), encoding="utf-8"
    )
    extra = GOOD.replace("id: kinderarmoede", "id: eigen_doel")
    (tmp_path / "eigen_doel.yaml").write_text(extra, encoding="utf-8")
    goals = load_goals(tmp_path)
    assert goals["kinderarmoede"].indicators[0].target == 3.9
    assert "eigen_doel" in goals and "wachttijden_wmo" in goals


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.mark.parametrize(
    ("old", "new", "field", "needle"),
    [
        ("target: 4.5", "target: veel", "indicators[0].target", "target: veel"),
        ("direction: omlaag", "direction: naar beneden", "indicators[0].direction", "direction:"),
        ("target_date: 2026-12-31", "target_date: 2020-12-31", "indicators[0].target_date",
         "target_date: 2020"),
        ("        value: 5.3", "        value: 5.3\n      - period: 2030\n        value: 1",
         "indicators[0].milestones", "milestones:"),
        ("    author: Team Onderzoek en Statistiek", "    author: ''", "duiding[0].author",
         "author: ''"),
        ("    date: 2025-03-14", "    date: 14-03-2025", "duiding[0].date", "date: 14-03"),
        ("programme:", "programma:", "programma", "programma:"),
    ],
)  # fmt: skip
def test_errors_name_file_line_and_field(
    tmp_path: Path, old: str, new: str, field: str, needle: str
) -> None:
    assert old in GOOD
    text = GOOD.replace(old, new, 1)
    path = tmp_path / "kinderarmoede.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(MappingError) as info:
        load_file(path)
    message = str(info.value)
    assert message.startswith(f"{path}:{_line_of(text, needle)}: veld {field}:"), message
    assert "\n" not in message


def test_id_must_match_file_name(tmp_path: Path) -> None:
    path = tmp_path / "ander.yaml"
    path.write_text(GOOD, encoding="utf-8")
    with pytest.raises(MappingError, match=r"ander.yaml:\d+: veld id: .*bestandsnaam"):
        load_file(path)


def test_broken_yaml_and_unknown_indicator(tmp_path: Path) -> None:
    path = tmp_path / "kinderarmoede.yaml"
    path.write_text("id: [kapot\n", encoding="utf-8")
    with pytest.raises(MappingError, match="geen geldige YAML"):
        load_file(path)
    goals = load_goals()
    with pytest.raises(MappingError, match="doel 'jeugdhulp_lokaal_team': onbekende indicator"):
        check_indicators(goals, {"bijstand_pct"})
