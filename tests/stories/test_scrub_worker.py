"""The demo's scrub worker scrubs exactly as the scrubber in this process does."""

from __future__ import annotations

from pathlib import Path

from zicht.privacy.scrub import Scrubber
from zicht.stories.scrub_worker import ScrubWorker, candidate_texts
from zicht.synth._stories import write as write_stories


def test_worker_results_equal_the_in_process_scrubber(tmp_path: Path, scrubber: Scrubber) -> None:
    manifest = write_stories(tmp_path, ["WK999901", "WK999902"], [2024, 2025], seed=4, n=80)
    texts = candidate_texts(tmp_path / manifest["file"])
    assert len(texts) >= 80  # at least every story text (titles may repeat)
    with ScrubWorker() as worker:
        worker.submit(texts)
        answering = worker.scrubber()
        assert [answering.scrub(t) for t in texts] == [scrubber.scrub(t) for t in texts]
        # A text it was not given beforehand goes to the worker, with the same result.
        extra = "Bel Jan de Vries op 06-12345678 of mail jan@voorbeeld.nl, BSN 111222333."
        assert extra not in texts
        assert answering.scrub(extra) == scrubber.scrub(extra)
        assert "[TELEFOON]" in answering.scrub(extra).text
