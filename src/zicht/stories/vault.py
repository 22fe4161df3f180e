"""Encrypted keeping of original story texts, only for forms that allow follow-up.

The key is a Fernet key (AES-128-CBC + HMAC-SHA256) in ``DIR/stories.key`` (mode 0600),
made on first use and never stored in the database, so a copy of the database alone
does not reveal an original text.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from zicht.errors import WorkspaceError

KEY_NAME = "stories.key"


def _key(ws_root: Path) -> bytes:
    path = Path(ws_root) / KEY_NAME
    if not path.exists():
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # made by a concurrent request a moment ago
            return path.read_bytes().strip()
        with os.fdopen(fd, "wb") as fh:
            fh.write(Fernet.generate_key())
    return path.read_bytes().strip()


def encrypt(ws_root: Path, text: str) -> str:
    """A Fernet token holding ``text``."""
    return Fernet(_key(ws_root)).encrypt(text.encode("utf-8")).decode("ascii")


def decrypt(ws_root: Path, token: str) -> str:
    try:
        return Fernet(_key(ws_root)).decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, ValueError):
        raise WorkspaceError(f"{KEY_NAME}: deze sleutel past niet bij het verhaal") from None
