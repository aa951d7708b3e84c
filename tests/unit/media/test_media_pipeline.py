"""The pipelined clamd session against a scripted daemon: answers out of order, an error for
one request, ids that do not match, a session dropped with files in flight. Every file ends
with clamd's own answer for *that* file, or not scanned — never clean without an answer.

The daemon here receives the descriptors for real (``SCM_RIGHTS``) and answers from the
content it reads through them, so a reply matched to the wrong file shows as a wrong verdict.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from hygie.media.clamd import Address, ClamdClient
from hygie.media.clamd_engine import ClamdEngine as Engine
from hygie.media.clamd_engine import EngineSpec
from hygie.media.engines import Limits
from hygie.media.scanner import Reason, Verdict, scan_paths

pytestmark = pytest.mark.skipif(not hasattr(socket, "recv_fds"), reason="needs SCM_RIGHTS")


def _verdict(content: bytes) -> bytes:
    if content.startswith(b"bad"):
        return b"Hygie.Fake.Sig FOUND"
    if content.startswith(b"err"):
        return b"Simulated read failure ERROR"
    return b"OK"


@dataclass
class Script:
    """How the fake daemon behaves inside an IDSESSION."""

    order: str = "reverse"  # "reverse": answer each batch last-first; "fifo"
    batch: int = 4  # answer when this many requests wait (or when the client stops sending)
    drop_after: int | None = None  # close the session after answering this many
    bad_id_at: int | None = None  # answer this request under an id that was never sent
    duplicate_at: int | None = None  # answer this request twice
    unnumbered_at: int | None = None  # a line without an id instead of this answer
    refuse_single: bool = False  # one-shot connections are closed without an answer
    silent: bool = False  # never answers inside a session
    sessions: int = 0
    singles: int = 0
    answered: list[bytes] = field(default_factory=list)  # the contents answered in sessions
    lock: threading.Lock = field(default_factory=threading.Lock)


def _reply_line(rid: int, fd_label: int, content: bytes) -> bytes:
    return b"%d: fd[%d]: %s\0" % (rid, fd_label, _verdict(content))


def _serve_session(conn: socket.socket, script: Script, buf: bytes, fds: list[int]) -> None:
    try:
        _session_loop(conn, script, buf, fds)
    finally:
        for fd in fds:  # received but never paired with a command
            os.close(fd)


def _session_loop(conn: socket.socket, script: Script, buf: bytes, fds: list[int]) -> None:
    pending: list[tuple[int, bytes]] = []
    next_id = 1
    answered = 0
    conn.settimeout(0.1)

    def answer(items: list[tuple[int, bytes]]) -> bool:
        nonlocal answered
        if script.order == "reverse":
            items = items[::-1]
        for rid, content in items:
            if script.unnumbered_at == rid:
                conn.sendall(b"COMMAND READ TIMED OUT\0")
                return False
            shown = rid + 1000 if script.bad_id_at == rid else rid
            conn.sendall(_reply_line(shown, 5, content))
            if script.duplicate_at == rid:
                conn.sendall(_reply_line(shown, 5, content))
            with script.lock:
                script.answered.append(content)
            answered += 1
            if script.drop_after is not None and answered >= script.drop_after:
                return False
        return True

    while True:
        while b"zFILDES\0\0" in buf and fds:
            _before, _, buf = buf.partition(b"zFILDES\0\0")
            fd = fds.pop(0)
            try:
                content = os.pread(fd, 64, 0)
            finally:
                os.close(fd)
            pending.append((next_id, content))
            next_id += 1
        if b"zEND\0" in buf and not pending:
            return
        if script.silent:
            pending = []
        if len(pending) >= script.batch:
            if not answer(pending):
                return
            pending = []
        try:
            data, new_fds, _flags, _addr = socket.recv_fds(conn, 4096, 4)
        except TimeoutError:
            if pending:
                if not answer(pending):
                    return
                pending = []
            continue
        if not data:
            for fd in new_fds:
                os.close(fd)
            return
        buf += data
        fds.extend(new_fds)


def _serve(conn: socket.socket, script: Script) -> None:
    with conn:
        conn.settimeout(5)
        try:
            data, fds, _flags, _addr = socket.recv_fds(conn, 4096, 4)
        except OSError:
            return
        if data.startswith(b"zPING"):
            conn.sendall(b"PONG\0")
        elif data.startswith(b"zIDSESSION"):
            with script.lock:
                script.sessions += 1
            with contextlib.suppress(OSError):  # the session closes what it received
                _serve_session(conn, script, data[len(b"zIDSESSION\0") :], fds)
            return
        elif data.startswith(b"zFILDES"):
            with script.lock:
                script.singles += 1
            if not fds:  # the descriptor comes with the extra byte
                _data2, fds, _f, _a = socket.recv_fds(conn, 16, 4)
            try:
                content = os.pread(fds[0], 64, 0)
            finally:
                for fd in fds:
                    os.close(fd)
            if not script.refuse_single:
                conn.sendall(b"fd[5]: " + _verdict(content) + b"\0")
            return
        for fd in fds:
            os.close(fd)


@contextlib.contextmanager
def scripted_clamd(path: Path, script: Script) -> Iterator[Address]:
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(str(path))
    srv.listen(64)
    srv.settimeout(0.05)
    stop = threading.Event()
    threads: list[threading.Thread] = []

    def accept_loop() -> None:
        while not stop.is_set():
            try:
                conn, _ = srv.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            t = threading.Thread(target=_serve, args=(conn, script), daemon=True)
            t.start()
            threads.append(t)

    t = threading.Thread(target=accept_loop, daemon=True)
    t.start()
    try:
        yield Address("unix", path=str(path))
    finally:
        stop.set()
        srv.close()
        t.join(timeout=2)
        for th in threads:
            th.join(timeout=2)


def _engine(addr: Address, timeout: float = 5.0) -> Engine:
    eng = Engine(EngineSpec("address", addr, Limits(), None), addr)
    eng.client = ClamdClient(addr, timeout=timeout)
    return eng


def _key(tmp_path: Path, n: int = 24) -> Path:
    """``n`` files, every fifth one "bad", the seventh "err"; contents differ in their first
    bytes (what the daemon reads), sizes differ (sent in the walk's order: a known order)."""
    key = tmp_path / "key"
    key.mkdir()
    for i in range(n):
        kind = "bad" if i % 5 == 0 else "err" if i == 7 else "fine"
        (key / f"f{i:02d}.txt").write_bytes(f"{kind}-{i:02d}-".encode() + b"x" * (200 - i))
    return key


def _expected(name: str) -> Verdict:
    i = int(name[1:3])
    if i % 5 == 0:
        return Verdict.INFECTED
    if i == 7:
        return Verdict.NOT_SCANNED
    return Verdict.CLEAN


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else 0


def _check_all_answered(run) -> None:  # type: ignore[no-untyped-def]
    for f in run.files:
        assert f.verdict is _expected(f.name), (f.name, f.verdict, f.detail)
        if f.verdict is Verdict.INFECTED:
            assert f.signature == "Hygie.Fake.Sig"
        if f.verdict is Verdict.NOT_SCANNED:
            assert f.reason is Reason.ENGINE_ERROR
            assert "Simulated read failure" in f.detail


@pytest.mark.parametrize("order", ["reverse", "fifo"])
def test_answers_out_of_order_are_matched_by_request_id(tmp_path: Path, order: str) -> None:
    key = _key(tmp_path)
    script = Script(order=order, batch=6)
    fds_before = _open_fds()
    with scripted_clamd(tmp_path / "s", script) as addr:
        run = scan_paths([str(key)], _engine(addr), workers=16)
    assert len(run.files) == 24
    _check_all_answered(run)
    # One session carried every file (no retry, no one-shot connection).
    assert script.sessions == 1 and script.singles == 0
    assert len(script.answered) == 24
    assert not run.engine_error and run.exit_code() == 1
    if fds_before:
        assert _open_fds() <= fds_before


def test_an_error_for_one_request_is_that_file_only(tmp_path: Path) -> None:
    key = _key(tmp_path)
    with scripted_clamd(tmp_path / "s", Script(batch=3)) as addr:
        run = scan_paths([str(key)], _engine(addr), workers=8)
    errored = [f for f in run.files if f.verdict is Verdict.NOT_SCANNED]
    assert [f.name for f in errored] == ["f07.txt"]
    assert errored[0].reason is Reason.ENGINE_ERROR and "Simulated" in errored[0].detail
    assert not run.engine_error  # the daemon still answers: a per-file problem
    _check_all_answered(run)


@pytest.mark.parametrize(
    "script",
    [
        Script(drop_after=5, batch=4),
        Script(bad_id_at=3, batch=4),
        Script(duplicate_at=2, batch=4),
        Script(unnumbered_at=4, batch=4),
    ],
    ids=["dropped", "unknown-id", "duplicate-id", "unnumbered-line"],
)
def test_a_broken_session_never_guesses(tmp_path: Path, script: Script) -> None:
    """The files still in flight when the session breaks are scanned again, alone; every
    verdict is still the daemon's answer for that very file."""
    key = _key(tmp_path)
    fds_before = _open_fds()
    with scripted_clamd(tmp_path / "s", script) as addr:
        run = scan_paths([str(key)], _engine(addr), workers=12)
    assert len(run.files) == 24
    _check_all_answered(run)
    assert script.singles >= 1  # some files were retried on their own connection
    assert not run.engine_error
    if fds_before:
        assert _open_fds() <= fds_before


def test_files_in_flight_on_a_dropped_session_are_not_scanned_when_retry_fails(
    tmp_path: Path,
) -> None:
    key = _key(tmp_path)
    script = Script(order="fifo", drop_after=3, batch=1, refuse_single=True)
    with scripted_clamd(tmp_path / "s", script) as addr:
        run = scan_paths([str(key)], _engine(addr), workers=24)
    # Sessions keep breaking after 3 answers and every retry alone is refused: the files
    # with a verdict are exactly those the daemon answered (their answers were read even
    # when the next send failed), with that answer; every other one is not scanned.
    contents = {f.name: (key / f.name).read_bytes()[:64] for f in run.files}
    answered = {name for name, c in contents.items() if c in script.answered}
    assert len(script.answered) >= 3 and answered
    for f in run.files:
        if f.name in answered:
            assert f.verdict is _expected(f.name), f.name
        else:
            assert f.verdict is Verdict.NOT_SCANNED and f.reason is Reason.ENGINE_ERROR
            assert f.detail
    assert script.singles >= 1  # retried alone, and refused
    assert not run.engine_error  # still answers PING: not a dead engine


def test_a_silent_session_times_out_as_not_scanned(tmp_path: Path) -> None:
    """A daemon that takes the files and never answers: every file "timeout", none clean,
    and none retried (a daemon that hangs would hang again)."""
    key = _key(tmp_path, n=6)
    script = Script(silent=True)
    with scripted_clamd(tmp_path / "s", script) as addr:
        run = scan_paths([str(key)], _engine(addr, timeout=0.3), workers=8)
    assert [f.verdict for f in run.files] == [Verdict.NOT_SCANNED] * 6
    assert {f.reason for f in run.files} == {Reason.TIMEOUT}
    assert script.singles == 0


def test_results_keep_the_walk_order_and_progress_ends_complete(tmp_path: Path) -> None:
    """The walk goes on while files are in flight (big files found go first), yet
    the results come back in the walk's order, each file once, and the last progress call
    counts them all."""
    key = tmp_path / "key"
    for d in range(3):
        (key / f"d{d}").mkdir(parents=True)
        for i in range(300):  # more than a walk chunk: the walk resumes while files fly
            (key / f"d{d}" / f"n{i:03d}.txt").write_bytes(b"fine-%d-%d-" % (d, i) + b"x" * i)
    (key / "d1" / "link").symlink_to(key / "d0" / "n000.txt")
    calls: list[tuple[int, int, int, int]] = []
    with scripted_clamd(tmp_path / "s", Script(order="reverse", batch=16)) as addr:
        run = scan_paths([str(key)], _engine(addr), workers=32, progress=lambda *a: calls.append(a))
    names = [f.rel for f in run.files]
    assert len(names) == 901 and len(set(names)) == 901
    assert names == sorted(names, key=lambda n: (n.split("/")[0], n))  # the walk's order
    assert run.counts == {"clean": 900, "infected": 0, "not_scanned": 1}  # the link
    total_bytes = sum(f.size for f in run.files)
    assert calls[0] == (0, 0, 0, 0) and calls[-1] == (901, total_bytes, 901, total_bytes)
