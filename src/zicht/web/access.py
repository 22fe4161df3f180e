"""Who may see what: sessions, roles on every route, CSRF and the audit log.

Every route states its rule, as a dependency::

    from zicht.web.access import Role, User, audit, public, require

    @router.get("/keten")
    def chain(request: Request, user: User = Depends(require(Role.BELEID, Role.ANALIST))):
        audit(request, "bekijken", "ketenanalyse")
        ...

    @router.get("/vertelpunt", dependencies=[Depends(public)])   # no login needed

``require()`` without roles admits every logged-in role. A route with neither
``require`` nor ``public`` is refused with 403 (fail closed, see :func:`enforce`), and
the route × role test fails on it. Every POST, PUT, PATCH or DELETE must carry the
session's CSRF token (form field ``csrf_token`` or header ``X-CSRF-Token``).
"""

from __future__ import annotations

import hmac
import os
import secrets
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.middleware.sessions import SessionMiddleware
from starlette.routing import BaseRoute

from zicht.config import Settings
from zicht.errors import WorkspaceError
from zicht.privacy import audit as audit_log
from zicht.privacy._access_db import signature
from zicht.privacy.accounts import Account, Accounts
from zicht.privacy.roles import Role, User
from zicht.web._ratelimit import LoginLimiter

__all__ = [
    "Role",
    "User",
    "audit",
    "current_user",
    "csrf_token",
    "enforce",
    "iter_routes",
    "public",
    "require",
    "rule_of",
]

SESSION_COOKIE = "zicht_sessie"
SESSION_KEY_NAME = "session.key"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
LOGIN_PATH = "/inloggen"
_UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
PUBLIC = "public"
_UNSET = object()


class NotLoggedIn(Exception):
    """No valid session: pages redirect to the login form, the API answers 401."""


class AccessState:
    """Per app: the accounts, the login limiter and a short cache of accounts."""

    def __init__(self, root: Path, settings: Settings) -> None:
        self.root = root
        self.accounts = Accounts(root)
        self.limiter = LoginLimiter(
            per_user=settings.get_int("login_max_failures_user"),
            per_client=settings.get_int("login_max_failures_client"),
        )
        # Accounts as last read; dropped whenever the accounts file changed (a user
        # removed or a password changed by the CLI next to this server counts at once).
        self._cache: dict[str, Account | None] = {}
        self._signature: tuple[tuple[int, int], ...] = ()
        self.rules: dict[int, frozenset[Role] | str | None] = {}
        self.audit = audit_log.AuditWriter(root)
        self._lock = threading.Lock()

    def account(self, username: str) -> Account | None:
        current = signature(self.root)
        with self._lock:
            if current != self._signature:
                self._cache.clear()
                self._signature = current
            elif username in self._cache:
                return self._cache[username]
        found = self.accounts.get(username)
        with self._lock:
            if self._signature == current:
                self._cache[username] = found
        return found

    def forget(self, username: str) -> None:
        with self._lock:
            self._cache.pop(username, None)


def session_secret(root: Path) -> str:
    """The key that signs session cookies: ``WORKSPACE/session.key``, mode 0600,
    created on first use. Deleting it logs everybody out."""
    if not Path(root).is_dir():
        raise WorkspaceError(f"{root}: werkruimte bestaat niet")
    path = Path(root) / SESSION_KEY_NAME
    if not path.exists():
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process made it a moment ago
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32) + "\n")
            os.chmod(path, 0o600)
    return path.read_text(encoding="ascii").strip()


def install(app: FastAPI, root: Path) -> None:
    """Sessions, the access state and the not-logged-in handler on ``app``."""
    settings = Settings.load(Path(root) / "zicht.toml")
    app.state.access = AccessState(Path(root), settings)
    app.add_middleware(
        SessionMiddleware,
        secret_key=session_secret(root),
        session_cookie=SESSION_COOKIE,
        max_age=settings.get_int("session_hours") * 3600,
        same_site="strict",
        https_only=bool(settings["secure_cookies"]),
    )

    @app.exception_handler(NotLoggedIn)
    async def not_logged_in(request: Request, exc: NotLoggedIn) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse(
                {"detail": "U bent niet ingelogd. Log in via /inloggen."}, status_code=401
            )
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"{LOGIN_PATH}?next={quote(target, safe='')}", status_code=303)


def _state(request: Request) -> AccessState:
    state: AccessState = request.app.state.access
    return state


