"""Vectorised computations the engine does faster than Python, offered as plain
functions so that layers above need not know which engine runs them.

Today this is the keyed hash behind pseudonyms: HMAC-SHA256 spelled out in SQL
(``sha256(k ⊕ opad || sha256(k ⊕ ipad || m))``) runs in DuckDB's vectorised,
multi-threaded engine at about four times the speed of a Python loop over
``hmac.digest``, with identical output (tested against :mod:`hmac`).
"""

from __future__ import annotations

import threading

import duckdb
import pyarrow as pa

_BLOCK = 64  # SHA-256 block size in bytes
_local = threading.local()


def _connection() -> duckdb.DuckDBPyConnection:
    con: duckdb.DuckDBPyConnection | None = getattr(_local, "con", None)
    if con is None:
        con = duckdb.connect(":memory:")
        _local.con = con
    return con


def hmac_sha256_hex(values: pa.Array, key: bytes, *, prefix: str, length: int) -> pa.Array:
    """``hmac(key, prefix + value, sha256).hexdigest()[:length]`` for every value;
    nulls stay null."""
    if len(key) > _BLOCK:
        import hashlib

        key = hashlib.sha256(key).digest()
    padded = key.ljust(_BLOCK, b"\0")
    ipad = bytes(b ^ 0x36 for b in padded)
    opad = bytes(b ^ 0x5C for b in padded)
    con = _connection()
    con.register("__hmac_in", pa.table({"v": pa.array(values, pa.string())}))
    try:
        out = con.sql(
            "SELECT CASE WHEN v IS NULL THEN NULL ELSE left(sha256(?::BLOB || "
            "unhex(sha256(?::BLOB || encode(? || v)))), ?) END AS h FROM __hmac_in",
            params=[opad, ipad, prefix, length],
        ).to_arrow_table()
    finally:
        con.unregister("__hmac_in")
    return out["h"].combine_chunks()
