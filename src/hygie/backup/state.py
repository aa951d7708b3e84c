"""What ``hygie backup`` records in the shared store: its configuration (no secret), every
backup / verify outcome, and whether removable disks were mounted when observed."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from hygie.backup.destinations import Destination
from hygie.store import Store, register_migrations, utcnow

MODULE = "backup"

register_migrations(
    MODULE,
    [
        """
        CREATE TABLE backup_runs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            destination TEXT NOT NULL,
            operation TEXT NOT NULL,
            started_at TEXT NOT NULL,
            finished_at TEXT NOT NULL,
            ok INTEGER NOT NULL,
            error_code TEXT,
            details TEXT NOT NULL
        );
        CREATE INDEX backup_runs_dest ON backup_runs(destination, operation, id);
        CREATE TABLE backup_mounts (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            destination TEXT NOT NULL,
            observed_at TEXT NOT NULL,
            mounted INTEGER NOT NULL,
            context TEXT NOT NULL
        );
        CREATE INDEX backup_mounts_dest ON backup_mounts(destination, id);
        """
    ],
)

# Retention defaults (docs/reference/backup-cli.md): what `forget` keeps after each run.
DEFAULT_RETENTION: dict[str, int] = {"last": 3, "daily": 7, "weekly": 4, "monthly": 12, "yearly": 3}
PRUNE_EVERY_DAYS = 7
FORGET_EVERY_HOURS = 20
SUBSET_PARTS = 30


@dataclass(frozen=True)
class BackupConfig:
    sources: tuple[str, ...]
    destinations: tuple[Destination, ...]
    retention: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_RETENTION))
    created_at: str = ""

    def destination(self, name: str) -> Destination | None:
        return next((d for d in self.destinations if d.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "sources": list(self.sources),
            "destinations": [d.to_dict() for d in self.destinations],
            "retention": dict(self.retention),
            "created_at": self.created_at,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> BackupConfig:
        return cls(
            sources=tuple(str(s) for s in d.get("sources", [])),
            destinations=tuple(Destination.from_dict(x) for x in d.get("destinations", [])),
            retention={str(k): int(v) for k, v in (d.get("retention") or {}).items()}
            or dict(DEFAULT_RETENTION),
            created_at=str(d.get("created_at", "")),
        )


def load_config(store: Store) -> BackupConfig | None:
    raw = store.get_state(MODULE, "config")
    return BackupConfig.from_dict(raw) if isinstance(raw, dict) else None


def save_config(store: Store, cfg: BackupConfig) -> None:
    store.put_state(MODULE, "config", cfg.to_dict())


@dataclass(frozen=True)
class RunRecord:
    destination: str
    operation: str
    started_at: str
    finished_at: str
    ok: bool
    error_code: str | None
    details: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {
            "destination": self.destination,
            "operation": self.operation,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "ok": self.ok,
            "error_code": self.error_code,
            "details": self.details,
        }


def record_run(
    store: Store,
    destination: str,
    operation: str,
    started_at: str,
    ok: bool,
    details: dict[str, Any],
    error_code: str | None = None,
) -> None:
    with store.transaction() as c:
        c.execute(
            "INSERT INTO backup_runs(destination, operation, started_at, finished_at, ok, "
            "error_code, details) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                destination,
                operation,
                started_at,
                utcnow(),
                int(ok),
                error_code,
                json.dumps(details),
            ),
        )


def last_run(
    store: Store, destination: str, operation: str, *, ok_only: bool = False
) -> RunRecord | None:
    sql = (
        "SELECT destination, operation, started_at, finished_at, ok, error_code, details "
        "FROM backup_runs WHERE destination = ? AND operation = ?"
    )
    if ok_only:
        sql += " AND ok = 1"
    row = store.conn.execute(sql + " ORDER BY id DESC LIMIT 1", (destination, operation)).fetchone()
    if row is None:
        return None
    return RunRecord(row[0], row[1], row[2], row[3], bool(row[4]), row[5], json.loads(row[6]))


def record_mount(store: Store, destination: str, mounted: bool, context: str) -> None:
    with store.transaction() as c:
        c.execute(
            "INSERT INTO backup_mounts(destination, observed_at, mounted, context) "
            "VALUES (?, ?, ?, ?)",
            (destination, utcnow(), int(mounted), context),
        )


def mount_history(
    store: Store, destination: str, context: str = "audit", limit: int = 50
) -> list[tuple[str, bool]]:
    rows = store.conn.execute(
        "SELECT observed_at, mounted FROM backup_mounts WHERE destination = ? AND context = ? "
        "ORDER BY id DESC LIMIT ?",
        (destination, context, limit),
    ).fetchall()
    return [(r[0], bool(r[1])) for r in reversed(rows)]


def left_mounted(observations: list[tuple[str, bool]], min_hours: float = 20.0) -> bool:
    """Seen mounted at two audits or more in a row spanning at least ``min_hours``, with no
    unmounted observation between them: the disk stays plugged in (pure)."""
    streak: list[str] = []
    for when, mounted in reversed(observations):
        if not mounted:
            break
        streak.append(when)
    if len(streak) < 2:
        return False
    newest = dt.datetime.fromisoformat(streak[0])
    oldest = dt.datetime.fromisoformat(streak[-1])
    return (newest - oldest).total_seconds() >= min_hours * 3600


def next_subset(store: Store, destination: str) -> int:
    """The next part (1..30) of ``check --read-data-subset N/30``, rotating per destination."""
    key = f"subset:{destination}"
    last = store.get_state(MODULE, key, 0)
    n = int(last) % SUBSET_PARTS + 1
    store.put_state(MODULE, key, n)
    return n


def last_forget(store: Store, destination: str) -> str | None:
    v = store.get_state(MODULE, f"forget:{destination}")
    return str(v) if v else None


def set_last_forget(store: Store, destination: str, when: str | None = None) -> None:
    store.put_state(MODULE, f"forget:{destination}", when or utcnow())


def last_prune(store: Store, destination: str) -> str | None:
    v = store.get_state(MODULE, f"prune:{destination}")
    return str(v) if v else None


def set_last_prune(store: Store, destination: str, when: str | None = None) -> None:
    store.put_state(MODULE, f"prune:{destination}", when or utcnow())


# --- sticky damage (issue #14): a failed restore test stays a failure until proven repaired
@dataclass(frozen=True)
class Damage:
    """A destination found damaged by a restore test, and what has been done since."""

    since: str  # when a restore test first failed
    error_code: str
    detail: str
    last_failed_at: str
    repaired_at: str | None = None  # the last repair after ``since`` (None: not repaired)
    repair: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "since": self.since,
            "error_code": self.error_code,
            "detail": self.detail,
            "last_failed_at": self.last_failed_at,
            "repaired_at": self.repaired_at,
            "repair": dict(self.repair),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Damage:
        return cls(
            since=str(d.get("since", "")),
            error_code=str(d.get("error_code", "")),
            detail=str(d.get("detail", "")),
            last_failed_at=str(d.get("last_failed_at", d.get("since", ""))),
            repaired_at=str(d["repaired_at"]) if d.get("repaired_at") else None,
            repair=dict(d.get("repair") or {}),
        )


def damage(store: Store, destination: str) -> Damage | None:
    raw = store.get_state(MODULE, f"damage:{destination}")
    return Damage.from_dict(raw) if isinstance(raw, dict) and raw.get("since") else None


def mark_damaged(store: Store, destination: str, error_code: str, detail: str) -> Damage:
    """Record a failed restore test. A failure after a repair voids that repair."""
    now = utcnow()
    old = damage(store, destination)
    d = Damage(old.since if old else now, error_code, detail[:300], now, None, {})
    store.put_state(MODULE, f"damage:{destination}", d.to_dict())
    return d


def mark_repaired(store: Store, destination: str, what: dict[str, Any]) -> Damage | None:
    """Record a repair; the damage stays until a full restore test passes after it."""
    old = damage(store, destination)
    if old is None:
        return None
    d = Damage(old.since, old.error_code, old.detail, old.last_failed_at, utcnow(), dict(what))
    store.put_state(MODULE, f"damage:{destination}", d.to_dict())
    return d


def clear_damage(store: Store, destination: str) -> None:
    store.put_state(MODULE, f"damage:{destination}", {})
