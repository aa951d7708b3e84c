"""What the incident kit and the incident checks read of the backup capability.

Through its typed public API only: :func:`hygie.backup.recovery_info` gives a frozen
:class:`hygie.backup.RecoveryInfo` (None when backups are not set up with hygie). When it
cannot be read (the store unreadable, the keyring locked), that is logged with its traceback
and treated as "not set up": fail closed, never "verified" when not seen.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from hygie.backup import KINDS, RecoveryInfo
from hygie.backup import recovery_info as backup_recovery_info
from hygie.i18n import N_, _

log = logging.getLogger(__name__)


def recovery_info(*, include_password: bool = False) -> RecoveryInfo | None:
    """The backup capability's recovery information, or None when not set up (or unreadable:
    the backup's own failure must not break the kit or the audit)."""
    try:
        return backup_recovery_info(include_password=include_password)
    except Exception:
        log.exception("backup recovery information unreadable")
        return None


@dataclass(frozen=True)
class RecoveryPage:
    """Recovery information flattened for the printed kit."""

    available: bool
    copies: tuple[tuple[tuple[str, str], ...], ...]
    steps: tuple[str, ...]
    fields: tuple[tuple[str, str], ...]
    password: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "available": self.available,
            "copies": [dict(c) for c in self.copies],
            "steps": list(self.steps),
            "fields": dict(self.fields),
            "password_printed": self.password is not None,
        }


# French labels of the fields of hygie.backup.RecoveryDestination.to_dict() and RecoveryInfo.
LABELS_FR = {
    "name": N_("copie"),
    "kind": N_("type"),
    "location": N_("emplacement"),
    "repository_id": N_("identifiant du dépôt"),
    "removable": N_("disque amovible"),
    "disk_label": N_("nom du disque"),
    "disk_uuid": N_("identifiant (UUID) du disque"),
    "last_success": N_("dernière sauvegarde réussie"),
    "last_verified_at": N_("dernière restauration d'essai"),
    "last_verify_ok": N_("résultat de cet essai"),
    "damaged_since": N_("endommagée depuis"),
    "sources": N_("dossiers sauvegardés"),
    "secrets_backend": N_("mot de passe conservé dans"),
}
# the backup capability's own labels (one table for every front, issue #15)
KINDS_FR = {k.name: k.label_fr for k in KINDS}


def _label(key: str) -> str:
    return _(LABELS_FR[key]) if key in LABELS_FR else key


def _text(v: Any, key: str = "") -> str:
    if isinstance(v, bool):
        if key == "last_verify_ok":
            return _("réussi") if v else _("échoué")
        return _("oui") if v else _("non")
    if key == "secrets_backend" and isinstance(v, str):
        if v == "file":
            return _("un fichier protégé dans le dossier de hygie")
        return _("le trousseau du système ({name})").format(name=v.partition(":")[2] or v)
    if key == "kind" and isinstance(v, str) and v in KINDS_FR:
        return _(KINDS_FR[v])
    if isinstance(v, str) and (key.startswith("last_") or key == "damaged_since"):
        d = _parse(v)
        return d.strftime("%Y-%m-%d %H:%M UTC") if d else v
    if isinstance(v, list | tuple):
        return ", ".join(_text(x) for x in v)
    return "" if v is None else str(v)


def recovery_page(*, include_password: bool = False) -> RecoveryPage:
    info = recovery_info(include_password=include_password)
    if info is None:
        return RecoveryPage(False, (), (), (), None)
    copies = tuple(
        tuple(
            (_label(key), _text(value, key))
            for key, value in dest.to_dict().items()
            if value not in (None, "")
        )
        for dest in info.destinations
    )
    fields = (
        (_label("sources"), _text(list(info.sources), "sources")),
        (_label("secrets_backend"), _text(info.secrets_backend, "secrets_backend")),
    )
    password = (info.password or None) if include_password else None
    return RecoveryPage(True, copies, tuple(info.restore_steps), fields, password)


@dataclass(frozen=True)
class BackupState:
    """The last backup and restore test as far as the backup module tells (else unknown)."""

    known: bool
    last_backup_at: str | None
    last_verified_at: str | None
    verified_ok: bool | None
    reason: str

    def verified_age_days(self, now: dt.datetime) -> float | None:
        d = _parse(self.last_verified_at)
        return None if d is None else (now - d).total_seconds() / 86400

    def to_dict(self) -> dict[str, Any]:
        return {
            "known": self.known,
            "last_backup_at": self.last_backup_at,
            "last_verified_at": self.last_verified_at,
            "verified_ok": self.verified_ok,
            "reason": self.reason,
        }


def _parse(ts: str | None) -> dt.datetime | None:
    if not ts:
        return None
    try:
        d = dt.datetime.fromisoformat(ts.replace("Z", "+00:00"))
    except ValueError:
        return None
    return d if d.tzinfo else d.replace(tzinfo=dt.UTC)


def backup_state() -> BackupState:
    info = recovery_info()
    if info is None:
        return BackupState(
            False, None, None, None, _("les sauvegardes ne sont pas configurées avec hygie")
        )
    backups = [d for d in (_parse(x.last_success) for x in info.destinations) if d]
    verifs = [d for d in (_parse(x.last_verified_at) for x in info.destinations) if d]
    oks = [x.last_verify_ok for x in info.destinations if x.last_verify_ok is not None]
    verified_ok: bool | None = all(oks) if oks else None
    if not backups and not verifs:
        return BackupState(
            False, None, None, None, _("le module de sauvegarde ne donne pas de dates")
        )
    return BackupState(
        True,
        max(backups).isoformat(timespec="seconds") if backups else None,
        # the oldest last-verification across copies: every copy must have been tested
        min(verifs).isoformat(timespec="seconds") if verifs else None,
        verified_ok,
        "",
    )
