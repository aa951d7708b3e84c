"""Scanning files through clamd, concurrently, failing closed.

Every file gets exactly one verdict: ``clean`` (clamd said ``OK``), ``infected`` (a
signature or a heuristic other than limits/encryption matched) or ``not_scanned`` with a
reason. Anything unexpected — an ``ERROR`` reply, a timeout, a dropped connection, a
``Heuristics.Encrypted.*`` or ``Heuristics.Limits.Exceeded.*`` alert, a file larger than the
engine reads — is ``not_scanned``, never ``clean``. When the engine dies, the files not yet
scanned are ``not_scanned`` with the reason ``engine_error`` and the run says so.

Files are opened here (``O_NOFOLLOW``, never executed) and their descriptor passed to clamd
(``FILDES``) or streamed (``INSTREAM``); a caller may act on the same open descriptor after
the scan (the station copy does), so what is copied is exactly what was scanned.
"""

from __future__ import annotations

import datetime as dt
import os
import stat
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from hygie.hashing import pread
from hygie.media.clamd import (
    ClamdConnectionError,
    ClamdError,
    ClamdProtocolError,
    ClamdTimeout,
    ReplyStatus,
    ScanReply,
)
from hygie.media.engine import Engine
from hygie.media.walk import Entry, walk


class Verdict(StrEnum):
    CLEAN = "clean"
    INFECTED = "infected"
    NOT_SCANNED = "not_scanned"


class Reason(StrEnum):
    ENCRYPTED = "encrypted"
    OVER_LIMIT = "over_limit"
    UNREADABLE = "unreadable"
    TIMEOUT = "timeout"
    ENGINE_ERROR = "engine_error"
    LINK = "link"
    NOT_REGULAR = "not_regular"


@dataclass(frozen=True)
class FileResult:
    name: str  # safe to print (escaped)
    rel: str
    size: int
    verdict: Verdict
    reason: Reason | None = None
    signature: str = ""
    detail: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "name": self.name,
            "size": self.size,
            "verdict": self.verdict.value,
            "reason": self.reason.value if self.reason else None,
            "signature": self.signature or None,
            "detail": self.detail or None,
        }
        d.update(self.extra)
        return d


def verdict_from_reply(reply: ScanReply) -> tuple[Verdict, Reason | None, str, str]:
    """(verdict, reason, signature, detail) for one clamd reply, failing closed."""
    if reply.status is ReplyStatus.OK:
        return Verdict.CLEAN, None, "", ""
    if reply.status is ReplyStatus.FOUND:
        sig = reply.signature
        if sig.startswith("Heuristics.Encrypted"):
            return Verdict.NOT_SCANNED, Reason.ENCRYPTED, sig, "encrypted content"
        if sig.startswith("Heuristics.Limits.Exceeded"):
            return Verdict.NOT_SCANNED, Reason.OVER_LIMIT, sig, "engine limit exceeded"
        return Verdict.INFECTED, None, sig, ""
    if reply.status is ReplyStatus.SIZE_LIMIT:
        return Verdict.NOT_SCANNED, Reason.OVER_LIMIT, "", "INSTREAM size limit exceeded"
    return Verdict.NOT_SCANNED, Reason.ENGINE_ERROR, "", reply.detail or reply.raw


# A handler runs after the scan with the still-open descriptor (station copy); it returns
# extra fields for the file's result.
Handler = Callable[[Entry, int | None, "FileResult"], dict[str, Any]]
Progress = Callable[[int, int, int, int], None]


@dataclass(frozen=True)
class ScanRun:
    started_at: str
    duration_s: float
    paths: int
    engine: dict[str, Any]
    files: tuple[FileResult, ...]
    engine_error: str = ""
    workers: int = 1

    @property
    def counts(self) -> dict[str, int]:
        c = {v.value: 0 for v in Verdict}
        for f in self.files:
            c[f.verdict.value] += 1
        return c

    @property
    def total_bytes(self) -> int:
        return sum(f.size for f in self.files if f.verdict is not Verdict.NOT_SCANNED)

    @property
    def all_clean(self) -> bool:
        return not self.engine_error and all(f.verdict is Verdict.CLEAN for f in self.files)

    def exit_code(self) -> int:
        if self.engine_error:
            from hygie.media.errors import EngineDied

            return EngineDied.exit_code
        return 0 if self.all_clean else 1

    def status(self) -> str:
        if self.engine_error:
            return "error"
        return "success" if self.all_clean else "findings"

    def to_dict(self) -> dict[str, Any]:
        return {
            "started_at": self.started_at,
            "duration_s": round(self.duration_s, 3),
            "paths": self.paths,
            "workers": self.workers,
            "engine": self.engine,
            "counts": self.counts,
            "bytes_scanned": self.total_bytes,
            "engine_error": self.engine_error or None,
            "files": [f.to_dict() for f in self.files],
        }


def default_workers() -> int:
    """Files in flight over the daemon: twice the CPUs, 4 to 8 (measured in bench/media.py)."""
    return min(8, max(4, 2 * (os.cpu_count() or 2)))


class _State:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.stopped = threading.Event()
        self.engine_error = ""
        self.files_done = 0
        self.bytes_done = 0


