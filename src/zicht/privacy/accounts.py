"""Local accounts: users, roles, scopes and argon2 password hashes.

Example::

    accounts = Accounts(Path("werkruimte"))
    password = accounts.add("jan", Role.RAAD, gemeenten={"GM0363"})
    user = accounts.authenticate("jan", password)   # a User, or None
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from zicht.errors import AccessError
from zicht.privacy._access_db import access_store
from zicht.privacy.roles import Role, User, check_gemeenten, check_teams, check_username

MIN_PASSWORD_LENGTH = 10

# argon2id with the library's defaults (RFC 9106 "low memory": t=3, m=64 MiB, p=4).
_hasher = PasswordHasher()
# Verified against when the user does not exist, so a wrong name costs as much time as
# a wrong password and response times do not reveal which accounts exist.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


@dataclass(frozen=True)
class Account:
    """A stored account: the user plus what the session check needs."""

    user: User
    session_version: int
    created_at: datetime


def generate_password() -> str:
    """A random password of 16 URL-safe characters (96 bits)."""
    return secrets.token_urlsafe(12)


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccessError(f"wachtwoord te kort: minstens {MIN_PASSWORD_LENGTH} tekens")
    return password


def _split(text: str) -> frozenset[str]:
    return frozenset(p for p in text.split(",") if p)


def _join(items: frozenset[str]) -> str:
    return ",".join(sorted(items))


def _account(row: tuple[Any, ...]) -> Account:
    username, role, gemeenten, teams, version, created = row
    user = User(username, Role(role), _split(gemeenten), _split(teams))
    return Account(user, int(version), created)


_COLUMNS = "username, role, gemeenten, teams, session_version, created_at"


class Accounts:
    """The accounts of one workspace (``WORKSPACE/access.duckdb``)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def add(
        self,
        username: str,
        role: Role,
        *,
        password: str | None = None,
        gemeenten: frozenset[str] | set[str] | list[str] = frozenset(),
        teams: frozenset[str] | set[str] | list[str] = frozenset(),
    ) -> str:
        """Create an account; returns the password (generated when none is given)."""
        check_username(username)
        scope = check_gemeenten(list(gemeenten))
        team_set = check_teams(list(teams))
        if team_set and role is not Role.PROFESSIONAL:
            raise AccessError("een team of wijk kan alleen bij de rol professional")
        chosen = check_password(password) if password is not None else generate_password()
        digest = _hasher.hash(chosen)
        now = datetime.now(UTC)
        with access_store(self.root) as store:
            if store.scalar("SELECT count(*) FROM app_user WHERE username = ?", [username]):
                raise AccessError(f"gebruiker ‘{username}’ bestaat al")
            store.execute(
                "INSERT INTO app_user VALUES (?, ?, ?, ?, ?, 1, ?, ?)",
                [username, role.value, _join(scope), _join(team_set), digest, now, now],
            )
        return chosen

    def remove(self, username: str) -> None:
        with access_store(self.root) as store:
            if not store.scalar("SELECT count(*) FROM app_user WHERE username = ?", [username]):
                raise AccessError(f"gebruiker ‘{username}’ bestaat niet")
            store.execute("DELETE FROM app_user WHERE username = ?", [username])

    def set_password(self, username: str, password: str | None = None) -> str:
        """A new password; every open session of the user ends."""
        chosen = check_password(password) if password is not None else generate_password()
        digest = _hasher.hash(chosen)
        with access_store(self.root) as store:
            if not store.scalar("SELECT count(*) FROM app_user WHERE username = ?", [username]):
                raise AccessError(f"gebruiker ‘{username}’ bestaat niet")
            store.execute(
                "UPDATE app_user SET password_hash = ?, session_version = session_version + 1,"
                " updated_at = ? WHERE username = ?",
                [digest, datetime.now(UTC), username],
            )
        return chosen

    def update(
        self,
        username: str,
        role: Role,
        *,
        gemeenten: frozenset[str] | set[str] | list[str] = frozenset(),
        teams: frozenset[str] | set[str] | list[str] = frozenset(),
    ) -> None:
        """A new role and scope; open sessions get them at their next request."""
        scope = check_gemeenten(list(gemeenten))
        team_set = check_teams(list(teams))
        if team_set and role is not Role.PROFESSIONAL:
            raise AccessError("een team of wijk kan alleen bij de rol professional")
        with access_store(self.root) as store:
            if not store.scalar("SELECT count(*) FROM app_user WHERE username = ?", [username]):
                raise AccessError(f"gebruiker ‘{username}’ bestaat niet")
            store.execute(
                "UPDATE app_user SET role = ?, gemeenten = ?, teams = ?, updated_at = ?"
                " WHERE username = ?",
                [role.value, _join(scope), _join(team_set), datetime.now(UTC), username],
            )

    def get(self, username: str) -> Account | None:
        with access_store(self.root) as store:
            row = store.fetchone(f"SELECT {_COLUMNS} FROM app_user WHERE username = ?", [username])
        return None if row is None else _account(row)

    def list_accounts(self) -> list[Account]:
        with access_store(self.root) as store:
            rows = store.fetchall(f"SELECT {_COLUMNS} FROM app_user ORDER BY username")
        return [_account(r) for r in rows]

    def count(self) -> int:
        with access_store(self.root) as store:
            return int(store.scalar("SELECT count(*) FROM app_user"))

    def authenticate(self, username: str, password: str) -> Account | None:
        """The account when the password is right; None otherwise (same cost either way)."""
        with access_store(self.root) as store:
            row = store.fetchone(
                f"SELECT {_COLUMNS}, password_hash FROM app_user WHERE username = ?", [username]
            )
        if row is None:
            try:
                _hasher.verify(_DUMMY_HASH, password)
            except VerificationError:
                pass
            return None
        digest = str(row[-1])
        try:
            _hasher.verify(digest, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return None
        if _hasher.check_needs_rehash(digest):
            with access_store(self.root) as store:
                store.execute(
                    "UPDATE app_user SET password_hash = ? WHERE username = ?",
                    [_hasher.hash(password), username],
                )
        return _account(row[:-1])


def create_demo_users(root: Path, wijk_code: str = "") -> dict[str, tuple[Role, str]]:
    """One user per role, named after the role, with a generated password each.

    The professional is scoped to ``wijk_code`` when given. Returns username → (role,
    password). Used by ``zicht demo``; never by a real workspace.
    """
    accounts = Accounts(root)
    made: dict[str, tuple[Role, str]] = {}
    for role in Role:
        teams = [wijk_code] if role is Role.PROFESSIONAL and wijk_code else []
        made[role.value] = (role, accounts.add(role.value, role, teams=teams))
    return made
