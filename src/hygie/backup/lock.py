"""One backup operation at a time per destination, across the command line, the dashboard
and the schedule (they are separate processes sharing hygie's data folder).

The lock is an OS file lock taken through the ``filelock`` library (``flock`` on POSIX,
``msvcrt.locking`` on Windows, both inside the library): the OS releases it when its process
dies, however it dies, so a crashed hygie never leaves a lock that needs cleaning — that
is the liveness check. Who holds it (process number, operation, since when) is written
next to it for the message shown to the one that must wait.
"""

from __future__ import annotations

import contextlib
import json
import os
import warnings
from collections.abc import Iterator
from pathlib import Path

with warnings.catch_warnings():
    # Only where neither flock nor msvcrt exists (the test-suite's Windows personality on
    # Linux) does filelock fall back to its soft lock, which records owner pid and host.
    warnings.filterwarnings("ignore", "only soft file lock", UserWarning)
    from filelock import FileLock, Timeout

from hygie.backup.errors import BackupBusy
from hygie.fileio import private_dir, write_text_atomic
from hygie.paths import get_paths
from hygie.store import utcnow

__all__ = ["destination_lock", "lock_dir"]


def lock_dir() -> Path:
    return private_dir(get_paths().data_dir / "backup" / "locks")


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in name) or "_"


def holder(name: str) -> dict[str, object]:
    """What the owner file says about the current holder ({} when unknown)."""
    try:
        data = json.loads((lock_dir() / f"{_safe(name)}.owner").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


@contextlib.contextmanager
def destination_lock(name: str, operation: str) -> Iterator[None]:
    """Hold the lock of destination ``name`` or raise :class:`BackupBusy` at once."""
    folder = lock_dir()
    lock = FileLock(str(folder / f"{_safe(name)}.lock"), timeout=0, thread_local=False)
    try:
        lock.acquire()
    except Timeout:
        who = holder(name)
        raise BackupBusy(
            destination=name,
            pid=who.get("pid", "?"),
            since=who.get("since", "?"),
            operation=who.get("operation", "?"),
        ) from None
    owner = folder / f"{_safe(name)}.owner"
    try:
        write_text_atomic(
            owner,
            json.dumps({"pid": os.getpid(), "since": utcnow(), "operation": operation}),
            fsync=False,
        )
        yield
    finally:
        with contextlib.suppress(OSError):
            owner.unlink()
        lock.release()
