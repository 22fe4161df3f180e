"""Quality scores against the generator's manifest (which rows it broke, and how)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.analysis.conftest import Built

from zicht.indicators.definitions import load_definitions
from zicht.quality import scores
from zicht.quality.lineage import indicator_quality, source_feeds
from zicht.store import open_store

pytestmark = pytest.mark.slow

_DIM = {
    "missing_bsn": "completeness", "missing_value": "completeness",
    "end_before_start": "consistency", "unknown_reference": "consistency",
    "duplicate_row": "consistency",
}  # fmt: skip


def test_rejections_per_dimension_equal_the_manifest(gemeente: Callable[[int], Built]) -> None:
    built = gemeente(3)
    with built.ws.store(read_only=True) as store:
        got = {s.source: s for s in scores.score(store)}
    files = built.manifest["files"]
    for rel, expected in built.manifest["expected_load"].items():
        source = files[rel]["source"]
        if source not in got or files[rel].get("target") == "toewijzing":
            continue
        reasons = expected["reasons"]
        invalid = sum(n for r, n in reasons.items() if r not in _DIM)
        s = got[source]
        assert s.rows_in == expected["rows_in"], source
        # Validity has one part: the rows rejected for an invalid value.
        assert s.dimensions["validity"] == round(100 * (1 - invalid / expected["rows_in"]), 1)
    # The generator leaves no field empty and every date in order ...
    assert got["jeugd_zaaksysteem"].notes == []
    # ... but the planted provider bills outside its toewijzingen.
    (note,) = got["declaraties"].notes
    assert "buiten de toewijzingsperiode" in note
    assert got["declaraties"].dimensions["consistency"] < 100.0
    with built.ws.store(read_only=True) as store:
        quality = indicator_quality(store, load_definitions(), list(got.values()))
        ranked = scores.defects(store, list(got.values()), source_feeds(quality))
    worst = ranked[0]
    assert worst.indicators and worst.share_pct > 0
    # A defect touches exactly the indicators whose lineage names its source.
    for d in ranked:
        fed = {k for k, v in quality["indicators"].items()
               if d.source in {s["source"] for s in v["sources"]}}  # fmt: skip
        assert set(d.indicators) == fed, d.source


def test_a_stale_source_loses_timeliness(gemeente: Callable[[int], Built], tmp_path: Path) -> None:
    built = gemeente(3)
    copy = tmp_path / "copy.duckdb"
    shutil.copy(built.ws.db_path, copy)
    with open_store(copy) as store:
        before = {s.source: s.dimensions["timeliness"] for s in scores.score(store)}
        store.execute(
            "DELETE FROM chain_event WHERE source = 'iwmo' AND event_date > DATE '2025-10-31'"
        )
        after = {s.source: s for s in scores.score(store)}
        quality = indicator_quality(store, load_definitions(), list(after.values()))
        ind = {k: v["score"] for k, v in quality["indicators"].items()}
    assert before["iwmo"] is not None and before["iwmo"] > 90
    assert after["iwmo"].dimensions["timeliness"] is not None
    assert after["iwmo"].dimensions["timeliness"] < 70
    assert any("achter" in n for n in after["iwmo"].notes)
    assert set(ind) == set(load_definitions())
    assert all(v is None or 0 <= v <= 100 for v in ind.values())
