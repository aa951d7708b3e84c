"""The one door to the backup module (issue #3, written in parallel): its recovery information.

``hygie.backup.recovery_info()`` is imported lazily and may be missing, or return a shape this
module does not know yet: everything here tolerates that and falls back to "backups are not set
up with hygie" (fail closed: never "verified" when not seen).
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hygie.backup import KINDS
from hygie.i18n import N_, _

LIST_KEYS = ("destinations", "repositories", "copies", "locations")
STEP_KEYS = ("restore_steps", "steps", "how_to_restore")
SECRET_WORDS = ("password", "secret", "mot_de_passe", "key")


def _to_mapping(obj: object) -> dict[str, Any] | None:
    if obj is None:
        return None
    to_dict = getattr(obj, "to_dict", None)
    if callable(to_dict):
        obj = to_dict()
    if isinstance(obj, Mapping):
        return dict(obj)
    return None


def _is_secret(key: str) -> bool:
    k = key.lower()
    return any(w in k for w in SECRET_WORDS) and "hint" not in k and "backend" not in k


def _strip_secrets(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _strip_secrets(v) for k, v in value.items() if not _is_secret(str(k))}
    if isinstance(value, list):
        return [_strip_secrets(v) for v in value]
    return value


def recovery_info(*, include_password: bool = False) -> dict[str, Any] | None:
    """The backup module's recovery information, or None when it is absent or not set up."""
    try:
        mod = importlib.import_module("hygie.backup")
    except ImportError:
        return None
    fn = getattr(mod, "recovery_info", None)
    if not callable(fn):
        return None
    try:
        try:
            raw = fn(include_password=include_password)
        except TypeError:
            raw = fn()
    except Exception:  # the backup module's own failure must not break the kit or the audit
        return None
    info = _to_mapping(raw)
    if not info:
        return None
    return info if include_password else _strip_secrets(info)


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


# French labels for the keys the backup module gives (anything else is shown as it comes).
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
    if isinstance(v, str) and key.startswith("last_"):
        d = _parse(v)
        return d.strftime("%Y-%m-%d %H:%M UTC") if d else v
    if isinstance(v, list | tuple):
        return ", ".join(_text(x) for x in v)
    if isinstance(v, Mapping):
        return ", ".join(f"{k}: {_text(x)}" for k, x in v.items())
    return "" if v is None else str(v)


def recovery_page(*, include_password: bool = False) -> RecoveryPage:
    info = recovery_info(include_password=include_password)
    if info is None:
        return RecoveryPage(False, (), (), (), None)
    password: str | None = None
    if include_password:
        for k, v in info.items():
            if _is_secret(str(k)) and isinstance(v, str) and v:
                password = v
                break
    copies: list[tuple[tuple[str, str], ...]] = []
    steps: list[str] = []
    fields: list[tuple[str, str]] = []
    for k, v in info.items():
        key = str(k)
        if _is_secret(key):
            continue
        if key in LIST_KEYS and isinstance(v, list):
            for item in v:
                m = _to_mapping(item)
                if m is not None:
                    copies.append(
                        tuple(
                            (_label(str(a)), _text(b, str(a)))
                            for a, b in m.items()
                            if not _is_secret(str(a)) and b not in (None, "")
                        )
                    )
                else:
                    copies.append((("", _text(item)),))
        elif key in STEP_KEYS and isinstance(v, list):
            steps.extend(_text(x) for x in v)
        else:
            fields.append((_label(key), _text(v, key)))
    return RecoveryPage(True, tuple(copies), tuple(steps), tuple(fields), password)


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


def _parse(ts: object) -> dt.datetime | None:
    if isinstance(ts, Mapping):  # a run record: {"finished_at": ..., "ok": ...}
        for key in ("finished_at", "at", "ended_at", "started_at"):
            if ts.get(key):
                return _parse(ts[key])
        return None
    if isinstance(ts, dt.datetime):
        d = ts
    elif isinstance(ts, str) and ts:
        try:
            d = dt.datetime.fromisoformat(ts.replace("Z", "+00:00"))
        except ValueError:
            return None
    else:
        return None
    return d if d.tzinfo else d.replace(tzinfo=dt.UTC)


def _collect(info: Mapping[str, Any], keys: tuple[str, ...]) -> list[Any]:
    found: list[Any] = [info[k] for k in keys if k in info]
    for lk in LIST_KEYS:
        items = info.get(lk)
        if isinstance(items, list):
            for item in items:
                m = _to_mapping(item)
                if m is not None:
                    found.extend(m[k] for k in keys if k in m)
    return found


def backup_state() -> BackupState:
    info = recovery_info()
    if info is None:
        return BackupState(
            False, None, None, None, _("les sauvegardes ne sont pas configurées avec hygie")
        )
    backups = [
        d
        for d in map(_parse, _collect(info, ("last_backup_at", "last_backup", "last_success")))
        if d
    ]
    verifs = [
        d
        for d in map(_parse, _collect(info, ("last_verified_at", "last_verify_at", "last_verify")))
        if d
    ]
    oks = [v for v in _collect(info, ("verified_ok", "last_verify_ok")) if isinstance(v, bool)]
    oks += [
        bool(r["ok"])
        for r in _collect(info, ("last_verify",))
        if isinstance(r, Mapping) and isinstance(r.get("ok"), bool)
    ]
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
