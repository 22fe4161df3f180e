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
    """The links ``user`` sees; a professional also gets their own wijken and buurten."""
    if user is None:
        return []
    links = [link for link in LINKS if user.role in link.roles]
    own = sorted(t for t in user.teams if t.startswith(("WK", "BU")))
    links[1:1] = [Link(f"/gebied/{code}", f"Mijn gebied {code}", frozenset()) for code in own]
    return links


add_link("/", "Overzicht")
add_link("/gebieden", "Wijken en buurten")
add_link("/vergelijk", "Vergelijken")
add_link("/keten", "Keten en stapeling", Role.BELEID, Role.ANALIST)
add_link("/verhalen", "Verhalen", Role.BELEID, Role.ANALIST)
add_link("/datakwaliteit", "Datakwaliteit", Role.ANALIST)
add_link("/audit", "Auditlog", Role.FG)
add_link("/beheer/gebruikers", "Gebruikers", Role.BEHEER)
