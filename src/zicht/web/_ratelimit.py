"""Rate limiting of failed logins, per username and per client address.

In memory, per server process: a restart forgets the counts, which is acceptable for
slowing down guessing (argon2 already makes each guess cost ~50 ms of CPU); the audit
log keeps every failed attempt for the record.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque


class LoginLimiter:
    """At most ``per_user`` failures per username and ``per_client`` per client address
    within ``window`` seconds; beyond that, logins are refused until the oldest failure
    leaves the window (a correct password included, so guessing cannot continue)."""

    def __init__(self, per_user: int, per_client: int, window: float = 900.0) -> None:
        self.per_user = per_user
        self.per_client = per_client
        self.window = window
        self._fails: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _prune(self, key: str, now: float) -> deque[float]:
        q = self._fails[key]
        while q and q[0] <= now - self.window:
            q.popleft()
        return q

    def wait_seconds(self, username: str, client: str) -> float:
        """0 when a login may be tried now, else the seconds until it may."""
        now = time.monotonic()
        waits = [0.0]
        with self._lock:
            for key, limit in (("u:" + username, self.per_user), ("c:" + client, self.per_client)):
                q = self._prune(key, now)
                if len(q) >= limit:
                    waits.append(q[len(q) - limit] + self.window - now)
        return max(waits)

    def failed(self, username: str, client: str) -> None:
        now = time.monotonic()
        with self._lock:
            self._fails["u:" + username].append(now)
            self._fails["c:" + client].append(now)

    def succeeded(self, username: str) -> None:
        with self._lock:
            self._fails.pop("u:" + username, None)
