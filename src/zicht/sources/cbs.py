"""CBS Kerncijfers wijken en buurten (KWB) in CBS's OData column naming.

What makes these files tricky, and how this reader deals with it:
- the numeric suffix of a column differs per year and table version
  (``WmoClienten_89`` in 2022, ``_98`` in 2023, ``_93`` in 2024): columns are matched on
  their stem (see ``defaults/cbs_kwb.yaml``) and a row takes the one column of a stem it
  fills; a row filling two different values for one stem is refused;
- counts are rounded by CBS (to multiples of 5): they are kept as published;
- empty (or CBS's ``.``) means missing or suppressed: kept as null, never as 0;
- some relative columns carry an implied decimal (``114`` = 11.4 %): ``decimals`` per
  concept says how many.
The result is long: one row per (year, area, concept).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import pyarrow as pa
import yaml

from zicht.errors import SourceError
from zicht.model.schema import LEVELS
from zicht.workspace import Workspace

_MISSING = {"", ".", "x", "-"}

KWB_TABLE = """
    CREATE TABLE IF NOT EXISTS cbs_context (
        year INTEGER NOT NULL,
        level VARCHAR NOT NULL,
        code VARCHAR NOT NULL,
        gemeente_code VARCHAR NOT NULL,
        concept VARCHAR NOT NULL,
        value DOUBLE PRECISION,
        unit VARCHAR NOT NULL,
        load_id VARCHAR NOT NULL
    )"""

SCHEMA = pa.schema(
    [
        ("year", pa.int32()),
        ("level", pa.string()),
        ("code", pa.string()),
        ("gemeente_code", pa.string()),
        ("concept", pa.string()),
        ("value", pa.float64()),
        ("unit", pa.string()),
    ]
)


@dataclass(frozen=True)
class Concept:
    name: str
    stem: str
    unit: str
    decimals: int


@cache
def kwb_config() -> dict[str, Any]:
    """``defaults/cbs_kwb.yaml``: the concepts read and the counterparts of own figures."""
    text = resources.files("zicht.defaults").joinpath("cbs_kwb.yaml").read_text("utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


@cache
def concepts() -> tuple[Concept, ...]:
    data = kwb_config()
    return tuple(
        Concept(name, str(c["stem"]), str(c["unit"]), int(c["decimals"]))
        for name, c in data["concepts"].items()
    )


def _year(peildatum: str, path: Path, line: int) -> int:
    match = re.fullmatch(r"\s*\d{1,2}-\d{1,2}-(\d{4})\s*", peildatum)
    if match is None:
        raise SourceError(f"{path}: regel {line}: onleesbare peildatum {peildatum!r}")
    return int(match.group(1))


def _gemeente_of(code: str) -> str:
    return "GM" + code[2:6]


def read_kwb(path: Path) -> pa.Table:
    """Read a KWB CSV (``;``, UTF-8 with or without BOM) into long rows."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(f"{path}: niet te lezen als UTF-8 ({type(exc).__name__})") from None
    reader = csv.reader(io.StringIO(text), delimiter=";")
    header = next(reader, None)
    if header is None:
        raise SourceError(f"{path}: leeg bestand")
    index = {name: i for i, name in enumerate(header)}
    for needed in ("Peildatum", "WijkenEnBuurten"):
        if needed not in index:
            raise SourceError(f"{path}: kolom {needed} ontbreekt; is dit een KWB-bestand?")
    soort = next((i for n, i in index.items() if re.fullmatch(r"SoortRegio_\d+", n)), None)
    if soort is None:
        raise SourceError(f"{path}: kolom SoortRegio ontbreekt")
    columns = {
        c.name: [i for n, i in index.items() if re.fullmatch(re.escape(c.stem) + r"_\d+", n)]
        for c in concepts()
    }
    out: dict[str, list[Any]] = {f.name: [] for f in SCHEMA}
    for line, row in enumerate(reader, start=2):
        if len(row) != len(header):
            raise SourceError(f"{path}: regel {line}: {len(row)} velden, verwacht {len(header)}")
        level = row[soort].strip().lower()
        if level not in LEVELS:
            raise SourceError(f"{path}: regel {line}: onbekende soort regio {level!r}")
        code = row[index["WijkenEnBuurten"]].strip()
        year = _year(row[index["Peildatum"]], path, line)
        for c in concepts():
            filled = {row[i].strip() for i in columns[c.name]} - _MISSING
            if len(filled) > 1:
                raise SourceError(
                    f"{path}: regel {line}: {c.stem} heeft meer dan één waarde ({sorted(filled)})"
                )
            value = None
            if filled:
                raw = filled.pop()
                try:
                    value = float(raw.replace(",", ".")) / 10**c.decimals
                except ValueError:
                    raise SourceError(
                        f"{path}: regel {line}: {c.stem}: {raw!r} is geen getal"
                    ) from None
            out["year"].append(year)
            out["level"].append(level)
            out["code"].append(code)
            out["gemeente_code"].append(_gemeente_of(code))
            out["concept"].append(c.name)
            out["value"].append(value)
            out["unit"].append(c.unit)
    return pa.table(out, schema=SCHEMA)


def load_kwb(ws: Workspace, path: Path) -> dict[str, Any]:
    """Load a KWB file into ``cbs_context``; the same areas and years loaded again replace
    the earlier values (so loading one file twice changes nothing)."""
    data = read_kwb(path)
    sha = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    load_id = "cbs-" + sha[:16]
    areas = data.num_rows // max(1, len(concepts()))
    with ws.store() as store:
        store.execute(KWB_TABLE)
        with store.transaction():
            store.register("__kwb", data)
            store.execute(
                "DELETE FROM cbs_context WHERE EXISTS (SELECT 1 FROM __kwb k "
                "WHERE k.year = cbs_context.year AND k.code = cbs_context.code)"
            )
            store.execute(
                "INSERT INTO cbs_context SELECT year, level, code, gemeente_code, concept, "
                "value, unit, ? FROM __kwb",
                [load_id],
            )
            store.unregister("__kwb")
            store.execute("DELETE FROM load_log WHERE load_id = ?", [load_id])
            store.execute(
                "INSERT INTO load_log VALUES (?, 'cbs_kwb', ?, ?, 'cbs_context', ?, ?, 0, ?, ?)",
                [load_id, str(path), sha, areas, areas, json.dumps({}), datetime.now(UTC)],
            )
    return {"file": str(path), "rows_in": areas, "accepted": areas, "quarantined": 0, "reasons": {}}
