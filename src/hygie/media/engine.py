"""Finding, starting and checking the ClamAV engine.

Order of discovery (:func:`resolve_spec`):

1. ``--clamd unix:PATH|tcp:HOST:PORT`` on the command line, else ``[media] clamd = ...`` in
   the config file;
2. the system's clamd, its socket read from ``/etc/clamav/clamd.conf`` (``LocalSocket`` or
   ``TCPSocket``/``TCPAddr``) when it answers ``PING``;
3. hygie's own clamd, started with a generated config in the data folder (``Foreground yes``,
   its socket in a private 0700 folder, explicit limits) on the system's signature folder.

Before any scan :meth:`Engine.check` asks ``VERSION``, reads the signature date and count,
refuses an engine with zero signatures, and scans an EICAR string built in memory: a
signature database that failed to load is otherwise silent.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import subprocess
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from hygie import proc
from hygie.media.clamd import Address, ClamdClient, ClamdError, ReplyStatus
from hygie.media.errors import EngineSelfTestFailed, EngineUnavailable, NoSignatures

SYSTEM_CLAMD_CONF = Path("/etc/clamav/clamd.conf")
# Where other installs keep it: Homebrew (Apple silicon, Intel), the Windows installer.
OTHER_CLAMD_CONFS = (
    Path("/opt/homebrew/etc/clamav/clamd.conf"),
    Path("/usr/local/etc/clamav/clamd.conf"),
    Path("C:/Program Files/ClamAV/clamd.conf"),
)
SYSTEM_FRESHCLAM_CONF = Path("/etc/clamav/freshclam.conf")
DEFAULT_DATABASE_DIRS = (Path("/var/lib/clamav"), Path("/usr/local/share/clamav"))
MB = 1024 * 1024

# clamd's own defaults (clamd.conf(5)) when a system config does not set a limit.
CLAMD_DEFAULT_LIMITS = {
    "MaxFileSize": 100 * MB,
    "MaxScanSize": 400 * MB,
    "StreamMaxLength": 100 * MB,
    "MaxRecursion": 17,
    "MaxFiles": 10000,
}


@dataclass(frozen=True)
class Limits:
    """The limits hygie's own clamd runs with (and what hygie assumes of another one)."""

    max_file_size: int = 200 * MB
    max_scan_size: int = 800 * MB
    stream_max_length: int = 200 * MB
    max_recursion: int = 12
    max_files: int = 10000

    def __post_init__(self) -> None:
        if self.stream_max_length < self.max_file_size:
            raise ValueError("StreamMaxLength must be >= MaxFileSize")

    def to_dict(self) -> dict[str, int]:
        return {
            "max_file_size": self.max_file_size,
            "max_scan_size": self.max_scan_size,
            "stream_max_length": self.stream_max_length,
            "max_recursion": self.max_recursion,
            "max_files": self.max_files,
        }


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


