"""The command line path a data adviser types, as subprocesses: synth, init, ingest
--json, refresh --json, export in three formats, and the errors on the way."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

pytestmark = pytest.mark.slow


def zicht(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "zicht", *args], capture_output=True, text=True, timeout=300
    )


@pytest.fixture(scope="module")
def flow(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("cli")
    exports, ws = root / "exports", root / "ws"
    r = zicht("synth", "--out", str(exports), "--persons", "3000", "--seed", "3")
    assert r.returncode == 0, r.stderr
    assert zicht("init", str(ws)).returncode == 0
    manifest = json.loads((exports / "manifest.json").read_text(encoding="utf-8"))
    loads: list[dict[str, Any]] = []
    for rel in manifest["ingest_order"]:
        r = zicht("ingest", "--workspace", str(ws), "--json", str(exports / rel))
        assert r.returncode == 0, r.stderr
        out = json.loads(r.stdout)
        loads.extend(out if isinstance(out, list) else [out])
    r = zicht("refresh", "--workspace", str(ws), "--json")
    assert r.returncode == 0, r.stderr
    return {
        "root": root,
        "exports": exports,
        "ws": ws,
        "manifest": manifest,
        "loads": loads,
        "refresh": json.loads(r.stdout),
    }


def test_ingest_json_has_the_promised_shape(flow: dict[str, Any]) -> None:
    for obj in flow["loads"]:
        assert {"file", "rows_in", "accepted", "quarantined", "reasons"} <= set(obj)
        assert obj["rows_in"] == obj["accepted"] + obj["quarantined"]
    reasons: dict[str, int] = {}
    for obj in flow["loads"]:
        for rule, n in obj["reasons"].items():
            reasons[rule] = reasons.get(rule, 0) + n
    planted: dict[str, int] = {}
    for d in flow["manifest"]["defects"]:
        planted[d["rule"]] = planted.get(d["rule"], 0) + 1
    assert reasons == planted


def _published(ws: Path) -> list[dict[str, Any]]:
    current = (ws / "published" / "CURRENT").read_text(encoding="utf-8").strip()
    rows: list[dict[str, Any]] = pq.read_table(ws / "published" / current / "cube.parquet")
    return rows.to_pylist()  # type: ignore[attr-defined,no-any-return]


def test_export_formats_carry_exactly_the_published_cells(flow: dict[str, Any]) -> None:
    ws = flow["ws"]
    cube = [
        c for c in _published(ws) if c["indicator_id"] == "wmo_per_1000" and c["level"] == "wijk"
    ]
    assert any(c["breakdown"] for c in cube)  # the breakdown cells are exported too
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "zicht",
            "export",
            "--workspace",
            str(ws),
            "--indicator",
            "wmo_per_1000",
            "--level",
            "wijk",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["indicator"]["id"] == "wmo_per_1000" and doc["indicator"]["title"]

    def key(c: dict[str, Any]) -> tuple[str, int, str, str]:
        return (c["area_code"], c["period"], c["breakdown"] or "", c["category"] or "")

    got = {key(c): c for c in doc["cells"]}
    assert len(got) == len(cube)
    for c in cube:
        g = got[key(c)]
        assert g["status"] == c["status"] and g["value"] == c["value"]
        if c["status"] == "onderdrukt":
            assert g["value"] is None and g["numerator"] is None
    out_csv = flow["root"] / "wmo.csv"
    r = zicht(
        "export",
        "--workspace",
        str(ws),
        "--indicator",
        "wmo_per_1000",
        "--level",
        "wijk",
        "-o",
        str(out_csv),
    )
    assert r.returncode == 0, r.stderr
    text = out_csv.read_bytes().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert len(rows) == len(cube)
    for row in rows:
        c = got[(row["gebiedscode"], int(row["jaar"]), row["uitsplitsing"], row["categorie"])]
        if c["value"] is None:
            assert row["waarde"] == ""
        else:
            assert float(row["waarde"].replace(",", ".")) == pytest.approx(c["value"], rel=1e-5)
    out_xlsx = flow["root"] / "wmo.xlsx"
    r = zicht(
        "export",
        "--workspace",
        str(ws),
        "--indicator",
        "wmo_per_1000",
        "--format",
        "xlsx",
        "-o",
        str(out_xlsx),
    )
    assert r.returncode == 0 and out_xlsx.stat().st_size > 1000


def test_user_errors_are_one_line(flow: dict[str, Any]) -> None:
    ws = str(flow["ws"])
    r = zicht("export", "--workspace", ws, "--indicator", "bestaat_niet")
    assert r.returncode == 1 and r.stderr.count("\n") == 1 and "bestaat_niet" in r.stderr
    broken = flow["root"] / "kapot.csv"
    broken.write_bytes(b'BSN;Naam\n12345\x00\xff\xfe;"open')
    r = zicht(
        "ingest",
        "--workspace",
        ws,
        "--mapping",
        str(flow["exports"] / "zaaksysteem" / "jeugd_voorzieningen.mapping.yaml"),
        str(broken),
    )
    assert r.returncode == 1, r.stderr
    assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr
    assert "kapot.csv" in r.stderr
    nomap = flow["root"] / "los.csv"
    nomap.write_text("a;b\n1;2\n", encoding="utf-8")
    r = zicht("ingest", "--workspace", ws, str(nomap))
    assert r.returncode == 1 and "Traceback" not in r.stderr


def test_demo_builds_without_serving(tmp_path: Path) -> None:
    r = zicht("demo", "--workspace", str(tmp_path / "d"), "--persons", "2000", "--no-serve")
    assert r.returncode == 0, r.stderr
    assert "Werkruimte" in r.stdout and (tmp_path / "d" / "werkruimte" / "published").is_dir()
    # A second demo in the same folder starts afresh (checked on the folder itself, not
    # by building a second demo: that would double the test's half minute); a foreign
    # folder is refused by the command.
    from zicht.demo import MARKER, _prepare

    leftover = tmp_path / "d" / "werkruimte" / "oud.txt"
    leftover.write_text("van de vorige demo")
    _prepare(tmp_path / "d")
    assert (tmp_path / "d" / MARKER).exists() and not leftover.exists()
    assert list((tmp_path / "d").iterdir()) == [tmp_path / "d" / MARKER]
    foreign = tmp_path / "eigen"
    foreign.mkdir()
    (foreign / "belangrijk.txt").write_text("niet weggooien")
    r = zicht("demo", "--workspace", str(foreign), "--no-serve", "--persons", "2000")
    assert r.returncode == 1 and (foreign / "belangrijk.txt").exists()
