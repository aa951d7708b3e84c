"""``hygie fleet serve``: migrate, then run the web application under uvicorn (foreground).

Plain HTTP is for loopback (a reverse proxy on the same machine terminates TLS); any other
address is refused unless the operator says ``--allow-plain-http``.
"""

from __future__ import annotations

import ipaddress
import logging
import os
from dataclasses import dataclass

from hygie.fleet.errors import FleetListenInvalid, FleetPlainHttpRefused
from hygie.fleet.server.app import ENV_SETTINGS, AppSettings

log = logging.getLogger("hygie.fleet.server.serve")

DEFAULT_PORT = 8750


@dataclass(frozen=True)
class ServeSettings:
    app: AppSettings
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    workers: int = 1
    allow_plain_http: bool = False
    access_log: bool = False
    forwarded_allow_ips: str = "127.0.0.1"


def parse_listen(listen: str) -> tuple[str, int]:
    """``H:P``, ``[v6]:P`` or ``H`` (default port) -> (host, port)."""
    text = listen.strip()
    if text.startswith("["):
        host, sep, rest = text[1:].partition("]")
        port_text = rest[1:] if rest.startswith(":") else ""
        if not sep or (rest and not rest.startswith(":")):
            raise FleetListenInvalid(listen=listen, reason="crochet fermant manquant")
    elif text.count(":") == 1:
        host, _, port_text = text.partition(":")
    elif ":" in text:
        raise FleetListenInvalid(listen=listen, reason="une adresse IPv6 s'écrit entre crochets")
    else:
        host, port_text = text, ""
    if not host:
        raise FleetListenInvalid(listen=listen, reason="adresse manquante")
    if not port_text:
        return host, DEFAULT_PORT
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise FleetListenInvalid(listen=listen, reason="le port doit être un nombre de 1 à 65535")
    return host, int(port_text)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a name other than localhost may resolve to anything


def check_listen(host: str, *, allow_plain_http: bool) -> None:
    if not is_loopback(host) and not allow_plain_http:
        raise FleetPlainHttpRefused(host=host)


def run(settings: ServeSettings) -> None:
    """Listen until interrupted. The schema is migrated first (under the migration lock)."""
    import uvicorn

    from hygie.fleet.server.db import connect
    from hygie.fleet.server.migrate import migrate

    check_listen(settings.host, allow_plain_http=settings.allow_plain_http)
    with connect(settings.app.database, autocommit=True) as conn:
        result = migrate(conn)
    log.info("fleet server: schema version %d", result.version)
    os.environ[ENV_SETTINGS] = settings.app.to_env()
    uvicorn.run(
        "hygie.fleet.server.app:app_from_env",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        access_log=settings.access_log,
        server_header=False,
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        log_level="info",
        timeout_graceful_shutdown=10,
    )
