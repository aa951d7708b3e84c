"""ClamAV behind the media engine interface: finding, starting, reading and proving clamd.

Order of discovery (:func:`resolve_spec`):

1. ``--clamd unix:PATH|tcp:HOST:PORT`` on the command line, else ``[media] clamd = ...`` in
   the config file;
2. the system's clamd, its socket read from ``/etc/clamav/clamd.conf`` (``LocalSocket`` or
   ``TCPSocket``/``TCPAddr``) when it answers ``PING``;
3. hygie's own clamd, started with a generated config in the data folder (``Foreground yes``,
   its socket in a private 0700 folder, explicit limits) on the system's signature folder.

Limits: hygie's own clamd runs with :class:`Limits` it wrote itself; the system's are read
from its clamd.conf; for an engine given with ``--clamd`` the clamd.conf whose socket matches
is read (``[media] clamd_conf`` names it when it lives elsewhere), else hygie assumes the
stock Debian limits (:data:`ASSUMED_LIMITS`) and the canary battery proves them.

Before any scan :meth:`ClamdEngine.check` asks ``VERSION``, reads the signature date and
count, refuses an engine with zero signatures, and runs the canary battery
(:mod:`hygie.media.canaries`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import subprocess
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from hygie import proc
from hygie.fileio import private_dir, write_text_atomic
from hygie.media.clamd import (
    Address,
    ClamdClient,
    ClamdConnectionError,
    ClamdError,
    ClamdProtocolError,
    ClamdTimeout,
    PipelinedSession,
    ReplyStatus,
    ScanReply,
)
from hygie.media.engines import EngineInfo, Limits, ScanFn, SignatureInfo
from hygie.media.errors import EngineUnavailable, NoSignatures
from hygie.media.verdicts import CLEAN, EngineAnswer, Reason, Verdict, not_scanned

SYSTEM_CLAMD_CONF = Path("/etc/clamav/clamd.conf")
# Where other installs keep it: Homebrew (Apple silicon, Intel), the Windows installer.
OTHER_CLAMD_CONFS = (
    Path("/opt/homebrew/etc/clamav/clamd.conf"),
    Path("/usr/local/etc/clamav/clamd.conf"),
    Path("C:/Program Files/ClamAV/clamd.conf"),
)
SYSTEM_FRESHCLAM_CONF = Path("/etc/clamav/freshclam.conf")
# Homebrew's ClamAV (macOS): configuration under <prefix>/etc/clamav, signatures under
# <prefix>/var/lib/clamav, programs under <prefix>/sbin; /opt/homebrew on Apple silicon,
# /usr/local on Intel Macs.
HOMEBREW_PREFIXES = (Path("/opt/homebrew"), Path("/usr/local"))
OTHER_FRESHCLAM_CONFS = tuple(p / "etc" / "clamav" / "freshclam.conf" for p in HOMEBREW_PREFIXES)
DEFAULT_DATABASE_DIRS = (
    Path("/var/lib/clamav"),
    *(p / "var" / "lib" / "clamav" for p in HOMEBREW_PREFIXES),
    Path("/usr/local/share/clamav"),
)
CLAMD_BINARIES = (
    Path("/usr/sbin/clamd"),
    *(p / "sbin" / "clamd" for p in HOMEBREW_PREFIXES),
)
MB = 1024 * 1024

# clamd's own defaults (clamd.conf(5)) when a system config does not set a limit.
CLAMD_DEFAULT_LIMITS = {
    "MaxFileSize": 100 * MB,
    "MaxScanSize": 400 * MB,
    "StreamMaxLength": 100 * MB,
    "MaxRecursion": 17,
    "MaxFiles": 10000,
}


# What hygie assumes of a clamd whose configuration it cannot read: Debian's stock
# clamd.conf (the lowest common limits); the canary battery proves the engine reads that much.
ASSUMED_LIMITS = Limits(
    max_file_size=25 * MB,
    max_scan_size=100 * MB,
    stream_max_length=25 * MB,
    max_recursion=16,
    max_files=10000,
)


def parse_size(value: str) -> int:
    """clamd.conf sizes: ``100M``, ``2048K``, ``1G`` or bytes."""
    v = value.strip().upper()
    mult = {"K": 1024, "M": MB, "G": 1024 * MB}.get(v[-1:], 1)
    digits = v[:-1] if v[-1:] in "KMG" else v
    return int(digits) * mult


def parse_clamd_conf(text: str) -> dict[str, str]:
    """clamd.conf / freshclam.conf as a dict (last value wins; ``Example`` kept as a key)."""
    out: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, _, value = line.partition(" ")
        out[key] = value.strip().strip('"')
    return out


def limits_from_conf(conf: Mapping[str, str]) -> Limits:
    def get(key: str) -> int:
        raw = conf.get(key)
        try:
            return parse_size(raw) if raw else CLAMD_DEFAULT_LIMITS[key]
        except ValueError:
            return CLAMD_DEFAULT_LIMITS[key]

    mfs = get("MaxFileSize")
    sml = get("StreamMaxLength")
    # Files above what the daemon will read must be reported not scanned, never clean.
    return Limits(
        max_file_size=min(mfs, sml) if mfs else sml,
        max_scan_size=get("MaxScanSize"),
        stream_max_length=sml,
        max_recursion=get("MaxRecursion"),
        max_files=get("MaxFiles"),
    )


def address_from_conf(conf: Mapping[str, str]) -> Address | None:
    if "Example" in conf:
        return None
    if conf.get("LocalSocket"):
        return Address("unix", path=conf["LocalSocket"])
    if conf.get("TCPSocket", "").isdigit():
        host = conf.get("TCPAddr", "127.0.0.1").split()[0]
        return Address("tcp", host=host, port=int(conf["TCPSocket"]))
    return None


@dataclass(frozen=True)
class EngineSpec:
    """How to reach (or start) the engine."""

    mode: str  # "address" (given), "system" (found in clamd.conf), "own" (hygie starts it)
    address: Address | None = None
    limits: Limits = field(default_factory=Limits)
    database_dir: Path | None = None
    source: str = ""
    conf_digest: str = ""  # SHA-256 of the clamd.conf the limits were read from ("" unknown)


def read_conf(path: Path) -> dict[str, str] | None:
    try:
        return parse_clamd_conf(path.read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return None


def conf_digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


def conf_for_address(address: Address, candidates: list[Path]) -> Path | None:
    """The clamd.conf (among ``candidates``) whose socket is ``address``."""
    for path in candidates:
        conf = read_conf(path)
        if conf and address_from_conf(conf) == address:
            return path
    return None


def system_database_dir(root: Path = Path("/")) -> Path | None:
    confs = (
        SYSTEM_CLAMD_CONF,
        SYSTEM_FRESHCLAM_CONF,
        *OTHER_CLAMD_CONFS[:2],
        *OTHER_FRESHCLAM_CONFS,
    )
    for conf_path in confs:
        conf = read_conf(root / conf_path.relative_to("/"))
        if conf and conf.get("DatabaseDirectory"):
            return Path(conf["DatabaseDirectory"])
    for d in DEFAULT_DATABASE_DIRS:
        if (root / d.relative_to("/")).is_dir():
            return d
    return None


def resolve_spec(
    cli_value: str | None,
    config: Mapping[str, Any],
    *,
    system_conf: Path | None = None,
    database_dir: Path | None = None,
    clamd_conf: Path | None = None,
) -> EngineSpec:
    """Decide which engine to use (see the module docstring). Does not connect for 1."""
    media_cfg = config.get("media", {}) if isinstance(config.get("media"), dict) else {}
    given = cli_value or media_cfg.get("clamd")
    if given:
        try:
            addr = Address.parse(str(given))
        except ValueError as exc:
            from hygie.errors import UsageError

            raise UsageError(detail=f"--clamd : {exc}") from exc
        # Another clamd: its limits are read from the clamd.conf that names its socket;
        # without one, the stock limits are assumed (and proven by the canary battery).
        db = database_dir or (
            Path(str(media_cfg["database"])) if media_cfg.get("database") else None
        )
        named_conf = [clamd_conf] if clamd_conf else []
        if media_cfg.get("clamd_conf"):
            named_conf.append(Path(str(media_cfg["clamd_conf"])))
        search = [
            *named_conf,
            *([system_conf] if system_conf else []),
            SYSTEM_CLAMD_CONF,
            *OTHER_CLAMD_CONFS,
        ]
        found = conf_for_address(addr, search)
        conf = read_conf(found) if found else None
        return EngineSpec(
            "address",
            addr,
            limits=limits_from_conf(conf) if conf else ASSUMED_LIMITS,
            database_dir=db,
            source="--clamd" if cli_value else "config",
            conf_digest=conf_digest(found) if found else "",
        )
    candidates = [system_conf] if system_conf else [SYSTEM_CLAMD_CONF, *OTHER_CLAMD_CONFS]
    for conf_path in candidates:
        conf = read_conf(conf_path)
        if not conf:
            continue
        sys_addr = address_from_conf(conf)
        if sys_addr is not None:
            try:
                ClamdClient(sys_addr).ping(timeout=2.0)
                sys_db = conf.get("DatabaseDirectory")
                return EngineSpec(
                    "system",
                    sys_addr,
                    limits=limits_from_conf(conf),
                    database_dir=Path(sys_db) if sys_db else system_database_dir(),
                    source=str(conf_path),
                    conf_digest=conf_digest(conf_path),
                )
            except ClamdError:
                pass
    db_dir = database_dir or (
        Path(str(media_cfg["database"])) if media_cfg.get("database") else system_database_dir()
    )
    return EngineSpec("own", None, Limits(), db_dir, source="hygie")


# -- signatures -----------------------------------------------------------------------------
SIG_TEXT_EXTS = {
    ".hdb",
    ".hsb",
    ".hdu",
    ".hsu",
    ".mdb",
    ".msb",
    ".mdu",
    ".msu",
    ".ndb",
    ".ndu",
    ".ldb",
    ".ldu",
    ".cdb",
    ".crb",
    ".idb",
    ".imp",
    ".yar",
    ".yara",
}
SIG_CONTAINER_EXTS = {".cvd", ".cld", ".cud"}


def parse_cvd_header(header: bytes) -> tuple[str | None, int | None]:
    """``ClamAV-VDB:<build time>:<version>:<sigs>:...`` -> (ISO date, signature count).

    The header itself is parsed by :mod:`hygie.platform.parsers.clamav` (shared with M03).
    """
    from hygie.platform.parsers.clamav import parse_cvd_header as parse_header

    h = parse_header(header)
    if h is None:
        return None, None
    return h.built.isoformat(), h.signatures


def parse_version_reply(reply: str) -> tuple[str, int | None, str | None]:
    """``ClamAV 1.4.6/27469/Sun Nov 29 09:25:12 2026`` -> (version, db version, ISO date)."""
    parts = reply.strip().split("/", 2)
    version = parts[0].removeprefix("ClamAV ").strip()
    db_version = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
    date: str | None = None
    if len(parts) > 2:
        with contextlib.suppress(ValueError):
            date = (
                dt.datetime.strptime(parts[2].strip(), "%a %b %d %H:%M:%S %Y")
                .replace(tzinfo=dt.UTC)
                .isoformat()
            )
    return version, db_version, date


def database_signatures(db_dir: Path) -> SignatureInfo:
    """Count signatures and date them from a database folder (cvd headers, else file times)."""
    count = 0
    newest_cvd: str | None = None
    newest_mtime = 0.0
    files: list[str] = []
    try:
        entries = sorted(db_dir.iterdir())
    except OSError:
        return SignatureInfo(None, None, "")
    for p in entries:
        ext = p.suffix.lower()
        if ext not in SIG_TEXT_EXTS | SIG_CONTAINER_EXTS or not p.is_file():
            continue
        files.append(p.name)
        with contextlib.suppress(OSError):
            newest_mtime = max(newest_mtime, p.stat().st_mtime)
        if ext in SIG_CONTAINER_EXTS:
            try:
                with p.open("rb") as fh:
                    date, n = parse_cvd_header(fh.read(512))
            except OSError:
                continue
            count += n or 0
            if date and (newest_cvd is None or date > newest_cvd):
                newest_cvd = date
        else:
            try:
                with p.open("rb") as fh:
                    count += sum(1 for line in fh if line.strip() and not line.startswith(b"#"))
            except OSError:
                continue
    if newest_cvd:
        return SignatureInfo(count, newest_cvd, "cvd", tuple(files))
    if newest_mtime:
        date = dt.datetime.fromtimestamp(newest_mtime, dt.UTC).isoformat(timespec="seconds")
        return SignatureInfo(count, date, "mtime", tuple(files))
    return SignatureInfo(count, None, "", tuple(files))


# -- own clamd ------------------------------------------------------------------------------
def own_clamd_config(
    socket_path: Path, database_dir: Path, limits: Limits, *, disable_cache: bool = False
) -> str:
    lines = [
        "# Generated by hygie: the private clamd of the media station.",
        "Foreground yes",
        f"LocalSocket {socket_path}",
        "LocalSocketMode 600",
        "FixStaleSocket yes",
        f"DatabaseDirectory {database_dir}",
        "LogTime yes",
        "ScanArchive yes",
        "ScanPE yes",
        "ScanELF yes",
        "ScanOLE2 yes",
        "ScanPDF yes",
        "ScanHTML yes",
        "ScanMail yes",
        "HeuristicAlerts yes",
        f"MaxFileSize {limits.max_file_size}",
        f"MaxScanSize {limits.max_scan_size}",
        f"StreamMaxLength {limits.stream_max_length}",
        f"MaxRecursion {limits.max_recursion}",
        f"MaxFiles {limits.max_files}",
        "AlertEncrypted yes",
        "AlertExceedsMax yes",
        "AlertOLE2Macros yes",
        "AlertBrokenExecutables yes",
        "FollowDirectorySymlinks no",
        "FollowFileSymlinks no",
        "ReadTimeout 120",
        "CommandReadTimeout 30",
        "MaxThreads 8",
        "SelfCheck 3600",
    ]
    from hygie.platform import current, system

    if current() != "windows" and system().is_elevated():
        lines.append("User root")
    if disable_cache:
        lines.append("DisableCache yes")
    return "\n".join(lines) + "\n"


class OwnClamd:
    """hygie's private clamd: generated config, private socket folder, supervised process."""

    def __init__(
        self,
        base_dir: Path,
        database_dir: Path,
        limits: Limits,
        *,
        disable_cache: bool = False,
        start_timeout: float = 180.0,
    ) -> None:
        self.base_dir = base_dir
        self.database_dir = database_dir
        self.limits = limits
        self.disable_cache = disable_cache
        self.start_timeout = start_timeout
        self.proc: subprocess.Popen[bytes] | None = None
        self.sock_dir = base_dir / "run"
        self.socket_path = self.sock_dir / "clamd.sock"
        self.conf_path = base_dir / "clamd.conf"
        self.log_path = base_dir / "clamd.log"
        self.conf_digest = ""

    @property
    def address(self) -> Address:
        return Address("unix", path=str(self.socket_path))

    def start(self) -> Address:
        private_dir(self.base_dir)
        private_dir(self.sock_dir)
        if len(str(self.socket_path)) > 100:
            # unix socket paths are limited to ~108 bytes: use a private temporary folder.
            import tempfile

            self.sock_dir = Path(tempfile.mkdtemp(prefix="hygie-clamd-"))
            self.socket_path = self.sock_dir / "clamd.sock"
        text = own_clamd_config(
            self.socket_path, self.database_dir, self.limits, disable_cache=self.disable_cache
        )
        write_text_atomic(self.conf_path, text)
        # The proof cache is keyed on what clamd runs with, not on where its socket is.
        self.conf_digest = hashlib.sha256(
            text.replace(str(self.socket_path), "SOCKET").encode()
        ).hexdigest()
        binary = proc.which("clamd") or next(
            (str(p) for p in CLAMD_BINARIES if p.exists()),
            None,
        )
        if binary is None:
            raise EngineUnavailable(detail="clamd n'est pas installé")
        try:
            self.proc = proc.spawn(
                [binary, "--foreground", f"--config-file={self.conf_path}"],
                log_path=str(self.log_path),
            )
        except (FileNotFoundError, OSError) as exc:
            raise EngineUnavailable(detail=str(exc)) from exc
        client = ClamdClient(self.address)
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise EngineUnavailable(
                    detail="clamd s'est arrêté au démarrage : " + self.log_tail()
                )
            if self.socket_path.exists():
                try:
                    client.ping(timeout=2.0)
                    return self.address
                except ClamdError:
                    pass
            time.sleep(0.1)
        self.stop()
        raise EngineUnavailable(detail="clamd n'a pas démarré à temps : " + self.log_tail())

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def log_tail(self, n: int = 3) -> str:
        try:
            lines = self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return ""
        return " | ".join(line.strip() for line in lines[-n:])

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self.proc = None


