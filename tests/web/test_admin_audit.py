"""The admin page (beheer) and the audit log page (fg), in-process through real forms."""

from __future__ import annotations

import re

from zicht.privacy.roles import Role

from .accounts import csrf_of, login_as
from .snapshot_data import TestClient


def _new_password(html: str) -> str:
    found = re.search(r'data-testid="nieuw-wachtwoord">([^<]+)<', html)
    assert found, "no password on the page"
    return found.group(1)


def _login_with(app: object, username: str, password: str) -> TestClient:
    c = TestClient(app)
    token = csrf_of(c.get("/inloggen").text)
    r = c.post(
        "/inloggen",
        data={"username": username, "password": password, "csrf_token": token},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return c


def test_admin_adds_a_user_who_can_then_log_in(anonymous: TestClient) -> None:
    admin = anonymous
    login_as(admin, Role.BEHEER, username="baas")
    token = csrf_of(admin.get("/beheer/gebruikers").text)
    form = {"username": "wethouder", "role": "raad", "gemeenten": "GM9901", "teams": ""}
    assert admin.post("/beheer/gebruikers", data=form).status_code == 403  # no CSRF token
    r = admin.post("/beheer/gebruikers", data=form | {"csrf_token": token})
    assert r.status_code == 200 and "Gebruiker wethouder is toegevoegd" in r.text
    password = _new_password(r.text)
    assert password not in admin.get("/beheer/gebruikers").text  # shown once only
    row = re.search(r'<tr data-user="wethouder">(.*?)</tr>', r.text, re.S)
    assert row and "Raadslid" in row.group(1) and "GM9901" in row.group(1)
    user = _login_with(admin.app, "wethouder", password)
    assert user.get("/").status_code == 200
    assert user.get("/beheer/gebruikers").status_code == 403


def test_admin_errors_are_dutch_and_keep_the_form(anonymous: TestClient) -> None:
    login_as(anonymous, Role.BEHEER, username="baas")
    token = csrf_of(anonymous.get("/beheer/gebruikers").text)
    r = anonymous.post(
        "/beheer/gebruikers",
        data={"username": "Jan Jansen", "role": "raad", "csrf_token": token},
    )
    assert r.status_code == 400 and "Ongeldige gebruikersnaam" in r.text
    assert 'value="Jan Jansen"' in r.text
    r = anonymous.post(
        "/beheer/gebruikers",
        data={"username": "x1", "role": "koning", "csrf_token": token},
    )
    assert r.status_code == 400 and "Onbekende rol" in r.text
    r = anonymous.post("/beheer/gebruikers/baas/verwijderen", data={"csrf_token": token})
    assert r.status_code == 400 and "eigen account" in r.text


def test_removing_or_resetting_a_user_ends_their_session(anonymous: TestClient) -> None:
    victim = TestClient(anonymous.app)
    login_as(victim, Role.ANALIST, username="els")
    other = TestClient(anonymous.app)
    login_as(other, Role.BELEID, username="piet")
    login_as(anonymous, Role.BEHEER, username="baas")
    token = csrf_of(anonymous.get("/beheer/gebruikers").text)
    r = anonymous.post("/beheer/gebruikers/piet/wachtwoord", data={"csrf_token": token})
    assert r.status_code == 200
    assert other.get("/", follow_redirects=False).status_code == 303
    _login_with(anonymous.app, "piet", _new_password(r.text))
    r = anonymous.post("/beheer/gebruikers/els/verwijderen", data={"csrf_token": token})
    assert r.status_code == 200 and "Gebruiker els is verwijderd" in r.text
    assert victim.get("/", follow_redirects=False).status_code == 303


def test_fg_reads_who_exported_what(anonymous: TestClient) -> None:
    raad = TestClient(anonymous.app)
    login_as(raad, Role.RAAD, username="wethouder")
    raad.get("/api/indicator/jeugdhulp_pct.csv?niveau=buurt&jaar=2024")
    fg = anonymous
    login_as(fg, Role.FG, username="privacy")
    r = fg.get("/audit?gebruiker=wethouder")
    assert r.status_code == 200
    rows = re.findall(r"<tr>\s*<td><time[^>]*>[^<]+</time></td>(.*?)</tr>", r.text, re.S)
    cells = [re.findall(r"<td>(.*?)</td>", row) for row in rows]
    assert [c[:4] for c in cells] == [
        ["wethouder", "raad", "export", "jeugdhulp_pct niveau=buurt jaar=2024 (csv)"],
        ["wethouder", "raad", "inloggen", "sessie gestart"],
    ]
    # Reading the log is itself logged.
    r = fg.get("/audit?actie=bekijken+auditlog")
    assert "gebruiker=wethouder" in r.text


def test_admin_changes_a_role_and_it_counts_at_once(anonymous: TestClient) -> None:
    els = TestClient(anonymous.app)
    login_as(els, Role.RAAD, username="els")
    assert els.get("/datakwaliteit").status_code == 403
    login_as(anonymous, Role.BEHEER, username="baas")
    token = csrf_of(anonymous.get("/beheer/gebruikers").text)
    r = anonymous.post(
        "/beheer/gebruikers/els/rol",
        data={"role": "analist", "gemeenten": "GM9901", "teams": "", "csrf_token": token},
    )
    assert r.status_code == 200 and "Rol en bereik van els zijn gewijzigd" in r.text
    assert els.get("/datakwaliteit").status_code == 200  # same session, new rights
    r = anonymous.post("/beheer/gebruikers/baas/rol", data={"role": "raad", "csrf_token": token})
    assert r.status_code == 400 and "eigen beheerrol" in r.text
    r = anonymous.post(
        "/beheer/gebruikers/els/rol",
        data={"role": "raad", "teams": "WK990101", "csrf_token": token},
    )
    assert r.status_code == 400 and "alleen bij de rol professional" in r.text
