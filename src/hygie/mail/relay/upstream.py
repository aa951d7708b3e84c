"""The upstream: a few reused connections to the practice's real SMTP server, one delivery.

The relay never answers 250 before the upstream accepted the message (no queue): all
recipients or none. The upstream down or answering 4xx → a temporary 4xx so the client keeps
the message and retries. A connection that fails is classified (:func:`classify`): a
certificate the relay does not trust, a certificate for another host name, no STARTTLS, a TLS
protocol failure, a refused login or no answer at all each get their own reply text and log
reason, so a bad certificate never reads like an outage. :func:`check_upstream` runs the same
connection once for ``hygie mail relay --check``.
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
import socket
import ssl
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from hygie.i18n import N_, _
from hygie.identifiers import mask_identifiers
from hygie.mail.relay.replies import smtp_reply, upstream_enhanced, upstream_text
from hygie.mail.relay.settings import RelaySettings
from hygie.mail.relay.smtp_data import send_body

log = logging.getLogger("hygie.mail.relay")

#: OpenSSL verification codes (``X509_V_ERR_*``) that mean "wrong name", not "wrong issuer".
_NAME_MISMATCH = (62, 64)  # HOSTNAME_MISMATCH, IP_ADDRESS_MISMATCH
_EXPIRED = (9, 10)  # CERT_NOT_YET_VALID, CERT_HAS_EXPIRED

#: Why a connection to the upstream failed: (enhanced code, French reply text).
REASONS: dict[str, tuple[str, str]] = {
    "unreachable": (
        "4.4.1",
        N_("Le serveur d'envoi ne répond pas ; votre logiciel réessaiera plus tard."),
    ),
    "tls_untrusted": (
        "4.7.5",
        N_(
            "Le certificat du serveur d'envoi n'est pas reconnu (autorité inconnue) : le relais "
            "refuse de lui confier le message. Message gardé par votre logiciel ; prévenez la "
            "personne qui gère votre informatique (hygie mail relay --check)."
        ),
    ),
    "tls_expired": (
        "4.7.5",
        N_(
            "Le certificat du serveur d'envoi a expiré (ou n'est pas encore valable) : le relais "
            "refuse de lui confier le message. Message gardé par votre logiciel ; prévenez votre "
            "fournisseur de messagerie."
        ),
    ),
    "tls_hostname": (
        "4.7.5",
        N_(
            "Le certificat du serveur d'envoi est établi pour un autre nom : le relais refuse de "
            "lui confier le message. Message gardé par votre logiciel ; vérifiez le nom du "
            "serveur dans les réglages (hygie mail relay --check)."
        ),
    ),
    "no_starttls": (
        "4.7.5",
        N_(
            "Le serveur d'envoi ne propose pas de connexion chiffrée (STARTTLS) : le relais "
            "refuse d'envoyer en clair. Message gardé par votre logiciel ; vérifiez le port et "
            "le mode upstream_tls (hygie mail relay --check)."
        ),
    ),
    "tls_protocol": (
        "4.7.5",
        N_(
            "La connexion chiffrée avec le serveur d'envoi a échoué (protocole TLS). Message "
            "gardé par votre logiciel ; vérifiez le mode upstream_tls : starttls pour le port "
            "587, tls pour le port 465 (hygie mail relay --check)."
        ),
    ),
    "auth": (
        "4.7.8",
        N_(
            "Le relais n'a pas pu s'identifier auprès du serveur d'envoi (mot de passe ?). "
            "Message gardé par votre logiciel."
        ),
    ),
    "no_auth": (
        "4.7.8",
        N_(
            "Le serveur d'envoi ne propose pas d'identification sur cette connexion. Message "
            "gardé par votre logiciel ; vérifiez le port et le mode upstream_tls."
        ),
    ),
}


class UpstreamAuthError(Exception):
    """The upstream refused the relay's login (wrong password)."""


class UpstreamNoAuthError(Exception):
    """The upstream offers no AUTH on this connection although a user is configured."""


class NoStartTLSError(Exception):
    """The upstream does not offer STARTTLS although ``upstream_tls = starttls``."""


