"""Scanning files through the media engine, concurrently, failing closed.

Every file gets exactly one verdict (:mod:`hygie.media.verdicts`): ``clean`` (the engine said
so *and* hygie found nothing it could not see: :mod:`hygie.media.judge`), ``infected`` or
``not_scanned`` with a reason and a detail. Anything unexpected — an engine error, a
timeout, a dropped connection, an encrypted or over-limit alert, a file or an archive member
larger than the engine reads, a nesting deeper than it descends — is ``not_scanned``, never
``clean``. When the engine dies, the files not yet scanned are ``not_scanned`` with the
reason ``engine_error`` and the run says so. A run that examined no file is not clean.

Files are opened here (``O_NOFOLLOW``, never executed) and their descriptor handed to the
engine; a caller may act on the same open descriptor after the scan (the station copy
does), so what is copied is exactly what was scanned.

Two ways of keeping the engine busy: a pipeline (clamd over a unix socket: one thread, many
files in flight on one ``IDSESSION``, answers matched by request id — the plain scan) or
worker threads with one file each (Defender, clamd over TCP, the station copy, whose
per-file work after the verdict runs in the workers).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import heapq
import itertools
import os
import stat
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from hygie.hashing import pread
from hygie.media.engines import Pipeline, ScanEngine, ScanFn
from hygie.media.judge import HEAD, combine, judge_fd, precheck_fd
from hygie.media.verdicts import EngineAnswer, Reason, Verdict
from hygie.media.walk import Entry, walk

__all__ = ["FileResult", "Reason", "ScanRun", "Verdict", "scan_paths"]


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
    def nothing_scanned(self) -> bool:
        """No file was examined: never a clean result."""
        return not any(f.verdict is not Verdict.NOT_SCANNED for f in self.files)

    @property
    def all_clean(self) -> bool:
        return (
            not self.engine_error
            and bool(self.files)
            and all(f.verdict is Verdict.CLEAN for f in self.files)
        )

    def exit_code(self) -> int:
        if self.engine_error:
            from hygie.media.errors import EngineDied

            return EngineDied.exit_code
        return 0 if self.all_clean else 1

    def status(self) -> str:
        if self.engine_error:
            return "error"
        if not self.files:
            return "unknown"
        return "success" if self.all_clean else "findings"

    def error_doc(self) -> dict[str, Any] | None:
        """The envelope's ``error`` when the run failed (never null for a failed run)."""
        if not self.engine_error:
            return None
        from hygie.media.errors import EngineDied

        err = EngineDied(not_scanned=self.counts["not_scanned"], detail=self.engine_error)
        return err.to_dict() | {"detail": self.engine_error}

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
            "nothing_scanned": self.nothing_scanned,
            "nothing_scanned_reason": (
                (
                    "no file found under the given paths"
                    if not self.files
                    else "no file could be scanned"
                )
                if self.nothing_scanned
                else None
            ),
            "files": [f.to_dict() for f in self.files],
        }


PROGRESS_EVERY_S = 0.1  # a progress bar does not need 3,000 updates a second
# Files in flight on a pipelined engine (clamd over a unix socket): enough that clamd's
# threads always find the next file queued even when this process is not scheduled for a
# few milliseconds (on 2 CPUs clamd empties 64 tiny files in ~5 ms), few enough that the
# descriptors held open stay far below macOS's default limit of 256.
PIPELINE_DEPTH = 128
WALK_CHUNK = 256  # entries walked at a time while the pipeline is full
# When the pipeline is full, wait this long before taking the answers, so that one wake-up
# takes a dozen of them instead of one (on 20,000 tiny files: 800 wake-ups instead of 13,000,
# half the client's CPU, on the CPUs clamd needs). clamd never runs dry meanwhile: at 6,000
# files a second it answers ~12 of the 128 in flight. Only for a deep pipeline.
BATCH_WAIT_S = 0.002
BATCH_MIN_DEPTH = 32
# Files at least this large are sent largest first (so that no big file is left alone at the
# end); smaller ones in the order found (the order of a few milliseconds of work is moot).
BIG_FILE = 1 << 20


