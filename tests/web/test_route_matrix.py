"""Every route × every role (and no login), against the roles table of DESIGN.md.

The routes are enumerated from the app, so a route added without an access rule fails
here (and is refused at runtime, see zicht.web.access.enforce). For the routes this
table knows, the declared rule must equal the table; every route, known or not, is
requested by every role and must answer as its rule says.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from zicht.privacy.roles import Role
from zicht.web.access import PUBLIC, iter_routes, rule_of
from zicht.web.app import create_app

from .accounts import csrf_of, login_as
from .snapshot_data import TestClient, write_snapshot

ALL = frozenset(Role)
# The independent truth: DESIGN.md's roles table applied to the routes of this module.
# Published, disclosure-controlled aggregates: every logged-in role. Microdata
# (quarantine rows): analist. Audit log: fg. Users and roles: beheer.
EXPECTED: dict[tuple[str, str], frozenset[Role] | str] = {
    ("GET", "/inloggen"): PUBLIC,
    ("POST", "/inloggen"): PUBLIC,
    ("GET", "/api/health"): PUBLIC,
    ("GET", "/vendor/plotly.min.js"): PUBLIC,
    ("GET", "/vendor/topojson/{name}.json"): PUBLIC,
    ("POST", "/uitloggen"): ALL,
    ("GET", "/"): ALL,
    ("GET", "/indicator/{indicator_id}"): ALL,
    ("GET", "/api/indicators"): ALL,
    ("GET", "/api/indicator/{indicator_id}"): ALL,
    ("GET", "/api/indicator/{indicator_id}.csv"): ALL,
    ("GET", "/api/openapi.json"): ALL,
    ("GET", "/gebieden"): ALL,
    ("GET", "/gebied/{code}"): ALL,
    ("GET", "/vergelijk"): ALL,
    ("GET", "/vergelijkbare-gemeenten"): ALL,
    ("GET", "/datakwaliteit"): frozenset({Role.ANALIST}),
    ("GET", "/audit"): frozenset({Role.FG}),
    ("GET", "/beheer/gebruikers"): frozenset({Role.BEHEER}),
    ("POST", "/beheer/gebruikers"): frozenset({Role.BEHEER}),
    ("POST", "/beheer/gebruikers/{username}/wachtwoord"): frozenset({Role.BEHEER}),
    ("POST", "/beheer/gebruikers/{username}/verwijderen"): frozenset({Role.BEHEER}),
    ("POST", "/beheer/gebruikers/{username}/rol"): frozenset({Role.BEHEER}),
    # Goals and their reports: raad, and beleid and analist who see what raad sees; a
    # duiding is written by a data adviser (analist).
    ("GET", "/doelen"): frozenset({Role.RAAD, Role.BELEID, Role.ANALIST}),
    ("GET", "/doelen/{goal_id}"): frozenset({Role.RAAD, Role.BELEID, Role.ANALIST}),
    ("POST", "/doelen/{goal_id}/duiding"): frozenset({Role.ANALIST}),
    # The vertelpunt is public (residents tell without an account); story patterns and
    # the client chain are for beleid and analist.
    ("GET", "/vertel"): PUBLIC,
    ("GET", "/vertel/{form_id}"): PUBLIC,
    ("POST", "/vertel/{form_id}"): PUBLIC,
    ("GET", "/verhalen"): frozenset({Role.BELEID, Role.ANALIST}),
    ("GET", "/verhalen/{form_id}"): frozenset({Role.BELEID, Role.ANALIST}),
    ("GET", "/verhalen/{form_id}/warm-koud"): frozenset({Role.BELEID, Role.ANALIST}),
    ("GET", "/verhalen/{form_id}/export"): frozenset({Role.BELEID, Role.ANALIST}),
    ("POST", "/verhalen/{form_id}/opmerkelijk"): frozenset({Role.BELEID, Role.ANALIST}),
    ("GET", "/keten"): frozenset({Role.BELEID, Role.ANALIST}),
    ("GET", "/keten/stapeling"): frozenset({Role.BELEID, Role.ANALIST}),
    ("GET", "/keten/signalen"): frozenset({Role.BELEID, Role.ANALIST}),
    ("GET", "/keten/lokaal-team"): frozenset({Role.BELEID, Role.ANALIST}),
}
# Values for path parameters that exist in the test snapshot; others get "x" (a route
# that admits the role then answers 404, one that does not still answers 403).
EXAMPLES = {
    "indicator_id": "jeugdhulp_pct",
    "name": "world_110m",
    "username": "niemand",
    "code": "WK990101",
    "goal_id": "kinderarmoede",  # a shipped goal
    "form_id": "bewoner",  # a shipped story form
}
ROLES: list[Role | None] = [None, *Role]


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Any:
    ws = tmp_path_factory.mktemp("matrix")
    write_snapshot(ws)
    return create_app(ws)


@pytest.fixture(scope="module")
def clients(app: Any) -> dict[Role | None, TestClient]:
    out: dict[Role | None, TestClient] = {None: TestClient(app)}
    for role in Role:
        out[role] = TestClient(app)
        login_as(out[role], role)
    return out


def _endpoints(app: Any) -> Iterator[tuple[str, str, Any]]:
    for route in iter_routes(app):
        for method in sorted(getattr(route, "methods", None) or ()):
            if method == "HEAD":
                continue
            yield method, route.path_format, route


def _url(path_format: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: EXAMPLES.get(m.group(1), "x"), path_format)


def test_every_route_states_a_rule_and_known_ones_match_design(app: Any) -> None:
    seen = set()
    for method, path, route in _endpoints(app):
        rule = rule_of(route)
        assert rule is not None, f"{method} {path} has no access rule (require or public)"
        if (method, path) in EXPECTED:
            assert rule == EXPECTED[(method, path)], (method, path, rule)
        seen.add((method, path))
    assert set(EXPECTED) <= seen, set(EXPECTED) - seen


def test_a_route_without_a_rule_is_refused(tmp_path: Path) -> None:
    from fastapi import APIRouter

    write_snapshot(tmp_path)
    app = create_app(tmp_path)
    loose = APIRouter()

    @loose.get("/vergeten")
    def forgotten() -> dict[str, str]:
        return {"geheim": "ja"}

    app.include_router(loose)
    c = TestClient(app)
    login_as(c, Role.BEHEER)
    r = c.get("/vergeten")
    assert r.status_code == 403 and "geheim" not in r.text
    assert rule_of(next(r for r in iter_routes(app) if r.path_format == "/vergeten")) is None


def _ordered(app: Any) -> list[tuple[str, str, Any]]:
    # Logging out ends the session the other requests need: do it last.
    return sorted(_endpoints(app), key=lambda e: e[1] == "/uitloggen")


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value if r else "anoniem")
def test_route_role_matrix(
    app: Any, clients: dict[Role | None, TestClient], role: Role | None
) -> None:
    c = clients[role]
    problems = []
    for method, path, route in _ordered(app):
        rule = rule_of(route)
        url = _url(path)
        if method == "GET":
            r = c.get(url, follow_redirects=False)
        else:
            token = csrf_of(c.get("/inloggen?next=/").text)
            r = c.request(method, url, data={"csrf_token": token}, follow_redirects=False)
        to_login = r.status_code == 303 and r.headers["location"].startswith("/inloggen?next=")
        if rule == PUBLIC:
            ok = r.status_code < 500 and r.status_code != 403 and not to_login
            if method == "GET":  # the login form sends a logged-in user on to "/"
                ok = ok and r.status_code in (200, 303)
        elif role is None:
            ok = r.status_code == 401 if path.startswith("/api/") else to_login
        elif role in rule:  # type: ignore[operator]
            ok = r.status_code not in (401, 403) and not to_login and r.status_code < 500
        else:
            ok = r.status_code == 403
        if not ok:
            problems.append(f"{method} {url}: {r.status_code} for {role}")
    assert problems == []
