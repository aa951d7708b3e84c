"""Start the dashboard: bind (loopback only by default), print the URL, open the browser."""

from __future__ import annotations

import ipaddress
import socket
import sys
import threading
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from hygie.i18n import _
from hygie.output import err_console
from hygie.web.errors import PortUnavailable, RemoteListenRefused
from hygie.web.security import Sessions, is_loopback

DEFAULT_LISTEN = "127.0.0.1"
OPENER_TTL_S = 60.0


@dataclass(frozen=True)
class ServeSettings:
    listen: str = DEFAULT_LISTEN
    port: int = 0  # 0: a free port chosen by the system
    open_browser: bool = True
    allow_remote: bool = False


def check_listen(listen: str, allow_remote: bool) -> bool:
    """True when the address is loopback; a remote one needs the explicit opt-in."""
    if is_loopback(listen):
        return True
    try:
        ipaddress.ip_address(listen.strip("[]"))
    except ValueError:
        # a name: only the loopback names are accepted without the opt-in
        if not allow_remote:
            raise RemoteListenRefused(host=listen) from None
        return False
    if not allow_remote:
        raise RemoteListenRefused(host=listen)
    return False


def bind(listen: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in listen else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted connections inherit it: no 40 ms Nagle/delayed-ACK stall between the
    # response's head and body on keep-alive connections.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((listen.strip("[]"), port))
    except OSError as exc:
        sock.close()
        raise PortUnavailable(port=port, detail=exc.strerror or str(exc)) from exc
    sock.listen(64)
    return sock


def url_for(listen: str, port: int, token: str) -> str:
    host = f"[{listen.strip('[]')}]" if ":" in listen else listen
    return f"http://{host}:{port}/?token={token}"


def redirect_file(url: str, port: int) -> Path:
    """A 0600 local page that sends the browser to ``url`` (as Jupyter does): the browser is
    started with this file's name, so the one-time token never appears on a command line,
    where other local users could read it."""
    from markupsafe import escape

    from hygie.fileio import private_dir, write_text_atomic
    from hygie.paths import get_paths

    folder = private_dir(get_paths().data_dir / "run")
    page = (
        '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">'
        f'<meta http-equiv="refresh" content="0;url={escape(url)}">'
        "<title>hygie</title></head><body>"
        f'<p><a href="{escape(url)}">{escape(_("Ouvrir le tableau de bord de hygie"))}</a></p>'
        "</body></html>"
    )
    return write_text_atomic(folder / f"ouvrir-hygie-{port}.html", page, mode=0o600)


def serve(settings: ServeSettings, *, on_ready: Callable[[str], None] | None = None) -> None:
    """Run until interrupted. The first line on stdout is the URL (with its one-time token)."""
    import uvicorn

    from hygie.web.app import create_app

    loopback = check_listen(settings.listen, settings.allow_remote)
    if not loopback:
        err_console.print(
            "[bold red]"
            + _(
                "Attention : le tableau de bord est accessible depuis le réseau ({host}). "
                "Toute personne qui obtient le lien peut voir le bilan de cet ordinateur."
            ).format(host=settings.listen)
            + "[/]"
        )
    sock = bind(settings.listen, settings.port)
    port = int(sock.getsockname()[1])
    sessions = Sessions()
    extra = frozenset() if loopback else frozenset({settings.listen.strip("[]").lower()})
    app, state = create_app(sessions=sessions, extra_hosts=extra)
    state.port = port
    url = url_for(settings.listen, port, sessions.token)
    sys.stdout.write(url + "\n")
    sys.stdout.flush()
    err_console.print(
        _("Tableau de bord ouvert sur cet ordinateur. Arrêt : Ctrl+C dans cette fenêtre.")
    )
    if on_ready is not None:
        on_ready(url)
    opener: Path | None = None
    if settings.open_browser:
        opener = redirect_file(url, port)
        threading.Timer(0.5, webbrowser.open, args=(opener.as_uri(),)).start()
        # its one-time token is spent once the browser has opened it: remove it soon
        remove = threading.Timer(OPENER_TTL_S, opener.unlink, kwargs={"missing_ok": True})
        remove.daemon = True
        remove.start()
    config = uvicorn.Config(
        app,
        # the standard event loop on every OS: uvloop (the fleet server's extra) has no
        # Windows build, and the dashboard must behave the same on the nurse's Windows PC
        loop="asyncio",
        log_level="warning",
        access_log=False,
        server_header=False,
        date_header=False,
        proxy_headers=False,
        timeout_graceful_shutdown=2,
    )
    server = uvicorn.Server(config)
    try:
        server.run(sockets=[sock])
    finally:
        if opener is not None:
            opener.unlink(missing_ok=True)