def default_workers() -> int:
    """Worker threads when the engine has no pipeline (Defender, clamd over TCP) or for the
    station copy: 8, or twice the CPUs up to 16.

    A worker spends most of its time waiting for clamd's answer (0.2 ms of CPU per small
    file here, measured in bench/media.py): on 2 CPUs, 4 workers left clamd idle between
    small files and 8 matched ``clamdscan --multiscan``; more than clamd's threads
    (``MaxThreads``, 8 for hygie's own) only queue.
    """
    return min(16, max(8, 2 * (os.cpu_count() or 2)))


class _State:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.stopped = threading.Event()
        self.cancelled = threading.Event()
        self.engine_error = ""
        self.files_done = 0
        self.bytes_done = 0


# Never follow a link swapped in after the walk, never take a terminal, never block on a
# FIFO; binary on Windows.
OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_BINARY", 0)
)


def _open_entry(entry: Entry) -> tuple[int | None, FileResult | None, int, bytes]:
    try:
        fd = os.open(entry.path, OPEN_FLAGS)
    except OSError as exc:
        return None, _unreadable(entry, exc), 0, b""
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            os.close(fd)
            res = _result(entry, Verdict.NOT_SCANNED, Reason.NOT_REGULAR, detail="not a file")
            return None, res, 0, b""
        # The first bytes: they prove the content can be read (EACCES on FUSE, EIO on a bad
        # sector) and tell what kind of container it is.
        head = pread(fd, HEAD, 0)
    except OSError as exc:
        os.close(fd)
        return None, _unreadable(entry, exc), 0, b""
    return fd, None, st.st_size, head


def _unreadable(entry: Entry, exc: OSError) -> FileResult:
    return _result(entry, Verdict.NOT_SCANNED, Reason.UNREADABLE, detail=_err(exc))


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
    detail = detail or entry.detail
    if verdict is Verdict.NOT_SCANNED and not detail and reason is not None:
        detail = reason.value
    return FileResult(
        entry.display,
        entry.rel,
        entry.size if size is None else size,
        verdict,
        reason,
        signature,
        detail,
    )


def _unsent(entry: Entry, state: _State) -> FileResult | None:
    """The result of an entry that is not sent to the engine (None: it is to be sent)."""
    if entry.kind == "link":
        return _result(entry, Verdict.NOT_SCANNED, Reason.LINK)
    if entry.kind == "special":
        return _result(entry, Verdict.NOT_SCANNED, Reason.NOT_REGULAR)
    if entry.kind != "file":
        return _result(entry, Verdict.NOT_SCANNED, Reason.UNREADABLE)
    if state.stopped.is_set():
        return _result(entry, Verdict.NOT_SCANNED, Reason.ENGINE_ERROR, detail="engine stopped")
    return None


# Answers after which the engine itself is checked (a clamd that hangs or died).
_ENGINE_TROUBLE = frozenset({Reason.ENGINE_ERROR, Reason.TIMEOUT})


def _engine_failed(engine: ScanEngine, state: _State, detail: str) -> None:
    """After an engine error or timeout: when the engine itself is gone (no longer answers
    PING), stop sending files — each would wait for its own timeout."""
    if state.stopped.is_set() or engine.alive():
        return
    with state.lock:
        if not state.engine_error:
            state.engine_error = detail
    state.stopped.set()


