"""The operator's pages: request plumbing (sessions, CSRF, headers, language, templates).

Every page goes through :func:`operator_page` (a signed-in operator, CSRF on POST) or
:func:`public_page` (sign-in, the join instructions). Database work runs in Starlette's
thread pool on a connection of the server's synchronous pool; templates render in the loop.
"""

from __future__ import annotations

import functools
import ipaddress
import logging
import threading
import urllib.parse
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import psycopg
from jinja2 import Environment
from psycopg_pool import ConnectionPool, PoolTimeout
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from hygie import __version__
from hygie.audit import STATUS_LABELS_FR, Measure, Status, load_catalogue
from hygie.fleet.errors import FleetDatabaseUnavailable
from hygie.fleet.server.db import open_pool
from hygie.i18n import N_, _, get_language, set_language
from hygie.render.templating import template_environment

from . import accounts
from .accounts import Operator
from .sessions import (
    LANG_COOKIE,
    SESSION_COOKIE,
    SessionClaim,
    csrf_matches,
    load_secret,
    read_session,
)

log = logging.getLogger("hygie.fleet.server.ui")
HERE = Path(__file__).parent
T = TypeVar("T")
MAX_FORM = 64 * 1024

CSP = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
HEADERS = {
    "content-security-policy": CSP,
    "x-frame-options": "DENY",
    # same-origin, not no-referrer: with no-referrer, Chromium posts forms with "Origin: null"
    # and the origin check below could not tell this server's forms from a sandboxed page's
    "referrer-policy": "same-origin",
    "x-content-type-options": "nosniff",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
    "cache-control": "no-store",
}


@dataclass
class UiState:
    """One per server process: the database URL, its pool (opened at first use) and the
    signing secret (read once: every server in front of the database shares it)."""

    database: str
    pool_size: int = 4
    _pool: ConnectionPool | None = None
    _secret: bytes | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    # scrypt takes 128 MiB: at most two checks at once, whatever the number of requests
    scrypt_slots: threading.BoundedSemaphore = field(
        default_factory=lambda: threading.BoundedSemaphore(2)
    )

    def pool(self) -> ConnectionPool:
        with self._lock:
            if self._pool is None:
                pool = open_pool(self.database, min_size=1, max_size=self.pool_size)
                self._pool = pool
            return self._pool

    def close(self) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.close()
                self._pool = None

    def run(self, fn: Callable[[psycopg.Connection[tuple[object, ...]]], T]) -> Awaitable[T]:
        """``fn(conn)`` in a worker thread, in one transaction (committed if it returns)."""

        def work() -> T:
            with self.pool().connection() as conn:
                return fn(conn)

        return run_in_threadpool(work)

    async def secret(self) -> bytes:
        if self._secret is None:
            value = await self.run(load_secret)
            with self._lock:
                self._secret = value
        return self._secret


@functools.cache
def environment() -> Environment:
    env = template_environment("fleet/server/ui/templates")
    env.globals["version"] = __version__
    env.filters["status_label"] = lambda s: _(STATUS_LABELS_FR[Status(s)])
    env.filters["day"] = lambda d: d.strftime("%d/%m/%Y") if d else "—"
    env.filters["when"] = lambda d: d.strftime("%d/%m/%Y %H:%M") if d else "—"
    return env


@functools.cache
def _catalogue(lang: str) -> dict[str, Measure]:
    return {m.measure_id: m for m in load_catalogue()}


def catalogue() -> dict[str, Measure]:
    return _catalogue(get_language())


def measure_title(measure_id: str) -> str:
    m = catalogue().get(measure_id)
    return m.title if m else measure_id


def secure(response: Response) -> Response:
    for k, v in HEADERS.items():
        response.headers[k] = v
    return response


def _host_is_loopback(header: str) -> bool:
    """``127.0.0.1:8470``, ``[::1]:8470``, ``localhost`` -> True (the Host header's name)."""
    host = header.strip().lower()
    if host.startswith("["):
        host = host[1 : host.find("]")] if "]" in host else host
    elif host.count(":") == 1:
        host = host.rsplit(":", 1)[0]
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def https_or_loopback(request: Request) -> bool:
    """Operators' passwords and cookies travel over HTTPS, or stay on this machine."""
    return request.url.scheme == "https" or _host_is_loopback(request.headers.get("host", ""))


