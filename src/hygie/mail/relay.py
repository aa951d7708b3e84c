"""The guard relay: a local SMTP submission server that stops patient data on its way out.

The mail client (Thunderbird, Outlook, Apple Mail) sends through ``hygie mail relay``; for each
message the relay decides (:func:`decide`), then either relays it to the practice's real SMTP
server (the *upstream*) with ``smtplib`` while the client waits, or refuses it:

* every recipient is MSSanté → relayed unchanged (no scan needed: MSSanté is the secure channel);
* otherwise the message is scanned (:func:`hygie.scan.engine.scan_email`):
  clean → relayed unchanged; patient data → the policy (``reject`` a permanent 5xx saying which
  kind of data was found in which part; ``quarantine`` keep a copy in a 0700 folder and refuse;
  ``warn`` relay with an ``X-Hygie-Warning`` header);
* fail closed: unscannable MIME, a scan error or timeout, an oversize message → refused, never
  relayed unscanned;
* the upstream is down or answers 4xx → a temporary 4xx, so the client keeps the message and
  retries. The relay never answers 250 before the upstream accepted the message (no queue).

It is never an open relay: it listens on loopback only, unless client authentication (a local
password in the OS keyring) and TLS are both configured. Logs are one line per message with the
decision, sizes and finding types/counts — no content, no address, no identifier.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hmac
import importlib
import ipaddress
import logging
import os
import re
import smtplib
import ssl
import threading
import time
import unicodedata
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from hygie.i18n import N_, _
from hygie.mail.addresses import classify_address
from hygie.mail.errors import RelayConfigError, RelayStartError

log = logging.getLogger("hygie.mail.relay")

SECRET_UPSTREAM = "mail.relay.upstream_password"
SECRET_CLIENT = "mail.relay.client_password"
TLS_MODES = ("starttls", "tls", "none")
POLICIES = ("reject", "quarantine", "warn")
DEFAULT_MAX_SIZE = 25 * 1024 * 1024
WARNING_HEADER = "X-Hygie-Warning"


# --- settings ------------------------------------------------------------------------------
def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def parse_hostport(text: str, *, what: str) -> tuple[str, int]:
    host, sep, port = text.strip().rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise RelayConfigError(
            detail=_("{what} doit être de la forme HÔTE:PORT (reçu « {value} »)").format(
                what=what, value=text
            )
        )
    return host.strip("[]"), int(port)


@dataclass(frozen=True)
class RelaySettings:
    listen_host: str
    listen_port: int
    upstream_host: str
    upstream_port: int
    upstream_tls: str = "starttls"
    upstream_user: str | None = None
    policy: str = "reject"
    max_size: int = DEFAULT_MAX_SIZE
    scan_timeout_s: float = 10.0
    upstream_timeout_s: float = 30.0
    client_user: str = "hygie"
    tls_cert: Path | None = None
    tls_key: Path | None = None
    upstream_ca: Path | None = None
    scan_workers: int = 0

    def validate(self, *, client_password_set: bool) -> None:
        if self.upstream_tls not in TLS_MODES:
            raise RelayConfigError(detail=_("--upstream-tls doit valoir starttls, tls ou none"))
        if self.policy not in POLICIES:
            raise RelayConfigError(detail=_("--policy doit valoir reject, quarantine ou warn"))
        if self.upstream_tls == "none" and not is_loopback(self.upstream_host):
            raise RelayConfigError(
                detail=_(
                    "--upstream-tls none n'est permis que vers un serveur local (127.0.0.1) : "
                    "le mot de passe et les messages circuleraient en clair"
                )
            )
        if (self.tls_cert is None) != (self.tls_key is None):
            raise RelayConfigError(detail=_("tls_cert et tls_key vont ensemble"))
        if not is_loopback(self.listen_host):
            if not client_password_set:
                raise RelayConfigError(
                    detail=_(
                        "écouter ailleurs que sur 127.0.0.1 exige un mot de passe client "
                        "(« hygie mail relay set-password --client ») : jamais de relais ouvert"
                    )
                )
            if self.tls_cert is None:
                raise RelayConfigError(
                    detail=_(
                        "écouter ailleurs que sur 127.0.0.1 exige un certificat TLS "
                        "(tls_cert et tls_key dans [mail.relay]) : le mot de passe ne doit "
                        "pas circuler en clair"
                    )
                )
        if self.max_size <= 0 or self.scan_timeout_s <= 0 or self.scan_workers < 0:
            raise RelayConfigError(
                detail=_("max_size, scan_timeout_s et scan_workers doivent être positifs")
            )

    def to_dict(self) -> dict[str, Any]:
        return {
            "listen": f"{self.listen_host}:{self.listen_port}",
            "upstream": f"{self.upstream_host}:{self.upstream_port}",
            "upstream_tls": self.upstream_tls,
            "upstream_user": self.upstream_user,
            "policy": self.policy,
            "max_size": self.max_size,
            "scan_timeout_s": self.scan_timeout_s,
            "scan_workers": self.scan_workers,
            "client_auth": None,
        }


def default_scan_workers() -> int:
    """Scanner processes beside the relay's own: one per spare core, at most two."""
    return max(0, min(2, (os.cpu_count() or 1) - 1))


