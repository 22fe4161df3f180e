"""Story forms: the shipped YAML validates, and a broken form names file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from zicht.errors import MappingError
from zicht.model.stories import Choice, Dyad, Stones, Triad
from zicht.stories.answers import parse_answer, parse_context
from zicht.stories.forms import DEFAULT_FORMS_DIR, load_form, load_forms


def test_shipped_forms_cover_every_signifier_type() -> None:
    forms = load_forms()
    assert set(forms) == {"bewoner", "professional"}
    bewoner = forms["bewoner"]
    kinds = {type(s) for s in bewoner.signifiers}
    assert kinds == {Triad, Dyad, Stones, Choice}
    assert [c.field for c in bewoner.context] == ["role", "law", "wijk", "age_group"]
    assert forms["professional"].follow_up_allowed and not bewoner.follow_up_allowed
    soort = forms["professional"].signifier("soort")
    assert isinstance(soort, Choice) and {o.id for o in soort.options} == {"knelpunt", "doorbraak"}


def _broken(tmp_path: Path, old: str, new: str) -> Path:
    text = (DEFAULT_FORMS_DIR / "bewoner.yaml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "bewoner.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def _line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if needle in line)


def test_error_names_file_line_and_nested_field(tmp_path: Path) -> None:
    old = "labels: [de regels, de mensen, mijn eigen situatie]"
    path = _broken(tmp_path, old, "labels: [x, y]")
    with pytest.raises(MappingError) as exc:
        load_form(path)
    line = _line_of(path, "labels: [x, y]")
    assert str(exc.value).startswith(f"{path}:{line}: veld signifiers[0].labels")


def test_error_on_unknown_type_and_duplicate_id(tmp_path: Path) -> None:
    path = _broken(tmp_path, "type: dyad", "type: slider")
    with pytest.raises(MappingError, match=r"veld signifiers\[1\]"):
        load_form(path)
    path = _broken(tmp_path, "id: regie", "id: gehoord")
    with pytest.raises(MappingError, match=r"veld signifiers: id 'gehoord' komt twee keer voor"):
        load_form(path)


def test_error_on_id_not_matching_file_name(tmp_path: Path) -> None:
    path = _broken(tmp_path, "id: bewoner", "id: iets_anders")
    with pytest.raises(MappingError, match=r":3: veld id: 'iets_anders' moet gelijk"):
        load_form(path)


def test_answers_parse_and_refuse() -> None:
    form = load_forms()["bewoner"]
    triad = parse_answer(form.signifier("wat_bepaalde"), "2/1/1")
    assert triad is not None and triad.values == pytest.approx((0.5, 0.25, 0.25))
    assert parse_answer(form.signifier("gehoord"), "nvt") is not None
    assert parse_answer(form.signifier("gehoord"), "") is None
    stones = parse_answer(form.signifier("belangrijk"), "geld:0.2/0.9|wonen:1/0")
    assert stones is not None and stones.points == {"geld": (0.2, 0.9), "wonen": (1.0, 0.0)}
    multi = parse_answer(form.signifier("thema"), "geld|zorg")
    assert multi is not None and multi.options == ("geld", "zorg")
    for sid, bad in [
        ("wat_bepaalde", "1/1"),
        ("wat_bepaalde", "0/0/0"),
        ("gehoord", "1.5"),
        ("gehoord", "nan"),
        ("belangrijk", "auto:0.1/0.1"),
        ("wachttijd", "kort|lang"),
        ("wachttijd", "eeuwig"),
    ]:
        with pytest.raises(ValueError, match=sid):
            parse_answer(form.signifier(sid), bad)
    pro = load_forms()["professional"]
    with pytest.raises(ValueError, match="niet van toepassing"):
        parse_answer(pro.signifier("soort"), "nvt")
    ctx = parse_context(form, {"law": "wmo", "wijk": "WK01", "age_group": "nvt"}, {"WK01"})
    assert ctx == {"role": None, "law": "wmo", "wijk": "WK01", "age_group": "nvt"}
    with pytest.raises(ValueError, match="wijk"):
        parse_context(form, {"wijk": "WK02"}, {"WK01"})
