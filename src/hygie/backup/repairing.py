"""``backup repair``: make a damaged destination sound again, then prove it.

1. A complete integrity check: every repository file hashed by hygie (local) or ``restic
   check --read-data`` (network). If nothing is damaged now (a disk that failed to read
   once), nothing is changed.
2. Otherwise, with restic >= 0.16, restic's own repair, as its troubleshooting guide orders
   it: ``repair index``, ``repair packs`` (the damaged packs, keeping every blob still
   readable), a new backup (which stores again the lost pieces of files still on the
   computer), then ``repair snapshots --forget`` (older snapshots lose what can no longer
   be restored).
   With older restic (Debian 12 has 0.14, which has no ``repair``), the fallback restic's
   documentation gives for an unrepairable repository: a fresh repository at the same
   place, with the same password (the recovery sheet stays true), filled by a new backup;
   the damaged one is kept, renamed and made read-only (a local disk) or left untouched
   next to it (a network destination), for whatever older versions it can still give.
3. The repair is recorded; then a full restore test runs: only it clears the damage
   (:mod:`hygie.backup.verifying`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import stat
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from hygie.backup import packs, state
from hygie.backup.destinations import KIND_LOCAL, Destination, block_devices, resolve
from hygie.backup.errors import BackupBusy, BackupError, BackupInterrupted, RepairFailed
from hygie.backup.lock import destination_lock
from hygie.backup.repo import (
    DestinationOutcome,
    ProgressFn,
    get_store,
    open_repo,
    require_config,
    select,
)
from hygie.backup.restic import Repo, classify, restic_version
from hygie.i18n import _
from hygie.store import Store, utcnow

__all__ = ["REPAIR_MIN_VERSION", "RepairResult", "repair", "repair_plan"]

REPAIR_MIN_VERSION = (0, 16, 0)


@dataclass(frozen=True)
class RepairResult:
    destination: str
    damaged_before: bool
    action: str  # "none" | "restic-repair" | "fresh-repository"
    steps: tuple[str, ...]
    kept: str = ""  # where the damaged repository was kept (fallback)
    verify: DestinationOutcome | None = None
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.verify is not None and self.verify.status == "ok"

    @property
    def exit_code(self) -> int:
        if self.ok:
            return 0
        return self.verify.exit_code if self.verify is not None else RepairFailed.exit_code

    def to_dict(self) -> dict[str, Any]:
        return {
            "destination": self.destination,
            "ok": self.ok,
            "damaged_before": self.damaged_before,
            "action": self.action,
            "steps": list(self.steps),
            "kept": self.kept,
            "verify": self.verify.to_dict() if self.verify is not None else None,
            "details": dict(self.details),
        }


def repair_plan(version: tuple[int, int, int], bad_packs: list[str]) -> list[list[str]]:
    """Pure: the restic commands of an in-place repair (restic >= 0.16), in order; the
    backup between ``repair packs`` and ``repair snapshots`` is hygie's own run."""
    if version < REPAIR_MIN_VERSION:
        return []
    plan = [["repair", "index"]]
    if bad_packs:
        plan.append(["repair", "packs", *bad_packs])
    plan.append(["backup"])
    plan.append(["repair", "snapshots", "--forget"])
    return plan


def _pack_id(name: str) -> str:
    return name.rsplit("/", 1)[-1]


def _integrity(repo: Repo, dest: Destination, url: str, st: Store) -> tuple[bool, list[str]]:
    """(sound, damaged pack ids) after a complete check."""
    bad: list[str] = []
    if dest.kind == KIND_LOCAL:
        got = packs.check_repository_files(Path(url), st, dest.name, full=True)
        bad = [_pack_id(n) for n in (*got.bad, *got.unreadable) if n.startswith("data/")]
        if got.bad or got.unreadable:
            return False, bad
    cp, _unlocked = repo.call_unlocking(
        ["check", *repo.exclusive_flags(), "--read-data"], timeout=None
    )
    if cp.ok:
        return True, bad
    err = classify(cp, dest.name, operation="check")
    if err.code not in {"repository_corrupted", "backup_failed"}:
        raise err
    return False, bad


def _make_read_only(root: Path) -> None:
    for dirpath, dirs, names in os.walk(root):
        for n in names:
            with contextlib.suppress(OSError):
                os.chmod(os.path.join(dirpath, n), stat.S_IRUSR)
        for d in dirs:
            with contextlib.suppress(OSError):
                os.chmod(os.path.join(dirpath, d), stat.S_IRUSR | stat.S_IXUSR)
    with contextlib.suppress(OSError):
        os.chmod(root, stat.S_IRUSR | stat.S_IXUSR)


