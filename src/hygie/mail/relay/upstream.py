"""The upstream: a few reused connections to the practice's real SMTP server, one delivery.

The relay never answers 250 before the upstream accepted the message (no queue): all
recipients or none. The upstream down or answering 4xx → a temporary 4xx so the client keeps
the message and retries.
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
import ssl
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

from hygie.i18n import _
from hygie.mail.relay.replies import smtp_reply, upstream_text
from hygie.mail.relay.settings import RelaySettings

log = logging.getLogger("hygie.mail.relay")


@dataclass(frozen=True)
class Delivery:
    ok: bool
    reply: str
    decision: str = ""


class UpstreamAuthError(Exception):
    """The upstream refused the relay's login (wrong password)."""


class UpstreamPool:
    """A few open, authenticated connections to the upstream, reused between messages.

    Saves the TCP + TLS handshake and the login per message. A connection that fails before
    the message was handed over is dropped and the message retried once on a fresh one; idle
    connections are closed after ``idle_s``.
    """

    def __init__(
        self, settings: RelaySettings, password: str | None, size: int = 4, idle_s: float = 30.0
    ) -> None:
        self.settings = settings
        self.password = password
        self.size = size
        self.idle_s = idle_s
        self._idle: list[tuple[smtplib.SMTP, float]] = []
        self._lock = threading.Lock()
        self._ctx = ssl.create_default_context(
            cafile=str(settings.upstream_ca) if settings.upstream_ca else None
        )

    def connect(self) -> smtplib.SMTP:
        s = self.settings
        smtp: smtplib.SMTP
        if s.upstream_tls == "tls":
            smtp = smtplib.SMTP_SSL(
                s.upstream_host, s.upstream_port, timeout=s.upstream_timeout_s, context=self._ctx
            )
        else:
            smtp = smtplib.SMTP(s.upstream_host, s.upstream_port, timeout=s.upstream_timeout_s)
        try:
            smtp.ehlo()
            if s.upstream_tls == "starttls":
                smtp.starttls(context=self._ctx)
                smtp.ehlo()
            if s.upstream_user:
                try:
                    smtp.login(s.upstream_user, self.password or "")
                except smtplib.SMTPAuthenticationError as exc:
                    raise UpstreamAuthError from exc
        except BaseException:
            _close(smtp)
            raise
        return smtp

    def acquire(self) -> tuple[smtplib.SMTP, bool]:
        """A connection and whether it is fresh (a reused one may have been closed by peer)."""
        now = time.monotonic()
        with self._lock:
            while self._idle:
                smtp, since = self._idle.pop()
                if now - since < self.idle_s:
                    return smtp, False
                _close(smtp)
        return self.connect(), True

    def release(self, smtp: smtplib.SMTP, reusable: bool) -> None:
        if reusable:
            with self._lock:
                if len(self._idle) < self.size:
                    self._idle.append((smtp, time.monotonic()))
                    return
        _close(smtp)

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for smtp, _since in idle:
            _close(smtp, quit_=True)


def _close(smtp: smtplib.SMTP, *, quit_: bool = False) -> None:
    with contextlib.suppress(smtplib.SMTPException, OSError):
        if quit_:
            smtp.quit()
        smtp.close()


def deliver(
    settings: RelaySettings,
    password: str | None,
    mail_from: str,
    rcpts: Sequence[str],
    data: bytes,
    mail_options: Sequence[str] = (),
    *,
    pool: UpstreamPool | None = None,
) -> Delivery:
    """Hand the message to the upstream; all recipients or none (never a partial accept)."""
    own_pool = pool is None
    pool = pool or UpstreamPool(settings, password, size=0)
    temp = _("Le serveur d'envoi ne répond pas ; votre logiciel réessaiera plus tard.")
    try:
        for _attempt in range(2):
            smtp, fresh = pool.acquire()
            try:
                opts = [
                    o
                    for o in mail_options
                    if o.split("=", 1)[0].lower() in ("body", "smtputf8")
                    and smtp.has_extn(o.split("=", 1)[0].lower().replace("body", "8bitmime"))
                ]
                code, resp = smtp.mail(mail_from, opts)
            except (OSError, smtplib.SMTPServerDisconnected):
                pool.release(smtp, False)
                if fresh:
                    raise
                continue  # a stale pooled connection: retry once on a fresh one
            try:
                result = _transaction(smtp, code, resp, rcpts, data)
            except BaseException:
                pool.release(smtp, False)
                raise
            pool.release(smtp, True)
            return result
        raise smtplib.SMTPServerDisconnected("no usable upstream connection")
    except UpstreamAuthError:
        log.warning("upstream authentication failed")
        return Delivery(
            False,
            smtp_reply(
                451,
                "4.7.0",
                _(
                    "Le relais n'a pas pu s'identifier auprès du serveur d'envoi "
                    "(mot de passe ?). Message gardé par votre logiciel."
                ),
            ),
            "deferred_upstream",
        )
    except (OSError, smtplib.SMTPException, ssl.SSLError):
        return Delivery(False, smtp_reply(451, "4.4.1", temp), "deferred_upstream")
    finally:
        if own_pool:
            pool.close()


def _transaction(
    smtp: smtplib.SMTP, code: int, resp: bytes, rcpts: Sequence[str], data: bytes
) -> Delivery:
    if code != 250:
        return _refusal(smtp, code, resp)
    for r in rcpts:
        code, resp = smtp.rcpt(r)
        if code not in (250, 251):
            return _refusal(smtp, code, resp)
    code, resp = smtp.data(data)
    if code != 250:
        return _refusal(smtp, code, resp)
    return Delivery(True, f"250 2.0.0 {upstream_text(resp)}")


def _refusal(smtp: smtplib.SMTP, code: int, resp: bytes) -> Delivery:
    with contextlib.suppress(smtplib.SMTPException, OSError):
        smtp.rset()
    text = upstream_text(resp)
    if 400 <= code < 500:
        return Delivery(False, f"451 4.4.0 {text}", "deferred_upstream")
    if 500 <= code < 600:
        return Delivery(False, f"{code} 5.0.0 {text}", "refused_upstream")
    return Delivery(False, f"451 4.4.0 {text}", "deferred_upstream")