def same_origin(request: Request) -> bool:
    """A browser's POST names its page's origin: it must be this server's (CSRF, second lock).

    No ``Origin`` (an old browser, a script) leaves the decision to the CSRF token; ``null``
    (a sandboxed or local page) and another site are refused.
    """
    if request.headers.get("sec-fetch-site") in ("cross-site", "same-site"):
        return False
    origin = request.headers.get("origin")
    if origin is None:
        return True
    parsed = urllib.parse.urlsplit(origin)
    return parsed.netloc.lower() == request.headers.get("host", "").lower()


def render(
    request: Request,
    template: str,
    *,
    status_code: int = 200,
    operator: Operator | None = None,
    csrf: str = "",
    **ctx: Any,
) -> Response:
    html = (
        environment()
        .get_template(template)
        .render(
            lang=get_language(),
            operator=operator,
            csrf=csrf,
            path=request.url.path,
            title_of=measure_title,
            **ctx,
        )
    )
    return secure(HTMLResponse(html, status_code=status_code))


def error_page(request: Request, status: int, title: str, text: str, **ctx: Any) -> Response:
    return render(request, "error.html.j2", status_code=status, title=title, text=text, **ctx)


def redirect(url: str) -> Response:
    return secure(RedirectResponse(url, status_code=303))


def use_language(request: Request) -> None:
    lang = request.cookies.get(LANG_COOKIE, "fr")
    set_language(lang if lang in ("fr", "en") else "fr")


async def form_of(request: Request) -> dict[str, str] | None:
    """The posted form's text fields, or None when it is too big or not a form."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_FORM:
        return None
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return None
    body = await request.body()
    if len(body) > MAX_FORM:
        return None
    pairs = urllib.parse.parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
    return dict(pairs)


@dataclass(frozen=True)
class Context:
    """What an operator's page gets: the state, the operator, the session, the posted form."""

    state: UiState
    operator: Operator
    claim: SessionClaim
    csrf: str
    form: dict[str, str]


Handler = Callable[[Request, Context], Awaitable[Response]]


def refused(request: Request) -> Response:
    return error_page(
        request,
        403,
        _("Demande refusée"),
        _(
            "Ce formulaire n'a pas été envoyé depuis une page de ce serveur, ou la page était "
            "trop ancienne. Rechargez la page et recommencez."
        ),
    )


def db_down(request: Request) -> Response:
    return error_page(
        request,
        503,
        _("Base de données indisponible"),
        _(
            "Le serveur ne joint pas sa base PostgreSQL. Réessayez dans une minute ; si cela "
            "dure, prévenez la personne qui administre le serveur."
        ),
    )


def operator_page(state: UiState, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        use_language(request)
        try:
            secret = await state.secret()
            claim = read_session(secret, request.cookies.get(SESSION_COOKIE))
            operator = (
                await state.run(lambda c: accounts.operator_by_id(c, claim.operator_id))
                if claim
                else None
            )
            if claim is None or operator is None or operator.session_epoch != claim.epoch:
                if request.method != "GET":
                    return refused(request)
                target = urllib.parse.quote(request.url.path, safe="/")
                return redirect(f"/connexion?suite={target}")
            csrf = claim.csrf(secret)
            form: dict[str, str] = {}
            if request.method == "POST":
                posted = await form_of(request)
                if (
                    posted is None
                    or not same_origin(request)
                    or not csrf_matches(posted.get("csrf_token"), csrf)
                ):
                    return refused(request)
                form = posted
            return await handler(request, Context(state, operator, claim, csrf, form))
        except (psycopg.OperationalError, PoolTimeout, FleetDatabaseUnavailable):
            log.exception("database unavailable: %s %s", request.method, request.url.path)
            return db_down(request)

    return endpoint


def public_page(
    state: UiState, handler: Callable[[Request, UiState], Awaitable[Response]]
) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        use_language(request)
        try:
            return await handler(request, state)
        except (psycopg.OperationalError, PoolTimeout, FleetDatabaseUnavailable):
            log.exception("database unavailable: %s %s", request.method, request.url.path)
            return db_down(request)

    return endpoint


GROUP_LABELS = {
    "tout": N_("toute la campagne"),
    "autres": N_("autres départements"),
    "aucun": N_("département non indiqué"),
}


def group_label(group: str) -> str:
    if group in GROUP_LABELS:
        return _(GROUP_LABELS[group])
    return _("département {code}").format(code=group)


def safe_next(raw: object, default: str = "/campagnes") -> str:
    if (
        isinstance(raw, str)
        and raw.startswith("/")
        and not raw.startswith("//")
        and "\\" not in raw
    ):
        return raw
    return default
