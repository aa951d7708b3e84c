"""``backup restore``: a snapshot, or chosen paths of it, into an empty folder."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hygie.backup.destinations import block_devices, resolve
from hygie.backup.errors import BackupError, DestinationAbsent, RestoreConflict
from hygie.backup.repo import get_store, open_repo, require_config, select
from hygie.backup.restic import classify, restic_version
from hygie.backup.winpaths import to_restic
from hygie.platform import current
from hygie.store import Store

__all__ = ["RestoreResult", "restore"]


@dataclass(frozen=True)
class RestoreResult:
    destination: str
    snapshot: str
    target: str
    paths: tuple[str, ...]
    files: int
    bytes: int
    duration_s: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "destination": self.destination,
            "snapshot": self.snapshot,
            "target": self.target,
            "paths": list(self.paths),
            "files": self.files,
            "bytes": self.bytes,
            "duration_s": round(self.duration_s, 3),
        }


def restore(
    target: Path,
    *,
    snapshot: str = "latest",
    destination: str | None = None,
    paths: Sequence[str] = (),
    store: Store | None = None,
) -> RestoreResult:
    """Restore a snapshot (or chosen paths) into ``target``, which must be empty or new."""
    st = get_store(store)
    cfg = require_config(st)
    restic_version()
    target = target.expanduser().resolve()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise RestoreConflict(target=str(target))
    if destination is not None:
        dests = select(cfg, destination)
    else:  # the first destination that is present
        devices = block_devices() if any(d.removable for d in cfg.destinations) else None
        present = []
        for d in cfg.destinations:
            with contextlib.suppress(BackupError):
                resolve(d, devices)
                present.append(d)
        if not present:
            d0 = cfg.destinations[0]
            raise DestinationAbsent(destination=d0.name, label=d0.disk_label, detail="")
        dests = (present[0],)
    dest = dests[0]
    repo = open_repo(dest, resolve(dest))
    t0 = time.monotonic()
    target.mkdir(parents=True, exist_ok=True)
    args = ["--no-lock", "restore", snapshot, "--target", str(target)]
    windows = current() == "windows"
    for p in paths:
        args += ["--include", to_restic(str(Path(p).expanduser().absolute()), windows=windows)]
    cp = repo.call(args, timeout=None)
    if not cp.ok:
        raise classify(cp, dest.name, operation="restore")
    files = size = 0
    for root, _dirs, names in os.walk(target):
        for n in names:
            files += 1
            with contextlib.suppress(OSError):
                size += os.lstat(os.path.join(root, n)).st_size
    return RestoreResult(
        dest.name, snapshot, str(target), tuple(paths), files, size, time.monotonic() - t0
    )
