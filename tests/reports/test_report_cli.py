"""`zicht report`: one goal as HTML, and bad input as one line without a traceback."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from zicht.cli import main

from .conftest import Demo

pytestmark = pytest.mark.slow


def test_one_goal_as_html(demo: Demo, tmp_path: Path) -> None:
    out = tmp_path / "armoede.html"
    result = CliRunner().invoke(
        main, ["report", "--workspace", str(demo.ws), "--goal", "kinderarmoede", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert 'lang="nl"' in html and "Doel: Minder kinderen die opgroeien in armoede" in html
    assert "Sneller een besluit" not in html  # only the goal asked for
    assert '<img src="data:image/svg+xml;base64,' in html and 'alt="Lijngrafiek van' in html
    assert out.with_suffix(".xlsx").is_file()


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--goal", "bestaat_niet", "-o", "x.pdf"], 1, "onbekend doel 'bestaat_niet'"),
        (["--all", "-o", "x.docx"], 1, "kies een bestandsnaam op .html of .pdf"),
        (["-o", "x.pdf"], 2, "kies --goal ID of --all"),
        (["--all", "--goal", "kinderarmoede", "-o", "x.pdf"], 2, "kies --goal ID of --all"),
    ],
)
def test_bad_input_is_one_line(
    demo: Demo, tmp_path: Path, args: list[str], code: int, message: str
) -> None:
    args = [a if not a.startswith("x.") else str(tmp_path / a) for a in args]
    result = CliRunner().invoke(main, ["report", "--workspace", str(demo.ws), *args])
    assert result.exit_code == code
    assert message in result.output
    assert "Traceback" not in result.output


def test_nothing_published_is_one_line(tmp_path: Path) -> None:
    from zicht.workspace import Workspace

    ws = Workspace.init(tmp_path / "leeg")
    result = CliRunner().invoke(
        main, ["report", "--workspace", str(ws.root), "--all", "-o", str(tmp_path / "r.pdf")]
    )
    assert result.exit_code == 1 and "er is nog niets gepubliceerd" in result.output


def test_the_report_needs_only_the_published_layer(demo: Demo, tmp_path: Path) -> None:
    """A folder with nothing but published/ (no database, no key) gives the same report:
    the canonical tables are never read."""
    import shutil

    from zicht.reports.council import write_report

    bare = tmp_path / "alleen-gepubliceerd"
    shutil.copytree(demo.ws / "published", bare / "published")
    a = write_report(bare, tmp_path / "a.html")
    b = write_report(demo.ws, tmp_path / "b.html")
    assert not (bare / "zicht.duckdb").exists()
    text_a, text_b = (p.read_text(encoding="utf-8") for p in (a.path, b.path))
    # The one exception: the story patterns come from the stored (scrubbed) stories, so
    # without a database the story block says in one line that there are none.
    stories = re.compile(r'<div class="stories">.*?\n  </div>\n', re.S)
    assert "Er zijn nog geen verhalen opgehaald" in stories.search(text_a).group(0)  # type: ignore[union-attr]
    assert "Wat inwoners vertellen" in stories.search(text_b).group(0)  # type: ignore[union-attr]
    assert stories.sub("", text_a) == stories.sub("", text_b)
    assert a.indicators == b.indicators == 4
