"""Definitions ship as YAML, validate with a schema, and their SQL runs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from zicht.config import Settings
from zicht.errors import MappingError
from zicht.indicators.definitions import DEFAULTS_DIR, load_definitions, load_file
from zicht.indicators.engine import indicator_sql
from zicht.indicators.published import UnknownIndicatorError, sql_for
from zicht.workspace import Workspace

MODEL_IDS = {
    "jeugdhulp_pct",
    "wmo_per_1000",
    "bijstand_pct",
    "stapeling_hh_pct",
    "doorlooptijd_beschikking_mediaan",
    "beschikking_binnen_termijn_pct",
    "kosten_per_client_jeugd",
    "kosten_per_client_wmo",
    "jeugdhulp_huisarts_pct",
    "kinderen_in_bijstandsgezin_pct",
    "jeugdhulp_via_gemeente_pct",
}
UNITS = {
    "jeugdhulp_pct": "%",
    "wmo_per_1000": "per 1.000",
    "bijstand_pct": "%",
    "stapeling_hh_pct": "%",
    "doorlooptijd_beschikking_mediaan": "dagen",
    "beschikking_binnen_termijn_pct": "%",
    "kosten_per_client_jeugd": "euro",
    "kosten_per_client_wmo": "euro",
    "jeugdhulp_huisarts_pct": "%",
    "kinderen_in_bijstandsgezin_pct": "%",
    "jeugdhulp_via_gemeente_pct": "%",
}


def test_ships_the_model_indicators_and_at_least_25() -> None:
    defs = load_definitions()
    assert MODEL_IDS <= set(defs)
    assert {k: defs[k].unit for k in MODEL_IDS} == UNITS
    assert len(defs) >= 25
    assert sum(bool(d.breakdowns) for d in defs.values()) >= 20


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (("breakdowns: [leeftijd,", "breakdowns: [kleur,"), "breakdowns"),
        (("breakdowns: [leeftijd, geslacht,", "breakdowns: [leeftijd, verwijzer,"), "breakdowns"),
        (("breakdowns: [leeftijd,", "breakdowns: [leeftijd, leeftijd,"), "breakdowns"),
        (("kind: rate", "kind: rate\nquantile: 0.9"), "quantile"),
        (('leeftijd: ["0-17"]', 'leeftijd: ["0-71"]'), "structural_zeros"),  # a typo
        (("huishoudtype: [overig]", "verwijzer: [overig]"), "structural_zeros"),
        (("huishoudtype: [overig]", "huishoudtype: []"), "structural_zeros"),
        (
            ("structural_zeros:", "structural_empty:\n  wet: [jeugd]\nstructural_zeros:"),
            "structural_empty",
        ),  # fmt: skip
    ],
)
def test_invalid_breakdowns_name_file_line_and_field(
    tmp_path: Path, change: tuple[str, str], field: str
) -> None:
    path = tmp_path / "bijstand_pct.yaml"
    text = GOOD.replace(*change)
    assert text != GOOD
    path.write_text(text, encoding="utf-8")
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if ln.startswith(field + ":"))
    with pytest.raises(MappingError) as info:
        load_file(path)
    msg = str(info.value)
    assert msg.startswith(f"{path}:{line}:"), msg
    assert f"veld {field}" in msg


GOOD = (DEFAULTS_DIR / "bijstand_pct.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("change", "line", "field"),
    [
        (("polarity: lager_beter", "polarity: beter"), 7, "polarity"),
        (("kind: rate", "kind: rate\ncolor: red"), 13, "color"),
        (('unit: "%"', "unit: euro"), 6, "unit"),
        (("numerator: sum(num)\n", ""), 1, "numerator"),
        (("{", "{"), 1, "id"),  # id differs from the file name
    ],
)
def test_invalid_definition_names_file_line_and_field(
    tmp_path: Path, change: tuple[str, str], line: int, field: str
) -> None:
    path = tmp_path / ("other.yaml" if field == "id" else "bijstand_pct.yaml")
    path.write_text(GOOD.replace(*change), encoding="utf-8")
    with pytest.raises(MappingError) as info:
        load_file(path)
    msg = str(info.value)
    assert msg.startswith(f"{path}:{line if field != 'id' else 1}:"), msg
    assert f"veld {field}" in msg


def test_unknown_setting_in_facts_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bijstand_pct.yaml"
    path.write_text(
        GOOD.replace(
            "FROM person_period p", "FROM person_period p WHERE p.period > {gemeente_naam}"
        ),
        encoding="utf-8",
    )
    with pytest.raises(MappingError, match="veld facts"):
        load_file(path)


def test_unknown_setting_in_the_description_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bijstand_pct.yaml"
    path.write_text(
        GOOD.replace("Percentage van de inwoners", "Percentage van de {gemeente_naam}"),
        encoding="utf-8",
    )
    with pytest.raises(MappingError, match="veld description"):
        load_file(path)


def test_broken_yaml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("id: x\ntitle: [unclosed\n", encoding="utf-8")
    with pytest.raises(MappingError, match=r"x\.yaml:\d+: geen geldige YAML"):
        load_file(path)


def test_workspace_definition_overrides_default(tmp_path: Path) -> None:
    (tmp_path / "bijstand_pct.yaml").write_text(
        GOOD.replace("Inwoners met een bijstandsuitkering", "Bijstand"), encoding="utf-8"
    )
    assert load_definitions(tmp_path)["bijstand_pct"].title == "Bijstand"


def test_sql_for_runs_and_gives_the_ungated_figures(make_ws: Callable[..., Workspace]) -> None:
    ws = make_ws()
    sql = sql_for("doorlooptijd_beschikking_mediaan", ws.settings)
    assert "quantile_cont" in sql and "2024" in sql
    with ws.store(read_only=True) as store:
        rows = store.fetchall(sql)
    by_area = {(r[1], r[2]): r for r in rows if r[3] == ""}
    assert len(by_area) == 14
    assert by_area[("BU99010201", 2023)][5] == 27.5  # before the gate: analysts only
    # Without a configured boundary year the latest one in `area` is used.
    latest = sql_for("wmo_per_1000", Settings({**ws.settings.values, "boundary_year": 0}))
    with ws.store(read_only=True) as store:
        assert len([r for r in store.fetchall(latest) if r[3] == ""]) == 14
    with pytest.raises(UnknownIndicatorError):
        sql_for("bestaat_niet", ws.settings)


def test_term_settings_are_integer_literals() -> None:
    defs = load_definitions()
    settings = Settings({**Settings.load().values, "term_days_wmo_beschikking": 21})
    sql = indicator_sql(defs["beschikking_binnen_termijn_pct"], settings, "duckdb", "2024")
    assert "WHEN 'wmo' THEN 21" in sql and "{" not in sql


def test_postgresql_median_spelling() -> None:
    defs = load_definitions()
    sql = indicator_sql(
        defs["doorlooptijd_beschikking_mediaan"], Settings.load(), "postgresql", "2024"
    )
    assert "percentile_cont(0.5) WITHIN GROUP (ORDER BY f.days)" in sql
    assert "quantile_cont" not in sql
