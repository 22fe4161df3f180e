"""Accepted rows → canonical tables (docs/model.md), one builder per target.

Every builder gets the validated batch and the mask of its accepted rows and returns the
Arrow tables to append, by canonical table name. A builder works on whole columns of the
batch, rejected rows included, and hands the store a :class:`Part`: the table plus the
mask of the rows to append, so that the engine drops the rest while it reads (no copy of
a million-row batch to leave out its 2 % rejects). ``load_id``, ``source`` and ``law``
are columns of the batch (constant for a tabular file, per message for iJw/iWmo).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from zicht.privacy.pseudonym import pseudonymise_array
from zicht.quality.validate import Checked
from zicht.sources.readers import EVENT_PREFIX

_NULL_STR = pa.string()
_FLOAT = pa.float64()


@dataclass(frozen=True)
class Part:
    """Rows for one canonical table: ``table`` where ``keep`` is true (None: all)."""

    table: pa.Table
    keep: pa.BooleanArray | None = None

    def rows(self) -> pa.Table:
        """The rows to append, as a table of their own."""
        return self.table if self.keep is None else self.table.filter(self.keep)

    @property
    def num_rows(self) -> int:
        return self.table.num_rows if self.keep is None else int(self.keep.true_count)


Tables = dict[str, list[Part]]


class Rows:
    """Typed access to a checked batch; ``keep`` marks its accepted rows."""

    def __init__(self, checked: Checked, keep: np.ndarray) -> None:
        self.c = checked
        self.keep = keep
        self.n = checked.n

    def part(self, table: pa.Table, also: pa.Array | None = None) -> Part:
        """The accepted rows of ``table`` (and of those, where ``also`` is true)."""
        keep = self.keep
        if also is not None:
            keep = keep & np.asarray(
                pc.fill_null(also, False).to_numpy(zero_copy_only=False), dtype=bool
            )
        return Part(table, pa.array(keep, pa.bool_()))

    def text(self, name: str) -> pa.Array:
        col = self.c.text.get(name)
        if col is None:
            return pa.nulls(self.n, _NULL_STR)
        return col

    def date(self, name: str) -> pa.Array:
        col = self.c.dates.get(name)
        if col is None:
            return pa.nulls(self.n, pa.date32())
        return col

    def number(self, name: str, type_: pa.DataType = _FLOAT) -> pa.Array:
        col = self.c.numbers.get(name)
        if col is None:
            return pa.nulls(self.n, type_)
        return pc.cast(col, type_)

    def person_id(self) -> pa.Array:
        assert self.c.person_id is not None
        return self.c.person_id

    def meta(self) -> dict[str, pa.Array]:
        return {"source": self.text("source"), "load_id": self.text("load_id")}


def _events(
    rows: Rows,
    *,
    step: str | pa.Array,
    event_date: pa.Array,
    provision_id: pa.Array | None = None,
    toewijzing_id: pa.Array | None = None,
    provider_code: pa.Array | None = None,
    product_category: pa.Array | None = None,
    detail: pa.Array | None = None,
) -> Part:
    def or_null(a: pa.Array | None) -> pa.Array:
        return pa.nulls(rows.n, _NULL_STR) if a is None else a

    steps = pa.repeat(pa.scalar(step, _NULL_STR), rows.n) if isinstance(step, str) else step
    table = pa.table(
        {
            "person_id": rows.person_id(),
            "law": rows.text("law"),
            "step": steps,
            "event_date": event_date,
            "provision_id": or_null(provision_id),
            "toewijzing_id": or_null(toewijzing_id),
            "provider_code": or_null(provider_code),
            "product_category": or_null(product_category),
            "detail": or_null(detail),
            **rows.meta(),
        }
    )
    return rows.part(table, also=pc.is_valid(table.column("event_date")))


def build_area(rows: Rows) -> Tables:
    area = pa.table(
        {
            "level": rows.text("level"),
            "code": rows.text("code"),
            "name": rows.text("name"),
            "parent_code": rows.text("parent_code"),
            "gemeente_code": rows.text("gemeente_code"),
            "boundary_year": rows.number("boundary_year", pa.int32()),
            "geometry": rows.text("geometry"),
            "load_id": rows.text("load_id"),
        }
    )
    return {"area": [rows.part(area)]}


def build_population(rows: Rows) -> Tables:
    if "birth_date" in rows.c.dates:
        birth_year = pc.year(rows.date("birth_date"))
        if "birth_year" in rows.c.numbers:
            birth_year = pc.coalesce(birth_year, rows.number("birth_year", pa.int64()))
    else:
        birth_year = rows.number("birth_year", pa.int64())
    households = pseudonymise_array(rows.c.key, rows.text("household_ref"), domain="household")
    table = pa.table(
        {
            "period": pc.cast(pc.year(rows.date("peildatum")), pa.int32()),
            "person_id": rows.person_id(),
            "birth_year": pc.cast(birth_year, pa.int32()),
            "sex": rows.text("sex"),
            "household_id": households,
            "buurt_code": rows.text("buurt_code"),
            "load_id": rows.text("load_id"),
        }
    )
    return {"person_period": [rows.part(table)]}


def build_provider(rows: Rows) -> Tables:
    table = pa.table(
        {
            "provider_code": rows.text("provider_code"),
            "name": rows.text("name"),
            "kind": rows.text("kind"),
            "load_id": rows.text("load_id"),
        }
    )
    return {"provider": [rows.part(table)]}


def provision_ids(source: pa.Array, ref: pa.Array) -> pa.Array:
    return pc.binary_join_element_wise(source, ref, ":")


def build_provision(rows: Rows) -> Tables:
    provision_id = provision_ids(rows.text("source"), rows.text("provision_ref"))
    toewijzing_id = rows.text("toewijzing_ref")
    table = pa.table(
        {
            "provision_id": provision_id,
            "person_id": rows.person_id(),
            "law": rows.text("law"),
            "product_category": rows.text("product_category"),
            "product_code": rows.text("product_code"),
            "provider_code": rows.text("provider_code"),
            "referrer": rows.text("referrer"),
            "start_date": rows.date("start_date"),
            "end_date": rows.date("end_date"),
            "volume": rows.number("volume"),
            "unit": rows.text("unit"),
            "frequency": rows.text("frequency"),
            "toewijzing_id": toewijzing_id,
            **rows.meta(),
        }
    )
    events = [
        _events(
            rows,
            step=name.removeprefix(EVENT_PREFIX),
            event_date=rows.date(name),
            provision_id=provision_id,
            toewijzing_id=toewijzing_id,
            provider_code=rows.text("provider_code"),
            product_category=rows.text("product_category"),
        )
        for name in rows.c.dates
        if name.startswith(EVENT_PREFIX)
    ]
    return {"provision": [rows.part(table)], "chain_event": events}


def build_cost(rows: Rows) -> Tables:
    amount = pc.round(rows.number("amount"), 2)
    table = pa.table(
        {
            "declaratie_id": rows.text("declaratie_ref"),
            "person_id": rows.person_id(),
            "law": rows.text("law"),
            "provider_code": rows.text("provider_code"),
            "product_code": rows.text("product_code"),
            "toewijzing_id": rows.text("toewijzing_ref"),
            "period_start": rows.date("period_start"),
            "period_end": rows.date("period_end"),
            "amount": amount,
            **rows.meta(),
        }
    )
    event = _events(
        rows,
        step="declaratie",
        event_date=rows.date("period_end"),
        toewijzing_id=rows.text("toewijzing_ref"),
        provider_code=rows.text("provider_code"),
    )
    return {"cost": [rows.part(table)], "chain_event": [event]}


def build_toewijzing(rows: Rows) -> Tables:
    table = pa.table(
        {
            "toewijzing_id": rows.text("toewijzing_ref"),
            "person_id": rows.person_id(),
            "law": rows.text("law"),
            "product_category": rows.text("product_category"),
            "product_code": rows.text("product_code"),
            "provider_code": rows.text("provider_code"),
            "start_date": rows.date("start_date"),
            "end_date": rows.date("end_date"),
            "volume": rows.number("volume"),
            "unit": rows.text("unit"),
            "frequency": rows.text("frequency"),
            "assigned_date": rows.date("assigned_date"),
            **rows.meta(),
        }
    )
    event = _events(
        rows,
        step="toewijzing",
        event_date=rows.date("assigned_date"),
        toewijzing_id=rows.text("toewijzing_ref"),
        provider_code=rows.text("provider_code"),
        product_category=rows.text("product_category"),
    )
    return {"toewijzing": [rows.part(table)], "chain_event": [event]}


def build_event(rows: Rows) -> Tables:
    event = _events(
        rows,
        step=rows.text("step"),
        event_date=rows.date("event_date"),
        toewijzing_id=rows.text("toewijzing_ref"),
        provider_code=rows.text("provider_code"),
        product_category=rows.text("product_category"),
        detail=rows.text("detail"),
    )
    return {"chain_event": [event]}


BUILDERS: dict[str, Callable[[Rows], Tables]] = {
    "area": build_area,
    "population": build_population,
    "provider": build_provider,
    "provision": build_provision,
    "cost": build_cost,
    "xml_cost": build_cost,
    "toewijzing": build_toewijzing,
    "event": build_event,
}
