from __future__ import annotations

import hashlib
import hmac

import pyarrow as pa

from zicht.privacy.pseudonym import pseudonym, pseudonymise_array


def _reference(key: bytes, domain: str, value: str) -> str:
    return hmac.new(key, f"{domain}:{value}".encode(), hashlib.sha256).hexdigest()[:24]


def test_vectorised_equals_the_standard_library_hmac() -> None:
    values = ["123456782", "999900006", None, "123456782", "é-ß", ""]
    for key in (b"k" * 32, bytes(range(64)), b"x" * 100, b"short"):
        got = pseudonymise_array(key, pa.array(values), domain="bsn").to_pylist()
        want = [None if v is None else _reference(key, "bsn", v) for v in values]
        assert got == want
        assert [pseudonym(key, v) for v in values if v is not None] == [
            w for w in want if w is not None
        ]


def test_domains_and_keys_separate_pseudonyms() -> None:
    key = b"k" * 32
    assert pseudonym(key, "1", domain="bsn") != pseudonym(key, "1", domain="household")
    assert pseudonym(key, "123456782") != pseudonym(b"j" * 32, "123456782")
