"""The pipelined IDSESSION against the real clamd: what the client relies on, proven.

clamd 1.4 numbers the requests of a session, scans them on its threads and answers each as
it finishes (out of order); an error for one request leaves the session usable; a killed
clamd leaves every file it did not answer "not scanned".
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from hygie.media.canaries import eicar_bytes
from hygie.media.clamd import ClamdClient, ReplyStatus
from hygie.media.clamd_engine import ClamdEngine as Engine
from hygie.media.clamd_engine import EngineSpec
from hygie.media.errors import EngineDied
from hygie.media.scanner import Reason, Verdict, scan_paths
from hygie.media.testdb import EICAR_NAME
from media_helpers import MB, TEST_LIMITS, start_own

pytestmark = pytest.mark.integration


def test_replies_come_out_of_order_matched_by_id(clamd_address, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(6 * MB))  # takes clamd far longer than the small ones
    small = []
    for i in range(12):
        p = tmp_path / f"n{i}.txt"
        p.write_text(f"note {i}")
        small.append(p)
    eicar = tmp_path / "e.com"
    eicar.write_bytes(eicar_bytes())
    notdir = os.open(tmp_path, os.O_RDONLY)  # clamd: "Not a regular file ERROR"
    fds = [os.open(p, os.O_RDONLY) for p in (big, *small, eicar)]
    sess = ClamdClient(clamd_address).pipeline()
    try:
        ids = [sess.submit(fd) for fd in fds[:7]]
        bad_id = sess.submit(notdir)
        ids += [sess.submit(fd) for fd in fds[7:]]
        got: list[tuple[int, ReplyStatus, str]] = []
        while sess.in_flight and sess.error is None:
            got += [(rid, r.status, r.signature) for rid, r in sess.read()]
        assert sess.error is None
    finally:
        sess.close()
        for fd in (*fds, notdir):
            os.close(fd)
    assert ids == [*range(1, 8), *range(9, 16)] and bad_id == 8
    order = [rid for rid, _s, _g in got]
    assert sorted(order) == list(range(1, 16))  # every request answered, once
    assert order != sorted(order)  # ... not in the order sent: the big file came later
    assert order.index(1) > 0
    by_id = {rid: (status, sig) for rid, status, sig in got}
    assert by_id[bad_id][0] is ReplyStatus.ERROR  # an error for that request only
    assert by_id[15][0] is ReplyStatus.FOUND and by_id[15][1].startswith(EICAR_NAME)
    assert all(by_id[rid][0] is ReplyStatus.OK for rid in ids[:-1])


def test_a_deep_pipeline_does_not_stall(engine: Engine, tmp_path: Path) -> None:
    """More requests in flight than clamd's queue and the socket buffers hold: the client
    reads replies whenever a send would block (clamd(8)), so neither side waits forever."""
    key = tmp_path / "key"
    key.mkdir()
    for i in range(1500):
        (key / f"n{i:04d}.txt").write_text(f"note {i}")
    engine.client = ClamdClient(engine.address, timeout=20)
    run = scan_paths([str(key)], engine, workers=1500)
    assert run.counts == {"clean": 1500, "infected": 0, "not_scanned": 0}


def test_clamd_killed_mid_session_leaves_the_rest_not_scanned(
    tmp_path: Path, clamd_db: Path
) -> None:
    own = start_own(tmp_path / "clamd", clamd_db)
    try:
        assert own.proc is not None
        key = tmp_path / "key"
        key.mkdir()
        # Small files are sent in the walk's order (by name); the EICAR file, named last, is
        # usually sent last — long after clamd is killed.
        n = 1500
        for i in range(n):
            (key / f"f{i:04d}.txt").write_bytes(b"x" * (4000 - i))
        (key / "zz-eicar.com").write_bytes(eicar_bytes())
        spec = EngineSpec("own", own.address, TEST_LIMITS, clamd_db, source="test")
        eng = Engine(spec, own.address, own)
        killed_at: list[int] = []

        def kill_once(done: int, _b: int, _t: int, _tb: int) -> None:
            if done and not killed_at and own.proc is not None:
                os.kill(own.proc.pid, signal.SIGKILL)
                own.proc.wait(timeout=10)
                killed_at.append(done)

        run = scan_paths([str(key)], eng, workers=32, progress=kill_once)
    finally:
        own.stop()
    assert killed_at, "the scan ended before clamd could be killed"
    by = {f.name: f for f in run.files}
    assert len(by) == n + 1
    counts = run.counts
    # At most what was in flight when clamd died can carry clamd's answer.
    assert counts["clean"] <= killed_at[0] + 32
    assert counts["not_scanned"] >= n - killed_at[0] - 32
    for f in run.files:
        if f.verdict is Verdict.NOT_SCANNED:
            assert f.reason is Reason.ENGINE_ERROR and f.detail
    # Should the EICAR file be scanned before the kill, it is found; otherwise not scanned —
    # never clean.
    assert by["zz-eicar.com"].verdict in (Verdict.INFECTED, Verdict.NOT_SCANNED)
    # Sent in order: once one file is not scanned, no later one is clean.
    names = sorted(by)[:-1]
    # (the progress callback is throttled: on a fast run clamd may die after every file was
    # answered, and then no file is lost)
    first_lost = next(
        (i for i, name in enumerate(names) if by[name].verdict is not Verdict.CLEAN), len(names)
    )
    assert all(by[name].verdict is Verdict.NOT_SCANNED for name in names[first_lost + 32 :])
    assert run.engine_error and run.status() == "error"
    assert run.exit_code() == EngineDied.exit_code


def test_a_hung_clamd_stops_the_run_with_nothing_clean_after(
    tmp_path: Path, clamd_db: Path
) -> None:
    """clamd stopped (SIGSTOP) mid-scan: the files in flight time out, the engine is then
    checked (no PONG), and the run stops there instead of waiting out every later file."""
    own = start_own(tmp_path / "clamd", clamd_db)
    stopped: list[int] = []
    try:
        assert own.proc is not None
        key = tmp_path / "key"
        key.mkdir()
        n = 1200
        for i in range(n):
            (key / f"f{i:04d}.txt").write_bytes(b"x" * (3000 - i))
        spec = EngineSpec("own", own.address, TEST_LIMITS, clamd_db, source="test")
        eng = Engine(spec, own.address, own)
        eng.client = ClamdClient(own.address, timeout=1.0)

        def stop_once(done: int, _b: int, _t: int, _tb: int) -> None:
            if done and not stopped and own.proc is not None:
                os.kill(own.proc.pid, signal.SIGSTOP)
                stopped.append(done)

        run = scan_paths([str(key)], eng, workers=64, progress=stop_once)
    finally:
        if own.proc is not None and stopped:
            os.kill(own.proc.pid, signal.SIGCONT)
        own.stop()
    assert stopped
    counts = run.counts
    assert counts["clean"] <= stopped[0] + 64
    assert counts["not_scanned"] >= n - stopped[0] - 64
    reasons = {f.reason for f in run.files if f.verdict is Verdict.NOT_SCANNED}
    assert reasons <= {Reason.TIMEOUT, Reason.ENGINE_ERROR} and Reason.TIMEOUT in reasons
    assert any(f.detail == "engine stopped" for f in run.files)
    assert run.engine_error and run.exit_code() == EngineDied.exit_code
