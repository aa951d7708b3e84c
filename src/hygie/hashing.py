"""SHA-256 of files: the one implementation (backup verify, media station, incident triage)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

CHUNK = 1 << 20


def sha256_path(path: Path | str) -> str:
    """SHA-256 of a file, read unbuffered (most files of a practice are small: a buffered
    file object costs more than the hashing for thousands of ~30 kB files)."""
    with open(path, "rb", buffering=0) as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def pread(fd: int, n: int, offset: int) -> bytes:
    """``os.pread`` where it exists; seek + read on Windows (each descriptor has one user)."""
    if hasattr(os, "pread"):
        return os.pread(fd, n, offset)
    os.lseek(fd, offset, os.SEEK_SET)  # pragma: no cover - Windows
    return os.read(fd, n)  # pragma: no cover - Windows


def sha256_fd(fd: int, chunk: int = CHUNK) -> str:
    """SHA-256 of an open descriptor with ``pread``, leaving its offset where it was (the
    media station hashes the very descriptor it scanned and copies)."""
    h = hashlib.sha256()
    off = 0
    while True:
        data = pread(fd, chunk, off)
        if not data:
            return h.hexdigest()
        h.update(data)
        off += len(data)