def _scan_one(
    engine: ScanEngine, scan: ScanFn, entry: Entry, state: _State, handler: Handler | None
) -> FileResult:
    unsent = _unsent(entry, state)
    if unsent is not None:
        return _with_handler(handler, entry, None, unsent)
    fd, early, size, head = _open_entry(entry)
    if fd is None:
        assert early is not None
        return _with_handler(handler, entry, None, early)
    try:
        answer = judge_fd(scan, fd, entry.path, size, head, engine.limits)
        if answer.reason in _ENGINE_TROUBLE:
            _engine_failed(engine, state, answer.detail)
        res = _result(
            entry, answer.verdict, answer.reason, answer.signature, answer.detail, size=size
        )
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
    engine: ScanEngine,
    *,
    workers: int | None = None,
    progress: Progress | None = None,
    handler: Handler | None = None,
    now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
) -> ScanRun:
    """Scan every file under ``paths``; never raises for a file or engine problem.

    With an engine that has a pipeline (clamd on a unix socket) and no ``handler``, one
    thread keeps ``workers`` files (default :data:`PIPELINE_DEPTH`) in flight on it;
    otherwise ``workers`` threads (default :func:`default_workers`) scan one file at a time
    each. Either way every file gets exactly one result, in the walk's order.
    """
    started = now()
    t0 = time.monotonic()
    state = _State()

    pipe = engine.pipeline() if handler is None else None
    if pipe is not None:
        depth = workers or PIPELINE_DEPTH
        try:
            results = _run_pipelined(engine, pipe, paths, depth, state, progress)
        finally:
            pipe.close()
        return _run_result(engine, started, t0, paths, results, state, depth)

    entries = list(walk(list(paths)))
    total_files = len(entries)
    total_bytes = sum(e.size for e in entries)
    n = workers or default_workers()
    local = threading.local()
    opened: list[contextlib.ExitStack] = []

    def scan_fn() -> ScanFn:
        fn = getattr(local, "fn", None)
        if fn is None:
            stack = contextlib.ExitStack()
            fn = stack.enter_context(engine.worker())
            with state.lock:
                opened.append(stack)
            local.fn = fn
        return fn

    last = [0.0]

    def task(entry: Entry) -> FileResult:
        res = _scan_one(engine, scan_fn(), entry, state, handler)
        with state.lock:
            state.files_done += 1
            state.bytes_done += entry.size
            done, done_b = state.files_done, state.bytes_done
            now_s = time.monotonic()
            due = now_s - last[0] >= PROGRESS_EVERY_S or done == total_files
            if due:
                last[0] = now_s
        if progress is not None and due:
            progress(done, done_b, total_files, total_bytes)
        return res

    if progress is not None:
        progress(0, 0, total_files, total_bytes)
    try:
        results = _run_all(task, entries, n, state)
    finally:
        for stack in opened:
            with contextlib.suppress(Exception):
                stack.close()
    return _run_result(engine, started, t0, paths, results, state, n)


def _run_result(
    engine: ScanEngine,
    started: dt.datetime,
    t0: float,
    paths: Sequence[str],
    results: list[FileResult],
    state: _State,
    n: int,
) -> ScanRun:
    info = engine.info.to_dict(started) if engine.info else engine.describe()
    return ScanRun(
        started.isoformat(timespec="seconds"),
        time.monotonic() - t0,
        len(paths),
        info,
        tuple(results),
        state.engine_error,
        n,
    )


