"""Logging in and out, sessions, CSRF, rate limiting and the audit log, in-process."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

from zicht.privacy import audit as audit_log
from zicht.privacy.accounts import Accounts
from zicht.privacy.roles import Role
from zicht.web.access import SESSION_COOKIE

from .accounts import add_user, csrf_of, login_as, password_for
from .snapshot_data import TestClient


def _post_login(c: TestClient, username: str, password: str, next_: str = "/") -> object:
    token = csrf_of(c.get("/inloggen").text)
    return c.post(
        "/inloggen",
        data={"username": username, "password": password, "csrf_token": token, "next": next_},
        follow_redirects=False,
    )


def test_pages_redirect_to_login_and_api_says_401(anonymous: TestClient) -> None:
    r = anonymous.get("/indicator/jeugdhulp_pct?niveau=buurt", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/inloggen?next=%2Findicator%2Fjeugdhulp_pct%3Fniveau%3Dbuurt"
    r = anonymous.get("/api/indicator/jeugdhulp_pct")
    assert r.status_code == 401 and r.json()["detail"].startswith("U bent niet ingelogd")
    for url in ("/api/indicators", "/api/indicator/jeugdhulp_pct.csv", "/api/openapi.json"):
        assert anonymous.get(url).status_code == 401, url
    # Public: the login form, health, static files and vendored assets.
    for url in ("/inloggen", "/api/health", "/static/zicht.css", "/vendor/plotly.min.js"):
        assert anonymous.get(url).status_code == 200, url


def test_login_goes_to_next_and_sets_a_strict_httponly_cookie(anonymous: TestClient) -> None:
    user = add_user(anonymous.app.state.access.root, Role.BELEID)
    r = _post_login(anonymous, user.username, password_for(user.username), "/indicator/x?a=1")
    assert r.status_code == 303 and r.headers["location"] == "/indicator/x?a=1"
    cookie = r.headers["set-cookie"]
    assert cookie.startswith(SESSION_COOKIE + "=")
    attrs = {a.strip().split("=")[0].lower() for a in cookie.split(";")}
    assert {"httponly", "path", "max-age"} <= attrs
    assert "samesite=strict" in cookie.lower()
    page = anonymous.get("/").text
    assert f"Ingelogd als <strong>{user.username}</strong>" in page


def test_next_cannot_leave_the_site(anonymous: TestClient) -> None:
    user = add_user(anonymous.app.state.access.root, Role.RAAD)
    for evil in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        r = _post_login(TestClient(anonymous.app), user.username, password_for(user.username), evil)
        assert r.status_code == 303 and r.headers["location"] == "/", evil


def test_wrong_password_is_a_dutch_message_and_no_session(anonymous: TestClient) -> None:
    user = add_user(anonymous.app.state.access.root, Role.RAAD)
    r = _post_login(anonymous, user.username, "helemaal-fout-wachtwoord")
    assert r.status_code == 401 and "Gebruikersnaam of wachtwoord is onjuist" in r.text
    r = _post_login(anonymous, "bestaat-niet", "helemaal-fout-wachtwoord")
    assert r.status_code == 401 and "Gebruikersnaam of wachtwoord is onjuist" in r.text
    assert anonymous.get("/", follow_redirects=False).status_code == 303


def test_login_is_rate_limited_per_username(anonymous: TestClient) -> None:
    user = add_user(anonymous.app.state.access.root, Role.RAAD)
    for _ in range(5):  # login_max_failures_user = 5
        assert _post_login(anonymous, user.username, "fout-fout-fout").status_code == 401
    # Now even the right password is refused: guessing cannot go on.
    r = _post_login(anonymous, user.username, password_for(user.username))
    assert r.status_code == 429 and "Te veel mislukte pogingen" in r.text
    # Another user from the same client is not blocked yet (per client the limit is 20).
    other = add_user(anonymous.app.state.access.root, Role.RAAD)
    assert _post_login(anonymous, other.username, password_for(other.username)).status_code == 303


def test_login_is_rate_limited_per_client(anonymous: TestClient) -> None:
    root = anonymous.app.state.access.root
    for i in range(20):  # login_max_failures_client = 20, spread over names
        assert _post_login(anonymous, f"naam{i}", "fout-fout-fout").status_code == 401
    user = add_user(root, Role.RAAD)
    r = _post_login(anonymous, user.username, password_for(user.username))
    assert r.status_code == 429


def test_every_post_needs_the_csrf_token(anonymous: TestClient) -> None:
    user = add_user(anonymous.app.state.access.root, Role.RAAD)
    anonymous.get("/inloggen")
    data = {"username": user.username, "password": password_for(user.username)}
    r = anonymous.post("/inloggen", data=data, follow_redirects=False)
    assert r.status_code == 403 and "CSRF" in r.text
    r = anonymous.post("/inloggen", data=data | {"csrf_token": "vervalst"}, follow_redirects=False)
    assert r.status_code == 403
    # A token from another session does not work either.
    other = TestClient(anonymous.app)
    foreign = csrf_of(other.get("/inloggen").text)
    r = anonymous.post("/inloggen", data=data | {"csrf_token": foreign}, follow_redirects=False)
    assert r.status_code == 403


def test_login_renews_the_csrf_token(anonymous: TestClient) -> None:
    before = csrf_of(anonymous.get("/inloggen").text)
    login_as(anonymous, Role.RAAD)
    after = csrf_of(anonymous.get("/").text)  # the logout form carries it
    assert before != after


def test_logout_ends_the_session(client: TestClient) -> None:
    token = csrf_of(client.get("/").text)
    assert client.post("/uitloggen", data={}, follow_redirects=False).status_code == 403
    r = client.post("/uitloggen", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/inloggen"
    assert client.get("/", follow_redirects=False).status_code == 303


def test_a_stolen_cookie_dies_with_the_account(anonymous: TestClient) -> None:
    user = login_as(anonymous, Role.ANALIST)
    stolen = anonymous.cookies.get(SESSION_COOKIE)
    thief = TestClient(anonymous.app)
    thief.cookies.set(SESSION_COOKIE, stolen)
    assert thief.get("/").status_code == 200
    Accounts(anonymous.app.state.access.root).set_password(user.username)
    assert thief.get("/", follow_redirects=False).status_code == 303
    assert anonymous.get("/", follow_redirects=False).status_code == 303


def test_a_tampered_cookie_is_no_session(client: TestClient) -> None:
    value = client.cookies.get(SESSION_COOKIE)
    assert value
    client.cookies.set(SESSION_COOKIE, value[:-3] + ("AAA" if value[-3:] != "AAA" else "BBB"))
    assert client.get("/", follow_redirects=False).status_code == 303


def test_session_key_is_private(workspace: Path, anonymous: TestClient) -> None:
    mode = stat.S_IMODE(os.stat(workspace / "session.key").st_mode)
    assert mode == 0o600


def test_exports_and_logins_are_audited(client: TestClient, workspace: Path) -> None:
    client.get("/api/indicator/jeugdhulp_pct.csv?niveau=buurt&jaar=2024")
    client.get("/api/indicator/jeugdhulp_pct?niveau=wijk")
    client.get("/")  # a page of published aggregates is not an export
    log = audit_log.entries(workspace)
    assert [(e.action, e.what) for e in log[:2]] == [
        ("export", "jeugdhulp_pct niveau=wijk jaar=alle (json)"),
        ("export", "jeugdhulp_pct niveau=buurt jaar=2024 (csv)"),
    ]
    assert log[2].action == "inloggen" and log[2].role == "raad"
    assert {e.username for e in log} == {log[2].username}
    assert all(e.logged_at.tzinfo is not None for e in log)
    assert len(log) == 3


def test_server_timing_on_every_response(client: TestClient, anonymous: TestClient) -> None:
    for c, url in ((client, "/"), (client, "/api/indicators"), (anonymous, "/inloggen")):
        timing = c.get(url).headers["server-timing"]
        assert timing.startswith("app;dur=") and float(timing.split("=")[1]) >= 0


def test_login_page_explains_the_first_user(anonymous: TestClient) -> None:
    assert 'id="geen-gebruikers"' in anonymous.get("/inloggen").text
    add_user(anonymous.app.state.access.root, Role.BEHEER)
    assert 'id="geen-gebruikers"' not in anonymous.get("/inloggen").text


def test_the_login_fixture_logs_in_through_the_form(anonymous: TestClient, login: Any) -> None:
    user = login(anonymous, Role.FG, gemeenten=["GM9901"])
    assert user.role is Role.FG and user.gemeenten == {"GM9901"}
    assert anonymous.get("/audit").status_code == 200
    assert audit_log.entries(anonymous.app.state.access.root)[0].username == user.username
