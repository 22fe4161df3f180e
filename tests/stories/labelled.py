"""The labelled story set of tests/data/stories/gelabeld.txt, parsed."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

LABELLED = Path(__file__).resolve().parents[1] / "data" / "stories" / "gelabeld.txt"
_MARK = re.compile(r"\[\[([a-z]+):([^\]]+)\]\]")


@dataclass(frozen=True)
class Labelled:
    text: str
    labels: tuple[tuple[int, int, str], ...]  # start, end, kind in ``text``


def parse_line(line: str) -> Labelled:
    out: list[str] = []
    labels: list[tuple[int, int, str]] = []
    pos = 0
    length = 0
    for m in _MARK.finditer(line):
        out.append(line[pos : m.start()])
        length += m.start() - pos
        labels.append((length, length + len(m.group(2)), m.group(1)))
        out.append(m.group(2))
        length += len(m.group(2))
        pos = m.end()
    out.append(line[pos:])
    return Labelled("".join(out), tuple(labels))


def load_labelled() -> list[Labelled]:
    lines = LABELLED.read_text(encoding="utf-8").splitlines()
    return [parse_line(x) for x in lines if x.strip() and not x.startswith("#")]
