"""Shared helpers of the mail tests: valid NIRs, messages, a real upstream SMTP sink."""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any


def nir_with_key(base13: str) -> str:
    n = int(base13.replace("2A", "19").replace("2B", "18"))
    return f"{base13}{97 - n % 97:02d}"


VALID_NIR = nir_with_key("2800475109035")  # 280047510903526
VALID_NIR_2 = nir_with_key("1850578006084")
CORSICA_NIR = nir_with_key("185052A123456")
BAD_KEY_NIR = VALID_NIR[:-2] + f"{(int(VALID_NIR[-2:]) + 1) % 97:02d}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def make_message(
    *,
    to: str = "dr.martin@gmail.com",
    body: str = "Bonjour, rendez-vous demain à 9 h.",
    attachment: tuple[str, bytes] | None = None,
    size: int = 0,
) -> bytes:
    msg = EmailMessage()
    msg["From"] = "idel@cabinet.example"
    msg["To"] = to
    msg["Subject"] = "Test hygie"
    text = body
    if size:
        filler = "Compte rendu de tournée sans donnée nominative. " * (size // 48 + 1)
        text = body + "\n" + filler[: max(0, size - len(body))]
    msg.set_content(text)
    if attachment:
        name, data = attachment
        msg.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    return msg.as_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


@dataclass
class Sink:
    """A real SMTP server (aiosmtpd) on loopback that keeps what it receives."""

    host: str
    port: int
    ca: Any
    user: str
    password: str
    received: list[tuple[str, list[str], bytes]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    fail_rcpt_code: int | None = None
    #: The transaction commands the sink answered, in order ("MAIL", "RCPT", "DATA", "RSET").
    events: list[str] = field(default_factory=list)
    #: Close the connection this many seconds after the next RCPT is accepted (once).
    drop_after_rcpt_s: float | None = None

    def ca_file(self, tmp: Path) -> Path:
        p = tmp / "upstream-ca.pem"
        self.ca.cert_pem.write_to_path(str(p))
        return p


class _SinkHandler:
    def __init__(self, sink: Sink) -> None:
        self.sink = sink

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, opts: Any
    ) -> str:
        self.sink.events.append("MAIL")
        envelope.mail_from = address
        envelope.mail_options.extend(opts)
        return "250 OK"

    async def handle_RSET(self, server: Any, session: Any, envelope: Any) -> str:
        self.sink.events.append("RSET")
        return "250 OK"

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, opts: Any
    ) -> str:
        self.sink.events.append("RCPT")
        if self.sink.drop_after_rcpt_s is not None:
            import asyncio

            delay, self.sink.drop_after_rcpt_s = self.sink.drop_after_rcpt_s, None
            asyncio.get_running_loop().call_later(delay, server.transport.close)
        if self.sink.fail_rcpt_code:
            return f"{self.sink.fail_rcpt_code} refused by test sink"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.sink.events.append("DATA")
        with self.sink.lock:
            self.sink.received.append(
                (envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.original_content))
            )
        return "250 2.0.0 queued by sink"


@contextlib.contextmanager
def run_sink(
    *,
    tls: bool = True,
    auth: bool = True,
    implicit: bool = False,
    cert_names: tuple[str, ...] = ("127.0.0.1", "localhost"),
    cert_not_after: Any = None,
) -> Iterator[Sink]:
    """``cert_names``/``cert_not_after``: the names and end of validity of the sink's
    certificate (a wrong name or an expired certificate for the diagnostics tests)."""
    import trustme
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    ca = trustme.CA()
    cert = ca.issue_cert(*cert_names, not_after=cert_not_after)
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(ctx)
    sink = Sink("127.0.0.1", free_port(), ca, "cabinet", "secret-upstream")

    def authenticator(server: Any, session: Any, envelope: Any, mech: str, data: Any) -> Any:
        ok = (
            isinstance(data, LoginPassword)
            and data.login == sink.user.encode()
            and (data.password == sink.password.encode())
        )
        return AuthResult(success=ok, handled=False)

    kw: dict[str, Any] = {}
    if implicit:
        kw.update(ssl_context=ctx)  # TLS from the first byte (port 465 style)
    elif tls:
        kw.update(tls_context=ctx, require_starttls=True)
    if auth:
        kw.update(
            authenticator=authenticator, auth_required=True, auth_require_tls=tls and not implicit
        )
    controller = Controller(_SinkHandler(sink), hostname=sink.host, port=sink.port, **kw)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()


# --- the scanner ---------------------------------------------------------------------------
def scanner() -> Any:
    """The real scanner (hygie.scan.scan_email, the typed API)."""
    from hygie.scan import scan_email

    return scan_email


def dying_scanner(raw: bytes, *, deadline: float | None = None) -> Any:
    """A scanner whose worker process dies (for the fail-closed test of the process pool)."""
    import os

    os._exit(3)