def _fresh_repository(
    repo: Repo, dest: Destination, url: str, st: Store, cfg: state.BackupConfig
) -> tuple[Destination, str, list[str]]:
    """The fallback: keep the damaged repository aside, start a new one (same password)."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    steps: list[str] = []
    if dest.kind == KIND_LOCAL:
        here = Path(url)
        kept = here.with_name(f"{here.name}.endommagee-{stamp}")
        here.rename(kept)
        _make_read_only(kept)
        steps.append(_("dépôt endommagé mis de côté en lecture seule : {p}").format(p=kept))
        new_url, new_dest = url, dest
        here.mkdir()
    else:
        kept = Path(dest.url)  # only for the message: a network repository stays as it is
        new_url = f"{dest.url.rstrip('/')}-{stamp}"
        new_dest = replace(dest, url=new_url)
        steps.append(
            _("dépôt endommagé laissé intact à {old} ; nouveau dépôt à {new}").format(
                old=dest.url, new=new_url
            )
        )
    fresh = Repo(repo.name, new_url, repo.password, dict(repo.extra_env), repo.version)
    _created, repo_id = fresh.init(repo.version)
    steps.append(_("nouveau dépôt créé avec le même mot de passe ({id})").format(id=repo_id[:10]))
    new_dest = replace(new_dest, repo_id=repo_id)
    dests = tuple(new_dest if d.name == dest.name else d for d in cfg.destinations)
    state.save_config(st, replace(cfg, destinations=dests))
    st.put_state(state.MODULE, f"packs_ok:{dest.name}", {})
    retired = st.get_state(state.MODULE, f"retired:{dest.name}", [])
    retired = [*retired, {"location": str(kept), "repo_id": dest.repo_id, "at": utcnow()}]
    st.put_state(state.MODULE, f"retired:{dest.name}", retired)
    return new_dest, str(kept), steps


def _run_step(repo: Repo, dest: Destination, args: list[str]) -> str:
    cp, _u = repo.call_unlocking([*args, *repo.exclusive_flags()], timeout=None)
    if not cp.ok:
        raise RepairFailed(
            destination=dest.name, detail=classify(cp, dest.name, operation="check").render()
        )
    return "restic " + " ".join(args[:3] if args[:2] == ["repair", "snapshots"] else args[:2])


def repair(
    destination: str | None = None,
    *,
    progress: ProgressFn | None = None,
    store: Store | None = None,
) -> RepairResult:
    """Repair one destination (the only one, or the one named), then run a full test."""
    from hygie.backup.backing_up import backup_one
    from hygie.backup.verifying import verify_one

    st = get_store(store)
    cfg = require_config(st)
    dests = select(cfg, destination)
    if len(dests) != 1:
        from hygie.errors import UsageError

        raise UsageError(
            detail=_("indiquez la destination à réparer (--destination) : {names}").format(
                names=", ".join(d.name for d in dests)
            )
        )
    dest = dests[0]
    version = restic_version()
    damaged = state.damage(st, dest.name)
    t0 = time.monotonic()
    steps: list[str] = []
    action = "none"
    kept = ""
    devices = block_devices() if dest.removable else None
    plan: list[list[str]] = []
    try:
        with destination_lock(dest.name, "repair"):
            url = resolve(dest, devices)
            repo = open_repo(dest, url)
            if progress is not None:
                progress(dest.name, {"message_type": "phase", "phase": "check", "subset": "all"})
            sound, bad = _integrity(repo, dest, url, st)
            if sound:
                steps.append(_("contrôle complet : aucun fichier abîmé dans le dépôt"))
            elif version >= REPAIR_MIN_VERSION:
                action = "restic-repair"
                plan = repair_plan(version, bad)
                while plan and plan[0] != ["backup"]:
                    steps.append(_run_step(repo, dest, plan.pop(0)))
            else:
                action = "fresh-repository"
                dest, kept, more = _fresh_repository(repo, dest, url, st, cfg)
                steps += more
        if action != "none":
            cfg = require_config(st)
            if progress is not None:
                progress(dest.name, {"message_type": "phase", "phase": "backup"})
            out = backup_one(dest, cfg, st, progress, forget=False, devices=devices)
            if out.status not in {"ok", "damaged"}:
                raise RepairFailed(
                    destination=dest.name,
                    detail=(out.error or {}).get("message", _("la nouvelle sauvegarde a échoué")),
                )
            steps.append(
                _("nouvelle sauvegarde {snap}").format(snap=out.details.get("snapshot_id", ""))
            )
        if plan[1:]:  # after the backup: what restic's guide runs last
            with destination_lock(dest.name, "repair"):
                repo = open_repo(dest, resolve(dest, devices))
                for args in plan[1:]:
                    steps.append(_run_step(repo, dest, args))
    except (RepairFailed, BackupBusy, BackupInterrupted):
        raise  # already the right answer (busy: 54, interrupted: 57)
    except BackupError as exc:
        raise RepairFailed(destination=dest.name, detail=exc.render()) from exc
    what = {"action": action, "steps": steps, "restic": ".".join(map(str, version))}
    if damaged is not None:
        state.mark_repaired(st, dest.name, what)
    state.record_run(st, dest.name, "repair", utcnow(), True, what)
    if progress is not None:
        progress(dest.name, {"message_type": "phase", "phase": "restore", "files": -1})
    proof = verify_one(dest, st, full=True, progress=progress, devices=devices, sources=cfg.sources)
    if action == "fresh-repository":
        from hygie.backup.sheet import write_sheet

        with contextlib.suppress(BackupError, OSError):
            write_sheet(require_config(st), pdf=False)
            steps.append(_("fiche de récupération refaite (nouvel identifiant de dépôt)"))
    return RepairResult(
        dest.name,
        damaged is not None,
        action,
        tuple(steps),
        kept,
        proof,
        {"duration_s": round(time.monotonic() - t0, 3)},
    )
