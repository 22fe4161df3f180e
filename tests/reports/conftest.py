"""A small synthetic gemeente built by the real path, with a strict gate so that some
figures are suppressed; shared by the report tests (built once per session)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from zicht.indicators.refresh import refresh
from zicht.sources.ingest import ingest_files
from zicht.stories.importer import import_csv
from zicht.synth import generate
from zicht.workspace import Workspace

PERSONS = 12_000  # the smallest size with two wijken
# Stricter than the default 10, so the gate suppresses wijk cells and, for the local-team
# share (about 60 referrals a year here), some gemeente cells: the report must show them
# as suppressed and call their status onbekend.
MIN_CELL_COUNT = 60


@dataclass(frozen=True)
class Demo:
    ws: Path
    manifest: dict[str, Any]
    exports: Path


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    root = tmp_path_factory.mktemp("goals-demo")
    manifest = generate(root / "exports", persons=PERSONS, seed=11)
    ws = Workspace.init(root / "ws")
    for rel in manifest["ingest_order"]:
        ingest_files(ws, [root / "exports" / rel])
    # The stories, imported (and scrubbed) the way `zicht demo` does.
    stories = manifest["stories"]
    import_csv(ws, stories["form"], root / "exports" / stories["file"])
    ws.set_setting("min_cell_count", MIN_CELL_COUNT)
    refresh(Workspace.open(ws.root))
    (root / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return Demo(ws=ws.root, manifest=manifest, exports=root / "exports")
