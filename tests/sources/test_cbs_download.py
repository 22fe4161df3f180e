"""`zicht cbs download` against a real HTTP server of the test's own that answers like
CBS's OData API (typed values, keys padded with spaces, pages linked by
``odata.nextLink``, the real 2024 ``DataProperties``).

The server's rows are the Almere KWB rows of 2024 from ../shared/data, turned into typed
values, plus a neighbouring gemeente that the filter must leave out. The independent truth
is the published file itself: downloading and loading must give exactly the values that
loading the published file gives.
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from zicht.errors import SourceError
from zicht.sources.cbs import read_kwb
from zicht.sources.cbs_download import download_kwb

FILE = "cbs/kwb_almere_GM0034_2018-2025.csv"
PROPS = "cbs/kwb2024_85984NED_DataProperties.json"
PAGE = 100


def _typed(text: str, decimals: int) -> Any:
    text = text.strip()
    if text in {"", "."}:
        return None
    try:
        number = float(text)
    except ValueError:
        return text
    return number / 10**decimals if decimals else (int(number) if number.is_integer() else number)


def _dataset(shared: Path, properties: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Almere 2024 as CBS's typed data set would send it, plus a fake other gemeente."""
    exact = {p["Key"]: int(p.get("Decimals") or 0) for p in properties if p.get("Type") == "Topic"}
    by_stem = {re.sub(r"_\d+$", "", k): d for k, d in exact.items()}
    rows: list[dict[str, Any]] = []
    with (shared / FILE).open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh, delimiter=";"):
            if row["Peildatum"] != "1-1-2024":
                continue
            typed: dict[str, Any] = {}
            for key, text in row.items():
                if key == "Peildatum":  # not a column of the typed data set
                    continue
                d = exact.get(key, by_stem.get(re.sub(r"_\d+$", "", key), 0))
                typed[key] = _typed(text, d) if key not in {"WijkenEnBuurten"} else text
            typed["WijkenEnBuurten"] = row["WijkenEnBuurten"].strip().ljust(10)
            rows.append(typed)
    other = dict(rows[0], WijkenEnBuurten="GM0363    ", Gemeentenaam_1="Amsterdam")
    return [other, *rows]


class _Api(BaseHTTPRequestHandler):
    properties: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    requests: list[str] = []

    def log_message(self, *args: Any) -> None:  # keep pytest's output clean
        pass

    def _send(self, body: Any, status: int = 200) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        url = urlsplit(self.path)
        self.requests.append(self.path)
        query = parse_qs(url.query)
        if url.path == "/odata/85984NED/DataProperties":
            self._send({"odata.metadata": "...", "value": self.properties})
        elif url.path == "/odata/85984NED/TypedDataSet":
            match = re.fullmatch(
                r"substring\(WijkenEnBuurten,2,4\) eq '(\d{4})'", query["$filter"][0]
            )
            if match is None:
                self._send({"odata.error": "bad filter"}, 400)
                return
            chosen = [r for r in self.rows if r["WijkenEnBuurten"][2:6] == match.group(1)]
            skip = int(query.get("$skip", ["0"])[0])
            body: dict[str, Any] = {"value": chosen[skip : skip + PAGE]}
            if skip + PAGE < len(chosen):
                body["odata.nextLink"] = (
                    f"http://127.0.0.1:{self.server.server_address[1]}{url.path}?"
                    f"{url.query.split('&$skip')[0]}&$skip={skip + PAGE}"
                )
            self._send(body)
        else:
            self._send({"odata.error": "not found"}, 404)


@pytest.fixture
def api(shared_data: Path) -> Iterator[str]:
    properties = json.loads((shared_data / PROPS).read_text(encoding="utf-8"))
    _Api.properties = properties
    _Api.rows = _dataset(shared_data, properties)
    _Api.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Api)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/odata"
    server.shutdown()
    server.server_close()


def _values(path: Path, year: int) -> dict[tuple[str, str], float | None]:
    return {
        (r["code"], r["concept"]): r["value"]
        for r in read_kwb(path).to_pylist()
        if r["year"] == year
    }


def test_download_equals_the_published_file(api: str, shared_data: Path, tmp_path: Path) -> None:
    out = tmp_path / "kwb.csv"
    report = download_kwb("GM0034", [2024], out, base_url=api)
    expected = _values(shared_data / FILE, 2024)
    got = _values(out, 2024)
    assert len(expected) > 9 * 200  # the gemeente, its wijken and buurten × concepts
    assert got == expected
    assert report["per_year"] == {2024: len({code for code, _ in expected})}
    # The other gemeente was filtered out by the server, and every page was followed.
    assert not any(code.startswith(("GM0363", "WK0363")) for code, _ in got)
    assert sum("TypedDataSet" in r for r in _Api.requests) > 1


def test_changed_decimals_are_refused(api: str, tmp_path: Path) -> None:
    _Api.properties = [
        dict(p, Decimals=0) if str(p.get("Key", "")).startswith("PercentageJongeren") else p
        for p in _Api.properties
    ]
    with pytest.raises(SourceError, match="decimalen"):
        download_kwb("GM0034", [2024], tmp_path / "kwb.csv", base_url=api)
    assert not (tmp_path / "kwb.csv").exists()


def test_unknown_year_and_bad_code_are_one_line_errors(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="geen KWB-tabel bekend voor 1999"):
        download_kwb("GM0034", [1999], tmp_path / "x.csv", base_url="http://127.0.0.1:9")
    with pytest.raises(SourceError, match="geen gemeentecode"):
        download_kwb("Almere", [2024], tmp_path / "x.csv", base_url="http://127.0.0.1:9")


def test_offline_is_one_line_on_the_command_line(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    subprocess.run([sys.executable, "-m", "zicht", "init", str(ws)], check=True)
    env_url = "http://127.0.0.1:9/odata"  # port 9 (discard): nothing listens here
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "zicht",
            "cbs",
            "download",
            "--gemeente",
            "GM0034",
            "--year",
            "2024",
            "-o",
            str(tmp_path / "kwb.csv"),
            "--workspace",
            str(ws),
        ],
        capture_output=True,
        text=True,
        env={"ZICHT_CBS_ODATA_URL": env_url, "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0
    assert "CBS niet bereikbaar" in result.stderr
