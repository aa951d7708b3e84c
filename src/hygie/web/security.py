"""The dashboard's security layer: one ASGI middleware in front of every route.

A local web server is an attack surface: any web page the user visits can try to reach
``http://127.0.0.1:PORT`` (cross-site requests, DNS rebinding). In order, for every request:

1. the ``Host`` header must name a loopback address (or the explicit ``--listen`` address),
   which defeats DNS rebinding;
2. the request must carry the session cookie, or the one-time token in the URL (exchanged
   for an HttpOnly, SameSite=Strict session cookie and removed from the URL by a redirect,
   as Jupyter does);
3. a state-changing request (POST…) must carry the session's CSRF token, as a form field
   ``csrf_token`` or an ``X-CSRF-Token`` header; its body is read in memory, size-limited;
4. every response gets ``Content-Security-Policy: default-src 'self'`` (no inline script or
   style), ``X-Frame-Options: DENY``, ``Referrer-Policy: no-referrer`` and friends.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
import threading
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hygie.i18n import _, get_language, set_language

CSP = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
CSP_PRINT_PREFIX = "default-src 'self'; style-src 'self' 'sha256-"
CSP_REST = CSP.removeprefix("default-src 'self';")
SECURITY_HEADERS = {
    "content-security-policy": CSP,
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
DEFAULT_MAX_BODY = 10 * 1024 * 1024  # uploads (documents, e-mails) are checked in memory


def is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def host_name(header: str) -> str:
    """``127.0.0.1:8000`` -> ``127.0.0.1``; ``[::1]:80`` -> ``::1``."""
    header = header.strip().lower()
    if header.startswith("["):
        end = header.find("]")
        return header[1:end] if end > 0 else header
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


@dataclass
class Session:
    sid: str
    csrf: str
    lang: str = "fr"
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class Sessions:
    """The one-time URL token and the sessions it opened (in memory: a restart logs out)."""

    token: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    one_time: bool = True
    _used: bool = False
    _by_id: dict[str, Session] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def exchange(self, candidate: str) -> Session | None:
        """A valid, unused token opens a new session; anything else gives None."""
        with self._lock:
            if self._used and self.one_time:
                return None
            if not hmac.compare_digest(candidate.encode(), self.token.encode()):
                return None
            self._used = True
            s = Session(secrets.token_urlsafe(32), secrets.token_urlsafe(32))
            self._by_id[s.sid] = s
            return s

    def get(self, sid: str | None) -> Session | None:
        if not sid:
            return None
        with self._lock:
            for known, s in self._by_id.items():
                if hmac.compare_digest(known.encode(), sid.encode()):
                    return s
        return None


def _page(status: int, title: str, text: str) -> HTMLResponse:
    """A minimal French page for refusals decided before any route runs."""
    from markupsafe import escape

    body = (
        f'<!DOCTYPE html><html lang="{get_language()}"><head><meta charset="utf-8">'
        f"<title>{escape(title)} — hygie</title></head><body><main><h1>{escape(title)}</h1>"
        f"<p>{escape(text)}</p></main></body></html>"
    )
    return HTMLResponse(body, status_code=status)


class SecurityMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        sessions: Sessions,
        port_of: Callable[[], int | None],
        extra_hosts: frozenset[str] = frozenset(),
        max_body: int = DEFAULT_MAX_BODY,
    ) -> None:
        self.app = app
        self.sessions = sessions
        self.port_of = port_of
        self.extra_hosts = extra_hosts
        self.max_body = max_body

    def cookie_name(self) -> str:
        # Cookies are shared by all ports of a host: one name per port keeps two
        # dashboards (two practices on one machine) apart.
        return f"hygie_session_{self.port_of() or 0}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        set_language("fr")
        send = self._with_headers(send, static=scope.get("path", "").startswith("/static/"))
        headers = Headers(scope=scope)
        host = host_name(headers.get("host", ""))
        if not (is_loopback(host) or host in self.extra_hosts):
            await _page(
                400,
                _("Adresse refusée"),
                _("Le tableau de bord ne répond qu'à l'adresse de cet ordinateur."),
            )(scope, receive, send)
            return

        request = Request(scope)
        token = request.query_params.get("token")
        session = self.sessions.get(request.cookies.get(self.cookie_name()))
        if token is not None and request.method == "GET":
            opened = self.sessions.exchange(token)
            if opened is not None or session is not None:
                session = opened or session
                assert session is not None
                query = [(k, v) for k, v in request.query_params.multi_items() if k != "token"]
                url = request.url.path + ("?" + urllib.parse.urlencode(query) if query else "")
                resp = RedirectResponse(url, status_code=303)
                resp.set_cookie(
                    self.cookie_name(),
                    session.sid,
                    httponly=True,
                    samesite="strict",
                    path="/",
                )
                await resp(scope, receive, send)
                return
        if session is None:
            await _page(
                403,
                _("Accès refusé"),
                _(
                    "Ce lien a déjà servi ou n'est pas le bon : chaque lien du tableau de bord "
                    "ne sert qu'une fois. Rouvrez hygie depuis son raccourci pour en obtenir "
                    "un nouveau."
                ),
            )(scope, receive, send)
            return
        set_language(session.lang)
        scope.setdefault("state", {})["session"] = session

        if request.method in UNSAFE_METHODS:
            body = await self._read_body(scope, receive)
            if body is None:
                await _page(
                    413,
                    _("Fichier trop gros"),
                    _("Le fichier dépasse {mb} Mo. Choisissez un fichier plus petit.").format(
                        mb=self.max_body // (1024 * 1024)
                    ),
                )(scope, receive, send)
                return
            if not await self._csrf_ok(scope, body, session):
                await _page(
                    403,
                    _("Demande refusée"),
                    _(
                        "Cette demande n'a pas été envoyée depuis le tableau de bord. "
                        "Rechargez la page et réessayez."
                    ),
                )(scope, receive, send)
                return
            receive = _replay(body, receive)
        await self.app(scope, receive, send)

    def _with_headers(self, send: Send, *, static: bool = False) -> Send:
        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                h = MutableHeaders(scope=message)
                own = h.get("content-security-policy", "")
                for k, v in SECURITY_HEADERS.items():
                    h[k] = v
                if own.startswith(CSP_PRINT_PREFIX) and own.endswith(CSP_REST):
                    # a print view allows its document's own <style> by hash, nothing else
                    h["content-security-policy"] = own
                # pages are never cached; the CSS/JS/icon (no data in them) may be, by this
                # browser only, so that each page paints without fetching them again
                h["cache-control"] = "private, max-age=3600" if static else "no-store"
            await send(message)

        return wrapped

    async def _read_body(self, scope: Scope, receive: Receive) -> bytes | None:
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body:
            return None
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                return None
            chunks.append(chunk)
            more = message.get("more_body", False)
        return b"".join(chunks)

    async def _csrf_ok(self, scope: Scope, body: bytes, session: Session) -> bool:
        expected = session.csrf.encode()
        header = Headers(scope=scope).get("x-csrf-token")
        if header is not None:
            return hmac.compare_digest(header.encode(), expected)
        request = Request(scope, _replay(body))
        ctype = request.headers.get("content-type", "")
        if not ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            return False
        async with request.form(max_part_size=self.max_body) as form:
            given = form.get("csrf_token")
            return isinstance(given, str) and hmac.compare_digest(given.encode(), expected)


def _replay(body: bytes, then: Receive | None = None) -> Receive:
    """A ``receive`` that gives the buffered body, then defers to the real one."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            if then is not None:
                return await then()
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


def session_of(request: Request) -> Session:
    session = request.scope.get("state", {}).get("session")
    if not isinstance(session, Session):  # pragma: no cover - the middleware always sets it
        raise RuntimeError("no session")
    return session


def no_store(response: Response) -> Response:
    response.headers["cache-control"] = "no-store"
    return response
