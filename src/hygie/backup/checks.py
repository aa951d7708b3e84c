"""Checks of M07 (backups) and M10 (HDS) from the state hygie backup records. Pure."""

from __future__ import annotations

from typing import Any

from hygie.audit import Facts, Outcome, Status, check
from hygie.backup.facts import MAX_BACKUP_AGE_DAYS
from hygie.backup.restic import RECOMMENDED_VERSION, parse_version
from hygie.i18n import _

MAX_VERIFY_AGE_DAYS = 35


def _rows(value: object) -> list[dict[str, Any]]:
    return [r for r in value if isinstance(r, dict)] if isinstance(value, list) else []


def _days(age: object) -> str:
    if not isinstance(age, int | float):
        return _("jamais")
    if age < 1:
        return _("il y a moins d'un jour")
    return _("il y a {n} j").format(n=int(age))


@check("M07.last_backup_age", facts=("backup.destinations",))
def last_backup_age(f: Facts) -> Outcome:
    rows = _rows(f.value("backup.destinations"))
    if not rows:
        return Outcome(Status.FAIL, _("aucune destination de sauvegarde configurée"))
    parts = [f"{r['name']} : {_days(r.get('last_success_age_days'))}" for r in rows]
    ages = [r.get("last_success_age_days") for r in rows]
    fresh = [a for a in ages if isinstance(a, int | float) and a <= MAX_BACKUP_AGE_DAYS]
    evidence = _("dernière sauvegarde réussie — {parts}").format(parts=", ".join(parts))
    if not fresh:
        return Outcome(Status.FAIL, evidence)
    if len(fresh) < len(rows):
        return Outcome(
            Status.WARN,
            evidence
            + _(" (au moins une destination a plus de {n} jours)").format(n=MAX_BACKUP_AGE_DAYS),
        )
    return Outcome(Status.OK, evidence)


@check("M07.restore_test_result", facts=("backup.verify_state",))
def restore_test_result(f: Facts) -> Outcome:
    rows = _rows(f.value("backup.verify_state"))
    damaged = [r for r in rows if r.get("damaged_since")]
    if damaged:
        return Outcome(
            Status.FAIL,
            _(
                "sauvegarde endommagée, pas encore réparée : {names} — l'alerte reste tant "
                "qu'une réparation suivie d'un test complet n'a pas réussi"
            ).format(
                names=", ".join(
                    _("{name} (depuis le {since})").format(
                        name=r["name"], since=str(r["damaged_since"])[:10]
                    )
                    for r in damaged
                )
            ),
        )
    failed = [r["name"] for r in rows if r.get("ok") is False]
    if failed:
        return Outcome(
            Status.FAIL,
            _("le dernier test de restauration a échoué : {names}").format(names=", ".join(failed)),
        )
    never = [r["name"] for r in rows if r.get("ok") is None]
    if not rows or len(never) == len(rows):
        return Outcome(Status.FAIL, _("aucun test de restauration (« hygie backup verify »)"))
    ages = [r["age_days"] for r in rows if isinstance(r.get("age_days"), int | float)]
    parts = ", ".join(f"{r['name']} : {_days(r.get('age_days'))}" for r in rows)
    if never or (ages and max(ages) > MAX_VERIFY_AGE_DAYS):
        return Outcome(
            Status.WARN,
            _("test de restauration réussi mais ancien ou incomplet — {parts}").format(parts=parts),
        )
    return Outcome(Status.OK, _("test de restauration réussi — {parts}").format(parts=parts))


@check("M07.open_files", facts=("backup.fs_snapshot",))
def open_files(f: Facts) -> Outcome:
    """Windows: without elevation restic cannot use VSS, so a database open in the practice
    software may be copied in the middle of a write."""
    rows = _rows(f.value("backup.fs_snapshot"))
    without = [str(r["name"]) for r in rows if r.get("fs_snapshot") is False]
    if without:
        return Outcome(
            Status.WARN,
            _(
                "la dernière sauvegarde ({names}) a tourné sans les droits d'administrateur : "
                "sans instantané VSS, une base de données ouverte (logiciel du cabinet) a pu "
                "être copiée en cours d'écriture et être incohérente"
            ).format(names=", ".join(without)),
        )
    return Outcome(
        Status.OK, _("fichiers ouverts copiés de façon cohérente (instantané VSS de Windows)")
    )


@check("M07.removable_unplugged", facts=("backup.left_mounted",))
def removable_unplugged(f: Facts) -> Outcome:
    names = [str(n) for n in f.value("backup.left_mounted") or []]  # type: ignore[attr-defined]
    if names:
        return Outcome(
            Status.WARN,
            _("disque de sauvegarde resté branché d'un bilan à l'autre : {names}").format(
                names=", ".join(names)
            ),
        )
    return Outcome(Status.OK, _("le disque de sauvegarde est débranché entre les sauvegardes"))


@check("M07.restic_version", facts=("backup.restic_version",))
def restic_version(f: Facts) -> Outcome:
    raw = str(f.value("backup.restic_version") or "")
    v = parse_version("restic " + raw)
    if v is None:
        return Outcome(
            Status.FAIL, _("restic n'est pas installé : les sauvegardes ne peuvent pas tourner")
        )
    want = ".".join(str(x) for x in RECOMMENDED_VERSION)
    if v < RECOMMENDED_VERSION:
        return Outcome(
            Status.WARN,
            _(
                "restic {v} : mettez-le à jour (version {want} ou plus récente, "
                "qui corrige une faiblesse du découpage des fichiers)"
            ).format(v=raw, want=want),
        )
    return Outcome(Status.OK, _("restic {v} est à jour").format(v=raw))


@check("M07.password_storage", facts=("backup.secrets_backend",))
def password_storage(f: Facts) -> Outcome:
    backend = str(f.value("backup.secrets_backend") or "")
    if backend.startswith("keyring"):
        return Outcome(Status.OK, _("mots de passe des sauvegardes dans le trousseau du système"))
    # Said plainly (issue #3): a 0600 file is readable by anything running as this user.
    return Outcome(
        Status.WARN,
        _(
            "pas de trousseau système : mots de passe des sauvegardes dans un fichier "
            "protégé (0600) du dossier de données de hygie"
        ),
    )


@check("M10.backup_endpoints", facts=("backup.cloud_endpoints",))
def backup_endpoints(f: Facts) -> Outcome:
    rows = _rows(f.value("backup.cloud_endpoints"))
    public = [r for r in rows if not r.get("private")]
    if not public:
        return Outcome(Status.NOT_APPLICABLE, _("aucune sauvegarde chez un hébergeur en ligne"))
    bad = [str(r["host"]) for r in public if not r.get("hds_provider")]
    if bad:
        return Outcome(
            Status.FAIL,
            _(
                "sauvegarde en ligne chez un hébergeur absent de la liste HDS fournie : {hosts}"
            ).format(hosts=", ".join(bad)),
        )
    return Outcome(
        Status.OK,
        _("sauvegarde en ligne chez un hébergeur certifié HDS : {p}").format(
            p=", ".join(sorted({str(r["hds_provider"]) for r in public}))
        ),
    )
