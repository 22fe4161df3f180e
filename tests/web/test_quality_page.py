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


def _sources(html: str) -> dict[str, list[int]]:
    table = html.split('id="bronnen"')[1].split("</table>")[0]
    rows = re.findall(r'<tr data-source="(\w+)">(.*?)</tr>', table, re.S)
    return {
        source: [
            int(n.replace(".", "")) for n in re.findall(r'<td class="num">([\d.]+)</td>', cells)
        ]
        for source, cells in rows
    }


def test_loads_are_summed_per_source_not_listed_per_message(
    ws: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A year of iJw/iWmo messages is 60,000 one-message files: the page sums per source
    and lists only files with quarantined rows, the most first, up to a limit."""
    from zicht.web import quality

    html = logged_in(ws, Role.ANALIST, gemeenten=["GM9901"]).get("/datakwaliteit").text
    sources = _sources(html)
    data_rows = (
        len((DATA / "jeugd_voorzieningen.csv").read_text(encoding="utf-8-sig").splitlines()) - 1
    )
    files, rows_in, accepted, quarantined = sources["jeugd_zaaksysteem"]
    assert (files, rows_in) == (1, data_rows)
    assert quarantined == sum(_counts(html).values()) and accepted + quarantined == rows_in
    assert "(jeugd_voorzieningen.csv)" in html
    assert "Bestanden met rijen in quarantaine (" in html

    monkeypatch.setattr(quality, "FILES_SHOWN", 1)
    html = logged_in(ws, Role.ANALIST, gemeenten=["GM9901"]).get("/datakwaliteit").text
    listed = html.split('id="bestanden"')[1].split("</details>")[0]
    assert listed.count("<tr>") == 1 + 1  # header and the one file with the most
    assert "jeugd_voorzieningen.csv" in listed
    # Every source of this workspace loaded one file, so the files with quarantined rows
    # are the sources with quarantined rows: all of them counted, one shown.
    with_quarantine = [name for name, counts in _sources(html).items() if counts[3] > 0]
    assert "brp" in with_quarantine  # bevolking.csv: a duplicate row, sex "X", 29-02-2023
    summary = f"Bestanden met rijen in quarantaine ({len(with_quarantine)}, de 1 met de meeste"
    assert summary in listed