def read_conf(path: Path) -> dict[str, str] | None:
    try:
        return parse_clamd_conf(path.read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return None


def system_database_dir(root: Path = Path("/")) -> Path | None:
    for conf_path in (SYSTEM_CLAMD_CONF, SYSTEM_FRESHCLAM_CONF):
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
        # Another clamd: its limits are unknown, assume clamd's defaults (files above them
        # are reported not scanned); its signature folder only when named.
        db = database_dir or (
            Path(str(media_cfg["database"])) if media_cfg.get("database") else None
        )
        return EngineSpec(
            "address",
            addr,
            limits=limits_from_conf({}),
            database_dir=db,
            source="--clamd" if cli_value else "config",
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
                )
            except ClamdError:
                pass
    db_dir = database_dir or (
        Path(str(media_cfg["database"])) if media_cfg.get("database") else system_database_dir()
    )
    return EngineSpec("own", None, Limits(), db_dir, source="hygie")


# -- signatures -----------------------------------------------------------------------------
@dataclass(frozen=True)
class SignatureInfo:
    count: int | None  # None: could not be read (remote engine)
    date: str | None  # ISO date of the newest signatures
    source: str  # "version", "cvd", "mtime" or ""
    files: tuple[str, ...] = ()

    def age_days(self, now: dt.datetime) -> float | None:
        if not self.date:
            return None
        d = dt.datetime.fromisoformat(self.date)
        if d.tzinfo is None:
            d = d.replace(tzinfo=dt.UTC)
        return max(0.0, (now - d).total_seconds() / 86400)


SIG_TEXT_EXTS = {
    ".hdb", ".hsb", ".hdu", ".hsu", ".mdb", ".msb", ".mdu", ".msu",
    ".ndb", ".ndu", ".ldb", ".ldu", ".cdb", ".crb", ".idb", ".imp", ".yar", ".yara",
}  # fmt: skip
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


def eicar_bytes() -> bytes:
    """The EICAR test string, assembled at run time so that no file of hygie holds it."""
    parts = ("X5O!P%@AP[4\\PZX54(P^)7CC)7}", "$EICAR-STANDARD-", "ANTIVIRUS-TEST-", "FILE!$H+H*")
    return "".join(parts).encode("ascii")


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

    @property
    def address(self) -> Address:
        return Address("unix", path=str(self.socket_path))

    def start(self) -> Address:
        self.base_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.sock_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.sock_dir.chmod(0o700)
        if len(str(self.socket_path)) > 100:
            # unix socket paths are limited to ~108 bytes: use a private temporary folder.
            import tempfile

            self.sock_dir = Path(tempfile.mkdtemp(prefix="hygie-clamd-"))
            self.socket_path = self.sock_dir / "clamd.sock"
        self.conf_path.write_text(
            own_clamd_config(
                self.socket_path, self.database_dir, self.limits, disable_cache=self.disable_cache
            ),
            encoding="utf-8",
        )
        self.conf_path.chmod(0o600)
        binary = proc.which("clamd") or next(
            (
                str(p)
                for p in (Path("/usr/sbin/clamd"), Path("/usr/local/sbin/clamd"))
                if p.exists()
            ),
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
@dataclass(frozen=True)
class EngineInfo:
    address: str
    mode: str
    version: str
    db_version: int | None
    signatures: SignatureInfo
    limits: Limits
    self_test: str  # "ok" or "" when not run

    def to_dict(self, now: dt.datetime | None = None) -> dict[str, Any]:
        now = now or dt.datetime.now(dt.UTC)
        age = self.signatures.age_days(now)
        return {
            "address": self.address,
            "mode": self.mode,
            "version": self.version,
            "db_version": self.db_version,
            "signature_count": self.signatures.count,
            "signature_date": self.signatures.date,
            "signature_date_source": self.signatures.source,
            "signature_age_days": round(age, 1) if age is not None else None,
            "limits": self.limits.to_dict(),
            "self_test": self.self_test,
        }


class Engine:
    """A reachable, checked clamd."""

    def __init__(self, spec: EngineSpec, address: Address, own: OwnClamd | None = None) -> None:
        self.spec = spec
        self.address = address
        self.own = own
        self.client = ClamdClient(address)
        self.info: EngineInfo | None = None

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

    def check(self) -> EngineInfo:
        """VERSION, signature count and date, EICAR self-test. Raises when unusable."""
        try:
            reply = self.client.version()
        except ClamdError as exc:
            raise EngineUnavailable(detail=str(exc)) from exc
        version, db_version, vdate = parse_version_reply(reply)
        sigs = SignatureInfo(None, None, "")
        if self.spec.database_dir is not None:
            sigs = database_signatures(self.spec.database_dir)
        if vdate:
            sigs = replace(sigs, date=vdate, source="version")
        if sigs.count == 0:
            raise NoSignatures(detail=str(self.spec.database_dir))
        try:
            st = self.client.instream_bytes(eicar_bytes())
        except ClamdError as exc:
            raise EngineUnavailable(detail=str(exc)) from exc
        if st.status is not ReplyStatus.FOUND:
            raise EngineSelfTestFailed(detail=st.raw or st.status.value)
        self.info = EngineInfo(
            str(self.address), self.spec.mode, version, db_version, sigs, self.limits, "ok"
        )
        return self.info

    def close(self) -> None:
        if self.own is not None:
            self.own.stop()


@contextlib.contextmanager
def open_engine(
    spec: EngineSpec, *, disable_cache: bool = False, check: bool = True
) -> Iterator[Engine]:
    """Reach (or start) the engine, check it, and stop hygie's own clamd afterwards."""
    from hygie.paths import get_paths

    own: OwnClamd | None = None
    if spec.mode == "own" and os.name != "posix":
        raise EngineUnavailable(
            detail="sous Windows, démarrez clamd puis indiquez-le avec --clamd tcp:127.0.0.1:3310"
        )
    if spec.mode == "own":
        if spec.database_dir is None or not spec.database_dir.is_dir():
            raise EngineUnavailable(
                detail="aucun clamd ne tourne et aucun dossier de signatures n'a été trouvé"
            )
        own = OwnClamd(
            get_paths().data_dir / "media" / "clamd",
            spec.database_dir,
            spec.limits,
            disable_cache=disable_cache,
        )
        address = own.start()
    else:
        assert spec.address is not None
        address = spec.address
    engine = Engine(spec, address, own)
    try:
        if check:
            engine.check()
        yield engine
    finally:
        engine.close()
