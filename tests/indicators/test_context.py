"""A refresh publishes CBS figures next to the own indicators where the workspace has
them (context.parquet), in the own indicator's unit."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from zicht.indicators.refresh import refresh
from zicht.sources.cbs import load_kwb
from zicht.workspace import Workspace

KWB = (
    "ID;Peildatum;WijkenEnBuurten;Gemeentenaam_1;SoortRegio_2;AantalInwoners_5;"
    "PersonenPerSoortUitkeringBijstand_87;PercentageJongerenMetJeugdzorg_92;"
    "WmoClientenRelatief_94\n"
    "1;1-1-2024;GM9901    ;Teststad;Gemeente  ;200;10;114;42\n"
    "2;1-1-2024;WK990101  ;Teststad;Wijk      ;120;;97;\n"
)


def test_refresh_publishes_cbs_context(make_ws: Callable[..., Workspace], tmp_path: Path) -> None:
    ws = make_ws(min_cell_count=0)
    kwb = tmp_path / "kwb.csv"
    kwb.write_text(KWB, encoding="utf-8")
    load_kwb(ws, kwb)
    report = refresh(ws)
    rows = pq.read_table(ws.published_dir / report.refresh_id / "context.parquet").to_pylist()
    got = {(r["indicator_id"], r["area_code"], r["period"]): r["cbs_value"] for r in rows}
    assert got[("jeugdhulp_pct", "GM9901", 2024)] == pytest.approx(11.4)
    assert got[("jeugdhulp_pct", "WK990101", 2024)] == pytest.approx(9.7)
    assert got[("wmo_per_1000", "GM9901", 2024)] == pytest.approx(42.0)
    assert got[("bijstand_pct", "GM9901", 2024)] == pytest.approx(5.0)  # 10 / 200 × 100
    # Empty CBS cells give no comparison at all, never a zero.
    assert ("bijstand_pct", "WK990101", 2024) not in got
    assert ("wmo_per_1000", "WK990101", 2024) not in got


def test_no_context_file_without_cbs_data(make_ws: Callable[..., Workspace]) -> None:
    ws = make_ws(min_cell_count=0)
    report = refresh(ws)
    assert not (ws.published_dir / report.refresh_id / "context.parquet").exists()


KWB_FACTS = (
    "ID;Peildatum;WijkenEnBuurten;Gemeentenaam_1;SoortRegio_2;AantalInwoners_5;"
    "PersonenPerSoortUitkeringBijstand_87;PercentageJongerenMetJeugdzorg_92;"
    "InBezitWoningcorporatie_49;HuishoudensMetEenLaagInkomen_89\n"
    "1;1-1-2024;GM9901    ;Teststad;Gemeente  ;200;10;114;31;79\n"
    "2;1-1-2024;WK990101  ;Teststad;Wijk      ;120;;97;;\n"
    "3;1-1-2024;GM0034    ;Almere;Gemeente  ;226500;5460;117;29;\n"
    "4;1-1-2024;WK003401  ;Almere;Wijk      ;1000;;;40;\n"
)


def test_key_figures_per_area_and_other_gemeenten(
    make_ws: Callable[..., Workspace], tmp_path: Path
) -> None:
    ws = make_ws(min_cell_count=0)
    kwb = tmp_path / "kwb.csv"
    kwb.write_text(KWB_FACTS, encoding="utf-8")
    load_kwb(ws, kwb)
    report = refresh(ws)
    rows = pq.read_table(ws.published_dir / report.refresh_id / "context.parquet").to_pylist()
    got = {(r["indicator_id"], r["area_code"], r["period"]): r["cbs_value"] for r in rows}
    # The area's own CBS key figures, as CBS wrote them (79 = 7.9 %, one implied decimal).
    assert got[("cbs:inwoners", "GM9901", 2024)] == 200
    assert got[("cbs:pct_woningcorporatie", "GM9901", 2024)] == 31
    assert got[("cbs:pct_laag_inkomen", "GM9901", 2024)] == pytest.approx(7.9)
    assert got[("cbs:inwoners", "WK990101", 2024)] == 120
    assert ("cbs:pct_laag_inkomen", "WK990101", 2024) not in got  # empty at CBS
    # Another gemeente: its comparable figures (for similar gemeenten), not its key
    # figures and nothing of its wijken.
    assert got[("jeugdhulp_pct", "GM0034", 2024)] == pytest.approx(11.7)
    assert got[("bijstand_pct", "GM0034", 2024)] == pytest.approx(5460 / 226500 * 100)
    assert not [k for k in got if k[1] == "WK003401"]
    assert not [k for k in got if k[1] == "GM0034" and k[0].startswith("cbs:")]
