"""Microsoft Defender behind the media engine interface (Windows).

Every Windows 10/11 has Defender; the station uses it by default there, so the nurse has
nothing to install or start. One ``MpCmdRun.exe -Scan -ScanType 3 -File PATH
-DisableRemediation`` per file (:mod:`hygie.media.mpcmdrun` reads its output, failing
closed), a time limit per file, and the same rules as ClamAV: hygie's own container checks
first (:mod:`hygie.media.judge`), the canary battery before any file is trusted.

Defender scans a *path*, not an open descriptor: so that what is judged is the file hygie
holds open (and copies), the path's identity (volume, file id, size, modification time) is
compared with the open descriptor's before and after the scan; any difference is "not
scanned" (:attr:`~hygie.media.verdicts.Reason.CHANGED`).

Signature age comes from ``Get-MpComputerStatus``, read through the platform's Windows probe
command and parser (the same as measure M03).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from hygie import proc
from hygie.media.engines import MB, EngineInfo, Limits, ScanFn, SignatureInfo
from hygie.media.errors import DefenderUnavailable
from hygie.media.mpcmdrun import find_mpcmdrun, parse_scan, platform_version, scan_args
from hygie.media.verdicts import EngineAnswer, Reason, Verdict, not_scanned

# Defender does not publish its archive limits (they are policies: ArchiveMaxDepth,
# ArchiveMaxSize, 0 = no limit). hygie trusts it with 3 layers of archives and members up to
# 200 MB, and checks every container itself against these.
DEFENDER_LIMITS = Limits(
    max_file_size=200 * MB,
    max_scan_size=800 * MB,
    stream_max_length=200 * MB,
    max_recursion=5,
    max_files=10000,
)
SCAN_TIMEOUT_S = 120.0
STATUS_TIMEOUT_S = 20.0


def _readable(path: str) -> bool:
    try:
        with open(path, "rb") as fh:
            fh.read(1)
    except OSError:
        return False
    return True


def _identity(st: os.stat_result) -> tuple[int, int, int, int]:
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


class DefenderEngine:
    kind = "defender"
    configurable_alerts = False

    def __init__(self, exe: str, scratch: Path, timeout: float = SCAN_TIMEOUT_S) -> None:
        self.exe = exe
        self.scratch = scratch
        self.timeout = timeout
        self.info: EngineInfo | None = None
        self._signatures = SignatureInfo(None, None, "")

    @property
    def limits(self) -> Limits:
        return DEFENDER_LIMITS

    def describe(self) -> dict[str, Any]:
        return {"engine": self.kind, "address": self.exe, "mode": "system"}

    def identity(self) -> str:
        return f"{self.exe}|{self._signatures.date or ''}"

    def alive(self) -> bool:
        return proc.which(self.exe) is not None or os.path.isfile(self.exe)

    def _run(self, path: str) -> EngineAnswer:
        cp = proc.run(scan_args(self.exe, path), timeout=self.timeout, c_locale=False)
        if cp.missing:
            return not_scanned(Reason.ENGINE_ERROR, "MpCmdRun.exe not found")
        if cp.timed_out:
            return not_scanned(Reason.TIMEOUT, f"MpCmdRun.exe took more than {self.timeout:.0f} s")
        if cp.error:
            return not_scanned(Reason.ENGINE_ERROR, f"MpCmdRun.exe could not run: {cp.error}")
        return parse_scan(cp.returncode, f"{cp.stdout}\n{cp.stderr}", path)

    def scan_fd(self, fd: int, path: str, size: int) -> EngineAnswer:
        try:
            before = _identity(os.stat(path, follow_symlinks=False))
            held = _identity(os.fstat(fd))
        except OSError as exc:
            return not_scanned(Reason.UNREADABLE, exc.strerror or type(exc).__name__)
        if before != held:
            return not_scanned(Reason.CHANGED, "the path no longer names the file opened")
        answer = self._run(os.path.abspath(path))
        try:
            after = _identity(os.stat(path, follow_symlinks=False))
        except OSError as exc:
            if answer.verdict is Verdict.INFECTED:
                return answer
            return not_scanned(Reason.CHANGED, f"file gone after the scan ({exc.strerror})")
        if after != held and answer.verdict is not Verdict.INFECTED:
            return not_scanned(Reason.CHANGED, "the file changed while Defender scanned it")
        return answer

    def scan_bytes(self, data: bytes) -> EngineAnswer:
        """Through a private temporary file (the canaries). Real-time protection may remove
        or block it as it is written: that is Defender detecting it."""
        from hygie.fileio import private_dir

        folder = private_dir(self.scratch)
        # Named by content: the same canary has the same path at every start.
        path = os.path.join(folder, f"canary-{hashlib.sha256(data).hexdigest()[:16]}.bin")
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
        fd = os.open(path, flags, 0o600)
        try:
            try:
                with os.fdopen(os.dup(fd), "wb") as fh:
                    fh.write(data)
            except OSError:
                return EngineAnswer(Verdict.INFECTED, None, "Defender.RealTimeProtection")
            if not os.path.exists(path):
                return EngineAnswer(Verdict.INFECTED, None, "Defender.RealTimeProtection")
            answer = self._run(path)
            if answer.verdict is not Verdict.INFECTED and not _readable(path):
                # Real-time protection quarantined it before or while MpCmdRun looked.
                return EngineAnswer(Verdict.INFECTED, None, "Defender.RealTimeProtection")
            return answer
        finally:
            os.close(fd)
            with contextlib.suppress(OSError):
                os.unlink(path)

    @contextlib.contextmanager
    def worker(self) -> Iterator[ScanFn]:
        yield self.scan_fd

    def pipeline(self) -> None:
        """MpCmdRun scans one path per process: no connection to keep files in flight on."""
        return None

    def _status(self) -> SignatureInfo:
        from hygie.platform.parsers.defender import MP_STATUS_PS, parse_mp_status

        cp = proc.run(MP_STATUS_PS, timeout=STATUS_TIMEOUT_S, c_locale=False)
        status = parse_mp_status(cp.stdout) if cp.ok else None
        if status is not None and status.antivirus_enabled is False:
            raise DefenderUnavailable(detail="la protection antivirus de Defender est désactivée")
        if status is None or status.signature_age_days is None:
            return SignatureInfo(None, None, "")
        date = dt.datetime.now(dt.UTC) - dt.timedelta(days=status.signature_age_days)
        return SignatureInfo(None, date.date().isoformat(), "mpstatus")

    def check(self) -> EngineInfo:
        from hygie.media.canaries import prove

        self._signatures = self._status()
        results = prove(self)
        self.info = EngineInfo(
            self.kind, self.exe, "system", platform_version(self.exe) or "?", None,
            self._signatures, self.limits, "ok", tuple(r.to_dict() for r in results),
        )  # fmt: skip
        return self.info

    def close(self) -> None:
        return None


@contextlib.contextmanager
def open_defender(config: Mapping[str, Any], *, check: bool = True) -> Iterator[DefenderEngine]:
    from hygie.paths import get_paths

    media_cfg = config.get("media", {}) if isinstance(config.get("media"), dict) else {}
    exe = str(media_cfg.get("mpcmdrun") or "") or find_mpcmdrun(os.environ)
    if not exe:
        raise DefenderUnavailable(detail="MpCmdRun.exe est introuvable")
    engine = DefenderEngine(exe, get_paths().data_dir / "media" / "defender")
    if check:
        engine.check()
    yield engine
