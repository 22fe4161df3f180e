"""Accounts in the workspace: argon2 hashes, scopes, one-line errors; and `zicht user`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from zicht.errors import AccessError
from zicht.privacy._access_db import access_store
from zicht.privacy.accounts import Accounts
from zicht.privacy.roles import Role, User, parse_role


def test_password_is_stored_as_an_argon2id_hash(tmp_path: Path) -> None:
    accounts = Accounts(tmp_path)
    accounts.add("jan", Role.RAAD, password="correct-paard-batterij")
    with access_store(tmp_path) as store:
        stored = store.scalar("SELECT password_hash FROM app_user WHERE username = 'jan'")
    assert stored.startswith("$argon2id$") and "correct-paard" not in stored
    assert PasswordHasher().verify(stored, "correct-paard-batterij")  # independent check
    ok = accounts.authenticate("jan", "correct-paard-batterij")
    assert ok is not None and ok.user == User("jan", Role.RAAD)
    assert accounts.authenticate("jan", "correct-paard-batterij!") is None
    assert accounts.authenticate("piet", "correct-paard-batterij") is None


def test_scope_and_teams_round_trip(tmp_path: Path) -> None:
    accounts = Accounts(tmp_path)
    accounts.add("els", Role.ANALIST, gemeenten=["gm0363", "GM0344"])
    accounts.add("wijkteam", Role.PROFESSIONAL, gemeenten=["GM0363"], teams=["WK036301"])
    els = accounts.get("els")
    assert els is not None and els.user.gemeenten == {"GM0363", "GM0344"}
    assert els.user.may_see_microdata("GM0363") and not els.user.may_see_microdata("GM0599")
    prof = accounts.get("wijkteam")
    assert prof is not None and prof.user.teams == {"WK036301"}
    assert not prof.user.may_see_microdata("GM0363")
    assert [a.user.username for a in accounts.list_accounts()] == ["els", "wijkteam"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"username": "Jan Jansen"}, "ongeldige gebruikersnaam"),
        ({"password": "kort"}, "wachtwoord te kort"),
        ({"gemeenten": ["Amsterdam"]}, "ongeldige gemeentecode"),
        ({"teams": ["WK036301"]}, "alleen bij de rol professional"),
    ],
)
def test_bad_account_input_is_one_clear_error(
    tmp_path: Path, kwargs: dict[str, object], message: str
) -> None:
    args: dict[str, object] = {"username": "jan", "password": "lang-genoeg-wachtwoord"} | kwargs
    username = str(args.pop("username"))
    with pytest.raises(AccessError, match=message):
        Accounts(tmp_path).add(username, Role.RAAD, **args)  # type: ignore[arg-type]


def test_duplicate_and_missing_users(tmp_path: Path) -> None:
    accounts = Accounts(tmp_path)
    accounts.add("jan", Role.RAAD)
    with pytest.raises(AccessError, match="bestaat al"):
        accounts.add("jan", Role.FG)
    with pytest.raises(AccessError, match="bestaat niet"):
        accounts.remove("piet")
    with pytest.raises(AccessError, match="onbekende rol"):
        parse_role("koning")


def zicht(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "zicht", *args], capture_output=True, text=True, input=stdin
    )


def test_cli_user_add_list_remove(tmp_path: Path) -> None:
    ws = str(tmp_path / "ws")
    assert zicht("init", ws).returncode == 0
    r = zicht("user", "add", "--workspace", ws, "--role", "beheer", "admin")
    assert r.returncode == 0, r.stderr
    password = r.stdout.split("Wachtwoord (wordt niet opnieuw getoond): ")[1].strip()
    assert len(password) == 16
    assert Accounts(Path(ws)).authenticate("admin", password) is not None
    r = zicht(
        "user", "add", "--workspace", ws, "--role", "professional", "--gemeente", "GM0363",
        "--team", "WK036301", "--password-stdin", "wijk1", stdin="mijn-eigen-wachtwoord\n",
    )  # fmt: skip
    assert r.returncode == 0 and "Wachtwoord" not in r.stdout
    assert Accounts(Path(ws)).authenticate("wijk1", "mijn-eigen-wachtwoord") is not None
    r = zicht("user", "list", "--workspace", ws, "--json")
    assert r.returncode == 0
    assert '"username": "wijk1", "role": "professional", "gemeenten": ["GM0363"]' in r.stdout
    for bad in (
        ("user", "add", "--workspace", ws, "--role", "koning", "x1"),
        ("user", "add", "--workspace", ws, "--role", "raad", "admin"),
        ("user", "remove", "--workspace", ws, "niemand"),
        ("user", "list", "--workspace", str(tmp_path / "geen")),
    ):
        r = zicht(*bad)
        assert r.returncode == 1 and r.stderr.count("\n") == 1, (bad, r.stderr)
        assert "Traceback" not in r.stderr
    assert zicht("user", "remove", "--workspace", ws, "admin").returncode == 0
    assert Accounts(Path(ws)).get("admin") is None


def test_audit_log_keeps_every_entry_once_under_concurrency(tmp_path: Path) -> None:
    import threading

    from zicht.privacy import audit as audit_log

    writer = audit_log.AuditWriter(tmp_path)
    threads = [
        threading.Thread(
            target=lambda i=i: writer.write(f"u{i % 5}", "raad", "export", f"ding {i}", "-")
        )
        for i in range(40)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    entries = audit_log.entries(tmp_path)
    assert sorted(e.what for e in entries) == sorted(f"ding {i}" for i in range(40))
    lines = (tmp_path / audit_log.AUDIT_LOG).read_text(encoding="utf-8").splitlines()
    assert len(lines) == 40  # whole lines, none interleaved
    assert oct((tmp_path / audit_log.AUDIT_LOG).stat().st_mode & 0o777) == "0o600"
