"""Mapping files: how to read one export (``X.mapping.yaml`` next to ``X.csv``).

The format is the contract of docs/model.md ("Mapping files"). A mapping is validated with
pydantic; an error names the file, the line (from YAML's node marks) and the field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from zicht.errors import MappingError
from zicht.model.schema import CHAIN_STEPS, LAWS
from zicht.quality.rules import TARGET_SPECS

TabularTarget = Literal["area", "population", "provider", "provision", "cost"]
FileFormat = Literal["csv", "xlsx", "parquet", "geojson"]

_FORMAT_BY_SUFFIX: dict[str, FileFormat] = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "csv",
    ".xlsx": "xlsx",
    ".parquet": "parquet",
    ".geojson": "geojson",
    ".json": "geojson",
}


def _as_str(value: Any) -> Any:
    """YAML turns ``01`` into 1 and ``ja`` into a bool; file values are text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return value


class Mapping(BaseModel):
    """One mapping file; see docs/model.md for the meaning of every key."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str | None = None
    target: TabularTarget
    law: str | None = None
    format: FileFormat | None = None
    delimiter: str | None = None
    encoding: Literal["auto", "utf-8", "cp1252"] = "auto"
    decimal: Literal[",", "."] = ","
    date_format: str = "%d-%m-%Y"
    sheet: str | None = None
    columns: dict[str, str]
    events: dict[str, str] = {}
    values: dict[str, dict[str, str]] = {}
    key: list[str] | None = None

    @field_validator("delimiter", mode="before")
    @classmethod
    def _delimiter(cls, value: Any) -> Any:
        if value in ("tab", "\\t"):
            return "\t"
        if value is not None and value not in (";", ",", "\t"):
            raise ValueError("moet ';', ',' of tab zijn")
        return value

    @field_validator("columns", "events", mode="before")
    @classmethod
    def _headers(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {str(k): _as_str(v) for k, v in value.items()}
        return value

    @field_validator("values", mode="before")
    @classmethod
    def _values(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {
                str(f): (
                    {str(_as_str(k)): _as_str(v) for k, v in table.items()}
                    if isinstance(table, dict)
                    else table
                )
                for f, table in value.items()
            }
        return value

    @field_validator("law")
    @classmethod
    def _law(cls, value: str | None) -> str | None:
        if value is not None and value not in LAWS:
            raise ValueError(f"onbekende wet {value!r} (kies uit {', '.join(LAWS)})")
        return value

    @field_validator("events")
    @classmethod
    def _events(cls, value: dict[str, str]) -> dict[str, str]:
        for step in value:
            if step not in CHAIN_STEPS:
                raise ValueError(f"onbekende ketenstap {step!r}")
        return value

    def file_format(self, path: Path) -> FileFormat:
        if self.format is not None:
            return self.format
        found = _FORMAT_BY_SUFFIX.get(path.suffix.lower())
        if found is None:
            raise MappingError(f"{path}: onbekend bestandsformaat; zet format in de mapping")
        return found

    def key_fields(self) -> tuple[str, ...]:
        return tuple(self.key) if self.key else TARGET_SPECS[self.target].key


def _target_problem(m: Mapping) -> tuple[tuple[str, ...], str] | None:
    """Checks across keys: (location, message) of the first problem, or None."""
    spec = TARGET_SPECS[m.target]
    for name in m.columns:
        if name not in spec.fields:
            return ("columns", name), f"veld {name!r} hoort niet bij doel {m.target}"
    for name in spec.mapping_required:
        if name not in m.columns:
            return ("columns",), f"verplicht veld {name!r} ontbreekt"
    if m.target == "population" and not ("birth_date" in m.columns or "birth_year" in m.columns):
        return ("columns",), "population heeft birth_date of birth_year nodig"
    if m.events and m.target != "provision":
        return ("events",), "events kan alleen bij doel provision"
    if m.target in ("provision", "cost") and m.law is None and "law" not in m.columns:
        return ("target",), f"doel {m.target} heeft een wet nodig: law, of columns.law"
    if m.law is not None and "law" in m.columns:
        return ("columns", "law"), "law staat al als vaste waarde in de mapping"
    for name in m.values:
        if name not in m.columns:
            return ("values", name), f"veld {name!r} staat niet onder columns"
    for i, name in enumerate(m.key or []):
        if name not in m.columns:
            return ("key", str(i)), f"veld {name!r} staat niet onder columns"
    return None


def mapping_path_for(path: Path) -> Path:
    """``X.mapping.yaml`` next to ``X.ext``."""
    return path.with_name(path.stem + ".mapping.yaml")


def _node_line(node: yaml.Node | None, loc: tuple[int | str, ...]) -> int | None:
    """Line (1-based) of the YAML node at ``loc``, or of its nearest existing parent."""
    if node is None:
        return None
    line = node.start_mark.line + 1
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if str(k.value) == str(part):
                    node = v
                    line = k.start_mark.line + 1
                    break
            else:
                return line
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                return line
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            return line
    return line


def load_mapping(path: Path) -> Mapping:
    """Read and validate one mapping file; MappingError names file, line and field."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise MappingError(f"{path}: mapping niet te lezen ({type(exc).__name__})") from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "ongeldige YAML"
        raise MappingError(f"{path}{line}: ongeldige YAML ({problem})") from None
    if not isinstance(data, dict):
        raise MappingError(f"{path}:1: een mapping moet een YAML-woordenboek zijn")
    try:
        mapping = Mapping.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(p for p in err["loc"] if isinstance(p, int | str))
        raise _error(path, node, loc, str(err["msg"]).removeprefix("Value error, ")) from None
    problem = _target_problem(mapping)
    if problem is not None:
        raise _error(path, node, *problem)
    return mapping


def _error(
    path: Path, node: yaml.Node | None, loc: tuple[int | str, ...], msg: str
) -> MappingError:
    line = _node_line(node, tuple(int(p) if isinstance(p, str) and p.isdigit() else p for p in loc))
    field = ".".join(str(p) for p in loc) or "(mapping)"
    where = f"{path}:{line}" if line is not None else str(path)
    return MappingError(f"{where}: veld {field}: {msg}")