def settings_from(
    config: dict[str, Any],
    *,
    listen: str | None = None,
    upstream: str | None = None,
    upstream_tls: str | None = None,
    upstream_user: str | None = None,
    policy: str | None = None,
) -> RelaySettings:
    """Command-line values win over the ``[mail.relay]`` section of the config file."""
    section = (
        config.get("mail", {}).get("relay", {}) if isinstance(config.get("mail"), dict) else {}
    )
    if not isinstance(section, dict):
        section = {}
    listen_v = listen or str(section.get("listen", "127.0.0.1:2525"))
    upstream_v = upstream or section.get("upstream")
    if not upstream_v:
        raise RelayConfigError(
            detail=_(
                "le serveur d'envoi (--upstream HÔTE:PORT ou upstream dans [mail.relay]) manque"
            )
        )
    lh, lp = parse_hostport(listen_v, what="--listen")
    uh, up = parse_hostport(str(upstream_v), what="--upstream")

    def opt_path(key: str) -> Path | None:
        v = section.get(key)
        return Path(str(v)).expanduser() if v else None

    try:
        return RelaySettings(
            listen_host=lh,
            listen_port=lp,
            upstream_host=uh,
            upstream_port=up,
            upstream_tls=str(upstream_tls or section.get("upstream_tls", "starttls")),
            upstream_user=upstream_user or section.get("upstream_user") or None,
            policy=str(policy or section.get("policy", "reject")),
            max_size=int(section.get("max_size", DEFAULT_MAX_SIZE)),
            scan_timeout_s=float(section.get("scan_timeout_s", 10.0)),
            upstream_timeout_s=float(section.get("upstream_timeout_s", 30.0)),
            client_user=str(section.get("client_user", "hygie")),
            tls_cert=opt_path("tls_cert"),
            tls_key=opt_path("tls_key"),
            upstream_ca=opt_path("upstream_ca"),
            scan_workers=int(section.get("scan_workers", default_scan_workers())),
        )
    except (TypeError, ValueError) as exc:
        raise RelayConfigError(detail=str(exc)) from exc


# --- scanning ------------------------------------------------------------------------------
class _Finding(Protocol):
    type: str


class _ScanResult(Protocol):
    status: str
    findings: Sequence[Any]


Scanner = Callable[..., Any]


def default_scanner() -> Scanner | None:
    try:
        engine = importlib.import_module("hygie.scan.engine")
    except ImportError:
        return None
    fn: Scanner = engine.scan_email
    return fn


