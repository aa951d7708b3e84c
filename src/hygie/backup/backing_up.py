"""``backup run``: one snapshot per reachable destination, then the retention policy.

One operation at a time per destination (:mod:`hygie.backup.lock`); a destination found
damaged by a restore test is still backed up (new files are kept) but the outcome says it
is damaged and the command does not exit 0 (:class:`RepositoryDamaged`)."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import time
from pathlib import Path
from typing import Any

from hygie.backup import children, state, vss
from hygie.backup.destinations import (
    KIND_LOCAL,
    Destination,
    block_devices,
    find_disk,
    resolve,
)
from hygie.backup.errors import BackupError, BackupInterrupted, RepositoryDamaged
from hygie.backup.lock import destination_lock
from hygie.backup.repo import (
    BatchResult,
    DestinationOutcome,
    ProgressFn,
    failure,
    get_store,
    open_repo,
    require_config,
    select,
    stall_s,
)
from hygie.backup.restic import EXIT_INCOMPLETE_SNAPSHOT, Repo, classify, json_lines, restic_version
from hygie.i18n import _
from hygie.platform import system
from hygie.platform.os_base import Volume
from hygie.store import Store, utcnow

__all__ = ["backup_one", "eject", "run"]


def _forget(repo: Repo, dest: Destination, cfg: state.BackupConfig, st: Store) -> dict[str, Any]:
    """Apply the retention policy, at most once a day (daily granularity needs no more), and
    prune once a week. Both need an exclusive lock: a stale one left by a killed restic is
    removed when met (``restic unlock`` removes only stale locks)."""
    last_forget = state.last_forget(st, dest.name)
    if last_forget is not None and (
        dt.datetime.now(dt.UTC) - dt.datetime.fromisoformat(last_forget)
    ) < dt.timedelta(hours=state.FORGET_EVERY_HOURS):
        return {"ok": True, "skipped": True, "pruned": False, "removed": 0}
    args = ["forget", "--json", *repo.exclusive_flags()]
    for k in ("last", "daily", "weekly", "monthly", "yearly"):
        n = cfg.retention.get(k)
        if n:
            args += [f"--keep-{k}", str(n)]
    last = state.last_prune(st, dest.name)
    prune = last is None or (
        dt.datetime.now(dt.UTC) - dt.datetime.fromisoformat(last)
    ) >= dt.timedelta(days=state.PRUNE_EVERY_DAYS)
    if prune:
        args.append("--prune")
    cp, unlocked = repo.call_unlocking(args, timeout=3600)
    if not cp.ok:
        return {
            "ok": False,
            "pruned": False,
            "error": classify(cp, dest.name, operation="forget").code,
        }
    state.set_last_forget(st, dest.name)
    if prune:
        state.set_last_prune(st, dest.name)
    removed = 0
    for group in json_lines(cp.stdout):
        removed += len(group.get("remove") or [])
    with contextlib.suppress(ValueError):
        data = json.loads(cp.stdout.splitlines()[0]) if cp.stdout else []
        if isinstance(data, list):
            removed = sum(len(g.get("remove") or []) for g in data if isinstance(g, dict))
    out: dict[str, Any] = {"ok": True, "pruned": prune, "removed": removed}
    if unlocked:
        out["stale_lock_removed"] = True
    return out


def _remove_stale_locks(repo: Repo, dest: Destination, url: str) -> bool:
    """After our own restic finished (we hold the destination's lock, so no other hygie
    works on it), a lock still in the repository is a killed restic's: restic ignores those
    of dead processes on this computer but keeps them, and another computer's restic would
    wait for them. ``restic unlock`` removes only stale locks; it runs only when one is met."""
    if dest.kind == KIND_LOCAL:
        try:
            met = any(Path(url, "locks").iterdir())
        except OSError:
            met = False
    else:
        cp = repo.call(["--no-lock", "list", "locks"], timeout=120)
        met = cp.ok and bool(cp.stdout.strip())
    if met:
        repo.unlock()
    return met


def backup_one(
    dest: Destination,
    cfg: state.BackupConfig,
    st: Store,
    progress: ProgressFn | None = None,
    *,
    forget: bool = True,
    devices: list[Any] | None = None,
) -> DestinationOutcome:
    started = utcnow()
    t0 = time.monotonic()
    details: dict[str, Any] = {}
    try:
        if children.interrupted():
            raise BackupInterrupted(
                destination=dest.name, detail=_("hygie a été arrêté avant de commencer")
            )
        with destination_lock(dest.name, "backup"):
            url = resolve(dest, devices)
            if dest.removable:
                state.record_mount(st, dest.name, True, "run")
            repo = open_repo(dest, url)
            summary: dict[str, Any] = {}
            errors: list[str] = []

            def on_line(line: str) -> None:
                for obj in json_lines(line):
                    kind = obj.get("message_type")
                    if kind == "summary":
                        summary.update(obj)
                    elif kind == "error":
                        errors.append(str(obj.get("item") or ""))
                    if progress is not None:
                        progress(dest.name, obj)

            flags, elevated = vss.snapshot_flags()
            cp, unlocked = repo.call_unlocking(
                ["backup", "--json", *flags, *cfg.sources],
                on_line=on_line,
                timeout=None,
                stall_s=stall_s(),
            )
            incomplete = cp.returncode == EXIT_INCOMPLETE_SNAPSHOT and bool(
                summary.get("snapshot_id")
            )
            if not (cp.ok or incomplete) or not summary.get("snapshot_id"):
                raise classify(cp, dest.name, operation="backup")
            details.update(
                {
                    "snapshot_id": summary.get("snapshot_id"),
                    "files_new": summary.get("files_new", 0),
                    "files_changed": summary.get("files_changed", 0),
                    "files": summary.get("total_files_processed", 0),
                    "bytes": summary.get("total_bytes_processed", 0),
                    "data_added": summary.get("data_added", 0),
                    "incomplete": incomplete,
                    "unreadable": len(errors),
                    "duration_s": round(time.monotonic() - t0, 3),
                }
            )
            if elevated is not None:
                details["fs_snapshot"] = bool(flags)
            if _remove_stale_locks(repo, dest, url) or unlocked:
                details["stale_lock_removed"] = True
            state.record_run(st, dest.name, "backup", started, True, details)
            if forget:
                if progress is not None:
                    progress(dest.name, {"message_type": "phase", "phase": "forget"})
                details["retention"] = _forget(repo, dest, cfg, st)
        damaged = state.damage(st, dest.name)
        if damaged is not None:
            exc = RepositoryDamaged(
                destination=dest.name,
                since=damaged.since[:10],
                detail=_(
                    "cette sauvegarde a été faite, mais les fichiers inchangés peuvent "
                    "dépendre des données abîmées"
                ),
            )
            details["damaged_since"] = damaged.since
            return failure(dest, exc, details)
        return DestinationOutcome(dest.name, "ok", dest.removable, details)
    except BackupError as exc:
        details["duration_s"] = round(time.monotonic() - t0, 3)
        if exc.code != "backup_busy":
            state.record_run(st, dest.name, "backup", started, False, details, exc.code)
        return failure(dest, exc, details)


def run(
    *,
    progress: ProgressFn | None = None,
    only: str | None = None,
    forget: bool = True,
    store: Store | None = None,
) -> BatchResult:
    """Back up every configured destination that is reachable (each its own repository)."""
    st = get_store(store)
    cfg = require_config(st)
    restic_version()
    t0 = time.monotonic()
    dests = select(cfg, only)
    devices = block_devices() if any(d.removable for d in dests) else None
    outcomes = tuple(
        backup_one(d, cfg, st, progress, forget=forget, devices=devices) for d in dests
    )
    return BatchResult("backup", outcomes, time.monotonic() - t0)


def destination_volume(name: str, *, store: Store | None = None) -> Volume | None:
    """The removable volume holding destination ``name`` right now, when this OS can eject
    it (None: not removable, absent, or not ejectable here). The dashboard's eject button."""
    cfg = state.load_config(get_store(store))
    dest = cfg.destination(name) if cfg else None
    if dest is None or not dest.removable:
        return None
    try:
        volume = system().volume_of(resolve(dest))
    except (BackupError, OSError):
        return None
    return volume if volume is not None and volume.removable and volume.device else None


def eject(dest: Destination) -> bool:
    """Unmount a removable destination (on request, after a successful run)."""
    devices = block_devices()
    if devices is None:
        return False
    disk = find_disk(dest, devices)
    if disk is None or not disk.target:
        return True
    volume = Volume(disk.target, disk.uuid, disk.label, disk.source, disk.fstype, True)
    return system().eject(volume).ok  # udisksctl/umount, diskutil eject, or Windows' own