# -- the engine as the scanner sees it --------------------------------------------------------
def answer_from_reply(reply: ScanReply) -> EngineAnswer:
    """One clamd reply as a verdict, failing closed (alerts about limits are not clean)."""
    if reply.status is ReplyStatus.OK:
        return CLEAN
    if reply.status is ReplyStatus.FOUND:
        sig = reply.signature
        if sig.startswith("Heuristics.Encrypted"):
            return EngineAnswer(Verdict.NOT_SCANNED, Reason.ENCRYPTED, sig, "encrypted content")
        if sig.startswith("Heuristics.Limits.Exceeded"):
            return EngineAnswer(
                Verdict.NOT_SCANNED, Reason.OVER_LIMIT, sig, "engine limit exceeded"
            )
        return EngineAnswer(Verdict.INFECTED, None, sig)
    if reply.status is ReplyStatus.SIZE_LIMIT:
        return not_scanned(Reason.OVER_LIMIT, "INSTREAM size limit exceeded (StreamMaxLength)")
    return not_scanned(Reason.ENGINE_ERROR, reply.detail or reply.raw or "clamd answered ERROR")


def _answer_from_error(exc: ClamdError) -> EngineAnswer:
    if isinstance(exc, ClamdTimeout):
        return not_scanned(Reason.TIMEOUT, str(exc) or "clamd did not answer in time")
    kind = "connection" if isinstance(exc, ClamdConnectionError) else "protocol"
    if isinstance(exc, ClamdProtocolError):
        kind = "protocol"
    return not_scanned(Reason.ENGINE_ERROR, f"clamd {kind} error: {exc}")


