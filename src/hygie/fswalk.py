"""Walking a folder tree without ever leaving it or trusting its names (the media station
and ``hygie scan`` share it).

Symbolic links are never followed (a link is reported, not scanned: it may point outside the
media or loop); directories are entered only once per (device, inode); only regular files are
scanned. Names are kept as the OS gives them (``surrogateescape`` for invalid UTF-8) and shown
through :func:`safe_name`, which escapes control characters and undecodable bytes.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Entry:
    path: str  # as given to the OS (may hold surrogate escapes)
    rel: str  # relative to the root it was found under ("" for a file given directly)
    root: str
    kind: str  # "file", "link", "special", "unreadable_dir"
    size: int = 0
    detail: str = ""

    @property
    def display(self) -> str:
        return safe_name(self.rel or os.path.basename(self.path) or self.path)


def safe_name(name: str) -> str:
    """A printable form: control characters and undecodable bytes shown as ``\\xNN``."""
    if name.isascii() and name.isprintable() and "\\" not in name:
        return name  # nothing to escape (most names): no per-character loop
    out: list[str] = []
    for ch in name:
        cp = ord(ch)
        if 0xDC80 <= cp <= 0xDCFF:  # surrogateescape: a byte that is not UTF-8
            out.append(f"\\x{cp - 0xDC00:02x}")
        elif cp < 0x20 or cp == 0x7F or 0x80 <= cp < 0xA0:
            out.append(f"\\x{cp:02x}")
        elif ch == "\\":
            out.append("\\\\")
        elif 0xD800 <= cp <= 0xDFFF or cp in (
            0x200E,
            0x200F,
            0x202A,
            0x202B,
            0x202C,
            0x202D,
            0x202E,
            0x2066,
            0x2067,
            0x2068,
            0x2069,
        ):
            out.append(f"\\u{cp:04x}")  # lone surrogates and bidi overrides (name spoofing)
        else:
            out.append(ch)
    return "".join(out)


def _link_detail(path: str, root_real: str) -> str:
    try:
        target = os.readlink(path)
    except OSError:
        return "link"
    try:
        resolved = os.path.realpath(path, strict=True)
    except (OSError, RuntimeError):
        return "broken or looping link"
    inside = resolved == root_real or resolved.startswith(root_real.rstrip(os.sep) + os.sep)
    return "link inside the media" if inside else f"link pointing outside ({len(target)} chars)"


def walk(paths: list[str]) -> Iterator[Entry]:
    """Every entry under ``paths`` (files given directly are yielded themselves)."""
    for top in paths:
        try:
            st = os.lstat(top)
        except OSError as exc:
            yield Entry(top, "", top, "unreadable_dir", detail=exc.strerror or str(exc))
            continue
        if stat.S_ISLNK(st.st_mode):
            parent = os.path.dirname(os.path.abspath(top)) or os.sep
            yield Entry(top, "", top, "link", detail=_link_detail(top, os.path.realpath(parent)))
        elif stat.S_ISREG(st.st_mode):
            yield Entry(top, "", os.path.dirname(top) or ".", "file", st.st_size)
        elif stat.S_ISDIR(st.st_mode):
            yield from _walk_dir(top, os.path.realpath(top))
        else:
            yield Entry(top, "", top, "special", detail="not a regular file")


def _walk_dir(root: str, root_real: str) -> Iterator[Entry]:
    seen: set[tuple[int, int]] = set()
    stack: list[tuple[str, str]] = [(root, "")]
    while stack:
        dpath, drel = stack.pop()
        try:
            dst = os.stat(dpath, follow_symlinks=False)
            key = (dst.st_dev, dst.st_ino)
            if key in seen:
                continue
            seen.add(key)
            with os.scandir(dpath) as it:
                items = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            yield Entry(dpath, drel or ".", root, "unreadable_dir", detail=exc.strerror or str(exc))
            continue
        subdirs: list[tuple[str, str]] = []
        for e in items:
            rel = f"{drel}{os.sep}{e.name}" if drel else e.name  # join(), without its checks
            try:
                st = e.stat(follow_symlinks=False)
            except OSError as exc:
                yield Entry(e.path, rel, root, "unreadable_dir", detail=exc.strerror or str(exc))
                continue
            if stat.S_ISLNK(st.st_mode):
                yield Entry(e.path, rel, root, "link", detail=_link_detail(e.path, root_real))
            elif stat.S_ISDIR(st.st_mode):
                subdirs.append((e.path, rel))
            elif stat.S_ISREG(st.st_mode):
                yield Entry(e.path, rel, root, "file", st.st_size)
            else:
                yield Entry(e.path, rel, root, "special", detail="not a regular file")
        stack.extend(reversed(subdirs))
