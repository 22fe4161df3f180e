"""Load benchmark of the dashboard (a benchmark, not a test): N logged-in users at once.

Starts ``zicht serve`` on the workspace in a subprocess, creates a temporary raad
account, logs every simulated user in through the real form (CSRF token included) and
lets each one request a mix of pages in a closed loop for a fixed time. Server-side
latency comes from the app's ``Server-Timing`` header; client latency is measured too.

    python -m zicht.web.loadbench --workspace demo/werkruimte --users 50 --seconds 30

Only the standard library is used on the client side (one keep-alive connection per user).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import re
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from zicht.privacy.accounts import Accounts
from zicht.privacy.roles import Role

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_TIMING = re.compile(r"app;dur=([0-9.]+)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pages(root: Path) -> list[tuple[str, str]]:
    """(kind, path) of the pages a user clicks through, from the published snapshot."""
    from zicht.web._snapshot import SnapshotCache

    snapshot = SnapshotCache(root).get()
    if snapshot is None:
        raise SystemExit("nothing published in this workspace; run zicht refresh first")
    ids = list(snapshot.indicators)
    wijken = [a.code for a in snapshot.areas_at("wijk")]
    out = [("overzicht", "/")]
    for i in ids:
        out.append(("indicator wijk", f"/indicator/{i}?niveau=wijk"))
        out.append(("indicator buurt", f"/indicator/{i}?niveau=buurt"))
        out.append(("api buurt (json)", f"/api/indicator/{i}?niveau=buurt"))
    for w in wijken:
        out.append(("wijkprofiel", f"/gebied/{w}"))
    if len(wijken) >= 3:
        out.append(("vergelijken", "/vergelijk?" + urlencode([("gebied", w) for w in wijken[:3]])))
    return out


class _User(threading.Thread):
    def __init__(
        self,
        port: int,
        name: str,
        password: str,
        pages: list[tuple[str, str]],
        start: threading.Barrier,
        seconds: float,
        think: float,
        index: int,
    ) -> None:
        super().__init__(daemon=True)
        self.think = think
        self.port, self.name, self.password = port, name, password
        self.pages, self.start_together, self.seconds = pages, start, seconds
        self.samples: list[tuple[str, int, float, float]] = []
        self.cookie = ""
        # Each user its own seed: one shared seed made all users click in lockstep.
        self.rng = random.Random(f"{name}-{index}")  # noqa: S311 - choosing pages, not secrets
        self.error = ""

    def _request(
        self, con: http.client.HTTPConnection, method: str, path: str, body: str | None = None
    ) -> tuple[int, str, float, float]:
        headers = {"Cookie": self.cookie} if self.cookie else {}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        t0 = time.perf_counter()
        try:
            con.request(method, path, body=body, headers=headers)
            resp = con.getresponse()
        except (http.client.RemoteDisconnected, ConnectionError):
            # The server closed an idle keep-alive connection (uvicorn: after 5 s, e.g.
            # while waiting for the others to log in); a browser reconnects, so do we.
            con.close()
            t0 = time.perf_counter()
            con.request(method, path, body=body, headers=headers)
            resp = con.getresponse()
        text = resp.read().decode("utf-8", "replace")
        client_ms = (time.perf_counter() - t0) * 1000
        set_cookie = resp.getheader("Set-Cookie")
        if set_cookie:
            self.cookie = set_cookie.split(";", 1)[0]
        found = _TIMING.search(resp.getheader("Server-Timing") or "")
        return resp.status, text, float(found.group(1)) if found else float("nan"), client_ms

    def run(self) -> None:
        con = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            _, html, _, _ = self._request(con, "GET", "/inloggen")
            token = _CSRF.search(html)
            assert token, "no CSRF token on the login form"
            form = urlencode(
                {"username": self.name, "password": self.password, "csrf_token": token.group(1)}
            )
            status, _, _, _ = self._request(con, "POST", "/inloggen", form)
            if status != 303:
                self.error = f"login failed with {status}"
                self.start_together.abort()
                return
            # Logins (argon2: 64 MiB and ~0.1 s of CPU each) are not part of the load.
            self.start_together.wait()
            until = time.monotonic() + self.seconds
            while time.monotonic() < until:
                kind, path = self.rng.choice(self.pages)
                status, _, server_ms, client_ms = self._request(con, "GET", path)
                self.samples.append((kind, status, server_ms, client_ms))
                if self.think > 0:  # reading the page: 0.5 to 1.5 times the mean
                    time.sleep(self.think * (0.5 + self.rng.random()))
        except (
            OSError,
            http.client.HTTPException,
            AssertionError,
            threading.BrokenBarrierError,
        ) as exc:
            self.error = str(exc)
        finally:
            con.close()


def _p(values: list[float], q: float) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def run(root: Path, users: int, seconds: float, think: float = 0.0) -> dict[str, Any]:
    root = Path(root)
    pages = _pages(root)
    name = "loadbench-" + secrets.token_hex(3)
    accounts = Accounts(root)
    password = accounts.add(name, Role.RAAD)
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603 - our own CLI, fixed arguments
        [sys.executable, "-m", "zicht", "serve", "--workspace", str(root), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit("server did not start") from None
                time.sleep(0.1)
        start = threading.Barrier(users + 1)
        crowd = [_User(port, name, password, pages, start, seconds, think, i) for i in range(users)]
        for u in crowd:
            u.start()
        start.wait(timeout=300)
        started = time.monotonic()
        for u in crowd:
            u.join()
        elapsed = time.monotonic() - started
    finally:
        server.terminate()
        server.wait(timeout=10)
        accounts.remove(name)
    samples = [s for u in crowd for s in u.samples]
    errors = [u.error for u in crowd if u.error]
    by_kind: dict[str, list[tuple[str, int, float, float]]] = {}
    for s in samples:
        by_kind.setdefault(s[0], []).append(s)
    rows = {}
    for kind, ss in sorted(by_kind.items()):
        server_ms = [s[2] for s in ss]
        rows[kind] = {
            "requests": len(ss),
            "non_200": sum(1 for s in ss if s[1] != 200),
            "server_p50_ms": round(_p(server_ms, 50), 1),
            "server_p95_ms": round(_p(server_ms, 95), 1),
            "client_p95_ms": round(_p([s[3] for s in ss], 95), 1),
        }
    all_server = [s[2] for s in samples]
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": (
            f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
        ),
        "users": users,
        "think_s": think,
        "seconds": round(elapsed, 1),
        "requests": len(samples),
        "requests_per_s": round(len(samples) / elapsed, 1) if elapsed else 0.0,
        "server_p50_ms": round(_p(all_server, 50), 1),
        "server_p95_ms": round(_p(all_server, 95), 1),
        "client_p95_ms": round(_p([s[3] for s in samples], 95), 1),
        "errors": errors,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "pages": rows,
    }


def markdown(result: dict[str, Any]) -> str:
    lines = [
        f"### Dashboard load, {result['users']} concurrent users, think time "
        f"{result['think_s']} s — {result['date']}",
        "",
        f"Machine: {result['machine']}. {result['requests']} requests in "
        f"{result['seconds']} s ({result['requests_per_s']}/s), closed loop, "
        + (
            f"{result['think_s']} s mean think time between clicks"
            if result["think_s"]
            else "no think time (saturation)"
        )
        + f"; server p50 {result['server_p50_ms']} ms, **server p95 "
        f"{result['server_p95_ms']} ms**, client p95 {result['client_p95_ms']} ms. "
        f"Load average at the end (other work on the machine included): "
        f"{result['load_average']}; errors: {len(result['errors'])}.",
        "",
        "| page | requests | non-200 | server p50 (ms) | server p95 (ms) | client p95 (ms) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for kind, r in result["pages"].items():
        lines.append(
            f"| {kind} | {r['requests']} | {r['non_200']} | {r['server_p50_ms']} | "
            f"{r['server_p95_ms']} | {r['client_p95_ms']} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workspace", required=True, type=Path)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--think", type=float, default=0.0, help="mean seconds between clicks")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = run(args.workspace, args.users, args.seconds, args.think)
    print(json.dumps(result, indent=2) if args.json else markdown(result))


if __name__ == "__main__":  # pragma: no cover
    main()