class ProcessScanner:
    """Runs a (picklable, module-level) scanner in worker processes, off the relay's GIL.

    A worker that dies breaks the pool: that message is refused (fail closed) and the next
    one gets a new pool.
    """

    def __init__(self, fn: Scanner, workers: int) -> None:
        self.fn = fn
        self.workers = workers
        self._lock = threading.Lock()
        self._executor: Any = None

    def _pool(self) -> Any:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        with self._lock:
            if self._executor is None:
                self._executor = ProcessPoolExecutor(
                    max_workers=self.workers, mp_context=multiprocessing.get_context("spawn")
                )
            return self._executor

    def warm(self) -> None:
        """Start the workers now (imports take a moment), not on the first message."""
        futures = [self._pool().submit(self.fn, b"", timeout_s=30.0) for _ in range(self.workers)]
        for f in futures:
            with contextlib.suppress(Exception):
                f.result(timeout=60)

    def __call__(self, raw: bytes, *, timeout_s: float) -> Any:
        from concurrent.futures.process import BrokenProcessPool

        pool = self._pool()
        try:
            return pool.submit(self.fn, raw, timeout_s=timeout_s).result(timeout=timeout_s + 5.0)
        except BrokenProcessPool:
            with self._lock:
                if self._executor is pool:
                    self._executor = None
            pool.shutdown(wait=False, cancel_futures=True)
            raise

    def close(self) -> None:
        with self._lock:
            ex, self._executor = self._executor, None
        if ex is not None:
            ex.shutdown(wait=False, cancel_futures=True)


TYPE_LABELS_FR: dict[str, str] = {
    "FR_NIR": N_("numéro de sécurité sociale (NIR/INS)"),
    "FR_NIA": N_("numéro d'inscription provisoire (NIA)"),
    "FR_INS": N_("matricule INS"),
    "MSSANTE_PATIENT": N_("adresse MSSanté de patient"),
    "MSSANTE_PATIENT_ADDRESS": N_("adresse MSSanté de patient"),
    "BIRTH_DATE": N_("date de naissance"),
    "PATIENT_NAME": N_("nom de patient"),
    "HEALTH_TERMS": N_("vocabulaire médical"),
    "HEALTH_VOCABULARY": N_("vocabulaire médical"),
    "FR_RPPS": N_("numéro RPPS"),
    "FR_ADELI": N_("numéro ADELI"),
    "FR_FINESS": N_("numéro FINESS"),
}


def type_label(t: str) -> str:
    """The French label of a finding type (the scanner's registry, else our own table)."""
    try:
        registry = importlib.import_module("hygie.identifiers.registry")
        label = str(registry.label_of(t))
        if label and label != t:
            return label
    except (ImportError, AttributeError):
        pass
    own = TYPE_LABELS_FR.get(t.upper())
    return _(own) if own else t


def _finding_part(f: Any) -> str:
    for attr in ("context_part", "part", "part_name"):
        v = getattr(f, attr, None)
        if isinstance(v, str) and v:
            return v
    loc = getattr(f, "location", None)
    for attr in ("part", "part_name"):
        v = getattr(loc, attr, None)
        if isinstance(v, str) and v:
            return v
    return _("corps du message")


# --- decisions -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Verdict:
    """What the relay does with one message. ``reply`` is the SMTP reply for a refusal."""

    decision: str  # see DECISIONS
    relay: bool
    reply: str = ""
    finding_types: dict[str, int] = field(default_factory=dict)
    non_mssante: int = 0
    header: str = ""


DECISIONS = (
    "relayed_mssante",
    "relayed_clean",
    "relayed_warned",
    "rejected_patient_data",
    "quarantined",
    "refused_unscannable",
    "refused_oversize",
    "refused_timeout",
    "refused_no_scanner",
    "deferred_upstream",
    "refused_upstream",
    "deferred_local",
)


def ascii_reply(text: str) -> str:
    """SMTP replies are ASCII (RFC 5321): drop accents, keep the French readable."""
    t = unicodedata.normalize("NFKD", text)
    t = "".join(c for c in t if not unicodedata.combining(c))
    t = (
        t.replace("« ", '"')
        .replace(" »", '"')
        .replace("\u00a0", " ")
        .replace("«", '"')
        .replace("»", '"')
        .replace("’", "'")
        .replace("…", "...")
    )
    return "".join(c if 32 <= ord(c) < 127 else "?" for c in t)


