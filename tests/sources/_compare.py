"""What two workspaces loaded, in a form to compare: the rows of the canonical tables
(without load ids, which differ per load) and the load reports."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from zicht.sources import xml_load
from zicht.workspace import Workspace

COMPARED = {
    "provision": "provision_id, person_id, law, product_category, start_date, end_date",
    "chain_event": "person_id, law, step, event_date",
    "toewijzing": "toewijzing_id, person_id, law, product_code, provider_code, start_date, "
    "end_date, volume, unit, frequency, assigned_date, source",
    "cost": "person_id, law, provider_code, product_code, period_start, period_end, amount",
    "message": "message_id, message_type, sender, dagtekening, records",
    "quarantine": "source, file, row_number, rule, message",
    "load_log": "source, file, file_sha256, target, rows_in, accepted, quarantined, reasons",
}


def table_rows(ws: Workspace) -> dict[str, list[tuple[Any, ...]]]:
    """Every compared table's rows, sorted."""
    with ws.store(read_only=True) as store:
        return {
            t: sorted(store.fetchall(f"SELECT {cols} FROM {t}"), key=repr)  # noqa: S608
            for t, cols in COMPARED.items()
            if store.table_exists(t)
        }


def report_rows(found: list[Any]) -> list[tuple[Any, ...]]:
    """Load reports as tuples (file, rows_in, accepted, quarantined, reasons)."""
    return [(r.file, r.rows_in, r.accepted, r.quarantined, r.reasons) for r in found]


def count_prefetched(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Record, per message file the ingest asks for, whether it was parsed ahead."""
    used: list[bool] = []
    get = xml_load.Prefetch.get

    def counting_get(self: xml_load.Prefetch, path: Path) -> Any:
        found = get(self, path)
        used.append(found is not None)
        return found

    monkeypatch.setattr(xml_load.Prefetch, "get", counting_get)
    return used
