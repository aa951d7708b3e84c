"""restic dies with hygie: every restic call registers a cancel event here, and a stop
request (SIGTERM, SIGINT, SIGHUP, normal interpreter exit) sets them all, so that
:func:`hygie.proc.stream` kills each restic's process tree before hygie goes away.

restic runs in its own process group (``hygie.proc`` starts it so, to be able to kill the
whole tree on a time-out), so the terminal's Ctrl-C or a service manager's SIGTERM does not
reach it by itself: without this, killing hygie left restic running and its lock behind.
A SIGKILL of hygie cannot be caught by any program: then the stale lock restic leaves is
removed by the next operation (``restic unlock`` when a lock is met, see
:mod:`hygie.backup.backing_up`).
"""

from __future__ import annotations

import atexit
import contextlib
import signal
import threading
import time
from collections.abc import Iterator
from types import FrameType

__all__ = ["install_stop_handlers", "interrupted", "stop_all", "watched"]

_lock = threading.Lock()
_active: set[threading.Event] = set()
_stopped = threading.Event()
_reason: list[str] = []


@contextlib.contextmanager
def watched() -> Iterator[threading.Event]:
    """A cancel event for one restic call, set when hygie is asked to stop."""
    ev = threading.Event()
    with _lock:
        _active.add(ev)
    if _stopped.is_set():
        ev.set()
    try:
        yield ev
    finally:
        with _lock:
            _active.discard(ev)


def stop_all(reason: str) -> None:
    """Stop every running restic now, and refuse to start new ones."""
    if not _reason:
        _reason.append(reason)
    _stopped.set()
    with _lock:
        for ev in _active:
            ev.set()


def _stop_at_exit() -> None:
    """Interpreter exit (the dashboard's server stopping, a command ending): stop every
    restic still running and give them a moment to be killed before threads are torn down."""
    with _lock:
        busy = bool(_active)
    if not busy:
        return
    stop_all("exit")
    deadline = time.monotonic() + 3.0
    while time.monotonic() < deadline:
        with _lock:
            if not _active:
                return
        time.sleep(0.05)


atexit.register(_stop_at_exit)


def interrupted() -> str | None:
    """Why hygie is stopping (None while it is not)."""
    return _reason[0] if _stopped.is_set() and _reason else None


def reset() -> None:
    """Forget a past stop request (tests; a long-lived process after handling one)."""
    _stopped.clear()
    _reason.clear()


_installed: list[bool] = []


def install_stop_handlers() -> None:
    """In the main thread of a command: turn SIGTERM/SIGINT/SIGHUP into a clean stop
    (restic killed, the operation reported as interrupted, exit code 57)."""
    if _installed or threading.current_thread() is not threading.main_thread():
        return
    _installed.append(True)
    for name in ("SIGTERM", "SIGINT", "SIGHUP", "SIGBREAK"):
        signum = getattr(signal, name, None)
        if signum is None:
            continue

        def handler(num: int, frame: FrameType | None, _name: str = name) -> None:
            stop_all(_name)

        with contextlib.suppress(ValueError, OSError):
            signal.signal(signum, handler)
