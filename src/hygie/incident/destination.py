"""The incident folder (ideally a USB key): the only place hygie writes during an incident."""

from __future__ import annotations

import contextlib
import hashlib
import os
import uuid
from pathlib import Path

from hygie.incident.errors import DestinationNotWritable


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def prepare(path: Path) -> Path:
    """Create ``path`` if needed and prove it is writable (a probe file created and removed)."""
    path = path.expanduser()
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / f".hygie-write-test-{uuid.uuid4().hex}"
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
        probe.unlink()
    except OSError as exc:
        raise DestinationNotWritable(path=str(path), detail=_reason(exc)) from exc
    return path


def write_bytes(path: Path, data: bytes) -> str:
    """Write a file atomically in the incident folder; returns its SHA-256."""
    tmp = path.with_name(path.name + ".part")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        tmp.replace(path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise DestinationNotWritable(path=str(path.parent), detail=_reason(exc)) from exc
    return hashlib.sha256(data).hexdigest()


def write_text(path: Path, text: str) -> str:
    return write_bytes(path, text.encode("utf-8"))


def same_disk_as_system(path: Path) -> bool:
    """True when ``path`` is on the same filesystem as the system root or the home folder."""
    try:
        dev = path.stat().st_dev
        return dev in {Path("/").stat().st_dev, Path.home().stat().st_dev}
    except OSError:
        return False
