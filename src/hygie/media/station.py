"""The station-blanche copy: only clean files of an allowed type reach the destination.

For each file, on one open descriptor: scan (clamd), identify the type by content, hash
(SHA-256) and — when clean and allowed — copy to a temporary file in the destination folder,
``fsync``, then rename into place. What is copied is exactly what was scanned. A full
destination stops the copying cleanly: the temporary file is removed, nothing half-copied
is left under a real name, the report says which files were not copied. Refused files stay
where they are, or are moved (``--quarantine``) into a 0700 folder with a manifest.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import hashlib
import json
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hygie.hashing import pread, sha256_fd
from hygie.i18n import _
from hygie.media.engines import ScanEngine
from hygie.media.filetypes import classify
from hygie.media.scanner import FileResult, Progress, ScanRun, Verdict, scan_paths
from hygie.media.walk import Entry

COPY_CHUNK = 1024 * 1024
TMP_PREFIX = ".hygie-partial-"


@dataclass(frozen=True)
class StationRun:
    scan: ScanRun
    source: str
    destination: str
    copied: int
    refused: int
    not_copied: int
    destination_full: bool
    quarantine: str | None
    report_json: str | None
    report_html: str | None

    def exit_code(self) -> int:
        if self.scan.engine_error:
            return self.scan.exit_code()
        if self.destination_full:
            from hygie.media.errors import DestinationFull

            return DestinationFull.exit_code
        return 0 if self.refused == 0 and self.not_copied == 0 else 1

    def status(self) -> str:
        if self.scan.engine_error or self.destination_full:
            return "error"
        return "success" if self.exit_code() == 0 else "findings"

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "destination": self.destination,
            "copied": self.copied,
            "refused": self.refused,
            "not_copied": self.not_copied,
            "destination_full": self.destination_full,
            "quarantine": self.quarantine,
            "report_json": self.report_json,
            "report_html": self.report_html,
            "scan": self.scan.to_dict(),
        }


def _sha256_fd(fd: int) -> str:
    return sha256_fd(fd, COPY_CHUNK)


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        dfd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)


def copy_fd_atomic(fd: int, target: Path) -> str:
    """Copy an open descriptor to ``target`` via temp + fsync + rename; returns the SHA-256.

    On any error (ENOSPC included) the temporary file is removed and the error re-raised.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.parent / f"{TMP_PREFIX}{os.getpid()}-{threading.get_ident()}"
    out = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o644)
    h = hashlib.sha256()
    try:
        off = 0
        while True:
            chunk = pread(fd, COPY_CHUNK, off)
            if not chunk:
                break
            h.update(chunk)
            view = memoryview(chunk)
            while view:
                n = os.write(out, view)
                view = view[n:]
            off += len(chunk)
        os.fsync(out)
        os.close(out)
        out = -1
        if target.exists():
            raise FileExistsError(errno.EEXIST, "exists", str(target))
        os.replace(tmp, target)
        _fsync_dir(target.parent)
    except BaseException:
        if out >= 0:
            os.close(out)
        tmp.unlink(missing_ok=True)
        raise
    return h.hexdigest()


def _is_within(child: Path, parent: Path) -> bool:
    try:
        child.resolve().relative_to(parent.resolve())
        return True
    except ValueError:
        return False


def station_copy(
    source: str,
    destination: str,
    engine: ScanEngine,
    *,
    quarantine: str | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
    report_dir: str | None = None,
) -> StationRun:
    from hygie.errors import UsageError

    src = Path(source)
    dst = Path(destination)
    if not src.is_dir():
        raise UsageError(detail=_("la source {path} n'est pas un dossier").format(path=source))
    if _is_within(dst, src) or _is_within(src, dst):
        raise UsageError(detail=_("la source et la destination ne doivent pas se contenir"))
    dst.mkdir(parents=True, exist_ok=True)
    full = threading.Event()
    lock = threading.Lock()
    counters = {"copied": 0}

    def handler(entry: Entry, fd: int | None, res: FileResult) -> dict[str, Any]:
        extra: dict[str, Any] = {"path": res.name, "sha256": None, "type": None}
        if fd is None:
            extra.update(action="refused", refused_reason=_refusal(res, None))
            return extra
        tinfo = classify(fd, entry.path)
        extra.update(tinfo.to_dict())
        if res.verdict is not Verdict.CLEAN or not tinfo.allowed:
            extra["sha256"] = _sha256_fd(fd)
            extra.update(action="refused", refused_reason=_refusal(res, tinfo.reason))
            return extra
        if full.is_set():
            extra["sha256"] = _sha256_fd(fd)
            extra.update(action="not_copied", refused_reason="destination_full")
            return extra
        target = dst / entry.rel
        try:
            extra["sha256"] = copy_fd_atomic(fd, target)
        except FileExistsError:
            extra["sha256"] = _sha256_fd(fd)
            extra.update(action="not_copied", refused_reason="exists")
            return extra
        except OSError as exc:
            if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG) or _looks_full(
                target.parent, res.size
            ):
                full.set()
                extra.update(action="not_copied", refused_reason="destination_full")
            else:
                extra.update(action="not_copied", refused_reason="write_error")
            extra["sha256"] = _sha256_fd(fd)
            return extra
        with lock:
            counters["copied"] += 1
        extra["action"] = "copied"
        return extra

    scan = scan_paths([str(src)], engine, workers=workers, progress=progress, handler=handler)
    qdir: str | None = None
    if quarantine:
        qdir = str(quarantine_refused(scan, src, Path(quarantine)))
    refused = sum(1 for f in scan.files if f.extra.get("action") == "refused")
    not_copied = sum(1 for f in scan.files if f.extra.get("action") == "not_copied")
    run = StationRun(
        scan, str(src), str(dst), counters["copied"], refused, not_copied, full.is_set(),
        qdir, None, None,
    )  # fmt: skip
    return write_reports(run, Path(report_dir) if report_dir else dst)


