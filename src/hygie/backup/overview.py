"""``backup status``: per destination, what the store remembers and what is seen now."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hygie.backup import state
from hygie.backup.destinations import block_devices, resolve
from hygie.backup.errors import BackupError, DestinationAbsent
from hygie.backup.repo import get_store, open_repo
from hygie.backup.restic import restic_version, version_str
from hygie.secrets import backend_name
from hygie.store import Store

__all__ = ["DestinationStatus", "StatusResult", "status"]


@dataclass(frozen=True)
class DestinationStatus:
    name: str
    kind: str
    location: str
    removable: bool
    offsite: bool
    present: bool
    last_backup: dict[str, Any] | None
    last_success: str | None
    last_verify: dict[str, Any] | None
    snapshots: int | None
    size_bytes: int | None
    problem: str = ""
    damaged: dict[str, Any] | None = None  # sticky damage (state.Damage.to_dict())
    kind_label: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "location": self.location,
            "removable": self.removable,
            "offsite": self.offsite,
            "present": self.present,
            "last_backup": self.last_backup,
            "last_success": self.last_success,
            "last_verify": self.last_verify,
            "snapshots": self.snapshots,
            "size_bytes": self.size_bytes,
            "problem": self.problem,
            "damaged": self.damaged,
            "kind_label": self.kind_label,
        }


@dataclass(frozen=True)
class StatusResult:
    configured: bool
    sources: tuple[str, ...]
    restic_version: str
    secrets_backend: str
    destinations: tuple[DestinationStatus, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "configured": self.configured,
            "sources": list(self.sources),
            "restic_version": self.restic_version,
            "secrets_backend": self.secrets_backend,
            "destinations": [d.to_dict() for d in self.destinations],
        }


def status(*, live: bool = True, store: Store | None = None) -> StatusResult:
    """Per destination: last backup, last verified restore, size, snapshots, disk present."""
    st = get_store(store)
    cfg = state.load_config(st)
    try:
        version = version_str(restic_version())
    except BackupError:
        version = ""
    if cfg is None:
        return StatusResult(False, (), version, backend_name(), ())
    devices = block_devices() if any(d.removable for d in cfg.destinations) else None
    out = []
    for d in cfg.destinations:
        present, problem = True, ""
        snaps: int | None = None
        size: int | None = None
        try:
            url = resolve(d, devices)
            if live and version:
                repo = open_repo(d, url)
                snaps = len(repo.snapshots())
                size = int(repo.stats_raw().get("total_size", 0))
        except DestinationAbsent as exc:
            present, problem = False, exc.render()
        except BackupError as exc:
            problem = exc.render()
            if exc.code == "destination_unreachable":
                present = False
        lb = state.last_run(st, d.name, "backup")
        ls = state.last_run(st, d.name, "backup", ok_only=True)
        lv = state.last_run(st, d.name, "verify")
        dmg = state.damage(st, d.name)
        out.append(
            DestinationStatus(
                d.name,
                d.kind,
                d.url,
                d.removable,
                d.offsite,
                present,
                lb.to_dict() if lb else None,
                ls.finished_at if ls else None,
                lv.to_dict() if lv else None,
                snaps,
                size,
                problem,
                dmg.to_dict() if dmg else None,
                d.kind_info.label,
            )
        )
    return StatusResult(True, cfg.sources, version, backend_name(), tuple(out))