def current_user(request: Request) -> User | None:
    """The user of a valid session, or None (also for a removed user or an ended session)."""
    cached = getattr(request.state, "user", _UNSET)
    if cached is None or isinstance(cached, User):
        return cached
    user: User | None = None
    name = request.session.get("u")
    if isinstance(name, str):
        account = _state(request).account(name)
        if account is not None and account.session_version == request.session.get("v"):
            user = account.user
    request.state.user = user
    return user


def start_session(request: Request, account: Account) -> None:
    """A fresh session for ``account`` (a new CSRF token: no session fixation)."""
    request.session.clear()
    request.session.update(
        {"u": account.user.username, "v": account.session_version, "csrf": _new_token()}
    )
    request.state.user = account.user


def end_session(request: Request) -> None:
    request.session.clear()
    request.state.user = None


def _new_token() -> str:
    return secrets.token_urlsafe(32)


def csrf_token(request: Request) -> str:
    """The session's CSRF token, for a hidden ``csrf_token`` field in every form."""
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = _new_token()
        request.session["csrf"] = token
    return token


def require(*roles: Role) -> Callable[[Request], User]:
    """A dependency admitting the given roles (no roles: every logged-in user).

    It returns the :class:`User`. Without a session a page redirects (303) to
    ``/inloggen?next=…`` and the API answers 401; another role gets a Dutch 403.
    """
    allowed = frozenset(roles) if roles else frozenset(Role)

    def dependency(request: Request) -> User:
        user = current_user(request)
        if user is None:
            raise NotLoggedIn()
        if user.role not in allowed:
            raise HTTPException(
                403, f"Met de rol ‘{user.role.value}’ heeft u geen toegang tot deze pagina."
            )
        return user

    dependency.zicht_roles = allowed  # type: ignore[attr-defined]
    return dependency


def public() -> None:
    """Marks a route as open to everyone (login form, health, static assets)."""


public.zicht_public = True  # type: ignore[attr-defined]


def rule_of(route: BaseRoute) -> frozenset[Role] | str | None:
    """The roles a route admits, :data:`PUBLIC`, or None when it states no rule."""
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return None
    public_found = False
    allowed: frozenset[Role] | None = None
    stack: list[Any] = list(dependant.dependencies)
    while stack:
        dep = stack.pop()
        stack.extend(dep.dependencies)
        if getattr(dep.call, "zicht_public", False):
            public_found = True
        roles = getattr(dep.call, "zicht_roles", None)
        if roles is not None:
            allowed = roles if allowed is None else allowed & roles
    if allowed is not None:
        return allowed
    return PUBLIC if public_found else None


def iter_routes(app: FastAPI) -> list[Any]:
    """Every route of ``app`` as served, with the dependencies of the routers that include
    it (FastAPI ≥ 0.160 keeps included routers nested; older versions flatten them)."""
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # pragma: no cover - older FastAPI: app.routes is already flat
        return list(app.routes)
    return list(iter_route_contexts(app.routes))


def _rule_for(request: Request) -> frozenset[Role] | str | None:
    route = request.scope.get("route")
    if route is None:
        return None
    cache: dict[int, frozenset[Role] | str | None] = request.app.state.access.rules
    if id(route) not in cache:
        # Routes may be added after create_app (other modules' routers): rebuild.
        cache.clear()
        for item in iter_routes(request.app):
            cache[id(getattr(item, "original_route", item))] = rule_of(item)
    return cache.get(id(route))


async def enforce(request: Request) -> None:
    """App-wide dependency: refuse a route without a rule; check CSRF on unsafe methods."""
    if _rule_for(request) is None:
        raise HTTPException(403, "Voor deze pagina is geen toegangsregel vastgelegd.")
    if request.method in _UNSAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER)
        if sent is None:
            content_type = request.headers.get("content-type", "")
            if content_type.startswith(
                ("application/x-www-form-urlencoded", "multipart/form-data")
            ):
                form = await request.form()
                value = form.get(CSRF_FIELD)
                sent = value if isinstance(value, str) else None
        expected = request.session.get("csrf")
        if not (
            isinstance(sent, str)
            and isinstance(expected, str)
            and hmac.compare_digest(sent.encode(), expected.encode())
        ):
            raise HTTPException(
                403,
                "Het formulier is verlopen of niet van deze site (CSRF-controle). "
                "Laad de pagina opnieuw en probeer het nog eens.",
            )


def client_of(request: Request) -> str:
    return request.client.host if request.client else "-"


def audit(request: Request, action: str, what: str) -> None:
    """Write who (the session's user), when (now, UTC) and what to the audit log."""
    user = current_user(request)
    _state(request).audit.write(
        user.username if user else "-",
        user.role.value if user else "-",
        action,
        what,
        client_of(request),
    )
