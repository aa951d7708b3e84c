"""Scan files and folders (recursively) and summarise; what the CLI and the dashboard call.

Nothing found is stored or logged: the report holds types, counts, parts and masked values.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hygie.i18n import N_, _
from hygie.scan.engine import DocumentResult, scan_bytes
from hygie.scan.errors import ScanNothingToScan, ScanPathNotFound

#: Files larger than this are not read (reported as not scannable).
MAX_FILE_BYTES = 200 * 1024 * 1024

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class ScanReport:
    documents: tuple[DocumentResult, ...]

    def count(self, status: str) -> int:
        return sum(1 for d in self.documents if d.status == status)

    @property
    def status(self) -> str:
        """``patient_data`` if any document holds some, else ``not_scannable`` if any could
        not be read, else ``clean``."""
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


def iter_files(paths: Sequence[Path]) -> Iterator[Path]:
    """Files under ``paths`` (recursively, sorted, symlinked folders not followed)."""
    for path in paths:
        if not path.exists() and not path.is_symlink():
            raise ScanPathNotFound(path=str(path))
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs.sort()
                for name in sorted(files):
                    yield Path(root) / name
        else:
            yield path


def scan_file(path: Path, *, timeout_s: float = 10.0) -> DocumentResult:
    name = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return _unreadable(name, N_("fichier trop volumineux pour être analysé"), size)
        data = path.read_bytes()
    except OSError as exc:
        return _unreadable(name, N_("fichier illisible ({error})"), 0, error=exc.strerror or "")
    result = scan_bytes(data, path.name, timeout_s=timeout_s)
    return DocumentResult(
        name=name,
        status=result.status,
        reason=result.reason,
        findings=result.findings,
        parts=result.parts,
        unreadable=result.unreadable,
        size=result.size,
    )


def _unreadable(name: str, why: str, size: int, **fmt: str) -> DocumentResult:
    reason = _(why).format(**fmt)
    return DocumentResult(
        name=name,
        status="not_scannable",
        reason=_("non analysable : {part} — {why}").format(part=name, why=reason),
        unreadable=((name, reason),),
        size=size,
    )


def scan_paths(
    paths: Sequence[Path], *, timeout_s: float = 10.0, progress: Progress | None = None
) -> ScanReport:
    """Scan every file under ``paths``; raise if a path does not exist or nothing is there."""
    files = list(iter_files(paths))
    if not files:
        raise ScanNothingToScan(paths=", ".join(str(p) for p in paths))
    results = []
    for i, f in enumerate(files, 1):
        if progress is not None:
            progress(i - 1, len(files), f.name)
        results.append(scan_file(f, timeout_s=timeout_s))
    if progress is not None:
        progress(len(files), len(files), "")
    return ScanReport(tuple(results))
