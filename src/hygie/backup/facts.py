"""The audit's view of ``hygie backup``: facts for M07 and M10 from the recorded state.

When hygie backup is not set up, the questionnaire facts stay unknown and askable (the
user's answer is used) and the new, state-only facts are not applicable.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from hygie.audit import Fact, ProbeContext, fact_history, provider
from hygie.backup import state
from hygie.backup.destinations import Destination, block_devices, find_disk
from hygie.backup.hds import hds_provider
from hygie.i18n import _

SOURCE = "hygie backup"
MAX_BACKUP_AGE_DAYS = 7
RESTORE_TESTED_DAYS = 90

QUESTION_FACTS = (
    "backup.exists",
    "backup.restore_tested",
    "backup.encrypted",
    "backup.two_places",
    "backup.disconnected",
    "cloud.hds_certified",
)
# What the audit saw of each removable destination (plugged in or not): recorded with the audit
# itself, read back at the next audits to tell a disk that stays plugged in (left_mounted).
MOUNTED_FACT = "backup.removable_mounted"
STATE_FACTS = (
    "backup.destinations",
    "backup.verify_state",
    "backup.left_mounted",
    "backup.restic_version",
    "backup.cloud_endpoints",
    "backup.secrets_backend",
    "backup.fs_snapshot",
    MOUNTED_FACT,
)


@dataclass(frozen=True)
class DestinationState:
    """What the store says about one destination (input of :func:`derive_facts`)."""

    dest: Destination
    last_success: str | None
    last_verify_at: str | None
    last_verify_ok: bool | None
    left_mounted: bool = False
    damaged_since: str | None = None  # sticky: a restore test failed, not proven repaired
    fs_snapshot: bool | None = None  # Windows: last backup used VSS (None: not Windows)
    last_error: str | None = None  # error code of the last backup attempt, when it failed


def _age_days(when: str | None, now: dt.datetime) -> float | None:
    if not when:
        return None
    t = dt.datetime.fromisoformat(when)
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.UTC)
    return round((now - t).total_seconds() / 86400, 2)


def is_private_host(host: str) -> bool:
    if host in {"localhost", ""} or host.endswith(".local") or host.endswith(".lan"):
        return True
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    return ip.is_private or ip.is_loopback or ip.is_link_local


def derive_facts(
    states: list[DestinationState],
    now: dt.datetime,
    restic_version: str,
    secrets_backend: str,
) -> list[Fact]:
    """Pure: the M07/M10 facts from the recorded state of every destination."""
    k = Fact.known
    dests: list[dict[str, Any]] = []
    verifies: list[dict[str, Any]] = []
    for s in states:
        dests.append(
            {
                "name": s.dest.name,
                "kind": s.dest.kind,
                "removable": s.dest.removable,
                "offsite": s.dest.offsite,
                "last_success_age_days": _age_days(s.last_success, now),
                "last_error": s.last_error,
            }
        )
        verifies.append(
            {
                "name": s.dest.name,
                # a damaged destination is failed whatever its last test said
                "ok": False if s.damaged_since else s.last_verify_ok,
                "age_days": _age_days(s.last_verify_at, now),
                "damaged_since": s.damaged_since,
            }
        )
    recent = [
        d
        for d in dests
        if d["last_success_age_days"] is not None
        and d["last_success_age_days"] <= MAX_BACKUP_AGE_DAYS
    ]
    failed = [v for v in verifies if v["ok"] is False]
    tested = [
        v
        for v in verifies
        if v["ok"] is True and v["age_days"] is not None and v["age_days"] <= RESTORE_TESTED_DAYS
    ]
    removable = [s for s in states if s.dest.removable]
    disks = {s.dest.fs_uuid or s.dest.url for s in removable}
    two_places = len(states) >= 2 and (any(s.dest.offsite for s in states) or len(disks) >= 2)
    left = [s.dest.name for s in removable if s.left_mounted]
    endpoints = []
    for s in states:
        if s.dest.offsite:
            host = s.dest.host
            endpoints.append(
                {
                    "name": s.dest.name,
                    "host": host,
                    "private": is_private_host(host),
                    "hds_provider": hds_provider(host),
                }
            )
    public = [e for e in endpoints if not e["private"]]
    facts = [
        k("backup.exists", bool(recent), SOURCE),
        k("backup.restore_tested", bool(tested) and not failed, SOURCE),
        k("backup.encrypted", True, SOURCE),
        k("backup.two_places", two_places, SOURCE),
        k("backup.disconnected", bool(removable) and len(left) < len(removable), SOURCE),
        k("backup.destinations", dests, SOURCE),
        k("backup.verify_state", verifies, SOURCE),
        k("backup.restic_version", restic_version, SOURCE),
        k("backup.cloud_endpoints", endpoints, SOURCE),
        k("backup.secrets_backend", secrets_backend, SOURCE),
    ]
    snaps = [
        {"name": s.dest.name, "fs_snapshot": s.fs_snapshot}
        for s in states
        if s.fs_snapshot is not None
    ]
    if snaps:
        facts.append(k("backup.fs_snapshot", snaps, SOURCE))
    else:
        facts.append(
            Fact.not_applicable(
                "backup.fs_snapshot",
                _("copie cohérente des fichiers ouverts (VSS) : seulement sous Windows"),
                SOURCE,
            )
        )
    if removable:
        facts.append(k("backup.left_mounted", left, SOURCE))
    else:
        facts.append(
            Fact.not_applicable(
                "backup.left_mounted", _("aucun disque amovible parmi les destinations"), SOURCE
            )
        )
    if public:
        facts.append(k("cloud.hds_certified", all(e["hds_provider"] for e in public), SOURCE))
    else:
        facts.append(
            Fact.unknown(
                "cloud.hds_certified",
                _("aucune sauvegarde en ligne configurée dans hygie"),
                SOURCE,
                askable=True,
            )
        )
    return facts


def not_set_up() -> list[Fact]:
    reason = _("hygie backup n'est pas configuré (« hygie backup setup »)")
    out = [Fact.unknown(key, reason, SOURCE, askable=True) for key in QUESTION_FACTS]
    out += [Fact.not_applicable(key, reason, SOURCE) for key in STATE_FACTS]
    return out


def mounted_now(dests: Iterable[Destination]) -> dict[str, bool]:
    """Whether each removable destination is plugged in right now (reads, never records)."""
    removable = [d for d in dests if d.removable]
    if not removable:
        return {}
    devices = block_devices()
    out: dict[str, bool] = {}
    for d in removable:
        if devices is not None:
            disk = find_disk(d, devices)
            out[d.name] = bool(disk and disk.target)
        else:
            from pathlib import Path

            out[d.name] = Path(d.url).exists()
    return out


def mount_observations(
    st: Any, name: str, past: list[tuple[str, Fact]], now: str, mounted: bool
) -> list[tuple[str, bool]]:
    """Each audit's observation of destination ``name``, oldest first, this one last: the
    earlier audits' ``backup.removable_mounted`` facts (and the rows older versions recorded
    in ``backup_mounts`` during the audit, still read)."""
    seen = list(state.mount_history(st, name, "audit"))
    for at, fact in past:
        if fact.is_known and isinstance(fact.value, dict) and name in fact.value:
            seen.append((at, bool(fact.value[name])))
    seen.sort(key=lambda o: dt.datetime.fromisoformat(o[0]))
    return [*seen, (now, mounted)]


@provider("backup.state", facts=[*QUESTION_FACTS, *STATE_FACTS], kind="state", timeout_s=5.0)
def backup_state(ctx: ProbeContext) -> list[Fact]:
    from hygie.backup.restic import parse_version, version_str
    from hygie.secrets import backend_name
    from hygie.store import open_store

    st = ctx.store if ctx.store is not None else open_store(ctx.paths.store_file)
    cfg = state.load_config(st)
    if cfg is None or not cfg.destinations:
        return not_set_up()
    mounts = mounted_now(cfg.destinations)
    past = fact_history(st, MOUNTED_FACT) if mounts else []
    now = ctx.now.isoformat(timespec="seconds")
    states = []
    for d in cfg.destinations:
        ok = state.last_run(st, d.name, "backup", ok_only=True)
        ver = state.last_run(st, d.name, "verify")
        dmg = state.damage(st, d.name)
        vss = ok.details.get("fs_snapshot") if ok else None
        last = state.last_run(st, d.name, "backup")
        states.append(
            DestinationState(
                d,
                ok.finished_at if ok else None,
                ver.finished_at if ver else None,
                ver.ok if ver else None,
                d.name in mounts
                and state.left_mounted(mount_observations(st, d.name, past, now, mounts[d.name])),
                dmg.since if dmg else None,
                vss if isinstance(vss, bool) else None,
                last.error_code if last is not None and not last.ok else None,
            )
        )
    from hygie import proc

    cp = proc.run(["restic", "version"], timeout=4)
    version = version_str(parse_version(cp.stdout)) if cp.ok else ""
    facts = derive_facts(states, ctx.now, version, backend_name())
    if mounts:
        facts.append(Fact.known(MOUNTED_FACT, dict(mounts), SOURCE))
    else:
        facts.append(
            Fact.not_applicable(
                MOUNTED_FACT, _("aucun disque amovible parmi les destinations"), SOURCE
            )
        )
    return facts
