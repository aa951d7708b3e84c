"""One way to write a file and to create a folder, on every OS.

Every file hygie writes goes through :func:`write_atomic`: binary mode (``O_BINARY`` on
Windows, where text mode would corrupt a PDF or a quarantined message), written to a
temporary sibling, flushed to disk, then renamed over the target, so a reader never sees
half a file and a crash never leaves a truncated one. Permissions are owner-only where the
OS has POSIX modes (on Windows, files under the user's profile are already private to her).

Every folder hygie creates for its own data goes through :func:`private_dir` (0700).
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

__all__ = ["private_dir", "write_atomic", "write_text_atomic"]

_BINARY = getattr(os, "O_BINARY", 0)


def private_dir(path: Path) -> Path:
    """Create ``path`` (and missing parents) if missing; every folder hygie creates is
    owner-only, the parents it had to create included (``mkdir(parents=True)`` would give
    them the umask's 0755). Folders that already existed are left as they are."""
    path = Path(path)
    if path.is_dir():
        return path
    missing: list[Path] = []
    p = path
    while not p.exists() and p != p.parent:
        missing.append(p)
        p = p.parent
    for d in reversed(missing):
        with contextlib.suppress(FileExistsError):
            d.mkdir(mode=0o700)
        with contextlib.suppress(OSError):
            os.chmod(d, 0o700)
    return path


def write_atomic(path: Path, data: bytes, *, mode: int = 0o600, fsync: bool = True) -> Path:
    """Write ``data`` to ``path`` atomically (temp file + fsync + rename), in binary mode."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _BINARY, mode)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            if fsync:
                fh.flush()
                os.fsync(fh.fileno())
        with contextlib.suppress(OSError):
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return path


def write_text_atomic(path: Path, text: str, *, mode: int = 0o600, fsync: bool = True) -> Path:
    """:func:`write_atomic` for UTF-8 text (no newline translation on any OS)."""
    return write_atomic(path, text.encode("utf-8"), mode=mode, fsync=fsync)
