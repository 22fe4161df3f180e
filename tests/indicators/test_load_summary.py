"""meta.json sums a folder of many loaded files into one entry (the demo's 64,648 message
files made it 9 MB), and its readers give the same totals either way."""

from __future__ import annotations

from zicht.goals.progress import data_quality
from zicht.indicators.refresh import FOLDER_SUMMED_FROM, _load_summary
from zicht.reports.council import _load_groups


def _rows() -> list[tuple[str, int, int, int]]:
    rows = [("/x/brp/bevolking.csv", 100, 95, 5)]
    rows += [(f"/x/berichten/ijw/m{i}.xml", 2, 2 - (i % 7 == 0), i % 7 == 0)
             for i in range(FOLDER_SUMMED_FROM + 5)]  # fmt: skip
    rows += [("/x/zaaksysteem/jeugd.csv", 40, 38, 2), ("/x/zaaksysteem/wmo.csv", 30, 30, 0)]
    return rows


def test_a_folder_of_many_files_is_one_entry_with_the_sums() -> None:
    n = FOLDER_SUMMED_FROM + 5
    bad = len(range(0, n, 7))
    assert _load_summary(_rows()) == [
        {"file": "/x/brp/bevolking.csv", "rows_in": 100, "accepted": 95, "quarantined": 5},
        {
            "file": "/x/berichten/ijw",
            "files": n,
            "rows_in": 2 * n,
            "accepted": 2 * n - bad,
            "quarantined": bad,
        },  # fmt: skip
        {"file": "/x/zaaksysteem/jeugd.csv", "rows_in": 40, "accepted": 38, "quarantined": 2},
        {"file": "/x/zaaksysteem/wmo.csv", "rows_in": 30, "accepted": 30, "quarantined": 0},
    ]


def test_readers_give_the_same_totals_per_file_or_per_folder() -> None:
    per_file = [{"file": f, "rows_in": a, "accepted": b, "quarantined": c}
                for f, a, b, c in _rows()]  # fmt: skip
    summed = _load_summary(_rows())
    assert data_quality({"loads": summed}) == data_quality({"loads": per_file})
    assert _load_groups(summed) == _load_groups(per_file)
    assert {g["name"]: g["files"] for g in _load_groups(summed)} == {
        "brp": 1, "ijw": FOLDER_SUMMED_FROM + 5, "zaaksysteem": 2,
    }  # fmt: skip