class ClamdEngine:
    """A reachable clamd, checked and proven (see :meth:`check`)."""

    kind = "clamav"
    configurable_alerts = True

    def __init__(self, spec: EngineSpec, address: Address, own: OwnClamd | None = None) -> None:
        self.spec = spec
        self.address = address
        self.own = own
        self.client = ClamdClient(address)
        self.info: EngineInfo | None = None
        self._version_reply = ""

    @property
    def limits(self) -> Limits:
        return self.spec.limits

    def alive(self) -> bool:
        if self.own is not None and not self.own.alive():
            return False
        try:
            self.client.ping(timeout=3.0)
        except ClamdError:
            return False
        return True

    def describe(self) -> dict[str, Any]:
        return {"engine": self.kind, "address": str(self.address), "mode": self.spec.mode}

    def identity(self) -> str:
        digest = self.spec.conf_digest or (self.own.conf_digest if self.own else "")
        return f"{self._version_reply}|{self.address}|{self.spec.mode}|{digest}"

    def scan_fd(self, fd: int, path: str, size: int) -> EngineAnswer:
        try:
            return answer_from_reply(self.client.scan_fd(fd))
        except ClamdError as exc:
            return _answer_from_error(exc)

    def scan_bytes(self, data: bytes) -> EngineAnswer:
        try:
            return answer_from_reply(self.client.instream_bytes(data))
        except ClamdError as exc:
            return _answer_from_error(exc)

    @contextlib.contextmanager
    def worker(self) -> Iterator[ScanFn]:
        """One ``IDSESSION`` per worker thread (no connection per file); a broken session
        is closed at once, and the file it was scanning is retried once on a fresh
        connection."""
        state: dict[str, Any] = {"cm": None, "sess": None}

        def close_session() -> None:
            cm, state["cm"], state["sess"] = state["cm"], None, None
            if cm is not None:
                with contextlib.suppress(Exception):
                    cm.__exit__(None, None, None)

        def open_session() -> Any:
            cm = self.client.session()
            try:
                state["sess"], state["cm"] = cm.__enter__(), cm
            except ClamdError:
                state["sess"] = None
            return state["sess"]

        def scan(fd: int, path: str, size: int) -> EngineAnswer:
            sess = state["sess"] or open_session()
            if sess is not None and not sess.broken:
                try:
                    return answer_from_reply(sess.scan_fd(fd))
                except ClamdTimeout as exc:
                    close_session()
                    return _answer_from_error(exc)
                except ClamdError:
                    close_session()
            elif sess is not None:
                close_session()
            return self.scan_fd(fd, path, size)

        try:
            yield scan
        finally:
            close_session()

    def pipeline(self) -> ClamdPipeline | None:
        """Files in flight over one ``IDSESSION`` (descriptors are passed: unix socket only;
        over TCP the scanner keeps one synchronous session per worker)."""
        if not self.address.can_pass_fds:
            return None
        return ClamdPipeline(self)

    def check(self) -> EngineInfo:
        """VERSION, signature count and date, then the canary battery. Raises when unusable."""
        from hygie.media.canaries import prove

        try:
            reply = self.client.version()
        except ClamdError as exc:
            raise EngineUnavailable(detail=str(exc)) from exc
        self._version_reply = reply
        version, db_version, vdate = parse_version_reply(reply)
        sigs = SignatureInfo(None, None, "")
        if self.spec.database_dir is not None:
            sigs = database_signatures(self.spec.database_dir)
        if vdate:
            sigs = replace(sigs, date=vdate, source="version")
        if sigs.count == 0:
            raise NoSignatures(detail=str(self.spec.database_dir))
        results = prove(self)
        self.info = EngineInfo(
            self.kind,
            str(self.address),
            self.spec.mode,
            version,
            db_version,
            sigs,
            self.limits,
            "ok",
            tuple(r.to_dict() for r in results),
        )
        return self.info

    def close(self) -> None:
        if self.own is not None:
            self.own.stop()


