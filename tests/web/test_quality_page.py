"""The data-quality page: quarantine counts per source and rule from a real ingest,
example rows only for an analist within scope, never a name, address or BSN."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from zicht.privacy import audit as audit_log
from zicht.privacy.roles import Role
from zicht.sources.ingest import ingest_files
from zicht.workspace import Workspace

from .accounts import logged_in
from .snapshot_data import write_snapshot

DATA = Path(__file__).resolve().parents[1] / "data"
# Read by hand from tests/data/jeugd_voorzieningen.csv (spreadsheet row numbers):
# rows 4 and 14 have no BSN; 5 (fails the 11-proef) and 6 (five digits) have a bad one;
# row 9 ends before it starts; row 12 has volume "veel"; row 13 repeats B001.
HAND_COUNTS = {
    "missing_bsn": 2,
    "invalid_bsn": 2,
    "end_before_start": 1,
    "invalid_number": 1,
    "duplicate_row": 1,
}
PERSONAL = ["Anna Smit", "Ali Amir", "Jan de Vries", "Laan 12", "0699999999", "100062788"]


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("dq") / "ws"
    workspace = Workspace.init(root)
    for name in ("gebieden.geojson", "bevolking.csv", "jeugd_voorzieningen.csv"):
        ingest_files(workspace, [DATA / name])
    write_snapshot(root)  # the hand-made snapshot of gemeente GM9901
    return root


def _counts(html: str) -> dict[str, int]:
    rows = re.findall(
        r'<tr data-rule="jeugd_zaaksysteem:(\w+)">.*?<td class="num">(\d+)</td>', html, re.S
    )
    return {rule: int(n) for rule, n in rows}


def test_analist_sees_counts_and_pseudonymised_examples(ws: Path) -> None:
    html = logged_in(ws, Role.ANALIST, gemeenten=["GM9901"]).get("/datakwaliteit").text
    counts = _counts(html)
    assert {k: counts.get(k) for k in HAND_COUNTS} == HAND_COUNTS
    assert "jeugd_voorzieningen.csv, 4" in html and "jeugd_voorzieningen.csv, 14" in html
    assert "BSN ontbreekt" in html
    for text in PERSONAL:
        assert text not in html, text
    log = audit_log.entries(ws, action="bekijken microdata")
    assert log and log[0].role == "analist" and "voorbeeldregels" in log[0].what


def test_outside_scope_only_counts(ws: Path) -> None:
    before = len(audit_log.entries(ws, action="bekijken microdata"))
    html = logged_in(ws, Role.ANALIST, gemeenten=["GM0363"]).get("/datakwaliteit").text
    assert 'id="buiten-bereik"' in html
    assert {k: _counts(html).get(k) for k in HAND_COUNTS} == HAND_COUNTS
    assert "BSN ontbreekt" not in html and "Voorbeelden" not in html
    assert len(audit_log.entries(ws, action="bekijken microdata")) == before


def test_other_roles_never_see_quarantine(ws: Path) -> None:
    for role in (Role.RAAD, Role.BELEID, Role.PROFESSIONAL, Role.FG, Role.BEHEER):
        r = logged_in(ws, role).get("/datakwaliteit")
        assert r.status_code == 403 and "BSN ontbreekt" not in r.text


def test_empty_workspace_explains(tmp_path: Path) -> None:
    write_snapshot(tmp_path)
    html = logged_in(tmp_path, Role.ANALIST).get("/datakwaliteit").text
    assert "nog niets ingelezen" in html
