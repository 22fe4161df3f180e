"""Keyed pseudonyms: HMAC-SHA256 of an identifier under the workspace key.

The same BSN gives the same pseudonym in one workspace (so sources join), and nothing
without the key (kept in ``secret.key``, outside the database) links it back. Computing
an HMAC per row in Python would be slow, so the array variant hashes each distinct value
once and spreads the results with Arrow's dictionary encoding.
"""

from __future__ import annotations

import hashlib
import hmac

import pyarrow as pa
import pyarrow.compute as pc

PSEUDONYM_LENGTH = 24  # hex characters: 96 bits, no collisions at national scale


def pseudonym(key: bytes, value: str, *, domain: str = "bsn") -> str:
    """Pseudonym of one identifier; ``domain`` separates BSNs from household numbers."""
    mac = hmac.new(key, f"{domain}:{value}".encode(), hashlib.sha256)
    return mac.hexdigest()[:PSEUDONYM_LENGTH]


def pseudonymise_array(
    key: bytes, values: pa.Array | pa.ChunkedArray, *, domain: str = "bsn"
) -> pa.Array:
    """Pseudonyms of an array of identifiers; nulls stay null."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    encoded = pc.dictionary_encode(pc.cast(values, pa.string()))
    uniques = encoded.dictionary.to_pylist()
    hashed = pa.array(
        [None if u is None else pseudonym(key, u, domain=domain) for u in uniques],
        type=pa.string(),
    )
    return pc.take(hashed, encoded.indices)
