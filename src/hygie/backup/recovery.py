"""What is needed to restore without hygie (the incident kit prints it), as a frozen type."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hygie.backup import state
from hygie.backup.repo import password_secret
from hygie.i18n import _
from hygie.store import Store, open_store

__all__ = ["RecoveryDestination", "RecoveryInfo", "recovery_info"]


@dataclass(frozen=True)
class RecoveryDestination:
    name: str
    kind: str
    kind_label: str
    location: str
    repository_id: str
    removable: bool
    disk_label: str
    disk_uuid: str
    last_success: str | None
    last_verified_at: str | None
    last_verify_ok: bool | None
    damaged_since: str | None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "name": self.name,
            "kind": self.kind,
            "location": self.location,
            "repository_id": self.repository_id,
            "removable": self.removable,
            "disk_label": self.disk_label,
            "disk_uuid": self.disk_uuid,
            "last_success": self.last_success,
            "last_verified_at": self.last_verified_at,
        }
        if self.last_verify_ok is not None:
            d["last_verify_ok"] = self.last_verify_ok
        if self.damaged_since:
            d["damaged_since"] = self.damaged_since
        return d


@dataclass(frozen=True)
class RecoveryInfo:
    """Sources, destinations (where, which repository, last backup and test), the steps to
    restore with restic alone; the passwords only when asked for (printed kit)."""

    sources: tuple[str, ...]
    secrets_backend: str
    destinations: tuple[RecoveryDestination, ...]
    restore_steps: tuple[str, ...]
    password: str | None = None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "sources": list(self.sources),
            "secrets_backend": self.secrets_backend,
            "destinations": [x.to_dict() for x in self.destinations],
            "restore_steps": list(self.restore_steps),
        }
        if self.password is not None:
            d["password"] = self.password
        return d


def recovery_info(
    *, include_password: bool = False, store: Store | None = None
) -> RecoveryInfo | None:
    """None when hygie backup is not set up. Passwords only with ``include_password``."""
    from hygie.secrets import backend_name, get_secret

    st = store if store is not None else open_store()
    cfg = state.load_config(st)
    if cfg is None or not cfg.destinations:
        return None
    dests: list[RecoveryDestination] = []
    passwords: list[str] = []
    for d in cfg.destinations:
        ok = state.last_run(st, d.name, "backup", ok_only=True)
        ver = state.last_run(st, d.name, "verify")
        dmg = state.damage(st, d.name)
        dests.append(
            RecoveryDestination(
                d.name,
                d.kind,
                d.kind_info.label,
                d.url,
                d.repo_id,
                d.removable,
                d.fs_label,
                d.fs_uuid,
                ok.finished_at if ok else None,
                ver.finished_at if ver else None,
                ver.ok if ver else None,
                dmg.since if dmg else None,
            )
        )
        if include_password:
            passwords.append(f"{d.name}: {get_secret(password_secret(d.name)) or '?'}")
    return RecoveryInfo(
        cfg.sources,
        backend_name(),
        tuple(dests),
        (
            _("Installer restic (https://restic.net) sur un ordinateur sain."),
            _("Brancher le disque de sauvegarde ou vérifier l'accès Internet."),
            _("restic -r <emplacement> snapshots (restic demande le mot de passe)."),
            _("restic -r <emplacement> restore latest --target <dossier vide>."),
        ),
        "; ".join(passwords) if include_password else None,
    )
