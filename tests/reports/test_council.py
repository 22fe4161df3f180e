"""`zicht report --all -o report.pdf` on a small synthetic gemeente, read back as a reader
would: pages rendered to PNG (pdftoppm), text extracted (pdftotext) and every figure,
status and table-of-contents entry checked against the published cube, read here
independently with pyarrow, the goal files read with plain YAML, and the generator's
truth.
"""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
import yaml
from openpyxl import load_workbook

from zicht.goals.load import DEFAULTS_DIR
from zicht.goals.progress import MIN_QUALITY, ON_TRACK_LAG, RISK_LAG, assess

from .conftest import Demo

pytestmark = pytest.mark.slow
SUPPRESSED_TEXT = "onderdrukt (privacybescherming)"
# A figure with its unit as the report prints it: 12,3%  € 1.234  16,0 dagen  81,6 per 1.000
TOKEN = re.compile(
    r"€ -?\d{1,3}(?:\.\d{3})*(?:,\d+)?|-?\d{1,3}(?:\.\d{3})*(?:,\d+)?(?:%| dagen| per 1\.000)"
)


def _need(tool: str) -> None:
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} (Debian package poppler-utils) is not installed; make system-deps")


def nl(value: float, decimals: int) -> str:
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def shown(value: float | None, unit: str) -> str:
    """The report's formatting, written out independently (docs: decimal comma)."""
    if value is None:
        return SUPPRESSED_TEXT
    if unit == "%":
        return f"{nl(value, 1)}%"
    if unit == "euro":
        return f"€ {nl(value, 0)}"
    return f"{nl(value, 1)} {unit}"


@dataclass
class Built:
    pdf: Path
    excel: Path
    pages: list[str]  # text per page
    text: str  # whole document, layout kept
    cube: dict[tuple[str, str, str, int], dict[str, Any]]
    meta: dict[str, Any]
    indicators: dict[str, Any]
    goals: dict[str, dict[str, Any]]
    figures: list[dict[str, Any]]
    goal_rows: list[dict[str, Any]]
    story_rows: list[dict[str, Any]]  # sheet Verhalen
    cli: subprocess.CompletedProcess[str]
    truth: dict[tuple[str, str, int], float]  # the generator's, per (indicator, area, period)
    names: dict[str, str]  # area code -> name, from the published areas


def _pdftotext(pdf: Path, *args: str) -> str:
    out = subprocess.run(
        ["pdftotext", "-layout", *args, str(pdf), "-"], capture_output=True, check=True
    )
    return out.stdout.decode("utf-8")


