"""A refresh recomputes only the indicators whose inputs changed, and the result equals
a full recomputation."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from zicht.analysis import keten_publish
from zicht.indicators._incremental import CACHE_DIR
from zicht.indicators.definitions import load_definitions
from zicht.indicators.published import load_current
from zicht.indicators.refresh import refresh
from zicht.model.published import KETEN_TABLES
from zicht.workspace import Workspace

MakeWs = Callable[..., Workspace]


def _cube(ws: Workspace) -> list[dict[str, object]]:
    snap = load_current(ws.root)
    assert snap is not None
    return sorted(
        snap.cube.to_pylist(),
        key=lambda r: tuple(
            str(r[k]) for k in ("indicator_id", "area_code", "period", "breakdown", "category")
        ),
    )


def test_a_refresh_without_new_data_recomputes_nothing(make_ws: MakeWs) -> None:
    ws = make_ws(min_cell_count=3)
    first = refresh(ws)
    assert sorted(first.recomputed) == sorted(load_definitions())
    before = _cube(ws)
    again = refresh(ws)
    assert again.recomputed == []
    assert _cube(ws) == before


def test_new_costs_recompute_only_the_cost_indicators(make_ws: MakeWs) -> None:
    ws = make_ws(min_cell_count=3)
    refresh(ws)
    with ws.store() as store:
        store.insert_arrow(
            "cost",
            pa.Table.from_pylist(
                [
                    {
                        "declaratie_id": "K99",
                        "person_id": "a05",
                        "law": "jeugd",
                        "period_start": date(2024, 5, 1),
                        "period_end": date(2024, 5, 31),
                        "amount": Decimal("500.00"),
                        "source": "t",
                        "load_id": "second",
                    }
                ]
            ),
        )
    report = refresh(ws)
    readers = {k for k, d in load_definitions().items() if "cost" in d.facts}
    assert {"kosten_per_client_jeugd", "kosten_per_client_wmo"} <= readers
    assert "jeugdhulp_pct" not in readers
    assert sorted(report.recomputed) == sorted(readers)
    incremental = _cube(ws)
    # The same as recomputing everything from scratch.
    shutil.rmtree(ws.root / CACHE_DIR)
    full = refresh(ws)
    assert sorted(full.recomputed) == sorted(load_definitions())
    assert _cube(ws) == incremental


def test_a_changed_setting_recomputes_everything(make_ws: MakeWs) -> None:
    ws = make_ws(min_cell_count=3)
    refresh(ws)
    ws.set_setting("min_cell_count", 4)
    report = refresh(Workspace.open(ws.root))
    assert sorted(report.recomputed) == sorted(load_definitions())


def test_a_broken_cache_file_only_costs_time(make_ws: MakeWs) -> None:
    ws = make_ws(min_cell_count=3)
    refresh(ws)
    before = _cube(ws)
    (ws.root / CACHE_DIR / "bijstand_pct.parquet").write_bytes(b"not parquet")
    report = refresh(ws)
    assert report.recomputed == ["bijstand_pct"]
    assert _cube(ws) == before


def test_keten_tables_are_reused_while_data_settings_and_code_are_unchanged(
    make_ws: MakeWs, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = make_ws(min_cell_count=3)
    first = refresh(ws)
    assert first.keten_recomputed and len(first.keten) == len(KETEN_TABLES)
    snap = load_current(ws.root)
    assert snap is not None
    before = {f: pq.read_table(snap.path / f).to_pylist() for f in first.keten}
    again = refresh(ws)
    assert not again.keten_recomputed and again.refresh_id != first.refresh_id
    snap = load_current(ws.root)
    assert snap is not None
    assert {f: pq.read_table(snap.path / f).to_pylist() for f in again.keten} == before
    # Other code computing the tables (a new release) never reuses the old ones.
    monkeypatch.setattr(keten_publish, "_code_version", lambda: "other code")
    assert refresh(ws).keten_recomputed
    assert not refresh(ws).keten_recomputed
    ws.set_setting("min_cell_count", 4)
    assert refresh(Workspace.open(ws.root)).keten_recomputed


def test_the_gate_cache_key_depends_on_the_cells_not_on_how_arrow_holds_them() -> None:
    """A computed cube and the same cells read back from the cache differ in Arrow's
    bytes (a validity bitmap or none, whatever lies under a null); the key must not, or
    the refresh after a computed one gates again (measured: 8.8 s CPU instead of 0.4 s
    at 120,000 inhabitants)."""
    from zicht.config import Settings
    from zicht.indicators._incremental import gated_fingerprint

    plain = pa.table({"code": ["BU1", "BU2"], "value": [1.0, None], "status": [None, "x"]})
    # The same values, built so that the null slots hold other bytes and the string
    # column without nulls carries an all-valid bitmap.
    values = pa.Array.from_buffers(
        pa.float64(), 2, [plain["value"].chunk(0).buffers()[0], pa.py_buffer(
            b"\x00\x00\x00\x00\x00\x00\xf0?" + b"\x01" * 8)],
    )  # fmt: skip
    codes = pa.Array.from_buffers(
        pa.string(), 2, [pa.py_buffer(b"\x03"), *plain["code"].chunk(0).buffers()[1:]]
    )
    other = pa.table({"code": codes, "value": values, "status": plain["status"]})
    assert other.equals(plain)
    assert other["value"].chunk(0).buffers()[1] != plain["value"].chunk(0).buffers()[1]
    settings = Settings({"min_cell_count": 10})
    assert gated_fingerprint([other], settings) == gated_fingerprint([plain], settings)
    changed = plain.set_column(1, "value", pa.array([2.0, None]))
    assert gated_fingerprint([changed], settings) != gated_fingerprint([plain], settings)