def _run_pipelined(
    engine: ScanEngine,
    pipe: Pipeline,
    paths: Sequence[str],
    depth: int,
    state: _State,
    progress: Progress | None,
) -> list[FileResult]:
    """One thread keeps ``depth`` files in flight on the engine's pipeline: open, send,
    check the container while the engine scans, and take the answers as they come.

    The walk goes on while the engine works (a chunk of it whenever the pipeline is full),
    so the engine starts on the first files at once; of the files found and not yet sent,
    the largest big file goes first, so that no big file is left alone at the end.
    """
    walker = walk(list(paths))
    walking = True
    entries: list[Entry] = []
    results: list[FileResult | None] = []
    # Files found, not yet sent: big ones in a heap of (-size, index), the others in order.
    big: list[tuple[int, int]] = []
    small: deque[int] = deque()
    limits = engine.limits
    max_size = limits.max_file_size
    # index -> (descriptor, size, hygie's own finding): kept open until the answer.
    waiting: dict[int, tuple[int, int, Reason | None, str]] = {}
    done_files = done_bytes = total_bytes = 0
    last_call = 0.0

    def advance(files: int, nbytes: int) -> None:
        nonlocal done_files, done_bytes, last_call
        done_files += files
        done_bytes += nbytes
        if progress is not None:
            now_s = time.monotonic()
            finished = not walking and done_files == len(entries)
            if now_s - last_call >= PROGRESS_EVERY_S or finished:
                last_call = now_s
                progress(done_files, done_bytes, len(entries), total_bytes)

    def discover(count: int) -> bool:
        """Walk up to ``count`` more entries; False once the walk is over."""
        nonlocal total_bytes
        seen = 0
        for entry in itertools.islice(walker, count):
            i = len(entries)
            entries.append(entry)
            results.append(None)
            total_bytes += entry.size
            if entry.size >= BIG_FILE:
                heapq.heappush(big, (-entry.size, i))
            else:
                small.append(i)
            seen += 1
        return seen == count

    def finish(batch: list[tuple[int, EngineAnswer]]) -> None:
        nbytes = 0
        failed = ""
        for i, answer in batch:
            fd, size, reason, detail = waiting.pop(i)
            os.close(fd)
            if reason is not None:
                answer = combine(answer, reason, detail)
            if answer.reason in _ENGINE_TROUBLE:
                failed = answer.detail
            entry = entries[i]
            results[i] = _result(
                entry, answer.verdict, answer.reason, answer.signature, answer.detail, size
            )
            nbytes += entry.size
        if failed:
            _engine_failed(engine, state, failed)
        advance(len(batch), nbytes)

    batch_wait = BATCH_WAIT_S if depth >= BATCH_MIN_DEPTH else 0.0

    def take() -> list[tuple[int, EngineAnswer]]:
        """At least one answer (the pipeline blocks until one comes, or fails one); with a
        deep pipeline, after a short wait, every answer that came meanwhile."""
        if batch_wait:
            time.sleep(batch_wait)
            batch = pipe.collect(False)
            if batch:
                return batch
        batch = pipe.collect(True)
        if not batch:
            raise RuntimeError("the engine pipeline gave no answer for files in flight")
        return batch

    if progress is not None:
        progress(0, 0, 0, 0)
    try:
        while big or small or walking:
            if walking and (not (big or small) or pipe.in_flight >= depth):
                # Nothing to send, or the engine has enough: walk on meanwhile.
                walking = discover(WALK_CHUNK)
                if pipe.in_flight:
                    finish(pipe.collect(False))
                continue
            if pipe.in_flight >= depth:
                finish(take())
                continue
            i = heapq.heappop(big)[1] if big else small.popleft()
            entry = entries[i]
            res = _unsent(entry, state)
            if res is None:
                fd, res, size, head = _open_entry(entry)
                if fd is not None and size > max_size:
                    # Not sent: the engine would read part of it and could answer "OK".
                    reason, detail = precheck_fd(fd, size, head, limits)
                    os.close(fd)
                    assert reason is not None
                    res = _result(entry, Verdict.NOT_SCANNED, reason, detail=detail, size=size)
                elif fd is not None:
                    pipe.submit(fd, i)
                    # hygie's own look inside, while the engine scans the same file.
                    waiting[i] = (fd, size, *precheck_fd(fd, size, head, limits))
                    continue
            results[i] = res
            advance(1, entry.size)
        while waiting:
            finish(take())
    finally:
        for fd, _size, _reason, _detail in waiting.values():
            with contextlib.suppress(OSError):
                os.close(fd)
    return [r for r in results if r is not None]


def _run_all(
    task: Callable[[Entry], FileResult], entries: list[Entry], n: int, state: _State
) -> list[FileResult]:
    total_files = len(entries)
    if n <= 1:
        return [task(e) for e in entries]
    # Largest files first (so that no worker is left alone with a big file at the end);
    # results keep the walk order. Plain threads pulling the next index: no future, no
    # queue per file (measured: the per-file bookkeeping showed in small-file runs).
    order = iter(sorted(range(total_files), key=lambda i: -entries[i].size))
    results: list[FileResult | None] = [None] * total_files
    take = threading.Lock()
    errors: list[BaseException] = []

    def loop() -> None:
        while not state.cancelled.is_set():
            with take:
                i = next(order, None)
            if i is None:
                return
            try:
                results[i] = task(entries[i])
            except BaseException as exc:  # a bug: stop everyone, re-raised below
                errors.append(exc)
                state.cancelled.set()
                return

    threads = [threading.Thread(target=loop, name=f"hygie-scan-{k}", daemon=True) for k in range(n)]
    for t in threads:
        t.start()
    try:
        for t in threads:
            while t.is_alive():
                t.join(0.5)
    except BaseException:  # Ctrl+C: do not go on scanning the queued files
        state.cancelled.set()
        state.stopped.set()
        for t in threads:
            t.join()
        raise
    if errors:
        raise errors[0]
    return [r for r in results if r is not None]