def _reply(code: int, enhanced: str, text: str) -> str:
    return f"{code} {enhanced} {ascii_reply(text)}"


def _summarise(result: Any) -> tuple[Counter[str], list[str]]:
    types: Counter[str] = Counter()
    parts: list[str] = []
    for f in getattr(result, "findings", ()) or ():
        t = str(getattr(f, "type", "inconnu"))
        types[t] += 1
        p = _finding_part(f)
        if p not in parts:
            parts.append(p)
    return types, parts


def decide(
    rcpts: Iterable[str],
    raw: bytes,
    *,
    policy: str,
    scanner: Scanner | None,
    scan_timeout_s: float,
    max_size: int,
) -> Verdict:
    """The relay's decision for one message (pure but for the scanner it calls)."""
    non_mssante = sum(1 for r in rcpts if not classify_address(r).is_mssante)
    if len(raw) > max_size:
        return Verdict(
            "refused_oversize",
            False,
            _reply(552, "5.3.4", _("Message trop gros pour être vérifié : il n'a pas été envoyé.")),
            non_mssante=non_mssante,
        )
    if non_mssante == 0:
        return Verdict("relayed_mssante", True)
    if scanner is None:
        return Verdict(
            "refused_no_scanner",
            False,
            _reply(
                451,
                "4.3.0",
                _("Le relais hygie ne peut pas vérifier ce message (analyseur absent)."),
            ),
            non_mssante=non_mssante,
        )
    try:
        result = scanner(raw, timeout_s=scan_timeout_s)
    except TimeoutError:
        return Verdict(
            "refused_timeout",
            False,
            _reply(
                554,
                "5.7.0",
                _(
                    "Vérification trop longue : message non envoyé. Envoyez-le par votre "
                    "messagerie MSSanté ou en plusieurs fois."
                ),
            ),
            non_mssante=non_mssante,
        )
    except Exception as exc:  # fail closed: a scanner crash never lets the message through
        # The type only: an exception's text could quote a piece of the message.
        log.warning("scanner error %s (message refused)", type(exc).__name__)
        return _unscannable(non_mssante, "")
    status = str(getattr(result, "status", ""))
    types, parts = _summarise(result)
    if status == "clean" and ENCRYPTED.search(raw):
        # Encrypted content cannot be read: "clean" would be a guess (fail closed).
        return _unscannable(non_mssante, _("contenu chiffré"))
    if status == "clean":
        return Verdict("relayed_clean", True, non_mssante=non_mssante)
    if status != "patient_data":
        if "timeout" in str(getattr(result, "reason", "")).lower() or "délai" in str(
            getattr(result, "reason", "")
        ):
            return Verdict(
                "refused_timeout",
                False,
                _reply(554, "5.7.0", _("Vérification trop longue : message non envoyé.")),
                non_mssante=non_mssante,
            )
        return _unscannable(non_mssante, str(getattr(result, "reason", "")))
    kinds = ", ".join(f"{type_label(t)} ({n})" for t, n in types.most_common()) or _(
        "données de patient"
    )
    where = ", ".join(parts[:5])
    if policy == "warn":
        summary = ";".join(f"{t}={n}" for t, n in sorted(types.items()))
        return Verdict(
            "relayed_warned",
            True,
            finding_types=dict(types),
            non_mssante=non_mssante,
            header=f"patient-data; {summary}; recipients-not-mssante={non_mssante}",
        )
    text = _(
        "Données de patient détectées : {kinds}, dans : {where}. Un destinataire n'est pas "
        "MSSanté : utilisez la messagerie sécurisée de santé (MSSanté) pour ce message."
    ).format(kinds=kinds, where=where)
    if policy == "quarantine":
        text += " " + _("Une copie est gardée en quarantaine par hygie.")
        return Verdict(
            "quarantined",
            False,
            _reply(550, "5.7.1", text),
            finding_types=dict(types),
            non_mssante=non_mssante,
        )
    return Verdict(
        "rejected_patient_data",
        False,
        _reply(550, "5.7.1", text),
        finding_types=dict(types),
        non_mssante=non_mssante,
    )


