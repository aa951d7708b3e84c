"""hygie backup: encrypted, restore-tested backups with restic (issue #3).

:func:`recovery_info` is the door other capabilities use (the incident kit prints it).
"""

from __future__ import annotations

from typing import Any

from hygie.i18n import _


def recovery_info(*, include_password: bool = False) -> dict[str, Any] | None:
    """What is needed to restore without hygie, plus the last backup/verify per destination;
    None when hygie backup is not set up. Passwords only with ``include_password``."""
    from hygie.backup import state
    from hygie.backup.engine import password_secret
    from hygie.secrets import backend_name, get_secret
    from hygie.store import open_store

    st = open_store()
    cfg = state.load_config(st)
    if cfg is None or not cfg.destinations:
        return None
    destinations: list[dict[str, Any]] = []
    passwords: list[str] = []
    for d in cfg.destinations:
        ok = state.last_run(st, d.name, "backup", ok_only=True)
        ver = state.last_run(st, d.name, "verify")
        item: dict[str, Any] = {
            "name": d.name,
            "kind": d.kind,
            "location": d.url,
            "repository_id": d.repo_id,
            "removable": d.removable,
            "disk_label": d.fs_label,
            "disk_uuid": d.fs_uuid,
            "last_success": ok.finished_at if ok else None,
            "last_verified_at": ver.finished_at if ver else None,
        }
        if ver is not None:
            item["last_verify_ok"] = ver.ok
        destinations.append(item)
        if include_password:
            passwords.append(f"{d.name}: {get_secret(password_secret(d.name)) or '?'}")
    info: dict[str, Any] = {
        "sources": list(cfg.sources),
        "secrets_backend": backend_name(),
        "destinations": destinations,
        "restore_steps": [
            _("Installer restic (https://restic.net) sur un ordinateur sain."),
            _("Brancher le disque de sauvegarde ou vérifier l'accès Internet."),
            _("restic -r <emplacement> snapshots (restic demande le mot de passe)."),
            _("restic -r <emplacement> restore latest --target <dossier vide>."),
        ],
    }
    if include_password:
        info["password"] = "; ".join(passwords)
    return info
