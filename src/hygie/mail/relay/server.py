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
import hmac
import logging
import ssl
import threading
import time
import warnings
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from hygie.errors import AppError
from hygie.i18n import _
from hygie.mail.errors import RelayConfigError, RelayStartError
from hygie.mail.relay.decide import Scanner, add_warning_header, decide
from hygie.mail.relay.quarantine import Quarantine, default_folder
from hygie.mail.relay.replies import smtp_reply
from hygie.mail.relay.scan_workers import ProcessScanner
from hygie.mail.relay.settings import RelaySettings, is_loopback
from hygie.mail.relay.smtp_data import GuardController
from hygie.mail.relay.stats import RelayStats
from hygie.mail.relay.upstream import (
    Opened,
    UpstreamPool,
    abort,
    deliver,
    finish,
    open_transaction,
)
from hygie.mail.webmail import is_webmail_domain
from hygie.scan import scan_email

log = logging.getLogger("hygie.mail.relay")

#: How often a running relay applies the quarantine retention (it also does at start).
RETENTION_EVERY_S = 3600.0
#: Messages handled at once (each waits for its scan and for the upstream's answer).
WORKERS = 8


class GuardHandler:
    """aiosmtpd handler: decides in a worker thread, then relays while the client waits."""

    def __init__(
        self,
        settings: RelaySettings,
        *,
        scanner: Scanner,
        upstream_password: str | None,
        quarantine: Quarantine,
        stats: RelayStats,
    ) -> None:
        self.settings = settings
        self.scanner = scanner
        self.upstream_password = upstream_password
        self.quarantine = quarantine
        self.stats = stats
        self.pool = UpstreamPool(settings, upstream_password)
        self.upstream_is_webmail = is_webmail_domain(settings.upstream_host)
        self.executor = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="relay")
        #: Opens upstream transactions while the message is scanned, and ends refused ones.
        self.upstream_executor = ThreadPoolExecutor(
            max_workers=WORKERS, thread_name_prefix="relay-upstream"
        )

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content
        if raw is None:
            c = envelope.content
            raw = c if isinstance(c, bytes) else str(c or "").encode("utf-8", "surrogateescape")
        # One hop to a worker thread per message: scan, keep or relay, all there (each hop
        # back to the event loop costs a wake-up; measured in docs/benchmarks.md).
        return await asyncio.get_running_loop().run_in_executor(
            self.executor,
            self.process,
            raw,
            envelope.mail_from or "",
            list(envelope.rcpt_tos),
            list(envelope.mail_options or ()),
        )

    def _abort_later(self, future: Future[Opened]) -> None:
        try:
            self.upstream_executor.submit(abort, future.result())
        except RuntimeError:  # shutting down
            abort(future.result())

    def process(self, raw: bytes, mail_from: str, rcpts: list[str], mail_options: list[str]) -> str:
        """Decide, then quarantine or relay one message; returns the SMTP reply (blocking)."""
        opening: list[Future[Opened]] = []

        def open_upstream() -> None:
            with contextlib.suppress(RuntimeError):  # shutting down: deliver() as before
                opening.append(
                    self.upstream_executor.submit(
                        open_transaction, self.pool, mail_from, rcpts, mail_options
                    )
                )

        try:
            return self._process(raw, mail_from, rcpts, mail_options, open_upstream, opening)
        finally:
            if opening:  # not handed to finish(): refused, or an error on the way
                # Nothing of the message was sent; end the upstream transaction without
                # making the client wait for it (the upstream may be slow or down).
                opening[0].add_done_callback(self._abort_later)

    def _process(
        self,
        raw: bytes,
        mail_from: str,
        rcpts: list[str],
        mail_options: list[str],
        open_upstream: Callable[[], None],
        opening: list[Future[Opened]],
    ) -> str:
        started = time.perf_counter()
        s = self.settings
        verdict = decide(
            rcpts,
            raw,
            policy=s.policy,
            scanner=self.scanner,
            scan_timeout_s=s.scan_timeout_s,
            max_size=s.max_size,
            upstream_is_webmail=self.upstream_is_webmail,
            before_scan=open_upstream,
        )
        out = raw
        reply = verdict.reply
        decision = verdict.decision
        if verdict.decision == "quarantined":
            try:
                item = self.quarantine.put(
                    raw,
                    mail_from=mail_from,
                    rcpts=rcpts,
                    non_mssante=verdict.non_mssante,
                    findings=verdict.findings,
                )
                log.info("quarantined id=%s", item.id)
            except (OSError, AppError):
                log.exception("quarantine write failed")
                decision = "deferred_local"
                reply = smtp_reply(
                    451, "4.3.0", _("Le relais n'a pas pu garder le message ; réessayez plus tard.")
                )
        if verdict.relay:
            if verdict.header:
                out = add_warning_header(raw, verdict.header)
            if opening:
                delivery = finish(opening.pop().result(), out)
            else:
                delivery = deliver(
                    s, self.upstream_password, mail_from, rcpts, out, mail_options, pool=self.pool
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
        self.stats.record(decision, len(raw))
        return reply


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
        quarantine: Path | None = None,
        stats_flush_every_s: float = 2.0,
    ) -> None:
        settings.validate(client_password_set=bool(client_password))
        self.settings = settings
        self.stats = RelayStats(stats_flush_every_s)
        chosen: Scanner = scanner or scan_email
        self.process_scanner: ProcessScanner | None = None
        if settings.scan_workers > 0:
            self.process_scanner = ProcessScanner(settings.scan_workers, chosen)
            chosen = self.process_scanner
        self.handler = GuardHandler(
            settings,
            scanner=chosen,
            upstream_password=upstream_password,
            quarantine=Quarantine(quarantine or default_folder()),
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
        from hygie.mail.store import ensure_tables

        s = self.settings
        # aiosmtpd's own logger writes envelope addresses at INFO: never let it through.
        logging.getLogger("mail.log").setLevel(logging.ERROR)
        ensure_tables()  # migrate now, not from two flushing threads at once
        self.apply_retention()
        if s.policy == "quarantine":
            try:  # the encryption key now: a keyring failure is seen at start, not per message
                self.handler.quarantine.key(create=True)
            except Exception as exc:
                log.exception("quarantine key unavailable")
                raise RelayConfigError(
                    detail=_("la clé de chiffrement de la quarantaine n'a pas pu être créée")
                ) from exc
        if self.process_scanner is not None:
            self.process_scanner.warm()
        self._controller = GuardController(
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

    def apply_retention(self) -> list[str]:
        """Delete quarantined messages older than ``quarantine_days`` (never raises)."""
        try:
            gone = self.handler.quarantine.purge(self.settings.quarantine_days)
        except OSError:
            log.exception("quarantine retention could not be applied")
            return []
        if gone:
            from hygie.mail.store import log_quarantine_action

            days = self.settings.quarantine_days
            log.info("quarantine retention deleted=%d days=%d", len(gone), days)
            for item in gone:
                with contextlib.suppress(Exception):
                    log_quarantine_action("expired", item, f"days={days}")
        return gone

    def stop(self) -> None:
        if self._controller is not None:
            with contextlib.suppress(Exception):
                self._controller.stop()
            self._controller = None
        self.handler.executor.shutdown(wait=True, cancel_futures=True)
        self.handler.upstream_executor.shutdown(wait=True)  # RSETs of refused messages
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
    last_retention = time.monotonic()
    try:
        while not stop.wait(1.0):
            relay.stats.flush_if_due()
            if time.monotonic() - last_retention >= RETENTION_EVERY_S:
                relay.apply_retention()
                last_retention = time.monotonic()
    finally:
        relay.stop()
    return dict(relay.stats.totals)
