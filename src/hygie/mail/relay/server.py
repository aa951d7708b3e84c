"""The SMTP side of the guard relay: aiosmtpd handler, client authentication, start/stop.

The mail client (Thunderbird, Outlook, Apple Mail) sends through ``hygie mail relay``; for each
message the relay decides (:mod:`.decide`), then either relays it to the practice's real SMTP
server (:mod:`.upstream`) while the client waits, or refuses it.

It is never an open relay: it listens on loopback only, unless client authentication (a local
password in the OS keyring) and TLS are both configured. Logs are one line per message with the
decision, sizes and finding types/counts — no content, no address, no identifier.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hmac
import logging
import os
import ssl
import threading
import time
import uuid
import warnings
from pathlib import Path
from typing import Any

from hygie.i18n import _
from hygie.mail.errors import RelayConfigError, RelayStartError
from hygie.mail.relay.decide import Verdict, add_warning_header, decide
from hygie.mail.relay.replies import smtp_reply
from hygie.mail.relay.scanning import ProcessScanner, Scanner, default_scanner
from hygie.mail.relay.settings import RelaySettings, is_loopback
from hygie.mail.relay.stats import RelayStats
from hygie.mail.relay.upstream import UpstreamPool, deliver
from hygie.mail.webmail import is_webmail_domain

log = logging.getLogger("hygie.mail.relay")


class GuardHandler:
    """aiosmtpd handler: decides in a worker thread, then relays while the client waits."""

    def __init__(
        self,
        settings: RelaySettings,
        *,
        scanner: Scanner | None,
        upstream_password: str | None,
        quarantine_dir: Path,
        stats: RelayStats,
    ) -> None:
        self.settings = settings
        self.scanner = scanner
        self.upstream_password = upstream_password
        self.quarantine_dir = quarantine_dir
        self.stats = stats
        self.pool = UpstreamPool(settings, upstream_password)
        self.upstream_is_webmail = is_webmail_domain(settings.upstream_host)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        started = time.perf_counter()
        raw = envelope.original_content
        if raw is None:
            c = envelope.content
            raw = c if isinstance(c, bytes) else str(c or "").encode("utf-8", "surrogateescape")
        rcpts = list(envelope.rcpt_tos)
        s = self.settings
        loop = asyncio.get_running_loop()
        try:
            verdict = await asyncio.wait_for(
                loop.run_in_executor(
                    None,
                    lambda: decide(
                        rcpts,
                        raw,
                        policy=s.policy,
                        scanner=self.scanner,
                        scan_timeout_s=s.scan_timeout_s,
                        max_size=s.max_size,
                        upstream_is_webmail=self.upstream_is_webmail,
                    ),
                ),
                timeout=s.scan_timeout_s + 2.0,
            )
        except TimeoutError:
            verdict = Verdict(
                "refused_timeout",
                False,
                smtp_reply(554, "5.7.0", _("Vérification trop longue : message non envoyé.")),
            )
        out = raw
        reply = verdict.reply
        decision = verdict.decision
        if verdict.decision == "quarantined":
            try:
                await loop.run_in_executor(None, self._quarantine, raw)
            except OSError:
                log.exception("quarantine write failed")
                decision = "deferred_local"
                reply = smtp_reply(
                    451, "4.3.0", _("Le relais n'a pas pu garder le message ; réessayez plus tard.")
                )
        if verdict.relay:
            if verdict.header:
                out = add_warning_header(raw, verdict.header)
            delivery = await loop.run_in_executor(
                None,
                lambda: deliver(
                    s,
                    self.upstream_password,
                    envelope.mail_from or "",
                    rcpts,
                    out,
                    list(envelope.mail_options or ()),
                    pool=self.pool,
                ),
            )
            reply = delivery.reply
            if not delivery.ok:
                decision = delivery.decision
        elapsed_ms = (time.perf_counter() - started) * 1000
        findings = ",".join(f"{t}:{n}" for t, n in sorted(verdict.finding_types.items())) or "-"
        log.info(
            "message decision=%s size=%d relayed_size=%d recipients=%d non_mssante=%d "
            "findings=%s reply=%s ms=%.1f",
            decision,
            len(raw),
            len(out) if decision.startswith("relayed") else 0,
            len(rcpts),
            verdict.non_mssante,
            findings,
            reply[:3],
            elapsed_ms,
        )
        if self.stats.record(decision, len(raw)):
            loop.run_in_executor(None, self.stats.flush)
        return reply

    def _quarantine(self, raw: bytes) -> Path:
        d = self.quarantine_dir
        d.mkdir(parents=True, exist_ok=True, mode=0o700)
        d.chmod(0o700)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        path = d / f"{stamp}-{uuid.uuid4().hex[:12]}.eml"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        return path


def quarantine_dir() -> Path:
    from hygie.paths import get_paths

    return get_paths().data_dir / "mail-quarantine"


class _Authenticator:
    def __init__(self, user: str, password: str) -> None:
        self.user = user.encode("utf-8")
        self.password = password.encode("utf-8")

    def __call__(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> Any:
        from aiosmtpd.smtp import AuthResult, LoginPassword

        ok = (
            isinstance(auth_data, LoginPassword)
            and hmac.compare_digest(auth_data.login, self.user)
            and hmac.compare_digest(auth_data.password, self.password)
        )
        return AuthResult(success=ok, handled=False)


class GuardRelay:
    """Start/stop the relay in a background thread (the CLI and the tests use the same)."""

    def __init__(
        self,
        settings: RelaySettings,
        *,
        scanner: Scanner | None = None,
        upstream_password: str | None = None,
        client_password: str | None = None,
        use_default_scanner: bool = True,
        quarantine: Path | None = None,
        stats_flush_every_s: float = 2.0,
    ) -> None:
        settings.validate(client_password_set=bool(client_password))
        self.settings = settings
        self.stats = RelayStats(stats_flush_every_s)
        chosen = scanner if scanner is not None or not use_default_scanner else default_scanner()
        self.process_scanner: ProcessScanner | None = None
        if chosen is not None and settings.scan_workers > 0:
            self.process_scanner = ProcessScanner(chosen, settings.scan_workers)
            chosen = self.process_scanner
        self.handler = GuardHandler(
            settings,
            scanner=chosen,
            upstream_password=upstream_password,
            quarantine_dir=quarantine or quarantine_dir(),
            stats=self.stats,
        )
        self.client_password = client_password
        self._controller: Any = None

    def _smtp_kwargs(self) -> dict[str, Any]:
        s = self.settings
        loopback = is_loopback(s.listen_host)
        kw: dict[str, Any] = {
            "data_size_limit": s.max_size,
            "decode_data": False,
            "enable_SMTPUTF8": False,
            "ident": "hygie guard relay",
        }
        if s.tls_cert and s.tls_key:
            ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            try:
                ctx.load_cert_chain(str(s.tls_cert), str(s.tls_key))
            except (OSError, ssl.SSLError) as exc:
                raise RelayConfigError(
                    detail=_("certificat TLS illisible ({path})").format(path=s.tls_cert)
                ) from exc
            kw["tls_context"] = ctx
            kw["require_starttls"] = not loopback
        if self.client_password:
            kw["authenticator"] = _Authenticator(s.client_user, self.client_password)
            kw["auth_required"] = True
            kw["auth_require_tls"] = not loopback
            if loopback:  # the password never leaves the machine: aiosmtpd's warning is moot
                warnings.filterwarnings(
                    "ignore", message="Requiring AUTH while not requiring TLS", category=UserWarning
                )
        elif not loopback:  # validate() already refused this; belt and braces
            raise RelayConfigError(detail=_("relais ouvert refusé"))
        return kw

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        from hygie.mail.store import ensure_tables

        s = self.settings
        # aiosmtpd's own logger writes envelope addresses at INFO: never let it through.
        logging.getLogger("mail.log").setLevel(logging.ERROR)
        ensure_tables()  # migrate now, not from two flushing threads at once
        if self.process_scanner is not None:
            self.process_scanner.warm()
        self._controller = Controller(
            self.handler,
            hostname=s.listen_host,
            port=s.listen_port,
            ready_timeout=10.0,
            **self._smtp_kwargs(),
        )
        try:
            self._controller.start()
        except (OSError, RuntimeError) as exc:
            self._controller = None
            raise RelayStartError(
                listen=f"{s.listen_host}:{s.listen_port}", detail=str(exc)
            ) from exc
        log.info(
            "relay listening on %s:%d upstream=%s:%d tls=%s policy=%s auth=%s",
            s.listen_host,
            s.listen_port,
            s.upstream_host,
            s.upstream_port,
            s.upstream_tls,
            s.policy,
            "yes" if self.client_password else "loopback-only",
        )

    def stop(self) -> None:
        if self._controller is not None:
            with contextlib.suppress(Exception):
                self._controller.stop()
            self._controller = None
        self.handler.pool.close()
        if self.process_scanner is not None:
            self.process_scanner.close()
        self.stats.flush()

    def __enter__(self) -> GuardRelay:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def run_forever(relay: GuardRelay, stop: threading.Event) -> dict[str, int]:
    """Serve until ``stop`` is set (the CLI sets it on Ctrl-C / SIGTERM); returns the totals."""
    relay.start()
    try:
        while not stop.wait(1.0):
            relay.stats.flush()
    finally:
        relay.stop()
    return dict(relay.stats.totals)
