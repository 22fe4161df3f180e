"""Scrubbing stories in a separate process, overlapped with other work.

Loading deduce costs about 8 s of CPU and its lookup structures most of the demo's peak
memory; scrubbing a thousand stories a few seconds more. The demo has other work for one
core at the same time (writing the exports, then ingesting them), so it starts a
:class:`ScrubWorker` first: one spawned process loads deduce while the exports are
written, scrubs the story texts while they are ingested, and hands back the results.

The scrubbing itself is the same: :meth:`zicht.privacy.scrub.Scrubber.scrub` with deduce
and the own rules, only run in the worker. :meth:`ScrubWorker.scrubber` returns a
:class:`~zicht.privacy.scrub.Scrubber` that answers from those results and sends any text
it was not given beforehand to the worker, so ``import_csv`` scrubs exactly what it
always scrubbed.

Example::

    worker = ScrubWorker()                        # deduce starts loading now
    ...                                           # other work
    worker.submit(candidate_texts(path))          # scrubbed while other work runs
    import_csv(ws, "bewoner", path, scrubber=worker.scrubber())
    worker.close()
"""

from __future__ import annotations

import atexit
import multiprocessing as mp
import os
from collections.abc import Iterable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from zicht.privacy.scrub import Scrubber, ScrubResult, get_scrubber

__all__ = ["ScrubWorker", "candidate_texts"]


def _load() -> bool:
    get_scrubber()
    # Tearing down deduce's millions of lookup objects at the worker's exit takes seconds
    # (and the parent joins the worker before it can exit itself). The worker holds no
    # files or buffers of its own, so it leaves without the teardown.
    atexit.register(os._exit, 0)
    return True


def _scrub_all(texts: list[str]) -> list[ScrubResult]:
    scrubber = get_scrubber()
    return [scrubber.scrub(t) for t in texts]


def candidate_texts(path: Path) -> list[str]:
    """The texts ``import_csv`` passes through the scrubber for a valid row: the title,
    the story and a pseudonym of several words (as :func:`build_story` cuts them)."""
    from zicht.stories.importer import read_rows

    header, rows = read_rows(Path(path))
    out: list[str] = []
    for values in rows:
        raw = dict(zip(header, values, strict=False))
        out.append(raw.get("titel", "").strip()[:120])
        out.append(raw.get("verhaal", "").strip())
        pseudonym = raw.get("schuilnaam", "").strip()[:40]
        if " " in pseudonym:
            out.append(pseudonym)
    return list(dict.fromkeys(out))


class _Answering(Scrubber):
    """A scrubber that answers from results made in the worker; other texts go there."""

    def __init__(self, worker: ScrubWorker, done: dict[str, ScrubResult]) -> None:
        super().__init__(use_deduce=False)
        self._worker = worker
        self._done = done

    def scrub(self, text: str) -> ScrubResult:
        found = self._done.get(text)
        if found is None:
            found = self._worker.scrub_now([text])[0]
            self._done[text] = found
        return found


class ScrubWorker:
    """One spawned process with deduce loaded; see the module docstring.

    When the worker cannot run (a calling script without a ``__main__`` guard, which a
    spawned process runs again), everything is scrubbed in this process instead.
    """

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = ProcessPoolExecutor(
            max_workers=1, mp_context=mp.get_context("spawn")
        )
        self._pool.submit(_load)  # starts the process now; deduce loads in the background
        self._texts: list[str] = []
        self._pending: Future[list[ScrubResult]] | None = None

    def _broken(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
        self._pool, self._pending = None, None

    def submit(self, texts: Iterable[str]) -> None:
        """Start scrubbing ``texts`` in the worker (returns at once)."""
        self._texts = list(texts)
        if self._pool is None:
            return
        try:
            self._pending = self._pool.submit(_scrub_all, self._texts)
        except BrokenProcessPool:
            self._broken()

    def scrub_now(self, texts: list[str]) -> list[ScrubResult]:
        if self._pool is not None:
            try:
                return self._pool.submit(_scrub_all, texts).result()
            except BrokenProcessPool:
                self._broken()
        return _scrub_all(texts)

    def scrubber(self) -> Scrubber:
        """A scrubber holding the submitted texts' results (waits for them)."""
        done: dict[str, ScrubResult] = {}
        if self._pending is not None:
            try:
                done = dict(zip(self._texts, self._pending.result(), strict=True))
            except BrokenProcessPool:
                self._broken()
        if self._pool is None:
            return get_scrubber()
        return _Answering(self, done)

    def close(self) -> None:
        """Stop the worker; it exits (and frees deduce's memory) in the background."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> ScrubWorker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