def _looks_full(folder: Path, needed: int) -> bool:
    """Some filesystems (FUSE FAT) report a full disk as EPERM/EIO: ask the free space."""
    from hygie.platform import system

    free = system().free_space(folder)
    return free is not None and free < max(needed, 1)


def _refusal(res: FileResult, type_reason: str | None) -> str:
    if res.verdict is Verdict.INFECTED:
        return "infected"
    if res.verdict is Verdict.NOT_SCANNED:
        return f"not_scanned:{res.reason.value if res.reason else 'unknown'}"
    return f"type:{type_reason or 'unknown'}"


def quarantine_refused(scan: ScanRun, src: Path, qroot: Path) -> Path:
    """Move refused regular files into a 0700 folder with a manifest (links stay in place)."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    qdir = qroot / f"quarantaine-{stamp}"
    qdir.mkdir(parents=True, exist_ok=False, mode=0o700)
    qdir.chmod(0o700)
    manifest: list[dict[str, Any]] = []
    for f in scan.files:
        if f.extra.get("action") != "refused" or not f.rel:
            continue
        source_path = src / f.rel
        item: dict[str, Any] = {
            "path": f.name,
            "verdict": f.verdict.value,
            "reason": f.extra.get("refused_reason"),
            "signature": f.signature or None,
            "sha256": f.extra.get("sha256"),
            "moved": False,
        }
        try:
            st = os.lstat(source_path)
            if not os.path.isfile(source_path) or os.path.islink(source_path):
                item["detail"] = "left in place (not a regular file)"
            else:
                fd = os.open(source_path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
                try:
                    target = qdir / f.rel
                    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                    copy_fd_atomic(fd, target)
                    target.chmod(0o600)
                finally:
                    os.close(fd)
                os.unlink(source_path)
                item["moved"] = True
                item["size"] = st.st_size
        except OSError as exc:
            item["detail"] = f"left in place: {exc.strerror or exc}"
        manifest.append(item)
    mpath = qdir / "manifest.json"
    mpath.write_text(
        json.dumps({"created_at": stamp, "files": manifest}, ensure_ascii=False, indent=2),
        encoding="utf-8",
    )
    mpath.chmod(0o600)
    return qdir


def _atomic_write_text(path: Path, text: str) -> None:
    tmp = path.with_name(TMP_PREFIX + path.name)
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_reports(run: StationRun, report_dir: Path) -> StationRun:
    """Write the JSON and HTML reports (falls back to hygie's data folder if that fails)."""
    from hygie.paths import get_paths

    stamp = run.scan.started_at.replace(":", "").replace("-", "").replace("+0000", "Z")
    base = f"hygie-station-{stamp}"
    doc = run.to_dict()
    html = render_html(doc)
    for folder in (report_dir, get_paths().data_dir / "media" / "reports"):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            jpath, hpath = folder / f"{base}.json", folder / f"{base}.html"
            final = dict(doc, report_json=str(jpath), report_html=str(hpath))
            _atomic_write_text(jpath, json.dumps(final, ensure_ascii=False, indent=2))
            _atomic_write_text(hpath, html)
            return StationRun(
                **{**run.__dict__, "report_json": str(jpath), "report_html": str(hpath)}
            )
        except OSError:
            continue
    return run


def render_html(doc: dict[str, Any]) -> str:
    from hygie.render.templating import template_environment  # jinja2: only for the report

    env = template_environment("media/templates")
    return env.get_template("report.html.j2").render(doc=doc, scan=doc["scan"])


def station_summary(files: Sequence[FileResult]) -> dict[str, int]:
    out: dict[str, int] = {}
    for f in files:
        a = str(f.extra.get("action", "?"))
        out[a] = out.get(a, 0) + 1
    return out
