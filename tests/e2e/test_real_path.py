"""The real path end to end, checked against the generator's manifest.

A synthetic gemeente is written in the formats case systems and providers produce,
ingested through the mapping files next to the exports, refreshed and published. The
manifest's truth is computed by the generator from its own arrays, independently of the
ingest and refresh code, so every comparison here is against an independent truth.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from zicht.indicators.refresh import refresh
from zicht.sources.cbs import load_kwb
from zicht.sources.ingest import LoadReport, ingest_files
from zicht.synth import generate
from zicht.workspace import Workspace

PERSONS = 20_000
MEDIAN_OR_MEAN = {
    "doorlooptijd_beschikking_mediaan",
    "kosten_per_client_jeugd",
    "kosten_per_client_wmo",
}

pytestmark = pytest.mark.slow


class Built:
    def __init__(self, root: Path) -> None:
        self.exports = root / "exports"
        self.manifest: dict[str, Any] = generate(self.exports, persons=PERSONS, seed=7)
        self.ws = Workspace.init(root / "ws")
        self.reports: list[LoadReport] = []
        for rel in self.manifest["ingest_order"]:
            self.reports.extend(ingest_files(self.ws, [self.exports / rel]))
        load_kwb(self.ws, self.exports / self.manifest["cbs_kwb"])
        self.refresh = refresh(Workspace.open(self.ws.root))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return Built(tmp_path_factory.mktemp("e2e"))


def _rel(path: str, exports: Path) -> str:
    p = Path(path)
    try:
        return p.resolve().relative_to(exports.resolve()).as_posix()
    except ValueError:
        return p.as_posix()


def test_every_row_is_loaded_or_quarantined(built: Built) -> None:
    for r in built.reports:
        assert r.rows_in == r.accepted + r.quarantined, r.file
    with built.ws.store(read_only=True) as store:
        bad = store.fetchall("SELECT file FROM load_log WHERE rows_in <> accepted + quarantined")
        assert bad == []
        q_total = store.scalar("SELECT count(*) FROM quarantine")
        logged_q = store.scalar("SELECT sum(quarantined) FROM load_log")
        assert q_total == logged_q


def test_load_reports_match_the_manifest(built: Built) -> None:
    by_file = {_rel(r.file, built.exports): r for r in built.reports}
    for rel, expected in built.manifest["expected_load"].items():
        got = by_file[rel]
        assert (got.rows_in, got.accepted, got.quarantined) == (
            expected["rows_in"],
            expected["accepted"],
            expected["quarantined"],
        ), rel
        assert got.reasons == expected["reasons"], rel


def test_every_planted_defect_is_quarantined_under_its_rule(built: Built) -> None:
    with built.ws.store(read_only=True) as store:
        rows = store.fetchall("SELECT file, row_number, rule FROM quarantine")
    quarantined = {(_rel(f, built.exports), int(n), rule) for f, n, rule in rows}
    planted = {(d["file"], int(d["row"]), d["rule"]) for d in built.manifest["defects"]}
    assert planted, "the generator planted no defects"
    assert planted - quarantined == set(), "planted defects not quarantined under their rule"
    assert quarantined - planted == set(), "rows quarantined that were not planted defects"


def _gate_suppresses(indicator: str, cell: dict[str, Any], min_count: int) -> bool:
    den = cell["denominator"] or 0
    if indicator in MEDIAN_OR_MEAN:
        return den < min_count
    return (cell["numerator"] or 0) < min_count or den < min_count


def test_every_published_value_equals_the_truth(built: Built) -> None:
    snap_dir = built.ws.published_dir / (built.ws.published_dir / "CURRENT").read_text().strip()
    cube = pq.read_table(snap_dir / "cube.parquet").to_pylist()
    published = {
        (c["indicator_id"], c["level"], c["area_code"], int(c["period"])): c
        for c in cube
        if c["breakdown"] == ""
    }
    min_count = built.ws.settings.get_int("min_cell_count")
    checked = suppressed = 0
    for indicator, cells in built.manifest["truth"].items():
        for t in cells:
            key = (indicator, t["level"], t["area_code"], int(t["period"]))
            assert key in published, f"missing published cell {key}"
            got = published[key]
            if _gate_suppresses(indicator, t, min_count):
                assert got["status"] == "onderdrukt", key
                assert got["value"] is None and got["numerator"] is None, key
                suppressed += 1
                continue
            if got["status"] == "onderdrukt":  # secondary: protects a neighbour
                assert got["value"] is None and got["numerator"] is None, key
                continue
            assert got["status"] == "gepubliceerd", key
            assert math.isclose(got["value"], t["value"], rel_tol=1e-6, abs_tol=1e-6), (
                key,
                got["value"],
                t["value"],
            )
            assert math.isclose(got["denominator"], t["denominator"], abs_tol=1e-6), key
            checked += 1
    assert checked > 100 and suppressed > 0, (checked, suppressed)


def test_reloading_every_file_changes_nothing(built: Built) -> None:
    tables = ("person_period", "provision", "toewijzing", "chain_event", "cost", "quarantine")
    with built.ws.store(read_only=True) as store:
        before = {t: store.scalar(f"SELECT count(*) FROM {t}") for t in tables}
    again: list[LoadReport] = []
    for rel in built.manifest["ingest_order"]:
        again.extend(ingest_files(built.ws, [built.exports / rel]))
    assert all(r.skipped for r in again)
    with built.ws.store(read_only=True) as store:
        after = {t: store.scalar(f"SELECT count(*) FROM {t}") for t in tables}
    assert after == before


def test_no_bsn_or_name_is_stored(built: Built) -> None:
    """Collect BSNs and surnames from the raw BRP export and look for them everywhere."""
    import csv

    path = built.exports / "brp" / "bevolking.csv"
    with path.open(encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh, delimiter=";")
        bsns: set[str] = set()
        names: set[str] = set()
        for i, row in enumerate(reader):
            if i >= 3000:
                break
            raw = row["BSN"].strip()
            if len(raw) >= 8:  # planted missing-BSN rows have none
                bsns.add(raw.zfill(9))
                bsns.add(raw)
            if len(row["Geslachtsnaam"]) >= 5:
                names.add(row["Geslachtsnaam"])
    assert bsns and names
    with built.ws.store(read_only=True) as store:
        columns = store.fetchall(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE data_type = 'VARCHAR'"
        )
        for table, column in columns:
            values = {
                v for (v,) in store.fetchall(f'SELECT DISTINCT "{column}" FROM "{table}"') if v
            }
            assert not values & bsns, f"BSN in clear in {table}.{column}"
            if column in ("record", "message", "name", "detail"):
                text = " ".join(values)
                leaked = [n for n in names if n in text]
                # area and provider names are ours, not persons'
                if table not in ("area", "provider"):
                    assert leaked == [], f"names in {table}.{column}: {leaked[:3]}"
    for f in built.ws.published_dir.rglob("*"):
        if f.is_file() and f.suffix in (".json", ".parquet"):
            blob = f.read_bytes()
            assert not any(b.encode() in blob for b in list(bsns)[:500]), f


def test_the_generated_data_contradict_no_zero_by_definition(built: Built) -> None:
    """Nobody under 12 with jeugdreclassering, nobody under 18 with bijstand: every
    shipped ``structural_zeros`` and ``structural_empty`` holds on the generated data, so
    the gate may treat them as public (a contradicted one is an ordinary count)."""
    assert built.refresh.contradicted_zeros == []


def test_meta_records_the_loads(built: Built) -> None:
    snap_dir = built.ws.published_dir / (built.ws.published_dir / "CURRENT").read_text().strip()
    meta = json.loads((snap_dir / "meta.json").read_text(encoding="utf-8"))
    assert meta["gemeente_code"] == built.manifest["gemeente"]["code"]
    assert sorted(meta["periods"]) == sorted(built.manifest["periods"])


def test_the_attacker_cannot_narrow_any_suppressed_small_count(built: Built) -> None:
    """For every table the demo publishes (indicator × year, numerator and denominator),
    solve min and max of each suppressed cell subject to every published sum over the
    geography and non-negativity: no count under the minimum may lie in an interval
    narrower than the minimum. A larger hidden count may be narrowed: the primary rule
    would have let it be published, and the linked default protects only the small ones
    (docs/disclosure.md, "Linked tables"). A hidden cell's true value comes from the
    generator's manifest where it has the indicator, else from the ungated engine."""
    from collections import defaultdict

    from zicht.indicators.definitions import load_definitions
    from zicht.indicators.engine import compute_cube
    from zicht.privacy.secondary import Constraint, attack

    snap_dir = built.ws.published_dir / (built.ws.published_dir / "CURRENT").read_text().strip()
    cube = pq.read_table(snap_dir / "cube.parquet").to_pylist()
    areas = pq.read_table(snap_dir / "areas.parquet").to_pylist()
    children: dict[str, list[str]] = defaultdict(list)
    for a in areas:
        if a["parent_code"]:
            children[a["parent_code"]].append(a["code"])
    constraints = [Constraint(p, tuple(kids)) for p, kids in children.items()]
    with built.ws.store(read_only=True) as store:
        engine = compute_cube(
            store, load_definitions(), built.ws.settings, int(built.manifest["boundary_year"])
        ).to_pylist()
    truth = {
        (r["indicator_id"], r["area_code"], int(r["period"])): r
        for r in engine
        if r["breakdown"] == "" and r["indicator_id"] not in built.manifest["truth"]
    }
    truth |= {
        (ind, t["area_code"], int(t["period"])): t
        for ind, cells in built.manifest["truth"].items()
        for t in cells
    }
    protection = built.ws.settings.get_int("min_cell_count")
    tables: dict[tuple[str, int], list[dict[str, Any]]] = defaultdict(list)
    for c in cube:
        if c["breakdown"] == "":
            tables[(c["indicator_id"], int(c["period"]))].append(c)
    audited = 0
    for (indicator, period), cells in tables.items():
        hidden = {c["area_code"] for c in cells if c["status"] == "onderdrukt"}
        if not hidden:
            continue
        fields = ["denominator"] + (["numerator"] if cells[0]["unit"] in ("%", "per 1.000") else [])
        for field in fields:
            values = {}
            for c in cells:
                if c["area_code"] in hidden:
                    t = truth.get((indicator, c["area_code"], period))
                    values[c["area_code"]] = float((t or {}).get(field) or 0.0)
                else:
                    values[c["area_code"]] = float(c[field])
            for iv in attack(values, hidden, constraints):
                if values[iv.cell] < protection:
                    assert iv.width >= protection - 1e-6, (indicator, period, field, iv)
                    audited += 1
    assert audited > 50


