"""The main menu: each link with the roles that see it (the route checks again).

Another module adds its page with ``add_link("/keten", "Keten", Role.BELEID, ...)``.
"""

from __future__ import annotations

from dataclasses import dataclass

from zicht.privacy.roles import Role, User


@dataclass(frozen=True)
class Link:
    path: str
    label: str
    roles: frozenset[Role]


LINKS: list[Link] = []


def add_link(path: str, label: str, *roles: Role) -> None:
    """Add a menu link for ``roles`` (none: every logged-in role); idempotent."""
    link = Link(path, label, frozenset(roles) if roles else frozenset(Role))
    if link not in LINKS:
        LINKS.append(link)


def nav_for(user: User | None) -> list[Link]:
    if user is None:
        return []
    return [link for link in LINKS if user.role in link.roles]


add_link("/", "Overzicht")
add_link("/gebieden", "Wijken en buurten")
add_link("/vergelijk", "Vergelijken")
add_link("/datakwaliteit", "Datakwaliteit", Role.ANALIST)
add_link("/audit", "Auditlog", Role.FG)
add_link("/beheer/gebruikers", "Gebruikers", Role.BEHEER)
