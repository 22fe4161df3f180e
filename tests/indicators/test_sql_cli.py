"""`zicht sql` prints the query behind a figure; run on the workspace it gives the
engine's (ungated) cells."""

from __future__ import annotations

from collections.abc import Callable

from click.testing import CliRunner

from zicht.cli import main
from zicht.indicators.definitions import DEFAULTS_DIR, load_definitions
from zicht.indicators.engine import compute_indicator
from zicht.workspace import Workspace


def test_the_printed_sql_gives_the_engines_cells(make_ws: Callable[..., Workspace]) -> None:
    ws = make_ws()
    result = CliRunner().invoke(
        main, ["sql", "--workspace", str(ws.root), "--indicator", "jeugdbescherming_pct"]
    )
    assert result.exit_code == 0, result.output
    assert "GROUPING SETS" in result.output and "'48'" in result.output
    with ws.store(read_only=True) as store:
        rows = store.fetchall(result.output)
        cells = compute_indicator(
            store, load_definitions()["jeugdbescherming_pct"], ws.settings, 2024
        ).to_pylist()
    got = {(r[1], r[2], r[3], r[4]): (r[6], r[7]) for r in rows}
    want = {
        (c["area_code"], c["period"], c["breakdown"], c["category"]): (
            c["numerator"],
            c["denominator"],
        )
        for c in cells
    }
    assert got == want
    # Hand count (conftest.py): a02's jeugdbescherming among the 16 youth of 2023.
    assert got[("GM9901", 2023, "", "")] == (1.0, 16)


def test_an_unknown_indicator_is_one_line(make_ws: Callable[..., Workspace]) -> None:
    ws = make_ws(rows=False)
    result = CliRunner().invoke(
        main, ["sql", "--workspace", str(ws.root), "--indicator", "bestaat_niet"]
    )
    assert result.exit_code == 1
    assert "onbekende indicator" in result.output
    assert "Traceback" not in result.output


def test_refresh_warns_where_the_data_contradict_a_zero_by_definition(
    make_ws: Callable[..., Workspace],
) -> None:
    """A workspace definition claims nobody of any age has Wmo; the hand-made data have
    clients (conftest.py), so the refresh names the age groups that have some, and the
    gate treats those as ordinary counts."""
    ws = make_ws()
    text = (DEFAULTS_DIR / "wmo_per_1000.yaml").read_text(encoding="utf-8")
    claim = 'structural_zeros:\n  leeftijd: ["0-17", "18-26", "27-64", "65-74", "75+"]\n'
    (ws.root / "indicators").mkdir()
    (ws.root / "indicators" / "wmo_per_1000.yaml").write_text(
        text.replace("facts: |", claim + "facts: |", 1), encoding="utf-8"
    )
    result = CliRunner().invoke(main, ["refresh", "--workspace", str(ws.root)])
    assert result.exit_code == 0, result.output
    # conftest.py: the Wmo clients a09, a10 (born 1980), b04 (1970), c05 (1990) and d01
    # (1960, 2023 only) are all 27 to 64 years old, so only that age group has some.
    having = {"27-64"}
    warned = {
        line.split("leeftijd=")[1].split(" ")[0]
        for line in result.output.splitlines()
        if line.startswith("Let op: wmo_per_1000 leeftijd=")
    }
    assert warned == having
