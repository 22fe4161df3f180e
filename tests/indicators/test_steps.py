"""Per-step accounting: steps are recorded only inside ``recording``, each with its own
wall and CPU time, and a refresh reports its steps."""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from typing import Any

import pytest

from zicht.indicators import _steps
from zicht.indicators import refresh as refresh_mod
from zicht.quality import lineage, scores
from zicht.workspace import Workspace


def test_steps_are_recorded_only_inside_a_recording() -> None:
    with _steps.step("outside"):
        pass
    echo = io.StringIO()
    with _steps.recording(echo) as steps:
        with _steps.step("sleep"):
            time.sleep(0.05)
        with _steps.step("spin"):
            end = time.process_time() + 0.05
            while time.process_time() < end:
                pass
    with _steps.step("after"):
        pass
    assert [s.name for s in steps] == ["sleep", "spin"]
    sleep, spin = steps
    assert sleep.wall_s >= 0.05 and sleep.cpu_s < spin.cpu_s
    assert spin.cpu_s >= 0.04
    assert spin.peak_rss_mib >= spin.rss_mib > 0
    assert echo.getvalue().splitlines()[0].startswith("sleep: ")


def test_a_refresh_reports_its_steps(
    make_ws: Callable[..., Workspace], monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = make_ws()
    calls: list[int] = []
    real = scores.score

    def counted(store: Any) -> Any:
        calls.append(1)
        return real(store)

    # The real scores, counted wherever the refresh and the keten tables look them up.
    monkeypatch.setattr(scores, "score", counted)
    monkeypatch.setattr(refresh_mod, "score", counted)
    monkeypatch.setattr(lineage, "score", counted)
    with _steps.recording() as steps:
        refresh_mod.refresh(ws)
    names = [s.name for s in steps]
    for expected in ("shared household_period", "cube assembly", "keten tables", "publish"):
        assert expected in names
    computed = [n for n in names if n.startswith("compute ")]
    assert "compute jeugdhulp_pct" in computed and len(computed) >= 25
    # The quality scores of the sources are computed once, not again for the keten
    # tables (which were computed afresh) or the indicators' scores.
    assert "keten: quality scores" in names
    assert len(calls) == 1