def classify(exc: BaseException) -> tuple[str, str]:
    """``(reason, detail)`` of a failed upstream connection; the detail is for the log.

    The detail never holds message content: it comes from the TLS library or the socket.
    """
    if isinstance(exc, UpstreamAuthError):
        return "auth", "login refused"
    if isinstance(exc, UpstreamNoAuthError):
        return "no_auth", "AUTH not offered"
    if isinstance(exc, NoStartTLSError):
        return "no_starttls", "STARTTLS not offered"
    if isinstance(exc, ssl.SSLCertVerificationError):
        code = getattr(exc, "verify_code", 0) or 0
        detail = str(getattr(exc, "verify_message", "") or exc.reason or "")
        if code in _NAME_MISMATCH:
            return "tls_hostname", detail
        if code in _EXPIRED:
            return "tls_expired", detail
        return "tls_untrusted", detail
    if isinstance(exc, ssl.SSLError):
        return "tls_protocol", str(exc.reason or type(exc).__name__)
    if isinstance(exc, socket.gaierror):
        return "unreachable", "host name not found"
    if isinstance(exc, ConnectionRefusedError):
        return "unreachable", "connection refused"
    if isinstance(exc, TimeoutError):
        return "unreachable", "timed out"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return "unreachable", "disconnected"
    if isinstance(exc, smtplib.SMTPResponseException):
        return "unreachable", f"answered {exc.smtp_code}"
    return "unreachable", type(exc).__name__


def reason_reply(reason: str) -> str:
    enhanced, text = REASONS.get(reason, REASONS["unreachable"])
    return smtp_reply(451, enhanced, _(text))


@dataclass(frozen=True)
class Delivery:
    ok: bool
    reply: str
    decision: str = ""
    #: Why the upstream could not be used (a key of :data:`REASONS`), when it could not.
    reason: str = ""


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
                if not smtp.has_extn("starttls"):
                    raise NoStartTLSError
                smtp.starttls(context=self._ctx)
                smtp.ehlo()
            if s.upstream_user:
                if not smtp.has_extn("auth"):
                    raise UpstreamNoAuthError
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


_FAILURES = (
    OSError,
    smtplib.SMTPException,
    UpstreamAuthError,
    UpstreamNoAuthError,
    NoStartTLSError,
)


@dataclass
class Opened:
    """An upstream transaction past MAIL FROM and every RCPT TO, waiting for the verdict.

    Exactly one of ``smtp`` (the connection, recipients all accepted) and ``failure`` (why
    not: the reply the client gets if the message was to be relayed) is set. Nothing of the
    message has been sent: :func:`finish` sends DATA, :func:`abort` says RSET.
    """

    pool: UpstreamPool
    smtp: smtplib.SMTP | None = None
    failure: Delivery | None = None
    #: The envelope, to open again if the connection died while the message was scanned.
    envelope: tuple[str, tuple[str, ...], tuple[str, ...]] = ("", (), ())


def open_transaction(
    pool: UpstreamPool,
    mail_from: str,
    rcpts: Sequence[str],
    mail_options: Sequence[str] = (),
) -> Opened:
    """MAIL FROM and every RCPT TO on a pooled connection (a stale pooled connection is
    retried once on a fresh one); never raises. The message itself is not sent."""
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
                refused = _envelope(smtp, code, resp, rcpts)
            except BaseException:
                pool.release(smtp, False)
                raise
            if refused is not None:
                pool.release(smtp, True)
                return Opened(pool, failure=refused)
            return Opened(pool, smtp=smtp, envelope=(mail_from, tuple(rcpts), tuple(mail_options)))
        raise smtplib.SMTPServerDisconnected("no usable upstream connection")
    except _FAILURES as exc:
        return Opened(pool, failure=_failure(exc))


def finish(opened: Opened, data: bytes, *, reopen: bool = True) -> Delivery:
    """Send the message on an opened transaction (only once the verdict says relay).

    The transaction may have stayed open for as long as the scan took: if the connection
    died meanwhile (DATA itself fails; nothing of the message was sent), the transaction is
    opened once more on another connection (``reopen``)."""
    if opened.failure is not None:
        return opened.failure
    smtp = opened.smtp
    assert smtp is not None
    opened.smtp = None
    try:
        code, resp = smtp.docmd("data")
    except (smtplib.SMTPServerDisconnected, ConnectionError) as exc:
        opened.pool.release(smtp, False)
        if not reopen:
            return _failure(exc)
        mail_from, rcpts, options = opened.envelope
        return finish(open_transaction(opened.pool, mail_from, rcpts, options), data, reopen=False)
    except _FAILURES as exc:  # a time-out, TLS: no second try (it would double the wait)
        opened.pool.release(smtp, False)
        return _failure(exc)
    except BaseException:
        opened.pool.release(smtp, False)
        raise
    try:
        if code == 354:
            code, resp = send_body(smtp, data)
    except _FAILURES as exc:
        opened.pool.release(smtp, False)
        return _failure(exc)
    except BaseException:
        opened.pool.release(smtp, False)
        raise
    result = _refusal(smtp, code, resp) if code != 250 else _accepted(resp)
    opened.pool.release(smtp, True)
    return result