ENCRYPTED = re.compile(
    rb"(?im)^content-type:[ \t]*(?:application/(?:x-)?pkcs7-mime|multipart/encrypted|"
    rb"application/pgp-encrypted)|^-----BEGIN PGP MESSAGE-----"
)


def _unscannable(non_mssante: int, reason: str) -> Verdict:
    text = _("Message illisible pour la vérification (format MIME invalide ou chiffré)")
    if reason:
        text += " : " + reason
    text += ". " + _("Il n'a pas été envoyé ; utilisez MSSanté pour les données de patient.")
    return Verdict(
        "refused_unscannable", False, _reply(554, "5.6.0", text), non_mssante=non_mssante
    )


def add_warning_header(raw: bytes, value: str) -> bytes:
    """Prepend one ASCII header line; the rest of the message stays byte-for-byte."""
    line = f"{WARNING_HEADER}: {ascii_reply(value)}\r\n".encode("ascii")
    return line + raw


# --- upstream ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Delivery:
    ok: bool
    reply: str
    decision: str = ""


def _upstream_text(resp: bytes | str) -> str:
    text = resp.decode("utf-8", "replace") if isinstance(resp, bytes) else str(resp)
    return ascii_reply(" ".join(text.split()))[:200]


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
            _reply(
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
        return Delivery(False, _reply(451, "4.4.1", temp), "deferred_upstream")
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
    return Delivery(True, f"250 2.0.0 {_upstream_text(resp)}")


def _refusal(smtp: smtplib.SMTP, code: int, resp: bytes) -> Delivery:
    with contextlib.suppress(smtplib.SMTPException, OSError):
        smtp.rset()
    text = _upstream_text(resp)
    if 400 <= code < 500:
        return Delivery(False, f"451 4.4.0 {text}", "deferred_upstream")
    if 500 <= code < 600:
        return Delivery(False, f"{code} 5.0.0 {text}", "refused_upstream")
    return Delivery(False, f"451 4.4.0 {text}", "deferred_upstream")


# --- statistics (counts only) --------------------------------------------------------------
class RelayStats:
    """Counts per day and decision, flushed to the store (``mail_relay_daily``) now and then."""

    def __init__(self, flush_every_s: float = 2.0) -> None:
        self._lock = threading.Lock()
        self._pending: Counter[tuple[str, str]] = Counter()
        self._bytes: Counter[tuple[str, str]] = Counter()
        self.totals: Counter[str] = Counter()
        self._last_flush = time.monotonic()
        self._flush_lock = threading.Lock()
        self.flush_every_s = flush_every_s

    def record(self, decision: str, size: int) -> bool:
        day = dt.datetime.now(dt.UTC).date().isoformat()
        with self._lock:
            self._pending[(day, decision)] += 1
            self._bytes[(day, decision)] += size
            self.totals[decision] += 1
            due = time.monotonic() - self._last_flush >= self.flush_every_s
        return due

    def flush(self) -> None:
        with self._flush_lock:
            self._flush()

    def _flush(self) -> None:
        with self._lock:
            pending, sizes = self._pending, self._bytes
            self._pending, self._bytes = Counter(), Counter()
            self._last_flush = time.monotonic()
        if not pending:
            return
        from hygie.mail.store import add_relay_counts

        try:
            add_relay_counts({k: (n, sizes[k]) for k, n in pending.items()})
        except Exception:
            log.exception("relay statistics could not be written")


# --- the SMTP side -------------------------------------------------------------------------
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
                    ),
                ),
                timeout=s.scan_timeout_s + 2.0,
            )
        except TimeoutError:
            verdict = Verdict(
                "refused_timeout",
                False,
                _reply(554, "5.7.0", _("Vérification trop longue : message non envoyé.")),
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
                reply = _reply(
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
