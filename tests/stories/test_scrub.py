"""Scrubbing: recall and precision on the labelled Dutch set, and the own rules alone.

Thresholds (stated in docs/stories.md):
* BSN and IBAN: recall 1.0. Both are direct identifiers with a check digit, so a rule
  can find every one; one leaked BSN is a data breach.
* every own-rule kind (BSN, IBAN, phone, e-mail, postcode, licence plate): recall ≥ 0.95.
* all personal data together: recall ≥ 0.95 (the issue's bar).
* precision ≥ 0.90: a false alarm costs a word of the story, not privacy, so precision
  may be lower than recall; below 0.9 the stories lose too much meaning.
A label counts as found when every non-space character of it lies inside a finding; a
finding counts as right when it overlaps a label.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from zicht.privacy.scrub import Scrubber, bsn_valid, iban_valid, own_rules
from zicht.stories.vault import decrypt, encrypt

from .labelled import load_labelled

OWN_KINDS = ("bsn", "iban", "telefoon", "email", "postcode", "kenteken")


def _measure(scrubber: Scrubber) -> tuple[Counter[str], Counter[str], int, int]:
    total: Counter[str] = Counter()
    found: Counter[str] = Counter()
    predicted = right = 0
    for item in load_labelled():
        result = scrubber.scrub(item.text)
        for start, end, kind in item.labels:
            total[kind] += 1
            covered = all(
                any(s.start <= i < s.end for s in result.spans)
                for i in range(start, end)
                if not item.text[i].isspace()
            )
            found[kind] += covered
            if covered:
                assert item.text[start:end] not in result.text
        for s in result.spans:
            predicted += 1
            right += any(s.start < e and b < s.end for b, e, _ in item.labels)
    return total, found, predicted, right


def test_labelled_set_is_large_and_varied() -> None:
    items = load_labelled()
    kinds = Counter(k for item in items for _, _, k in item.labels)
    assert len(items) >= 60
    assert set(kinds) >= set(OWN_KINDS) | {"naam", "adres", "datum"}
    assert sum(1 for item in items if not item.labels) >= 15  # stories without PII


def test_recall_and_precision(scrubber: Scrubber) -> None:
    total, found, predicted, right = _measure(scrubber)
    assert found["bsn"] == total["bsn"] and found["iban"] == total["iban"]
    for kind in OWN_KINDS:
        assert found[kind] / total[kind] >= 0.95, kind
    assert sum(found.values()) / sum(total.values()) >= 0.95
    assert right / predicted >= 0.90


def test_scrubbed_text_keeps_the_story(scrubber: Scrubber) -> None:
    text = "Mijn BSN is 999 993 628, bel 06-98765432; de Wmo-consulent hielp na 3 maanden."
    out = scrubber.scrub(text).text
    assert out == "Mijn BSN is [BSN], bel [TELEFOON]; de Wmo-consulent hielp na 3 maanden."


def test_own_rules_check_digits() -> None:
    assert bsn_valid("999991115") and not bsn_valid("999991116")
    assert iban_valid("NL18 ABNA 9458 0730 21") and not iban_valid("NL18ABNA9458073022")
    kinds = [s.kind for s in own_rules("nummer 123456789 en 999.99.1115 en 12-03-24")]
    assert kinds == ["bsn"]  # 123456789 fails the 11-proef, a date is no licence plate
    said = own_rules("BSN: 123456789")  # said to be a BSN: scrubbed even if the check fails
    assert [s.kind for s in said] == ["bsn"]
    plates = own_rules("kenteken XT-432-B, 4-KTL-12 en GH-12-KL; score 12-10-5")
    assert [s.kind for s in plates] == ["kenteken"] * 3


def test_vault_roundtrip_and_key_file(tmp_path: Path) -> None:
    token = encrypt(tmp_path, "Jan de Vries, 06-12345678")
    assert "Jan" not in token
    assert decrypt(tmp_path, token) == "Jan de Vries, 06-12345678"
    assert (tmp_path / "stories.key").stat().st_mode & 0o777 == 0o600
    (tmp_path / "stories.key").unlink()
    with pytest.raises(Exception, match="sleutel past niet"):
        decrypt(tmp_path, token)
