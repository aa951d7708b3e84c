"""Integrity of a local repository's files, read by hygie itself.

In a restic repository every file under ``data/``, ``index/`` and ``snapshots/`` is named by
the SHA-256 of its content (restic design document, "Repository Format": "The file name is
the SHA-256 hash of the file content"). Hashing a file and comparing with its name proves
that not one byte of it changed since restic wrote it — without the password and faster
than ``restic check --read-data`` (no decryption).

Why: a sampled restore test only reads the blobs of the files it restores, and ``check
--read-data-subset n/30`` a thirtieth of the packs, so a corrupted pack elsewhere passed the
daily test (issue #14). Each sampled test now hashes every file not yet proved intact (all
of them the first time, then each new pack once) and the least recently proved ones up to a
byte budget; a full test hashes them all. A damaged file is found at the next test after
it is written, and an old one going bad within (repository size / budget) tests.
"""

from __future__ import annotations

import concurrent.futures as cf
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hygie.hashing import sha256_path
from hygie.store import Store, utcnow

__all__ = ["DEFAULT_BUDGET", "PackCheck", "check_repository_files", "repository_files"]

MODULE = "backup"
DEFAULT_BUDGET = 4 * 1024**3  # bytes of old files re-hashed by a sampled test
BUDGET_ENV = "HYGIE_VERIFY_PACK_BUDGET"
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_FOLDERS = ("data", "index", "snapshots")


@dataclass(frozen=True)
class PackCheck:
    files: int  # repository files hashed this time
    bytes: int
    total_files: int
    never_checked: int  # among them, files never proved intact before
    bad: tuple[str, ...] = ()  # "data/ab/abcd…" of files whose hash is not their name
    unreadable: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "bytes": self.bytes,
            "total_files": self.total_files,
            "never_checked": self.never_checked,
            "bad": list(self.bad),
            "unreadable": list(self.unreadable),
        }


def budget() -> int:
    try:
        return max(0, int(os.environ.get(BUDGET_ENV, DEFAULT_BUDGET)))
    except ValueError:
        return DEFAULT_BUDGET


def repository_files(repo_dir: Path) -> dict[str, tuple[Path, int]]:
    """Every content-addressed file: relative name -> (path, size)."""
    out: dict[str, tuple[Path, int]] = {}
    for folder in _FOLDERS:
        root = repo_dir / folder
        for dirpath, _dirs, names in os.walk(root):
            for n in names:
                if not _HEX64.match(n):
                    continue
                p = Path(dirpath) / n
                try:
                    size = p.stat().st_size
                except OSError:
                    size = -1
                out[p.relative_to(repo_dir).as_posix()] = (p, size)
    return out


def _key(destination: str) -> str:
    return f"packs_ok:{destination}"


def check_repository_files(
    repo_dir: Path, st: Store, destination: str, *, full: bool, workers: int = 2
) -> PackCheck:
    """Hash the repository's files (see the module's docstring for which ones)."""
    files = repository_files(repo_dir)
    raw = st.get_state(MODULE, _key(destination), {})
    proved: dict[str, str] = {k: str(v) for k, v in raw.items()} if isinstance(raw, dict) else {}
    proved = {k: v for k, v in proved.items() if k in files}  # pruned files are gone
    never = [k for k in files if k not in proved]
    if full:
        chosen = list(files)
    else:
        chosen = list(never)
        left = budget()
        for k in sorted((k for k in files if k in proved), key=lambda k: proved[k]):
            size = files[k][1]
            if size > left:
                break
            chosen.append(k)
            left -= max(size, 0)

    def one(name: str) -> tuple[str, str, int]:
        path, size = files[name]
        try:
            digest = sha256_path(path)
        except OSError:
            return name, "unreadable", 0
        return name, ("ok" if digest == Path(name).name else "bad"), size

    bad: list[str] = []
    unreadable: list[str] = []
    done_bytes = 0
    now = utcnow()
    with cf.ThreadPoolExecutor(max_workers=workers) as pool:
        for name, verdict, size in pool.map(one, chosen):
            if verdict == "ok":
                proved[name] = now
                done_bytes += size
            elif verdict == "bad":
                bad.append(name)
                proved.pop(name, None)
            else:
                unreadable.append(name)
                proved.pop(name, None)
    st.put_state(MODULE, _key(destination), proved)
    return PackCheck(len(chosen), done_bytes, len(files), len(never), tuple(bad), tuple(unreadable))
