"""Scan files and folders (recursively) and summarise; what the CLI and the dashboard call.

Nothing is skipped silently: folders that cannot be listed, symbolic links (never followed)
and every non-regular file (FIFO, socket, device: never opened, so a FIFO cannot hang the
scan) are listed as not scanned. Names are shown with identifiers masked. Nothing found is
stored or logged: the report holds types, counts, parts and masked values.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hygie.fswalk import Entry, safe_name, walk
from hygie.i18n import _
from hygie.identifiers import mask_identifiers
from hygie.scan.engine import DocumentResult, legacy_result, scan_document
from hygie.scan.errors import ScanNothingToScan, ScanPathNotFound
from hygie.scan.reasons import reason_text

#: Files larger than this are not read (reported as not scannable).
MAX_FILE_BYTES = 200 * 1024 * 1024

Progress = Callable[[int, int, str], None]

_KIND_REASON = {
    "link": "link_not_followed",
    "special": "not_regular_file",
    "unreadable_dir": "unreadable_folder",
}


@dataclass(frozen=True)
class ScanReport:
    documents: tuple[DocumentResult, ...]

    def count(self, status: str) -> int:
        return sum(1 for d in self.documents if d.status == status)

    @property
    def status(self) -> str:
        """``patient_data`` if any document holds some, else ``not_scannable`` if any could
        not be read (or was not looked at), else ``clean``."""
        if self.count("patient_data"):
            return "patient_data"
        if self.count("not_scannable"):
            return "not_scannable"
        return "clean"

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "summary": {
                "documents": len(self.documents),
                "patient_data": self.count("patient_data"),
                "not_scannable": self.count("not_scannable"),
                "clean": self.count("clean"),
            },
            "documents": [d.to_dict() for d in self.documents],
        }


def display_name(path: str) -> str:
    """A path as hygie prints it: control characters escaped, identifiers masked."""
    return mask_identifiers(safe_name(path))


def _not_scanned(path: str, code: str, size: int = 0) -> DocumentResult:
    name = display_name(path)
    return DocumentResult(
        name=name,
        status="not_scannable",
        reason=_("non analysable : {part} — {why}").format(part=name, why=_(reason_text(code))),
        unreadable=((name, _(reason_text(code))),),
        size=size,
    )


def _read_regular(path: str) -> bytes | str:
    """The content of a regular file, or the reason code why it was not read. Opened without
    following a link and without blocking, then checked to be a regular file (a FIFO swapped
    in after the walk is never read)."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NOCTTY", 0)
    flags |= getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return "unreadable_file"
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return "not_regular_file"
        if st.st_size > MAX_FILE_BYTES:
            return "too_large"
        chunks = []
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError:
        return "unreadable_file"
    finally:
        os.close(fd)


def scan_entry(entry: Entry, *, timeout_s: float = 10.0) -> DocumentResult:
    if entry.kind != "file":
        return _not_scanned(entry.path, _KIND_REASON.get(entry.kind, "unreadable_file"))
    content = _read_regular(entry.path)
    if isinstance(content, str):
        return _not_scanned(entry.path, content, entry.size)
    name = os.path.basename(entry.path)
    result = scan_document(content, name, deadline=time.monotonic() + timeout_s)
    return legacy_result(display_name(entry.path), result)


def scan_file(path: Path, *, timeout_s: float = 10.0) -> DocumentResult:
    """One file given directly (links and special files are not opened)."""
    entries = list(walk([str(path)]))
    return scan_entry(entries[0], timeout_s=timeout_s)


def scan_paths(
    paths: Sequence[Path], *, timeout_s: float = 10.0, progress: Progress | None = None
) -> ScanReport:
    """Scan every file under ``paths``; raise if a path does not exist or nothing is there."""
    for p in paths:
        if not os.path.lexists(p):
            raise ScanPathNotFound(path=display_name(str(p)))
    entries = list(walk([str(p) for p in paths]))
    if not entries:
        raise ScanNothingToScan(paths=", ".join(display_name(str(p)) for p in paths))
    results = []
    for i, entry in enumerate(entries, 1):
        if progress is not None:
            progress(i - 1, len(entries), display_name(os.path.basename(entry.path)))
        results.append(scan_entry(entry, timeout_s=timeout_s))
    if progress is not None:
        progress(len(entries), len(entries), "")
    return ScanReport(tuple(results))