@pytest.fixture(scope="module")
def built(demo: Demo, tmp_path_factory: pytest.TempPathFactory) -> Built:
    _need("pdftotext")
    out = tmp_path_factory.mktemp("report") / "report.pdf"
    cli = subprocess.run(
        [sys.executable, "-m", "zicht", "report", "--workspace", str(demo.ws), "--all",
         "-o", str(out)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert cli.returncode == 0, cli.stderr
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True)
    n_pages = int(re.search(r"Pages:\s+(\d+)", info.stdout).group(1))  # type: ignore[union-attr]
    pages = [_pdftotext(out, "-f", str(i), "-l", str(i)) for i in range(1, n_pages + 1)]
    snap = demo.ws / "published" / (demo.ws / "published" / "CURRENT").read_text().strip()
    cube = {
        (r["indicator_id"], r["level"], r["area_code"], int(r["period"])): r
        for r in pq.read_table(snap / "cube.parquet").to_pylist()
        if r["breakdown"] == ""
    }
    goals = {
        p.stem: yaml.safe_load(p.read_text(encoding="utf-8"))
        for p in sorted(DEFAULTS_DIR.glob("*.yaml"))
    }
    wb = load_workbook(out.with_suffix(".xlsx"))
    sheets = {}
    for name in ("Cijfers", "Doelen", "Verhalen"):
        rows = list(wb[name].iter_rows(values_only=True))
        sheets[name] = [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    return Built(
        pdf=out,
        excel=out.with_suffix(".xlsx"),
        pages=pages,
        text=_pdftotext(out),
        cube=cube,
        meta=json.loads((snap / "meta.json").read_text(encoding="utf-8")),
        indicators=json.loads((snap / "indicators.json").read_text(encoding="utf-8")),
        goals=goals,
        figures=sheets["Cijfers"],
        goal_rows=sheets["Doelen"],
        story_rows=sheets["Verhalen"],
        cli=cli,
        truth={
            (ind, c["area_code"], int(c["period"])): c["value"]
            for ind, cells in demo.manifest["truth"].items()
            for c in cells
        },
        names={a["code"]: a["name"] for a in pq.read_table(snap / "areas.parquet").to_pylist()},
    )


def _goal_indicators(built: Built) -> list[tuple[str, dict[str, Any]]]:
    return [(gid, gi) for gid, g in built.goals.items() for gi in g["indicators"]]


def test_pages_render_and_are_numbered(built: Built, tmp_path: Path) -> None:
    _need("pdftoppm")
    subprocess.run(
        ["pdftoppm", "-r", "30", "-png", str(built.pdf), str(tmp_path / "p")], check=True
    )
    pngs = sorted(tmp_path.glob("p-*.png"))
    assert len(pngs) == len(built.pages) >= 6
    from PIL import Image

    for png in pngs:
        with Image.open(png) as im:
            lo, _hi = im.convert("L").getextrema()
            assert lo < 128, f"{png.name} is blank"
    total = len(built.pages)
    for i, page in enumerate(built.pages[1:], start=2):
        assert f"pagina {i} van {total}" in page
    assert "pagina" not in built.pages[0]  # the cover has no number


def test_table_of_contents_points_to_the_right_pages(built: Built) -> None:
    toc = built.pages[1]
    assert toc.lstrip().startswith("Inhoud")
    entries = []
    for line in toc.splitlines()[1:]:
        m = re.match(r"^\s*(\S.*?)\s{2,}(\d+)\s*$", line)
        if m:
            entries.append((m.group(1), int(m.group(2))))
    titles = [
        t
        for gid, gi in _goal_indicators(built)
        for t in [built.indicators[gi["indicator"]]["title"]]
    ]
    expected = (
        ["Samenvatting"]
        + [f"Doel: {g['title']}" for g in built.goals.values()]
        + titles
        + ["Verantwoording"]
    )
    assert sorted(t for t, _ in entries) == sorted(expected)
    summary_page = dict(entries)["Samenvatting"]
    for title, page in entries:
        # The heading is a line of its own; the summary table wraps titles, so the first
        # page after the summary with that line is where the heading is.
        first = next(
            i
            for i, text in enumerate(built.pages, start=1)
            if i > 2
            and (i > summary_page or title == "Samenvatting")
            and any(line.strip() == title for line in text.splitlines())
        )
        assert page == first, (title, page, first)


def test_every_figure_in_the_excel_file_matches_the_published_cube(built: Built) -> None:
    assert built.figures, "no figures"
    checked = 0
    for f in built.figures:
        unit = built.indicators[f["indicator"]]["unit"]
        if f["soort"] != "waarde":
            continue
        cell = built.cube[(f["indicator"], f["niveau"], f["gebiedscode"], int(f["jaar"]))]
        assert cell["status"] == f["status"]
        if cell["value"] is None:
            assert f["waarde"] is None and f["teller"] is None and f["noemer"] is None
            assert f["tekst in rapport"] == SUPPRESSED_TEXT
        else:
            assert math.isclose(f["waarde"], cell["value"], rel_tol=1e-12)
            assert f["noemer"] == cell["denominator"] and f["teller"] == cell["numerator"]
            assert f["tekst in rapport"] == shown(cell["value"], unit)
        checked += 1
    # Every gemeente period and every wijk of the latest period, for each goal indicator.
    periods = built.meta["periods"]
    n_wijken = len({k[2] for k in built.cube if k[1] == "wijk"})
    assert checked == len(_goal_indicators(built)) * (len(periods) + n_wijken)


def test_targets_path_lag_and_quality_follow_from_the_goal_files(built: Built) -> None:
    loads = built.meta["loads"]
    quality = sum(x["accepted"] for x in loads) / sum(x["rows_in"] for x in loads)
    for gid, gi in _goal_indicators(built):
        unit = built.indicators[gi["indicator"]]["unit"]
        rows = {r["soort"]: r for r in built.figures if r["doel"] == gid and
                r["indicator"] == gi["indicator"] and r["niveau"] == "gemeente"}  # fmt: skip
        assert rows["doelwaarde"]["waarde"] == gi["target"]
        assert rows["doelwaarde"]["jaar"] == gi["target_date"].year
        assert rows["doelwaarde"]["tekst in rapport"] == shown(gi["target"], unit)
        assert rows["datakwaliteit"]["waarde"] == pytest.approx(100 * quality)
        series = {
            p: built.cube[(gi["indicator"], "gemeente", built.meta["gemeente_code"], p)]["value"]
            for p in built.meta["periods"]
        }
        latest, base = max(series), series.get(gi["baseline_period"])
        if base is None or series[latest] is None:
            assert "verwacht_op_pad" not in rows and "achterstand" not in rows
            continue
        # The path by hand: baseline -> milestones -> target, read at the latest period.
        pts = [(gi["baseline_period"], base)] + sorted(
            [(m["period"], m["value"]) for m in gi.get("milestones", [])]
        ) + [(gi["target_date"].year, gi["target"])]  # fmt: skip
        (p0, v0), (p1, v1) = next(
            (a, b) for a, b in zip(pts, pts[1:], strict=False) if a[0] <= latest <= b[0]
        )
        expected = v0 + (v1 - v0) * (latest - p0) / (p1 - p0)
        sign = 1 if gi["direction"] == "omhoog" else -1
        holds = (base - gi["target"]) * sign >= 0  # baseline already meets the target
        scale = 0.05 * abs(gi["target"]) if holds else abs(gi["target"] - base)
        lag = (expected - series[latest]) * sign / scale
        if "verwacht_op_pad" in rows:
            assert rows["verwacht_op_pad"]["waarde"] == pytest.approx(expected)
            assert rows["achterstand"]["waarde"] == pytest.approx(100 * max(lag, 0))


def test_every_figure_in_the_pdf_is_one_of_the_reported_figures(built: Built) -> None:
    texts = [f["tekst in rapport"] for f in built.figures]
    allowed = set(texts) | set(TOKEN.findall(" | ".join(texts)))
    # Quoted text (definitions, ambitions, notes, duiding) may hold figures of its own,
    # as may the stated rule thresholds.
    quoted = json.dumps(built.indicators, ensure_ascii=False) + json.dumps(
        built.goals, ensure_ascii=False, default=str
    )
    allowed |= set(TOKEN.findall(quoted))
    allowed |= {f"{nl(100 * x, 0)}%" for x in (ON_TRACK_LAG, RISK_LAG, MIN_QUALITY)}
    # So may the story patterns' descriptions (their figures are in sheet Verhalen).
    allowed |= set(TOKEN.findall(" | ".join(str(r["beschrijving"]) for r in built.story_rows)))
    text = re.sub(r"[ \t]+", " ", built.text)
    found = TOKEN.findall(text)
    assert len(found) > 20
    stray = sorted({t for t in found if t not in allowed})
    assert stray == [], f"figures in the PDF that are not in the report's figures: {stray}"
    for f in built.figures:  # and every figure is really in the PDF
        if f["soort"] == "waarde" and f["niveau"] == "gemeente" and f["waarde"] is not None:
            assert f["tekst in rapport"] in text


def _segments(text: str, start: str, end: str) -> list[list[str]]:
    out = []
    for part in text.split(start)[1:]:
        out.append(part.split(end, 1)[0].splitlines())
    return out


def test_tables_show_published_values_and_never_a_suppressed_number(built: Built) -> None:
    gm = built.meta["gemeente_code"]
    series_tables = _segments(built.text, "Cijfers per jaar, gemeente", "Per wijk,")
    wijk_tables = _segments(built.text, "Per wijk,", "Privacy en datakwaliteit")
    order = _goal_indicators(built)
    assert len(series_tables) == len(wijk_tables) == len(order)
    truth = built.truth
    suppressed_seen = 0
    for (_gid, gi), lines, wlines in zip(order, series_tables, wijk_tables, strict=True):
        ind = gi["indicator"]
        unit = built.indicators[ind]["unit"]
        for period in built.meta["periods"]:
            cell = built.cube[(ind, "gemeente", gm, period)]
            row = next(ln for ln in lines if ln.strip().startswith(str(period)))
            assert shown(cell["value"], unit) in row, (ind, period, row)
            if cell["value"] is None:
                suppressed_seen += 1
                assert row.split()[-1] == "onderdrukt"
                t = truth.get((ind, gm, period))
                assert t is None or shown(t, unit) not in row
        latest = max(built.meta["periods"])
        names = {
            k[2]: v for k, v in built.cube.items() if k[1] == "wijk" and k[0] == ind
            and k[3] == latest
        }  # fmt: skip
        for code, cell in names.items():
            name = built.names[code]
            row = next(ln for ln in wlines if ln.strip().startswith(name))
            assert shown(cell["value"], unit) in row, (ind, code, row)
            if cell["value"] is None:
                suppressed_seen += 1
                t = truth.get((ind, code, latest))
                assert t is None or shown(t, unit) not in row
    assert suppressed_seen > 0, "the strict gate should have suppressed something here"


def test_every_status_follows_from_its_rule(built: Built) -> None:
    gm = built.meta["gemeente_code"]
    loads = built.meta["loads"]
    quality = sum(x["accepted"] for x in loads) / sum(x["rows_in"] for x in loads)
    by_key = {(r["doel"], r["indicator"]): r for r in built.goal_rows}
    statuses = set()
    for gid, gi in _goal_indicators(built):
        series = {
            p: built.cube[(gi["indicator"], "gemeente", gm, p)]["value"]
            for p in built.meta["periods"]
        }
        want = assess(
            series=series,
            baseline_period=gi["baseline_period"],
            target=gi["target"],
            target_period=gi["target_date"].year,
            direction=gi["direction"],
            milestones=[(m["period"], m["value"]) for m in gi.get("milestones", [])],
            quality=quality,
        )
        row = by_key[(gid, gi["indicator"])]
        assert row["status"] == want.status and row["toelichting status"] == want.reason
        assert want.reason in re.sub(r"\s+", " ", built.text)
        statuses.add(want.status)
    # The strict gate suppresses the local team's baseline: its status must be onbekend.
    lokaal = by_key[("jeugdhulp_lokaal_team", "jeugdhulp_via_gemeente_pct")]
    assert lokaal["status"] == "onbekend" and "onderdrukt" in lokaal["toelichting status"]
    assert len(statuses) >= 2


def test_the_goal_indicators_equal_the_generator_truth(built: Built) -> None:
    for ind in ("kinderen_in_bijstandsgezin_pct", "jeugdhulp_via_gemeente_pct"):
        cells = {k: v for k, v in built.truth.items() if k[0] == ind}
        assert cells
        published = 0
        for (_, code, period), value in cells.items():
            got = next(c for k, c in built.cube.items() if k[0] == ind and k[2] == code
                       and k[3] == period)  # fmt: skip
            if got["value"] is not None:
                assert math.isclose(got["value"], value, abs_tol=1e-6), (ind, code, period)
                published += 1
        assert published > 0


def test_charts_carry_their_alternative_text_in_the_pdf(built: Built) -> None:
    """WeasyPrint writes a tagged PDF (PDF/UA): each chart is a Figure with /Alt."""
    data = built.pdf.read_bytes()
    streams = [data]
    for m in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            streams.append(zlib.decompress(m.group(1)))
        except zlib.error:
            continue
    alts = b"".join(streams).count(b"/Alt (Lijngrafiek van ")
    assert alts == len(_goal_indicators(built))


def test_cli_says_what_it_wrote(built: Built) -> None:
    assert "Geschreven:" in built.cli.stdout and built.excel.is_file()
