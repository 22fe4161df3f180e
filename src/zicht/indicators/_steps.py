"""Per-step accounting of a refresh: wall and CPU seconds and memory of each named step.

Steps are recorded only inside :func:`recording` (the national benchmark uses it);
elsewhere :func:`step` costs one context-variable lookup. Nested steps are recorded
each on their own (an outer step's time includes its inner steps').
"""

from __future__ import annotations

import os
import resource
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import asdict, dataclass
from typing import Any, TextIO

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


@dataclass(frozen=True)
class Step:
    name: str
    wall_s: float
    cpu_s: float
    """User + system CPU of the whole process (all threads, DuckDB's included)."""
    rss_mib: int
    """Resident memory when the step ended."""
    peak_rss_mib: int
    """The process's peak resident memory so far (it never goes down)."""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class Recording(list[Step]):
    """The steps recorded so far; with ``echo`` each is also written there as it ends."""

    def __init__(self, echo: TextIO | None = None) -> None:
        super().__init__()
        self.echo = echo

    def add(self, st: Step) -> None:
        self.append(st)
        if self.echo is not None:
            print(
                f"{st.name}: {st.wall_s:.1f} s wall, {st.cpu_s:.1f} s CPU, "
                f"{st.rss_mib} MiB (peak {st.peak_rss_mib})",
                file=self.echo,
                flush=True,
            )


_recorder: ContextVar[Recording | None] = ContextVar("zicht_steps", default=None)


def cpu_seconds() -> float:
    """CPU seconds of this process and its finished children (the gate's workers)."""
    ru = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime + kids.ru_utime + kids.ru_stime


def rss_mib() -> int:
    """Current resident memory of this process in MiB (0 where /proc is missing)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            return int(fh.read().split()[1]) * _PAGE // (1024 * 1024)
    except (OSError, ValueError, IndexError):
        return 0


def peak_rss_mib() -> int:
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)


@contextmanager
def recording(echo: TextIO | None = None) -> Iterator[Recording]:
    """Record every :func:`step` run inside the block into the yielded list."""
    steps = Recording(echo)
    token = _recorder.set(steps)
    try:
        yield steps
    finally:
        _recorder.reset(token)


@contextmanager
def step(name: str) -> Iterator[None]:
    """Time the block as step ``name`` when a :func:`recording` is active."""
    steps = _recorder.get()
    if steps is None:
        yield
        return
    w0, c0 = time.perf_counter(), cpu_seconds()
    try:
        yield
    finally:
        steps.add(
            Step(
                name,
                round(time.perf_counter() - w0, 3),
                round(cpu_seconds() - c0, 3),
                rss_mib(),
                peak_rss_mib(),
            )
        )
