"""Messages parsed ahead while the exports load give the same workspace as parsing them
in their turn.

``ingest_files`` starts a :class:`~zicht.sources.xml_load.Prefetch` when iJw/iWmo
messages follow tabular exports in one call (the demo's order). The truth here is the
same files loaded the other way: the exports in one call and the messages in another
(no prefetch: a call that starts with messages parses them when their turn comes), into a
workspace with the same key, so pseudonyms are equal and whole tables can be compared.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from zicht.sources import xml_load
from zicht.sources.ingest import ingest_files
from zicht.synth import generate
from zicht.workspace import KEY_NAME, Workspace

from ._compare import COMPARED, count_prefetched, report_rows, table_rows

pytest.importorskip("zicht.sources.istandaarden", reason="iJw/iWmo reader not there yet")


def test_prefetched_messages_load_exactly_as_in_their_turn(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    exports = tmp_path / "exports"
    order = [exports / rel for rel in generate(exports, persons=3_000, seed=5)["ingest_order"]]
    first = next(i for i, p in enumerate(order) if p.is_dir())
    last = max(i for i, p in enumerate(order) if p.is_dir())
    before, messages, after = order[:first], order[first : last + 1], order[last + 1 :]
    assert before and all(p.is_dir() for p in messages)  # declaraties may follow them

    used = count_prefetched(monkeypatch)

    ahead = Workspace.init(tmp_path / "ahead")
    together = ingest_files(ahead, order)
    assert used and all(used), "every message should have been parsed ahead"

    used.clear()
    turn = Workspace.init(tmp_path / "turn")
    shutil.copyfile(ahead.root / KEY_NAME, turn.root / KEY_NAME)
    apart = ingest_files(turn, before) + ingest_files(turn, messages)
    if after:
        apart += ingest_files(turn, after)
    assert not used  # a call that starts with messages does not prefetch

    assert report_rows(together) == report_rows(apart)
    assert len(together) > xml_load.PARALLEL_FROM  # enough messages for the worker pool
    got, want = table_rows(ahead), table_rows(turn)
    assert set(got) == set(COMPARED) and all(want[t] for t in ("provision", "chain_event"))
    assert got == want