class ClamdPipeline:
    """Many files in flight on one pipelined ``IDSESSION`` (see :class:`PipelinedSession`).

    When the session breaks (connection lost, a reply that is not understood, an unknown
    request id), the files still in flight on it are each retried once, alone, on a fresh
    connection — so a dropped session never turns into a verdict for a file clamd did not
    answer — unless the engine is gone, then they are not scanned. When clamd stops
    answering for the client's timeout, the files in flight are not scanned (``timeout``)
    and not retried: a clamd that hangs would hang again. Later files open a new session.
    """

    def __init__(self, engine: ClamdEngine) -> None:
        self.engine = engine
        self.in_flight = 0
        self._sess: PipelinedSession | None = None
        self._files: dict[int, tuple[int, int]] = {}  # request id -> (key, fd)
        self._ready: list[tuple[int, EngineAnswer]] = []

    def submit(self, fd: int, key: int) -> None:
        self.in_flight += 1
        sess = self._sess
        if sess is None:
            try:
                sess = self._sess = self.engine.client.pipeline()
            except ClamdError:
                sess = None
        if sess is not None:
            try:
                self._files[sess.submit(fd)] = (key, fd)
                return
            except ClamdError as exc:
                self._drop()
                if isinstance(exc, ClamdTimeout):
                    self._ready.append((key, _answer_from_error(exc)))
                    return
        # No session to put it on: this file alone, on its own connection.
        self._ready.append((key, self.engine.scan_fd(fd, "", 0)))

    def collect(self, wait: bool) -> list[tuple[int, EngineAnswer]]:
        sess = self._sess
        if sess is not None and sess.in_flight:
            files, ready = self._files, self._ready
            while True:
                for rid, reply in sess.read(wait and not ready):
                    ready.append((files.pop(rid)[0], answer_from_reply(reply)))
                if sess.error is not None:
                    self._drop()
                    break
                if ready or not wait or not sess.in_flight:
                    break
        out, self._ready = self._ready, []
        self.in_flight -= len(out)
        return out

    def _drop(self) -> None:
        """Close a broken session and answer for every file it still carried."""
        sess, self._sess = self._sess, None
        if sess is None:
            return
        err = sess.error or ClamdConnectionError("session closed")
        for rid, reply in sess.salvage():  # answered before it broke
            self._ready.append((self._files.pop(rid)[0], answer_from_reply(reply)))
        sess.close()
        stranded = [self._files.pop(rid) for rid in sorted(sess.in_flight)]
        if not stranded:
            return
        if isinstance(err, ClamdTimeout) or not self.engine.alive():
            answer = _answer_from_error(err)
            self._ready.extend((key, answer) for key, _fd in stranded)
            return
        for key, fd in stranded:
            self._ready.append((key, self.engine.scan_fd(fd, "", 0)))

    def close(self) -> None:
        sess, self._sess = self._sess, None
        if sess is not None:
            sess.close()
        self._files.clear()


