"""The device's HTTP client: stdlib ``urllib``, a time-out on every call, TLS verified.

* ``https://`` is the rule; the certificate is verified against the system's authorities
  (``SSL_CERT_FILE`` / ``SSL_CERT_DIR`` add a practice's or provider's own authority).
* ``http://`` is accepted only to this computer (``127.0.0.0/8``, ``::1``, ``localhost``:
  tests, a server on the same machine), or anywhere when the nurse's IT provider explicitly
  allows it (``--allow-plain-http`` at join, remembered with the membership): the token
  would otherwise cross the network in clear.
* Redirects are never followed: urllib would forward the ``Authorization`` header to
  whatever host a redirect names.
* The token goes only in the ``Authorization`` header, never in a URL or a log line.
"""

from __future__ import annotations

import functools
import ipaddress
import json
import logging
import os
import socket
import ssl
import threading
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from hygie import __version__
from hygie.fleet.errors import FleetServerAddressInvalid, FleetServerUnreachable
from hygie.i18n import _

log = logging.getLogger("hygie.fleet.device")

DEFAULT_TIMEOUT = 10.0
TOTAL_FACTOR = 3  # a whole call (connect, send, answer) within 3 time-outs
MAX_ANSWER_BYTES = 64 * 1024  # a server's answer is a few hundred bytes; never read more
USER_AGENT = f"hygie/{__version__} (fleet device)"


def is_loopback_host(host: str) -> bool:
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def normalize_server_url(raw: str, *, allow_plain_http: bool = False) -> str:
    """The server's base URL (scheme://host[:port][/prefix], no trailing slash), or
    :class:`FleetServerAddressInvalid` saying why."""
    text = raw.strip()
    try:
        parts = urllib.parse.urlsplit(text)
        port = parts.port  # raises on a bad port
    except ValueError:
        raise FleetServerAddressInvalid(detail=_("ce n'est pas une adresse web")) from None
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise FleetServerAddressInvalid(
            detail=_("l'adresse doit commencer par https:// suivi du nom du serveur")
        )
    if parts.username or parts.password:
        raise FleetServerAddressInvalid(
            detail=_("l'adresse ne doit pas contenir d'identifiant ni de mot de passe")
        )
    if parts.query or parts.fragment:
        raise FleetServerAddressInvalid(detail=_("l'adresse ne doit pas contenir « ? » ni « # »"))
    if parts.scheme == "http" and not (allow_plain_http or is_loopback_host(parts.hostname)):
        raise FleetServerAddressInvalid(
            detail=_(
                "une adresse http:// n'est pas chiffrée ; seule une adresse https:// est "
                "acceptée pour un autre ordinateur"
            )
        )
    host = parts.hostname
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port is None else f"{host}:{port}"
    path = parts.path.rstrip("/")
    return f"{parts.scheme}://{netloc}{path}"


@dataclass(frozen=True)
class Answer:
    """What the server answered: HTTP status and the JSON body (``{}`` when none)."""

    status: int
    body: dict[str, Any]
    retry_after: float | None = None

    @property
    def error_code(self) -> str:
        value = self.body.get("error")
        return value if isinstance(value, str) else ""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # the 3xx comes back as an HTTPError: an unexpected answer


@functools.lru_cache(maxsize=4)
def _tls_context(_cafile: str | None, _capath: str | None) -> ssl.SSLContext:
    """The verifying context (loading the authorities costs tens of milliseconds: once per
    process and per SSL_CERT_FILE / SSL_CERT_DIR, which it reads)."""
    return ssl.create_default_context()


def _opener(url: str) -> urllib.request.OpenerDirector:
    context = _tls_context(os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))
    handlers: list[urllib.request.BaseHandler] = [
        _NoRedirect(),
        urllib.request.HTTPSHandler(context=context),
    ]
    host = urllib.parse.urlsplit(url).hostname or ""
    if is_loopback_host(host):
        handlers.append(urllib.request.ProxyHandler({}))  # never send loopback via a proxy
    return urllib.request.build_opener(*handlers)


def _retry_after(headers: Any) -> float | None:
    raw = headers.get("Retry-After") if headers is not None else None
    if raw and str(raw).strip().isdigit():
        return float(str(raw).strip())
    return None


def _parse_body(raw: bytes) -> dict[str, Any]:
    if not raw:
        return {}
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return {"_not_json": True}
    return data if isinstance(data, dict) else {"_not_json": True}


def request(
    method: str,
    base_url: str,
    path: str,
    *,
    body: bytes | None = None,
    token: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> Answer:
    """One HTTP call, over in at most ``TOTAL_FACTOR * timeout`` seconds whatever the peer
    does (urllib's time-out bounds each socket operation, not a server dripping one byte at a
    time). Any HTTP status comes back as an :class:`Answer`; no answer at all (name,
    connection, time-out, TLS) raises :class:`FleetServerUnreachable`."""
    box: dict[str, Answer | BaseException] = {}

    def call() -> None:
        try:
            box["answer"] = _request(
                method, base_url, path, body=body, token=token, timeout=timeout
            )
        except BaseException as exc:  # handed to the caller's thread
            box["error"] = exc

    worker = threading.Thread(target=call, name="fleet-http", daemon=True)
    worker.start()
    worker.join(TOTAL_FACTOR * timeout)
    if worker.is_alive():  # left to finish on its own socket time-outs
        raise FleetServerUnreachable(detail=_describe(TimeoutError()))
    error = box.get("error")
    if isinstance(error, BaseException):
        raise error
    answer = box["answer"]
    assert isinstance(answer, Answer)
    return answer


def _request(
    method: str,
    base_url: str,
    path: str,
    *,
    body: bytes | None = None,
    token: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> Answer:
    url = base_url + path
    req = urllib.request.Request(url, data=body, method=method)
    req.add_header("User-Agent", USER_AGENT)
    req.add_header("Accept", "application/json")
    if body is not None:
        req.add_header("Content-Type", "application/json")
    if token is not None:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with _opener(url).open(req, timeout=timeout) as resp:
            raw = resp.read(MAX_ANSWER_BYTES)
            return Answer(resp.status, _parse_body(raw), _retry_after(resp.headers))
    except urllib.error.HTTPError as exc:
        try:
            raw = exc.read(MAX_ANSWER_BYTES)
        except OSError:
            raw = b""
        return Answer(exc.code, _parse_body(raw), _retry_after(exc.headers))
    except urllib.error.URLError as exc:
        raise FleetServerUnreachable(detail=_describe(exc.reason)) from exc
    except TimeoutError as exc:
        raise FleetServerUnreachable(detail=_describe(exc)) from exc
    except (OSError, ValueError) as exc:  # reset by peer, bad status line…
        raise FleetServerUnreachable(detail=_describe(exc)) from exc


def _describe(reason: object) -> str:
    """A short French cause for a failed connection (no token, no body)."""
    if isinstance(reason, ssl.SSLCertVerificationError):
        return _("le certificat du serveur n'est pas reconnu (connexion refusée par sécurité)")
    if isinstance(reason, ssl.SSLError):
        return _("la connexion chiffrée a échoué")
    if isinstance(reason, TimeoutError):
        return _("pas de réponse dans le délai")
    if isinstance(reason, ConnectionRefusedError):
        return _("connexion refusée (le serveur est arrêté ?)")
    if isinstance(reason, socket.gaierror):
        return _("nom du serveur introuvable")
    if isinstance(reason, ConnectionError):
        return _("connexion interrompue")
    return _("erreur réseau ({kind})").format(kind=type(reason).__name__)
