"""Shared fixtures.

Public data lives in ../shared/data next to the repository. Where it is absent (a user's
own clone) the tests that need it skip with the reason; under CI (CI=true) its absence
is a failure, so a green CI always means those tests ran.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from zicht.config import shared_data_dir


def require_shared_data() -> Path:
    found = shared_data_dir()
    if found is None or not found.is_dir():
        reason = "../shared/data (public CBS, iStandaarden and BRP test data) is not present"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{reason}, and CI=true requires it")
        pytest.skip(reason)
    return found


@pytest.fixture
def shared_data() -> Path:
    return require_shared_data()


def _pg_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return found[-1].parent if found else None


@pytest.fixture(scope="session")
def postgres_dsn() -> Iterator[str]:
    """A real PostgreSQL server of our own, in a temporary directory, on a Unix socket.

    initdb refuses to run as root, so as root the server runs as the `postgres` user
    that Debian's package creates.
    """
    bindir = _pg_bin()
    if bindir is None:
        reason = "PostgreSQL server binaries (Debian package postgresql) are not installed"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{reason}; `make test` installs them")
        pytest.skip(reason)
    # Not under pytest's tmp tree: its folders are 0700 root, unreadable for `postgres`.
    base = Path(tempfile.mkdtemp(prefix="zicht-pg-"))
    data, sock = base / "data", base / "sock"
    sock.mkdir()
    prefix: list[str] = []
    if os.geteuid() == 0:
        import pwd

        pw = pwd.getpwnam("postgres")
        for p in (base, sock):
            os.chown(p, pw.pw_uid, pw.pw_gid)
        os.chmod(base, 0o755)
        prefix = ["runuser", "-u", "postgres", "--"]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    run = functools.partial(subprocess.run, check=True, capture_output=True)
    run(
        [
            *prefix,
            str(bindir / "initdb"),
            "-D",
            str(data),
            "-A",
            "trust",
            "-U",
            "zicht",
            "--encoding",
            "UTF8",
            "--locale",
            "C",
        ]
    )
    opts = f"-p {port} -k {sock} -c listen_addresses='' -c fsync=off"
    run(
        [
            *prefix,
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            opts,
            "-w",
            "-l",
            str(base / "log"),
            "start",
        ]
    )
    try:
        yield f"postgresql://zicht@/postgres?host={sock}&port={port}"
    finally:
        subprocess.run(
            [*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
        )
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def login() -> object:
    """``login(client, role, gemeenten=(), teams=())``: create a user in the workspace of
    a dashboard TestClient and log in through the real form (zicht.web.testing.login)."""
    from zicht.web.testing import login as login_through_form

    return login_through_form


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def _serve(app: Any) -> Iterator[str]:
    """Serve ``app`` with a real uvicorn on a free loopback port, in a thread."""
    import uvicorn

    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", ws="none", lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def serve_app() -> Callable[[Any], contextlib.AbstractContextManager[str]]:
    """``with serve_app(create_app(ws)) as url:`` — the browser tests' live server."""
    return _serve