@contextlib.contextmanager
def open_clamd(
    spec: EngineSpec, *, disable_cache: bool = False, check: bool = True
) -> Iterator[ClamdEngine]:
    """Reach (or start) clamd, prove it, and stop hygie's own clamd afterwards.

    A system clamd that fails the proof (a stock clamd.conf without ``AlertEncrypted``…) is
    set aside for hygie's own, when one can be started; a clamd named with ``--clamd`` is
    refused with the lines that fix it.
    """
    from hygie.media.errors import EngineNotProven

    if spec.mode == "system" and check:
        engine = ClamdEngine(spec, spec.address) if spec.address else None
        if engine is not None:
            try:
                engine.check()
            except EngineNotProven:
                import logging

                logging.getLogger(__name__).warning(
                    "the system clamd (%s) failed the canary battery; using hygie's own",
                    spec.source,
                )
                own_spec = EngineSpec("own", None, Limits(), spec.database_dir, source="hygie")
                with open_clamd(own_spec, disable_cache=disable_cache) as own_engine:
                    yield own_engine
                return
            yield engine
            return
    own: OwnClamd | None = None
    if spec.mode == "own":
        own = _start_own(spec, disable_cache)
        address = own.start()
    else:
        assert spec.address is not None
        address = spec.address
    engine = ClamdEngine(spec, address, own)
    try:
        if check:
            engine.check()
        yield engine
    finally:
        engine.close()


def _start_own(spec: EngineSpec, disable_cache: bool) -> OwnClamd:
    from hygie import platform
    from hygie.paths import get_paths

    if platform.current() == "windows":
        raise EngineUnavailable(
            detail="sous Windows, hygie utilise Microsoft Defender (--engine defender) ; pour "
            "ClamAV, démarrez clamd puis indiquez-le avec --clamd tcp:127.0.0.1:3310"
        )
    if spec.database_dir is None or not spec.database_dir.is_dir():
        raise EngineUnavailable(
            detail="aucun clamd ne tourne et aucun dossier de signatures n'a été trouvé"
        )
    return OwnClamd(
        get_paths().data_dir / "media" / "clamd",
        spec.database_dir,
        spec.limits,
        disable_cache=disable_cache,
    )
