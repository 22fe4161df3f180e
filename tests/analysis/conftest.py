"""Synthetic gemeenten built by the real path (synth → ingest), shared per session.

16,000 inhabitants gives eight buurten, the least in which the generator plants its
patterns; each build takes about 20 seconds.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from zicht.sources.ingest import ingest_files
from zicht.synth import generate
from zicht.workspace import Workspace

PERSONS = 16_000
SEEDS = (3, 8, 21)


class Built:
    def __init__(self, root: Path, seed: int) -> None:
        self.exports = root / "exports"
        self.manifest: dict[str, Any] = generate(self.exports, persons=PERSONS, seed=seed)
        self.ws = Workspace.init(root / "ws")
        for rel in self.manifest["ingest_order"]:
            ingest_files(self.ws, [self.exports / rel])


@pytest.fixture(scope="session")
def gemeente(tmp_path_factory: pytest.TempPathFactory) -> Callable[[int], Built]:
    """``gemeente(seed)``: the built workspace of that seed (built once per session)."""
    cache: dict[int, Built] = {}

    def get(seed: int) -> Built:
        if seed not in cache:
            cache[seed] = Built(tmp_path_factory.mktemp(f"gemeente{seed}"), seed)
        return cache[seed]

    return get