def _open_entry(entry: Entry) -> tuple[int | None, FileResult | None, int]:
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NOCTTY", 0)
    flags |= getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(entry.path, flags)
    except OSError as exc:
        return None, _result(entry, Verdict.NOT_SCANNED, Reason.UNREADABLE, detail=_err(exc)), 0
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            os.close(fd)
            return None, _result(entry, Verdict.NOT_SCANNED, Reason.NOT_REGULAR), 0
        # Probe that the content can actually be read (EACCES on FUSE, EIO on a bad sector).
        pread(fd, 1, 0)
    except OSError as exc:
        os.close(fd)
        return None, _result(entry, Verdict.NOT_SCANNED, Reason.UNREADABLE, detail=_err(exc)), 0
    return fd, None, st.st_size


def _err(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def _result(
    entry: Entry,
    verdict: Verdict,
    reason: Reason | None = None,
    signature: str = "",
    detail: str = "",
    size: int | None = None,
) -> FileResult:
    return FileResult(
        entry.display,
        entry.rel,
        entry.size if size is None else size,
        verdict,
        reason,
        signature,
        detail or entry.detail,
    )


def _scan_one(engine: Engine, entry: Entry, state: _State, handler: Handler | None) -> FileResult:
    if entry.kind == "link":
        res = _result(entry, Verdict.NOT_SCANNED, Reason.LINK)
        return _with_handler(handler, entry, None, res)
    if entry.kind == "special":
        return _with_handler(
            handler, entry, None, _result(entry, Verdict.NOT_SCANNED, Reason.NOT_REGULAR)
        )
    if entry.kind != "file":
        return _with_handler(
            handler, entry, None, _result(entry, Verdict.NOT_SCANNED, Reason.UNREADABLE)
        )
    if state.stopped.is_set():
        res = _result(entry, Verdict.NOT_SCANNED, Reason.ENGINE_ERROR, detail="engine stopped")
        return _with_handler(handler, entry, None, res)
    fd, early, size = _open_entry(entry)
    if fd is None:
        assert early is not None
        return _with_handler(handler, entry, None, early)
    try:
        if size > engine.limits.max_file_size:
            res = _result(
                entry, Verdict.NOT_SCANNED, Reason.OVER_LIMIT, detail="larger than MaxFileSize",
                size=size,
            )  # fmt: skip
            return _with_handler(handler, entry, fd, res)
        try:
            reply = engine.client.scan_fd(fd)
        except ClamdTimeout as exc:
            res = _result(entry, Verdict.NOT_SCANNED, Reason.TIMEOUT, detail=str(exc), size=size)
            return _with_handler(handler, entry, fd, res)
        except (ClamdConnectionError, ClamdProtocolError, ClamdError) as exc:
            if not engine.alive():
                with state.lock:
                    if not state.engine_error:
                        state.engine_error = str(exc)
                state.stopped.set()
            res = _result(
                entry, Verdict.NOT_SCANNED, Reason.ENGINE_ERROR, detail=str(exc), size=size
            )
            return _with_handler(handler, entry, fd, res)
        verdict, reason, sig, detail = verdict_from_reply(reply)
        res = _result(entry, verdict, reason, sig, detail, size=size)
        return _with_handler(handler, entry, fd, res)
    finally:
        os.close(fd)


def _with_handler(
    handler: Handler | None, entry: Entry, fd: int | None, res: FileResult
) -> FileResult:
    if handler is None:
        return res
    extra = handler(entry, fd, res)
    return FileResult(
        res.name, res.rel, res.size, res.verdict, res.reason, res.signature, res.detail, extra
    )


def scan_paths(
    paths: Sequence[str],
    engine: Engine,
    *,
    workers: int | None = None,
    progress: Progress | None = None,
    handler: Handler | None = None,
    now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
) -> ScanRun:
    """Scan every file under ``paths``; never raises for a file or engine problem."""
    started = now()
    t0 = time.monotonic()
    entries = list(walk(list(paths)))
    total_files = len(entries)
    total_bytes = sum(e.size for e in entries)
    state = _State()
    n = workers or default_workers()

    def task(entry: Entry) -> FileResult:
        res = _scan_one(engine, entry, state, handler)
        with state.lock:
            state.files_done += 1
            state.bytes_done += entry.size
            done, done_b = state.files_done, state.bytes_done
        if progress is not None:
            progress(done, done_b, total_files, total_bytes)
        return res

    if progress is not None:
        progress(0, 0, total_files, total_bytes)
    if n <= 1:
        results = [task(e) for e in entries]
    else:
        # Largest files first (so that no worker is left alone with a big file at the end);
        # results keep the walk order.
        order = sorted(range(total_files), key=lambda i: -entries[i].size)
        pool = ThreadPoolExecutor(max_workers=n, thread_name_prefix="hygie-scan")
        try:
            done = list(pool.map(lambda i: (i, task(entries[i])), order))
        except BaseException:  # Ctrl+C: do not go on scanning the queued files
            state.stopped.set()
            pool.shutdown(wait=True, cancel_futures=True)
            raise
        pool.shutdown(wait=True)
        by_index = dict(done)
        results = [by_index[i] for i in range(total_files)]
    info = engine.info.to_dict(started) if engine.info else {"address": str(engine.address)}
    return ScanRun(
        started.isoformat(timespec="seconds"),
        time.monotonic() - t0,
        len(paths),
        info,
        tuple(results),
        state.engine_error,
        n,
    )
