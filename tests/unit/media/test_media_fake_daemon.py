"""Misbehaving daemons (a fake clamd on a unix socket): never clean, clear reasons."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from hygie.media.clamd import Address, ClamdClient, ClamdConnectionError, ClamdTimeout
from hygie.media.clamd_engine import ClamdEngine as Engine
from hygie.media.clamd_engine import EngineSpec
from hygie.media.engines import Limits
from hygie.media.errors import EngineSelfTestFailed
from hygie.media.scanner import Reason, Verdict, scan_paths

Behaviour = Callable[[socket.socket, bytes], None]


@contextlib.contextmanager
def fake_clamd(path: Path, on_scan: Behaviour) -> Iterator[Address]:
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(str(path))
    srv.listen(16)
    srv.settimeout(0.05)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = srv.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.settimeout(5)
            with conn:
                data = conn.recv(64)
                if data.startswith(b"zPING"):
                    conn.sendall(b"PONG\0")
                elif data.startswith(b"zVERSION"):
                    conn.sendall(b"ClamAV 9.9.9/1/Sun Nov 29 09:00:00 2026\0")
                else:
                    on_scan(conn, data)

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    try:
        yield Address("unix", path=str(path))
    finally:
        stop.set()
        srv.close()
        t.join(timeout=2)


def drop(conn: socket.socket, _data: bytes) -> None:
    """Close the connection without any reply."""


def garbage(conn: socket.socket, _data: bytes) -> None:
    with contextlib.suppress(OSError):
        conn.sendall(b"stream: maybe\0")


def half_reply(conn: socket.socket, _data: bytes) -> None:
    """Half a reply, then the connection drops."""
    with contextlib.suppress(OSError):
        conn.sendall(b"fd[3]: O")


def silent(conn: socket.socket, _data: bytes) -> None:
    """Never answers (holds the connection for a while)."""
    with contextlib.suppress(OSError):
        conn.settimeout(2)
        while conn.recv(65536):
            pass


def _engine(addr: Address) -> Engine:
    return Engine(EngineSpec("address", addr, Limits(), None), addr)


@pytest.mark.parametrize(
    ("behaviour", "reason"),
    [(drop, Reason.ENGINE_ERROR), (garbage, Reason.ENGINE_ERROR),
     (half_reply, Reason.ENGINE_ERROR)],
)  # fmt: skip
def test_bad_replies_are_never_clean(tmp_path: Path, behaviour: Behaviour, reason: Reason) -> None:
    (tmp_path / "files").mkdir()
    (tmp_path / "files" / "a.txt").write_text("a")
    with fake_clamd(tmp_path / "s", behaviour) as addr:
        run = scan_paths([str(tmp_path / "files")], _engine(addr), workers=1)
    [f] = run.files
    assert f.verdict is Verdict.NOT_SCANNED and f.reason is reason
    assert not run.engine_error  # the daemon still answers PING: a per-file problem
    assert run.exit_code() == 1


def test_timeout_is_not_scanned(tmp_path: Path) -> None:
    (tmp_path / "files").mkdir()
    (tmp_path / "files" / "a.txt").write_text("a")
    with fake_clamd(tmp_path / "s", silent) as addr:
        eng = _engine(addr)
        eng.client = ClamdClient(addr, timeout=0.3)
        run = scan_paths([str(tmp_path / "files")], eng, workers=1)
    assert run.files[0].verdict is Verdict.NOT_SCANNED
    assert run.files[0].reason is Reason.TIMEOUT


def test_client_errors(tmp_path: Path) -> None:
    with fake_clamd(tmp_path / "s", drop) as addr:
        client = ClamdClient(addr, timeout=1)
        client.ping()
        with pytest.raises(ClamdConnectionError):
            client.instream_bytes(b"x")
    with pytest.raises(ClamdConnectionError):
        ClamdClient(Address("unix", path=str(tmp_path / "nothing"))).ping()
    with fake_clamd(tmp_path / "s2", silent) as addr, pytest.raises(ClamdTimeout):
        ClamdClient(addr, timeout=0.3).instream_bytes(b"x")


def test_engine_that_misses_eicar_is_refused(tmp_path: Path) -> None:
    def ok(conn: socket.socket, _data: bytes) -> None:
        with contextlib.suppress(OSError):
            conn.settimeout(2)
            buf = b""
            while not buf.endswith(b"\0\0\0\0"):  # the zero-length chunk ends INSTREAM
                chunk = conn.recv(65536)
                if not chunk:
                    return
                buf += chunk
            conn.sendall(b"stream: OK\0")

    with fake_clamd(tmp_path / "s", ok) as addr, pytest.raises(EngineSelfTestFailed):
        _engine(addr).check()


def test_a_session_that_breaks_is_closed_and_the_file_retried(tmp_path: Path) -> None:
    """clamd ends an IDSESSION after one file: every file still gets clamd's own answer,
    and the broken sessions are closed at once (no descriptor left behind per break)."""
    import os

    sessions = {"opened": 0}

    def read_until(conn: socket.socket, buf: bytes, nuls: int) -> bool:
        while buf.count(b"\0") < nuls:
            chunk = conn.recv(64)
            if not chunk:
                return False
            buf += chunk
        return True

    def one_per_session(conn: socket.socket, data: bytes) -> None:
        with contextlib.suppress(OSError):
            if data.startswith(b"zIDSESSION"):
                sessions["opened"] += 1
                # zIDSESSION\0, zFILDES\0, then the \0 byte that carries the descriptor
                if read_until(conn, data, 3):
                    conn.sendall(b"1: fd[5]: OK\0")
                return  # the session ends here: the next command finds it closed
            if read_until(conn, data, 2):
                conn.sendall(b"fd[5]: OK\0")

    files = tmp_path / "files"
    files.mkdir()
    for i in range(6):
        (files / f"{i}.txt").write_text(str(i))
    before = len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else 0
    with fake_clamd(tmp_path / "s", one_per_session) as addr:
        run = scan_paths([str(files)], _engine(addr), workers=1)
    assert [f.verdict for f in run.files] == [Verdict.CLEAN] * 6, [f.detail for f in run.files]
    assert sessions["opened"] >= 3
    if before:
        assert len(os.listdir("/proc/self/fd")) <= before + 1
