"""Canonical rows and quarantine of the synthetic case-system exports, row by row.

The truth is computed here, independently of zicht's readers, validation and builders:
the CSV is read with Python's csv module, the planted defects come from the generator's
manifest, dates are parsed with :mod:`datetime`, numbers by hand and pseudonyms with
:mod:`hmac`. Every row that the manifest does not mark as defective must appear in
``provision`` (and each of its event dates in ``chain_event``) with exactly these values;
every row it marks must be in the quarantine under its rule, and nothing else.
"""

from __future__ import annotations

import csv
import datetime as dt
import hmac
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from zicht.sources.ingest import ingest_files
from zicht.synth import generate
from zicht.workspace import Workspace

FILES = (
    "zaaksysteem/jeugd_voorzieningen.csv",
    "zaaksysteem/wmo_voorzieningen.csv",
    "zaaksysteem/schuldhulp_trajecten.csv",
    "wijkteam/hulpvragen.csv",
)
PROVISION_FIELDS = (
    "provision_id",
    "person_id",
    "law",
    "product_category",
    "product_code",
    "provider_code",
    "referrer",
    "start_date",
    "end_date",
    "volume",
    "unit",
    "frequency",
    "toewijzing_id",
    "source",
)
EVENT_FIELDS = (
    "person_id",
    "law",
    "step",
    "event_date",
    "provision_id",
    "toewijzing_id",
    "provider_code",
    "product_category",
    "detail",
    "source",
)


class Loaded:
    def __init__(self, root: Path) -> None:
        self.exports = root / "exports"
        self.manifest: dict[str, Any] = generate(self.exports, persons=4_000, seed=11)
        self.ws = Workspace.init(root / "ws")
        self.reports = ingest_files(self.ws, [self.exports / f for f in FILES])


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Loaded:
    return Loaded(tmp_path_factory.mktemp("truth"))


def _text(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _date(value: str | None) -> dt.date | None:
    value = _text(value)
    return None if value is None else dt.datetime.strptime(value, "%d-%m-%Y").date()


def _number(value: str | None) -> float | None:
    value = _text(value)
    return None if value is None else float(value.replace(".", "").replace(",", "."))


def _pseudonym(key: bytes, bsn: str) -> str:
    msg = ("bsn:" + bsn.strip().zfill(9)).encode()
    return hmac.new(key, msg, "sha256").hexdigest()[:24]


def _expected(
    loaded: Loaded, rel: str
) -> tuple[Counter[tuple[Any, ...]], Counter[tuple[Any, ...]]]:
    """Provision and chain-event rows of the file's non-defective rows."""
    path = loaded.exports / rel
    mapping = yaml.safe_load(path.with_name(path.stem + ".mapping.yaml").read_text("utf-8"))
    cols: dict[str, str] = mapping["columns"]
    values: dict[str, dict[str, str]] = mapping.get("values", {})
    bad = {int(d["row"]) for d in loaded.manifest["defects"] if d["file"] == rel}
    key = loaded.ws.key()
    rows = _rows(path, mapping["delimiter"])
    provisions: Counter[tuple[Any, ...]] = Counter()
    events: Counter[tuple[Any, ...]] = Counter()
    for number, row in enumerate(rows, start=2):
        if number in bad:
            continue

        def field(name: str, row: dict[str, str] = row) -> str | None:
            value = _text(row[cols[name]]) if name in cols else None
            return values.get(name, {}).get(value, value) if value is not None else None

        provision_id = f"{mapping['source']}:{field('provision_ref')}"
        person = _pseudonym(key, row[cols["bsn"]])
        provisions[
            (
                provision_id,
                person,
                mapping["law"],
                field("product_category"),
                field("product_code"),
                field("provider_code"),
                field("referrer"),
                _date(row[cols["start_date"]]),
                _date(row.get(cols.get("end_date", ""), "")),
                _number(row.get(cols.get("volume", ""), "")),
                field("unit"),
                field("frequency"),
                field("toewijzing_ref"),
                mapping["source"],
            )
        ] += 1
        for step, header in mapping.get("events", {}).items():
            when = _date(row[header])
            if when is not None:
                events[
                    (
                        person,
                        mapping["law"],
                        step,
                        when,
                        provision_id,
                        field("toewijzing_ref"),
                        field("provider_code"),
                        field("product_category"),
                        None,
                        mapping["source"],
                    )
                ] += 1
    return provisions, events


def _rows(path: Path, delimiter: str = ";") -> list[dict[str, str]]:
    """The export's rows; the generator writes some exports in cp1252, as Excel does."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252")
    return list(csv.DictReader(text.splitlines(keepends=True), delimiter=delimiter))


def _source(loaded: Loaded, rel: str) -> str:
    path = loaded.exports / rel
    mapping = yaml.safe_load(path.with_name(path.stem + ".mapping.yaml").read_text("utf-8"))
    return str(mapping["source"])


@pytest.mark.parametrize("rel", FILES)
def test_accepted_rows_carry_exactly_the_exported_values(loaded: Loaded, rel: str) -> None:
    provisions, events = _expected(loaded, rel)
    assert sum(provisions.values()) > 20 and sum(events.values()) > 20
    with loaded.ws.store(read_only=True) as store:
        got_p = store.fetchall(
            f"SELECT {', '.join(PROVISION_FIELDS)} FROM provision WHERE source = ?",
            [_source(loaded, rel)],
        )
        got_e = store.fetchall(
            f"SELECT {', '.join(EVENT_FIELDS)} FROM chain_event WHERE source = ?",
            [_source(loaded, rel)],
        )
    assert Counter(got_p) == provisions
    assert Counter(got_e) == events


@pytest.mark.parametrize("rel", FILES)
def test_quarantine_is_the_planted_defects(loaded: Loaded, rel: str) -> None:
    planted = Counter(
        (int(d["row"]), d["rule"]) for d in loaded.manifest["defects"] if d["file"] == rel
    )
    assert planted
    path = loaded.exports / rel
    bsns = {r["BSN"].strip() for r in _rows(path) if r["BSN"].strip()}
    with loaded.ws.store(read_only=True) as store:
        rows = store.fetchall(
            "SELECT row_number, rule, message, record FROM quarantine WHERE file = ?",
            [str(path)],
        )
    assert Counter((int(n), str(rule)) for n, rule, _, _ in rows) == planted
    for _, _, message, record in rows:  # BSNs never in clear, not even the invalid ones
        assert not any(b in str(message) or b in str(record) for b in bsns if len(b) >= 8)
    [report] = [r for r in loaded.reports if r.file == str(path)]
    assert report.rows_in == report.accepted + report.quarantined
    assert report.quarantined == sum(planted.values())
