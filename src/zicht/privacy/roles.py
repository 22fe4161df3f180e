"""The roles of DESIGN.md and the user a session belongs to.

This module is pure: no web framework, no database. ``zicht.web.access`` enforces the
roles on routes; ``zicht.privacy.accounts`` stores users.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from zicht.errors import AccessError


class Role(StrEnum):
    """Who may see what (DESIGN.md, "Roles")."""

    RAAD = "raad"  # council: published, disclosure-controlled aggregates and reports
    BELEID = "beleid"  # policy / team lead: + chain and story patterns for their area
    ANALIST = "analist"  # data adviser: + pseudonymised microdata, quarantine, mappings
    PROFESSIONAL = "professional"  # own team's figures and stories given access to
    FG = "fg"  # privacy officer: settings, audit log, what is stored; no microdata
    BEHEER = "beheer"  # administrator: users, roles, sources


ROLE_TEXT: dict[Role, str] = {
    Role.RAAD: "Raadslid",
    Role.BELEID: "Beleidsmedewerker",
    Role.ANALIST: "Analist",
    Role.PROFESSIONAL: "Professional",
    Role.FG: "Functionaris gegevensbescherming",
    Role.BEHEER: "Beheerder",
}

# Roles that may see pseudonymised microdata (quarantine rows, example records).
MICRODATA_ROLES = frozenset({Role.ANALIST})

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
GEMEENTE_RE = re.compile(r"^GM\d{4}$")
TEAM_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$")


def parse_role(text: str) -> Role:
    """A role from its name; a one-line Dutch error naming the valid ones otherwise."""
    try:
        return Role(text.strip().lower())
    except ValueError:
        valid = ", ".join(r.value for r in Role)
        raise AccessError(f"onbekende rol ‘{text}’; kies uit {valid}") from None


def check_username(name: str) -> str:
    if not USERNAME_RE.match(name):
        raise AccessError(
            f"ongeldige gebruikersnaam ‘{name}’: 2 tot 64 tekens, kleine letters, cijfers, . _ -"
        )
    return name


def check_gemeenten(codes: list[str] | tuple[str, ...] | frozenset[str]) -> frozenset[str]:
    out = set()
    for code in codes:
        code = code.strip().upper()
        if not code:
            continue
        if not GEMEENTE_RE.match(code):
            raise AccessError(f"ongeldige gemeentecode ‘{code}’ (verwacht GM en 4 cijfers)")
        out.add(code)
    return frozenset(out)


def check_teams(names: list[str] | tuple[str, ...] | frozenset[str]) -> frozenset[str]:
    out = set()
    for name in names:
        name = name.strip()
        if not name:
            continue
        if not TEAM_RE.match(name):
            raise AccessError(f"ongeldige team- of wijknaam ‘{name}’")
        out.add(name)
    return frozenset(out)


@dataclass(frozen=True)
class User:
    """A logged-in user.

    ``gemeenten`` holds the GM codes the user is scoped to; empty means every gemeente
    of the workspace. ``teams`` holds the teams or wijk codes (``WK`` + 6 digits) of a
    professional; empty for the other roles.
    """

    username: str
    role: Role
    gemeenten: frozenset[str] = field(default_factory=frozenset)
    teams: frozenset[str] = field(default_factory=frozenset)

    @property
    def role_text(self) -> str:
        return ROLE_TEXT[self.role]

    def in_scope(self, gemeente_code: str) -> bool:
        """Whether the user's scope covers this gemeente (outside it: aggregates only)."""
        return not self.gemeenten or gemeente_code in self.gemeenten

    def may_see_microdata(self, gemeente_code: str) -> bool:
        """Pseudonymised rows: only an analist, and only within their own scope."""
        return self.role in MICRODATA_ROLES and self.in_scope(gemeente_code)

    def scope_text(self) -> str:
        where = ", ".join(sorted(self.gemeenten)) if self.gemeenten else "alle gemeenten"
        if self.teams:
            where += "; team/wijk " + ", ".join(sorted(self.teams))
        return where
