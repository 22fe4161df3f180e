"""The attacker against every table a generated gemeente publishes, breakdowns included.

A gemeente of 12,000 generated persons (2 wijken, 6 buurten, 2 years) goes through the
real path (synth → ingest → refresh). For every indicator and year the test writes the
published table's sums out itself (gemeente = Σ wijken = Σ buurten for the totals,
gemeente = Σ wijken per breakdown category, an area's total = Σ the categories of each
breakdown), takes the true value of every suppressed cell from the ungated engine, and
solves min and max of each suppressed cell with HiGHS (the reference attacker,
not the suppressor's own audit) for the denominator, and for rates also the numerator
and the complement: no interval may be narrower than the minimum cell count. Both
ways of gating: per table (``gate_linked_tables = 0``) every hidden count
is protected; linked (the default) the counts under the minimum, zeros included, since a larger
count could have been published (docs/disclosure.md, "Linked tables").
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from zicht.indicators.definitions import load_definitions
from zicht.indicators.engine import compute_cube
from zicht.indicators.refresh import refresh
from zicht.privacy.disclosure import ZERO_COLUMN
from zicht.privacy.secondary import Constraint, attack
from zicht.sources.ingest import ingest_files
from zicht.synth import generate
from zicht.workspace import Workspace

pytestmark = pytest.mark.slow

Key = tuple[str, str, str]


def _constraints(cells: set[Key], parent: dict[str, str]) -> list[Constraint]:
    kids: dict[Key, list[Key]] = defaultdict(list)
    for code, bd, cat in cells:
        p = parent.get(code)
        if p is not None and (p, bd, cat) in cells:
            kids[(p, bd, cat)].append((code, bd, cat))
    out = [Constraint(total, tuple(sorted(m))) for total, m in kids.items()]
    cats: dict[tuple[str, str], list[Key]] = defaultdict(list)
    for code, bd, cat in cells:
        if bd:
            cats[(code, bd)].append((code, bd, cat))
    out += [Constraint((code, "", ""), tuple(sorted(m))) for (code, _), m in cats.items()]
    return out


@pytest.mark.parametrize("linked", [False, True], ids=["per_table", "linked"])
def test_no_suppressed_cell_of_any_table_can_be_narrowed(tmp_path: Path, linked: bool) -> None:
    manifest = generate(tmp_path / "exports", persons=12_000, seed=5, years=2)
    ws = Workspace.init(tmp_path / "ws")
    ws.set_setting("gate_linked_tables", int(linked))
    for rel in manifest["ingest_order"]:
        ingest_files(ws, [tmp_path / "exports" / rel])
    refresh(ws)
    snap = ws.published_dir / (ws.published_dir / "CURRENT").read_text().strip()
    published = pq.read_table(snap / "cube.parquet").to_pylist()
    areas = pq.read_table(snap / "areas.parquet").to_pylist()
    parent = {a["code"]: a["parent_code"] for a in areas if a["parent_code"]}
    assert len({a["code"] for a in areas if a["level"] == "wijk"}) >= 2
    with ws.store(read_only=True) as store:
        truth_rows = compute_cube(
            store, load_definitions(), ws.settings, int(manifest["boundary_year"])
        ).to_pylist()
    truth = {
        (r["indicator_id"], r["period"], r["area_code"], r["breakdown"], r["category"]): r
        for r in truth_rows
    }
    protection = ws.settings.get_int("min_cell_count")
    tables: dict[tuple[str, int], list[dict[str, Any]]] = defaultdict(list)
    for c in published:
        tables[(c["indicator_id"], c["period"])].append(c)
    audited = breakdown_cells = 0
    for (indicator, period), cells in tables.items():
        keys = {(c["area_code"], c["breakdown"], c["category"]) for c in cells}
        hidden = set()
        for c in cells:
            t = truth[(indicator, period, c["area_code"], c["breakdown"], c["category"])]
            if c["status"] == "onderdrukt" and t["denominator"] > 0:
                hidden.add((c["area_code"], c["breakdown"], c["category"]))
        if not hidden:
            continue
        constraints = _constraints(keys, parent)
        is_rate = cells[0]["unit"] in ("%", "per 1.000")
        fields = ["denominator", "numerator", "complement"] if is_rate else ["denominator"]
        for field in fields:
            # A numerator that is 0 by definition (nobody under 18 has bijstand) is
            # known to the attacker, published or not.
            known = {
                k for k in hidden
                if field == "numerator" and truth[(indicator, period, *k)][ZERO_COLUMN]
            }  # fmt: skip
            values = {}
            for code, bd, cat in keys:
                t = truth[(indicator, period, code, bd, cat)]
                num, den = float(t["numerator"] or 0.0), float(t["denominator"])
                values[(code, bd, cat)] = {
                    "denominator": den,
                    "numerator": num,
                    "complement": den - num,
                }[field]
            for iv in attack(values, hidden - known, constraints):
                if linked and values[iv.cell] >= protection:
                    continue
                assert iv.width >= protection - 1e-6, (indicator, period, field, iv)
                audited += 1
                breakdown_cells += bool(iv.cell[1])  # type: ignore[index]
    assert audited > 200 and breakdown_cells > 100, (audited, breakdown_cells)
