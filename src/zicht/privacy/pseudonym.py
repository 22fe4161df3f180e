"""Keyed pseudonyms: HMAC-SHA256 of an identifier under the workspace key.

The same BSN gives the same pseudonym in one workspace (so sources join), and nothing
without the key (kept in ``secret.key``, outside the database) links it back. The array
variant hashes each distinct value once, in the engine's vectorised SQL (see
:mod:`zicht.store.compute`), and spreads the results with Arrow's dictionary encoding.
"""

from __future__ import annotations

import hmac

import pyarrow as pa
import pyarrow.compute as pc

from zicht.store.compute import hmac_sha256_hex

PSEUDONYM_LENGTH = 24  # hex characters: 96 bits, no collisions at national scale


def pseudonym(key: bytes, value: str, *, domain: str = "bsn") -> str:
    """Pseudonym of one identifier; ``domain`` separates BSNs from household numbers."""
    return hmac.digest(key, f"{domain}:{value}".encode(), "sha256").hex()[:PSEUDONYM_LENGTH]


def pseudonymise_array(
    key: bytes, values: pa.Array | pa.ChunkedArray, *, domain: str = "bsn"
) -> pa.Array:
    """Pseudonyms of an array of identifiers; nulls stay null."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    encoded = pc.dictionary_encode(pc.cast(values, pa.string()))
    hashed = hmac_sha256_hex(encoded.dictionary, key, prefix=f"{domain}:", length=PSEUDONYM_LENGTH)
    return pc.take(hashed, encoded.indices)
