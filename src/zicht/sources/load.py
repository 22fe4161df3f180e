"""From a validated batch to rows in the workspace: cross-row rules, quarantine, write.

The two rules that look beyond the row run here, after the row-level ones and in this
order: ``unknown_reference`` (against the canonical tables), then ``duplicate_row``
(against earlier acceptable rows of the same batch and the canonical table). Writing is
one transaction: canonical rows, chain events, quarantine and load_log together.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from zicht.privacy.pseudonym import pseudonymise_array
from zicht.quality.parse import present, to_mask
from zicht.quality.rules import TargetSpec
from zicht.quality.validate import Checked, first_occurrence_duplicates, join_key
from zicht.sources.readers import EVENT_PREFIX
from zicht.sources.targets import BUILDERS, Rows, Tables, provision_ids
from zicht.store import Store

_CAND = "__zicht_candidates"

# Canonical primary key per target: table and (column, how to compute it).
_PK_TABLE = {
    "area": "area",
    "population": "person_period",
    "provider": "provider",
    "provision": "provision",
    "cost": "cost",
    "xml_cost": "cost",
    "toewijzing": "toewijzing",
}


def _has_rows(store: Store, table: str) -> bool:
    return bool(store.scalar(f"SELECT count(*) FROM (SELECT 1 FROM {table} LIMIT 1) AS t") == 1)


def exists_in(
    store: Store, tables: Sequence[str], columns: dict[str, pa.Array], rows: np.ndarray
) -> np.ndarray:
    """Mask of ``rows`` whose column values occur together in any of ``tables``."""
    out = np.zeros(len(rows), dtype=bool)
    tables = [t for t in tables if _has_rows(store, t)]
    idx = np.flatnonzero(rows)
    if not tables or idx.size == 0:
        return out
    take = pa.array(idx)
    cand = pa.table({"row_index": take, **{c: a.take(take) for c, a in columns.items()}})
    cond = " AND ".join(f"t.{c} = c.{c}" for c in columns)
    union = " OR ".join(f"EXISTS (SELECT 1 FROM {table} AS t WHERE {cond})" for table in tables)
    store.register(_CAND, cand)
    try:
        found = store.fetch_arrow(f"SELECT c.row_index FROM {_CAND} AS c WHERE {union}")
    finally:
        store.unregister(_CAND)
    hit = np.asarray(found.column(0).to_numpy(), dtype=np.int64)
    out[hit] = True
    return out


def _pk_columns(checked: Checked, target: str) -> dict[str, pa.Array]:
    t = checked.text
    if target == "area":
        return {
            "code": t["code"],
            "boundary_year": pc.cast(checked.numbers["boundary_year"], pa.int32()),
        }
    if target == "population":
        assert checked.person_id is not None
        period = pc.cast(pc.year(checked.dates["peildatum"]), pa.int32())
        return {"period": period, "person_id": checked.person_id}
    if target == "provider":
        return {"provider_code": t["provider_code"]}
    if target == "provision":
        return {"provision_id": provision_ids(t["source"], t["provision_ref"])}
    if target in ("cost", "xml_cost"):
        return {"declaratie_id": t["declaratie_ref"]}
    if target == "toewijzing":
        return {"toewijzing_id": t["toewijzing_ref"]}
    return {}


def _key_display(checked: Checked, fields: Sequence[str]) -> tuple[pa.Array, pa.Array]:
    """Natural key for comparison and for messages (BSN → pseudonym)."""
    parts: list[pa.Array] = []
    for name in fields:
        if name == "bsn" and checked.person_id is not None:
            parts.append(checked.person_id)
        elif name in checked.dates:
            parts.append(pc.cast(checked.dates[name], pa.string()))
        else:
            parts.append(checked.text[name])
    key = join_key(parts)
    shown = key if len(parts) == 1 else pc.binary_join_element_wise(*parts, ", ")
    return key, shown


def cross_checks(store: Store, checked: Checked, target: str, key_fields: Sequence[str]) -> None:
    """Apply unknown_reference, then duplicate_row."""
    book, text = checked.book, checked.text
    if target in ("cost", "xml_cost") and "toewijzing_ref" in text:
        ref = text["toewijzing_ref"]
        rows = book.pending & present(ref)
        known = exists_in(store, ["toewijzing", "provision"], {"toewijzing_id": ref}, rows)
        book.fail("unknown_reference", rows & ~known, field="toewijzing_ref", value=ref)
    if target == "population" and _has_rows(store, "area"):
        buurten = store.fetch_arrow("SELECT DISTINCT code FROM area WHERE level = 'buurt'")
        code = text["buurt_code"]
        known = to_mask(pc.is_in(code, value_set=buurten.column(0).combine_chunks()))
        book.fail("unknown_reference", present(code) & ~known, field="buurt_code", value=code)

    fields = [f for f in key_fields if f in text]
    shown: pa.Array | None = None
    if fields:
        key, shown = _key_display(checked, fields)
        dup = first_occurrence_duplicates(key, book.pending)
        book.fail("duplicate_row", dup, field=", ".join(fields), value=shown)
    if target not in _PK_TABLE:
        return
    in_batch = not _pk_follows_from_key(checked, target, fields)
    in_table = _has_rows(store, _PK_TABLE[target])
    if not (in_batch or in_table):
        return  # neither check can find anything: skip building the key
    pk = _pk_columns(checked, target)
    label = ", ".join(key_fields) or ", ".join(pk)
    pk_key = join_key(list(pk.values()))
    if shown is None:
        shown = pk_key
    if in_batch:
        dup = first_occurrence_duplicates(pk_key, book.pending)
        book.fail("duplicate_row", dup, field=label, value=shown)
    if in_table:
        in_db = exists_in(store, [_PK_TABLE[target]], pk, book.pending)
        book.fail("duplicate_row", in_db, field=label, value=shown)


_PK_SOURCE = {"provision": "provision_ref", "cost": "declaratie_ref", "xml_cost": "declaratie_ref"}
_PK_SOURCE.update({"toewijzing": "toewijzing_ref", "provider": "provider_code"})


def _pk_follows_from_key(checked: Checked, target: str, fields: Sequence[str]) -> bool:
    """True when rows that are unique on ``fields`` are unique on the primary key too,
    so that the in-batch primary-key check cannot find anything: the key is the one
    field the primary key is made of (provision: plus the file's one source)."""
    if list(fields) != [_PK_SOURCE.get(target)]:
        return False
    if target == "provision":
        source = checked.text["source"]
        if source.null_count or len(pc.unique(source)) != 1:
            return False
    return True


def build(checked: Checked, target: str) -> Tables:
    return BUILDERS[target](Rows(checked, checked.book.pending))


def _records(checked: Checked, spec: TargetSpec, idx: np.ndarray) -> list[str]:
    """JSON of the mapped fields of rejected rows; BSN → pseudonym, never in clear."""
    take = pa.array(idx, pa.int64())
    names = [f for f in spec.fields if f in checked.text and f != "bsn"]
    events = [c for c in checked.text if c.startswith(EVENT_PREFIX)]
    cols: dict[str, list[Any]] = {n: checked.text[n].take(take).to_pylist() for n in names}
    if "household_ref" in cols:
        hh = pseudonymise_array(
            checked.key, checked.text["household_ref"].take(take), domain="household"
        )
        cols["household_ref"] = hh.to_pylist()
    ev = {c: checked.text[c].take(take).to_pylist() for c in events}
    pids = checked.person_id.take(take).to_pylist() if checked.person_id is not None else None
    out: list[str] = []
    for i in range(idx.size):
        rec: dict[str, Any] = {}
        if pids is not None and pids[i] is not None:
            rec["person_id"] = pids[i]
        for n in names:
            rec["household_id" if n == "household_ref" else n] = cols[n][i]
        if ev:
            rec["events"] = {c.removeprefix(EVENT_PREFIX): ev[c][i] for c in events}
        out.append(json.dumps(rec, ensure_ascii=False))
    return out


def quarantine(checked: Checked, spec: TargetSpec) -> pa.Table:
    idx = checked.book.rejected()
    take = pa.array(idx, pa.int64())
    messages = checked.book.messages()
    return pa.table(
        {
            "load_id": checked.text["load_id"].take(take),
            "source": checked.text["source"].take(take),
            "file": checked.text["file"].take(take),
            "row_number": pc.cast(checked.text["row_number"].take(take), pa.int64()),
            "rule": pa.array(checked.book.rule_names(idx), pa.string()),
            "message": pa.array([messages[int(i)] for i in idx], pa.string()),
            "record": pa.array(_records(checked, spec, idx), pa.string()),
        }
    )


def write(store: Store, tables: Tables, rejected: pa.Table, log: pa.Table) -> None:
    """All or nothing: one transaction for everything one file (or batch) produces."""
    with store.transaction():
        for name, parts in tables.items():
            for part in parts:
                store.insert_arrow(name, part.table, keep=part.keep)
        store.insert_arrow("quarantine", rejected)
        store.insert_arrow("load_log", log)