def abort(opened: Opened) -> None:
    """End an opened transaction without sending anything (RSET); never raises."""
    smtp, opened.smtp = opened.smtp, None
    if smtp is None:
        return
    try:
        code, _resp = smtp.rset()
    except (OSError, smtplib.SMTPException):
        opened.pool.release(smtp, False)
        return
    opened.pool.release(smtp, code == 250)


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
    try:
        return finish(open_transaction(pool, mail_from, rcpts, mail_options), data)
    finally:
        if own_pool:
            pool.close()


def _failure(exc: BaseException) -> Delivery:
    reason, detail = classify(exc)
    log.warning("upstream failure reason=%s detail=%s", reason, detail)
    return Delivery(False, reason_reply(reason), "deferred_upstream", reason=reason)


def _envelope(smtp: smtplib.SMTP, code: int, resp: bytes, rcpts: Sequence[str]) -> Delivery | None:
    """The MAIL FROM answer and every RCPT TO: None when all accepted, else the refusal."""
    if code != 250:
        return _refusal(smtp, code, resp)
    for r in rcpts:
        code, resp = smtp.rcpt(r)
        if code not in (250, 251):
            return _refusal(smtp, code, resp)
    return None


def _accepted(resp: bytes) -> Delivery:
    return Delivery(True, f"250 {upstream_enhanced(resp, '2.0.0')} {_shown(resp)}")


def _shown(resp: bytes | str) -> str:
    """The upstream's text as the relay passes it on: one line, ASCII, identifiers masked
    (a refusal may quote a recipient such as a patient's MSSanté address)."""
    return mask_identifiers(upstream_text(resp))


def _refusal(smtp: smtplib.SMTP, code: int, resp: bytes) -> Delivery:
    with contextlib.suppress(smtplib.SMTPException, OSError):
        smtp.rset()
    text = _shown(resp)
    if 500 <= code < 600:
        return Delivery(
            False, f"{code} {upstream_enhanced(resp, '5.0.0')} {text}", "refused_upstream"
        )
    return Delivery(False, f"451 {upstream_enhanced(resp, '4.4.0')} {text}", "deferred_upstream")


@dataclass(frozen=True)
class UpstreamCheck:
    """What ``hygie mail relay --check`` learnt by connecting to the upstream once."""

    ok: bool
    reason: str = ""
    detail: str = ""
    tls_version: str = ""
    extensions: tuple[str, ...] = field(default_factory=tuple)
    logged_in: bool = False

    def message(self) -> str:
        """The French sentence for the user (translated)."""
        if self.ok:
            return _("Le serveur d'envoi répond et accepte le relais.")
        return _(REASONS.get(self.reason, REASONS["unreachable"])[1])

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "reason": self.reason or None,
            "detail": self.detail or None,
            "tls_version": self.tls_version or None,
            "extensions": list(self.extensions),
            "logged_in": self.logged_in,
        }


def check_upstream(settings: RelaySettings, password: str | None) -> UpstreamCheck:
    """Connect once as the relay would (TLS, STARTTLS, login), then say goodbye."""
    pool = UpstreamPool(settings, password, size=0)
    try:
        smtp = pool.connect()
    except (
        OSError,
        smtplib.SMTPException,
        UpstreamAuthError,
        UpstreamNoAuthError,
        NoStartTLSError,
    ) as exc:
        reason, detail = classify(exc)
        log.warning("upstream check failed reason=%s detail=%s", reason, detail)
        return UpstreamCheck(False, reason, detail)
    try:
        sock = smtp.sock
        tls = sock.version() or "" if isinstance(sock, ssl.SSLSocket) else ""
        exts = tuple(sorted(k.upper() for k in smtp.esmtp_features))
        code, _resp = smtp.noop()
        if code != 250:
            return UpstreamCheck(False, "unreachable", f"NOOP answered {code}", tls, exts)
    except (OSError, smtplib.SMTPException) as exc:
        reason, detail = classify(exc)
        return UpstreamCheck(False, reason, detail)
    finally:
        _close(smtp, quit_=True)
    return UpstreamCheck(
        True, tls_version=tls, extensions=exts, logged_in=bool(settings.upstream_user)
    )
