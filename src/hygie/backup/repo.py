"""What every backup operation shares: the secrets of a destination, opening its restic
repository, the configuration, and the per-destination outcome of a batch (run, verify)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from hygie.backup import state
from hygie.backup.destinations import Destination
from hygie.backup.errors import (
    BackupError,
    DestinationAbsent,
    NotConfigured,
    RepositoryCorrupted,
    RepositoryDamaged,
    VerifyFailed,
)
from hygie.backup.restic import Repo, restic_version
from hygie.i18n import _
from hygie.secrets import get_secret, set_secret
from hygie.store import Store, open_store

ProgressFn = Callable[[str, dict[str, Any]], None]
DEFAULT_SAMPLE = 20
# restic retries an unreachable server for ~15 min; no progress for this long = unreachable.
STALL_S = 300.0


def password_secret(name: str) -> str:
    return f"backup.{name}.password"


def credentials_secret(name: str) -> str:
    """Where a destination's other credentials (S3 keys…) are kept, as JSON."""
    return f"backup.{name}.s3"


s3_secret = credentials_secret  # the name the secret has always had in the keyring


def store_credentials(dest: Destination, values: Mapping[str, str]) -> None:
    """Keep the credentials a destination's kind needs, under this destination's name."""
    fields = dest.kind_info.credentials
    clean = {f.key: str(values.get(f.key, "")).strip() for f in fields}
    if fields and all(clean.values()):
        set_secret(credentials_secret(dest.name), json.dumps(clean))


def stored_credentials(name: str) -> dict[str, str]:
    raw = get_secret(credentials_secret(name))
    if not raw:
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def get_store(store: Store | None) -> Store:
    return store if store is not None else open_store()


def require_config(store: Store) -> state.BackupConfig:
    cfg = state.load_config(store)
    if cfg is None or not cfg.destinations:
        raise NotConfigured(detail="")
    return cfg


def select(cfg: state.BackupConfig, only: str | None) -> tuple[Destination, ...]:
    if only is None:
        return cfg.destinations
    d = cfg.destination(only)
    if d is None:
        names = ", ".join(x.name for x in cfg.destinations)
        raise NotConfigured(
            detail=_(" pour « {name} » (destinations : {names})").format(name=only, names=names)
        )
    return (d,)


def open_repo(dest: Destination, url: str | None = None, password: str | None = None) -> Repo:
    """The restic repository of a destination, with its password and credentials."""
    if password is None:
        password = get_secret(password_secret(dest.name))
    if password is None:
        raise NotConfigured(
            detail=_(" (mot de passe de « {name} » introuvable)").format(name=dest.name)
        )
    env = dest.kind_info.credential_env(stored_credentials(dest.name))
    return Repo(dest.name, url or dest.url, password, env, restic_version())


def stall_s() -> float:
    """Seconds without any restic progress before giving up (HYGIE_BACKUP_STALL_S)."""
    try:
        return max(1.0, float(os.environ.get("HYGIE_BACKUP_STALL_S", STALL_S)))
    except ValueError:
        return STALL_S


@dataclass(frozen=True)
class DestinationOutcome:
    """What one operation did on one destination (backup, verify or repair)."""

    destination: str
    status: str  # "ok" | "absent" | "error" | "failed" | "damaged" | "busy"
    removable: bool = False
    details: dict[str, Any] = field(default_factory=dict)
    error: dict[str, Any] | None = None
    exit_code: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "destination": self.destination,
            "status": self.status,
            "removable": self.removable,
            "details": dict(self.details),
            "error": self.error,
        }


@dataclass(frozen=True)
class BatchResult:
    operation: str
    outcomes: tuple[DestinationOutcome, ...]
    duration_s: float

    @property
    def ok(self) -> bool:
        return bool(self.outcomes) and all(o.status == "ok" for o in self.outcomes)

    @property
    def exit_code(self) -> int:
        """0 when every destination succeeded, else the first failure's code."""
        for o in self.outcomes:
            if o.status != "ok":
                return o.exit_code or 17
        return 0

    @property
    def status(self) -> str:
        if self.ok:
            return "success"
        if any(o.status == "ok" for o in self.outcomes):
            return "partial"
        return "error"

    def to_dict(self) -> dict[str, Any]:
        return {
            "operation": self.operation,
            "ok": self.ok,
            "duration_s": round(self.duration_s, 3),
            "destinations": [o.to_dict() for o in self.outcomes],
        }


def failure(dest: Destination, exc: BackupError, details: dict[str, Any]) -> DestinationOutcome:
    """The outcome of a destination whose operation raised ``exc``."""
    status = "absent" if isinstance(exc, DestinationAbsent) else "error"
    if isinstance(exc, RepositoryCorrupted | VerifyFailed):
        status = "failed"
    elif isinstance(exc, RepositoryDamaged):
        status = "damaged"
    elif exc.code == "backup_busy":
        status = "busy"
    return DestinationOutcome(
        dest.name, status, dest.removable, details, exc.to_dict(), exc.exit_code
    )
