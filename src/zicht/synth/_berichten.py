"""JW/WMO 301, 305 and 307 messages for the voorzieningen that have a toewijzing.

One message per client, kind, provider and dagtekening: products of one beschikking share
their dates, so they travel in one message, which keeps the file count moderate.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import pickle
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import wait as futures_wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import numpy as np
import numpy.typing as npt

from zicht.errors import GenerateError
from zicht.synth._files import SURNAMES, first_names, product_codes
from zicht.synth._population import Population
from zicht.synth._provisions import JEUGD, WMO, Spells
from zicht.synth._writers import NO_DATE, to_date
from zicht.synth.messages import ClientMessage, Product, write_message

IntArray = npt.NDArray[np.int64]
_FOLDER = {"jeugd": ("ijw", "JW"), "wmo": ("iwmo", "WMO")}


def _groups(s: Spells, extraction: int) -> list[tuple[str, IntArray, IntArray, list[IntArray]]]:
    """Per message kind: the products, their dagtekening and the groups that become one
    message each (client, provider and dagtekening alike), in the order they are written."""
    types = JEUGD if s.law == "jeugd" else WMO
    sel = np.flatnonzero(np.array([t.toewijzing for t in types])[s.kind])
    ended = s.end[sel] < NO_DATE
    # Dagtekening offsets derive from the dates, so products of one beschikking agree.
    kinds: list[tuple[str, IntArray, IntArray]] = [
        ("301", sel, s.beschikking[sel] + s.beschikking[sel] % 4),
        ("305", sel, s.start[sel] + s.start[sel] % 6),
        ("307", sel[ended], s.end[sel[ended]] + 1 + s.end[sel[ended]] % 5),
    ]
    out: list[tuple[str, IntArray, IntArray, list[IntArray]]] = []
    for kind, idx, dag in kinds:
        keep = dag <= extraction
        idx, dag = idx[keep], dag[keep]
        order = np.lexsort((s.toewijzing[idx], dag, s.provider[idx], s.person[idx]))
        idx, dag = idx[order], dag[order]
        key = np.stack([s.person[idx], s.provider[idx], dag])
        cut = np.flatnonzero(np.any(key[:, 1:] != key[:, :-1], axis=0)) + 1
        groups = [g for g in np.split(np.arange(len(idx)), cut) if len(g)]
        out.append((kind, idx, dag, groups))
    return out


def count(s: Spells, extraction: int) -> int:
    """How many message files :func:`write` writes for ``s`` (cheap: no rendering)."""
    return sum(len(groups) for *_, groups in _groups(s, extraction))


def write(
    root: Path,
    s: Spells,
    pop: Population,
    gemeente: str,
    agb: npt.NDArray[np.object_],
    extraction: int,
    next_id: int,
    part: tuple[int, int | None] = (0, None),
) -> tuple[int, int]:
    """Write the chunk's messages of one law; return (files written, next message id).

    ``part``: only the messages ``first <= n < last`` of the chunk's sequence, with the
    ids and bytes they have in the whole sequence (so parts may be written in any order,
    by any process); the id returned is the one after the part.
    """
    first, last = part
    types = JEUGD if s.law == "jeugd" else WMO
    folder, prefix = _FOLDER[s.law]
    out = root / "berichten" / folder
    out.mkdir(parents=True, exist_ok=True)
    codes = product_codes(s)
    # A stop reason per product: death, else planned (3 in 4) or early; JZ588 and WMO588
    # differ in their codes for the latter two.
    planned, early = ("31", "32") if s.law == "jeugd" else ("19", "21")
    reason = np.where(s.died, "02", np.where(s.toewijzing % 4 == 0, early, planned))
    files = 0
    surnames = SURNAMES[pop.surname]
    names = first_names(pop, np.arange(pop.n))
    n = -1
    for kind, idx, dag, groups in _groups(s, extraction):
        for group in groups:
            n += 1
            if n < first or (last is not None and n >= last):
                continue
            rows = idx[group]
            p = int(s.person[rows[0]])
            products = tuple(
                Product(
                    toewijzing_nr=str(int(s.toewijzing[r])),
                    product_category=types[int(s.kind[r])].category,
                    product_code=str(codes[r]),
                    start=to_date(int(s.start[r])),
                    end=None if s.end[r] >= NO_DATE else to_date(int(s.end[r])),
                    volume=int(s.volume[r]),
                    unit=types[int(s.kind[r])].unit,
                    frequency=types[int(s.kind[r])].frequency,
                    reason_end=str(reason[r]) if kind == "307" else None,
                )
                for r in rows.tolist()
            )
            msg = ClientMessage(
                law=s.law,
                kind=kind,
                gemeente_code=gemeente,
                provider_code=str(agb[int(s.provider[rows[0]])]),
                message_id=str(next_id + n),
                dagtekening=to_date(int(dag[group[0]])),
                bsn=f"{int(pop.bsn[p]):09d}",
                birth_date=to_date(int(pop.birth[p])),
                sex=str(int(pop.sex[p])),
                surname=str(surnames[p]),
                first_names=str(names[p]),
                products=products,
            )
            write_message(out / f"{prefix}{kind}_{next_id + n}.xml", msg)
            files += 1
    return files, next_id + first + files


def write_pickled(blob: bytes, part: tuple[int, int | None]) -> tuple[int, int]:
    """:func:`write` with its arguments pickled (for a worker process)."""
    root, s, pop, gemeente, agb, extraction, next_id = pickle.loads(blob)  # noqa: S301  # made by this process tree, never read from disk
    return write(root, s, pop, gemeente, agb, extraction, next_id, part)


PART_FILES = 1500
"""Messages per job of the worker processes (a chunk's law is split into such parts)."""
NICE = 5
"""The writers yield to the generating (and ingesting) process, which the rest waits for."""


def _lower_priority() -> None:
    try:
        os.nice(NICE)
    except OSError:  # pragma: no cover - not allowed: same priority
        pass


class Background:
    """Writes message files in spawned worker processes while the caller goes on (or at
    once, in this process, when ``worker`` is False).

    Two workers on two or more cores, at a lower priority than the caller: while the
    caller works they share the other core, and when it waits for them they use both.
    Each chunk's messages are split into parts of :data:`PART_FILES` (the same files and
    bytes as one job). The arguments are pickled at once, so the caller may change or drop
    its arrays afterwards; :meth:`wait` checks that every job wrote the files
    :func:`count` said.
    At most ``PENDING`` chunks wait for the workers: when the caller makes chunks faster
    than they are written (18 million inhabitants are ~180 chunks), :meth:`submit` waits
    for the oldest, so memory stays bounded by the chunk, not by the gemeente.
    """

    PENDING = 2

    def __init__(self, worker: bool = True) -> None:
        self._pool: ProcessPoolExecutor | None = None
        self._jobs: list[tuple[Future[tuple[int, int]], int, int]] = []
        self._chunks: list[list[Future[tuple[int, int]]]] = []  # the jobs of each chunk
        if worker:
            self._pool = ProcessPoolExecutor(
                max_workers=min(2, os.cpu_count() or 1),
                mp_context=mp.get_context("spawn"),
                initializer=_lower_priority,
            )
            # Start the worker now: in a script without a ``__main__`` guard (which a
            # spawned worker runs again) it fails at once (``start`` refuses to run in
            # a worker still starting, before it opens a file), and the files are then
            # written in this process.
            self._ready = self._pool.submit(int)

    def _usable(self) -> bool:
        if self._pool is None:
            return False
        try:
            self._ready.result()
        except BrokenProcessPool:
            self._pool.shutdown(wait=False)
            self._pool = None
        return self._pool is not None

    def submit(
        self,
        root: Path,
        s: Spells,
        pop: Population,
        gemeente: str,
        agb: npt.NDArray[np.object_],
        extraction: int,
        next_id: int,
    ) -> tuple[int, int]:
        """Write (or queue) the messages of :func:`write`; returns what it returns."""
        if not self._usable():
            return write(root, s, pop, gemeente, agb, extraction, next_id)
        assert self._pool is not None
        files = count(s, extraction)
        # Back-pressure: the pickled chunks waiting for a worker are the memory. Errors
        # surface in wait(), with one line.
        for parts in self._chunks[: max(0, len(self._chunks) - self.PENDING + 1)]:
            futures_wait(parts)
        blob = pickle.dumps((root, s, pop, gemeente, agb, extraction, next_id))
        parts = []
        for first in range(0, files, PART_FILES):
            last = min(files, first + PART_FILES)
            job = self._pool.submit(write_pickled, blob, (first, last))
            self._jobs.append((job, last - first, next_id + last))
            parts.append(job)
        self._chunks.append(parts)
        return files, next_id + files

    def wait(self) -> None:
        """Wait until every queued file is written.

        A job that failed, or a worker that died, raises :class:`GenerateError` with one
        line; the jobs not yet started are cancelled.
        """
        try:
            for job, files, next_id in self._jobs:
                try:
                    got = job.result()
                except BrokenProcessPool:
                    raise GenerateError(
                        "berichten schrijven mislukt: het schrijfproces is onverwacht gestopt"
                    ) from None
                except Exception as exc:  # noqa: BLE001  # one line for the user
                    first = (str(exc).strip().splitlines() or [""])[0]
                    raise GenerateError(
                        f"berichten schrijven mislukt: {type(exc).__name__}: {first}"
                    ) from exc
                if got != (files, next_id):
                    raise GenerateError(
                        "berichten schrijven mislukt: aantal bestanden wijkt af van het plan"
                    )
        finally:
            self.close()

    def close(self) -> None:
        """Stop the worker: jobs not yet started are cancelled, a running one finishes."""
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
