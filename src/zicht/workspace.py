"""A workspace: one folder with settings, an embedded database, a secret key and the
published layer.

Layout::

    DIR/zicht.toml          settings (see zicht.config)
    DIR/zicht.duckdb        canonical tables, quarantine, load log
    DIR/secret.key          HMAC key for pseudonyms, mode 0600, never inside the database
    DIR/published/CURRENT   name of the snapshot the dashboard reads (swapped atomically)
    DIR/published/<id>/     one published snapshot (Parquet files and meta.json)
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from zicht.config import Settings
from zicht.errors import WorkspaceError
from zicht.store import Store, open_store

TOML_NAME = "zicht.toml"
DB_NAME = "zicht.duckdb"
KEY_NAME = "secret.key"
PUBLISHED_DIR = "published"

_TOML_TEMPLATE = """\
# zicht workspace settings. Every setting and its default: `docs/configuration.md`.
# An environment variable ZICHT_<NAME> overrides a value here.
[zicht]
gemeente_code = "{gemeente_code}"
gemeente_naam = "{gemeente_naam}"
boundary_year = {boundary_year}
min_cell_count = 10
"""


@dataclass(frozen=True)
class Workspace:
    root: Path
    settings: Settings

    @property
    def db_path(self) -> Path:
        return self.root / DB_NAME

    @property
    def key_path(self) -> Path:
        return self.root / KEY_NAME

    @property
    def published_dir(self) -> Path:
        return self.root / PUBLISHED_DIR

    @classmethod
    def init(
        cls,
        root: Path,
        *,
        gemeente_code: str = "",
        gemeente_naam: str = "",
        boundary_year: int = 0,
    ) -> Workspace:
        """Create a workspace; refuse to overwrite one that exists."""
        root = Path(root)
        if (root / TOML_NAME).exists():
            raise WorkspaceError(f"{root}: er staat hier al een zicht-werkruimte")
        if root.exists() and not root.is_dir():
            raise WorkspaceError(f"{root}: bestaat al en is geen map")
        root.mkdir(parents=True, exist_ok=True)
        (root / TOML_NAME).write_text(
            _TOML_TEMPLATE.format(
                gemeente_code=gemeente_code,
                gemeente_naam=gemeente_naam,
                boundary_year=boundary_year,
            ),
            encoding="utf-8",
        )
        key_path = root / KEY_NAME
        fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32) + "\n")
        os.chmod(key_path, 0o600)  # umask cannot widen it, but be explicit
        (root / PUBLISHED_DIR).mkdir(exist_ok=True)
        ws = cls(root, Settings.load(root / TOML_NAME))
        with ws.store() as store:
            from zicht.model.schema import create_schema

            create_schema(store)
        return ws

    @classmethod
    def open(cls, root: Path) -> Workspace:
        root = Path(root)
        if not (root / TOML_NAME).is_file():
            raise WorkspaceError(
                f"{root}: geen zicht-werkruimte (maak er een met `zicht init {root}`)"
            )
        if not (root / KEY_NAME).is_file():
            raise WorkspaceError(f"{root}: de sleutel {KEY_NAME} ontbreekt")
        return cls(root, Settings.load(root / TOML_NAME))

    def key(self) -> bytes:
        """The pseudonymisation key (32 random bytes)."""
        text = self.key_path.read_text(encoding="ascii").strip()
        try:
            key = bytes.fromhex(text)
        except ValueError:
            raise WorkspaceError(f"{self.key_path}: ongeldige sleutel") from None
        if len(key) < 16:
            raise WorkspaceError(f"{self.key_path}: sleutel te kort")
        return key

    def store(self, *, read_only: bool = False) -> Store:
        return open_store(self.db_path, read_only=read_only)

    def set_setting(self, name: str, value: str | int) -> None:
        """Write one setting into zicht.toml (used by ingest of the BRP and geography)."""
        path = self.root / TOML_NAME
        lines = path.read_text(encoding="utf-8").splitlines()
        rendered = f'{name} = "{value}"' if isinstance(value, str) else f"{name} = {value}"
        for i, line in enumerate(lines):
            if line.split("=")[0].strip() == name:
                lines[i] = rendered
                break
        else:
            lines.append(rendered)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        object.__setattr__(self, "settings", Settings.load(path))