def test_cbs_context_is_the_rounded_truth(built: Built) -> None:
    """The generator writes a KWB file as CBS would (counts rounded to 5, below 10
    empty); the published context equals that, computed here from the manifest."""
    snap_dir = built.ws.published_dir / (built.ws.published_dir / "CURRENT").read_text().strip()
    rows = pq.read_table(snap_dir / "context.parquet").to_pylist()
    got = {(r["indicator_id"], r["area_code"], r["period"]): r["cbs_value"] for r in rows}
    checked = 0
    for t in built.manifest["truth"]["bijstand_pct"]:
        key = ("bijstand_pct", t["area_code"], int(t["period"]))
        if t["numerator"] < 10:
            assert key not in got
            continue
        rounded = (int(t["numerator"]) + 2) // 5 * 5
        assert got[key] == pytest.approx(100 * rounded / t["denominator"])
        checked += 1
    assert checked > 10


def test_the_attacker_combining_all_tables_narrows_no_small_count(built: Built) -> None:
    """The default (linked) publication of the real path against the attacker that
    combines every cube table and the stapeling combinations of ``keten_stapeling``
    (:mod:`tests.privacy._published_attack`: the sums inside each table and the
    identities between tables, by value): per year, no hidden count under the minimum
    may be narrowed below it. Per table this attacker narrows some (on the demo, 102
    over five years; docs/disclosure.md, "Linked tables")."""
    from zicht.privacy.secondary import narrow

    from ..privacy._published_attack import build, read_publication

    assert built.ws.settings.get_int("gate_linked_tables") == 1  # the default
    published, truth, parent = read_publication(built.ws, int(built.manifest["boundary_year"]))
    protection = built.ws.settings.get_int("min_cell_count")
    periods = build(published, truth, parent, link_tables=True, empty_known=False)
    assert sorted(periods) == sorted(built.manifest["periods"])
    for period, per in periods.items():
        small = [v for v in per.hidden if per.values[v] < protection]
        assert len(small) > 100, period  # so the test can fail
        found = [
            iv
            for iv in narrow(per.values, per.hidden, per.constraints, protection)
            if per.values[iv.cell] < protection
        ]
        assert not found, (period, len(found), found[:5])
