"""Errors of ``hygie backup`` (exit-code bands 10-19 and 53-57).

Each error tells the user what happened and the next step, in French, without blame.
"""

from __future__ import annotations

from hygie.errors import AppError

INSTALL_RESTIC_FR = (
    "Installez restic puis relancez la commande : "
    "Debian/Ubuntu « sudo apt install restic » ; "
    "Windows « winget install restic.restic » (ou scoop install restic) ; "
    "macOS « brew install restic ». "
    "Vous pouvez aussi télécharger restic sur https://restic.net."
)


class BackupError(AppError):
    """Base class of the backup errors."""

    exit_code = 17
    code = "backup_failed"
    message_fr = "La sauvegarde vers « {destination} » a échoué : {detail}"
    hint_fr = (
        "Relancez « hygie backup run » ; si l'erreur revient, "
        "montrez ce message à votre prestataire."
    )


class ResticNotFound(BackupError):
    """restic is not installed (or not on PATH)."""

    exit_code = 10
    code = "restic_not_found"
    message_fr = "Le programme de sauvegarde « restic » n'est pas installé sur cet ordinateur."
    hint_fr = INSTALL_RESTIC_FR


class NotConfigured(BackupError):
    """``hygie backup setup`` has not been run yet (or names an unknown destination)."""

    exit_code = 11
    code = "not_configured"
    message_fr = "Aucune sauvegarde n'est configurée{detail}."
    hint_fr = "Configurez-la d'abord : « hygie backup setup »."


class DestinationAbsent(BackupError):
    """A removable destination (external disk) is not connected, or another disk is."""

    exit_code = 12
    code = "destination_absent"
    message_fr = "Le disque de sauvegarde « {destination} » n'est pas branché{detail}."
    hint_fr = (
        "Branchez le disque « {label} » puis relancez la commande. "
        "Rien n'a été sauvegardé sur ce disque cette fois-ci."
    )


class WrongPassword(BackupError):
    """restic refused the repository password."""

    exit_code = 13
    code = "wrong_password"
    message_fr = "Le mot de passe de la sauvegarde « {destination} » est refusé."
    hint_fr = (
        "Reprenez le mot de passe inscrit sur la fiche de récupération imprimée et "
        "enregistrez-le avec « hygie backup password --destination {destination} » ; "
        "vos données ne sont pas touchées."
    )


class RepositoryCorrupted(BackupError):
    """restic check or a test restore found damaged data in the repository."""

    exit_code = 14
    code = "repository_corrupted"
    message_fr = "La sauvegarde « {destination} » est endommagée : {detail}"
    hint_fr = (
        "Ne supprimez rien. Réparez-la : « hygie backup repair --destination {destination} » ; "
        "en attendant, gardez une copie sur une autre destination."
    )


class DestinationFull(BackupError):
    """The destination has no space left (or refuses writes)."""

    exit_code = 15
    code = "destination_full"
    message_fr = "La destination « {destination} » est pleine ou refuse l'écriture : {detail}"
    hint_fr = (
        "Libérez de la place sur la destination ou utilisez un disque plus grand, "
        "puis relancez « hygie backup run ». Les sauvegardes précédentes sont intactes."
    )


class DestinationUnreachable(BackupError):
    """A network destination (S3, REST, SFTP) does not answer."""

    exit_code = 16
    code = "destination_unreachable"
    message_fr = "La destination « {destination} » ne répond pas : {detail}"
    hint_fr = (
        "Vérifiez la connexion Internet puis relancez « hygie backup run ». "
        "Aucune sauvegarde n'a été comptée comme réussie vers cette destination."
    )


class RestoreConflict(BackupError):
    """A restore would overwrite existing files."""

    exit_code = 18
    code = "restore_conflict"
    message_fr = (
        "Le dossier {target} n'est pas vide : la restauration pourrait écraser des fichiers."
    )
    hint_fr = "Choisissez un dossier vide (ou nouveau) avec --target."


class VerifyFailed(BackupError):
    """The restore test found files that differ from the source."""

    exit_code = 19
    code = "verify_failed"
    message_fr = "Le test de restauration de « {destination} » a échoué : {detail}"
    hint_fr = (
        "Gardez cette sauvegarde, faites-en une nouvelle (« hygie backup run ») puis "
        "relancez « hygie backup verify --full » ; si l'échec revient, appelez votre prestataire."
    )


# Band 53-57: issue #14 (sticky failures, repair, one backup at a time, existing repository).
class RepositoryDamaged(BackupError):
    """A restore test found this destination damaged earlier; it stays so until a repair
    followed by a full restore test proves it sound (``hygie backup repair``)."""

    exit_code = 53
    code = "repository_damaged"
    message_fr = (
        "La sauvegarde « {destination} » est endommagée depuis le {since} "
        "(test de restauration échoué) : {detail}"
    )
    hint_fr = (
        "Ne supprimez rien. Réparez-la : « hygie backup repair --destination {destination} » "
        "(la réparation se termine par un test de restauration complet : seul ce test, "
        "réussi après la réparation, lève l'alerte)."
    )


class BackupBusy(BackupError):
    """Another hygie (command line, dashboard or schedule) is already working on this
    destination: one backup at a time per destination."""

    exit_code = 54
    code = "backup_busy"
    message_fr = (
        "Une autre opération de sauvegarde sur « {destination} » est déjà en cours "
        "(programme n° {pid}, depuis {since})."
    )
    hint_fr = (
        "Attendez qu'elle se termine (tableau de bord ou planification), puis relancez la "
        "commande. Rien n'a été fait cette fois-ci."
    )


class RepairFailed(BackupError):
    """``hygie backup repair`` could not make the destination sound again."""

    exit_code = 55
    code = "repair_failed"
    message_fr = "La réparation de la sauvegarde « {destination} » n'a pas abouti : {detail}"
    hint_fr = (
        "Ne supprimez rien. Faites une sauvegarde sur une autre destination, puis montrez ce "
        "message à votre prestataire (docs : « Réparer une sauvegarde endommagée »)."
    )


class ExistingRepositoryPassword(BackupError):
    """setup met an existing repository: hygie never makes up a new password for it, it
    asks for the one on the recovery sheet and checks that it opens the repository."""

    exit_code = 56
    code = "existing_repository_password"
    message_fr = (
        "Une sauvegarde existe déjà à l'emplacement « {location} » : hygie ne crée pas de "
        "nouveau mot de passe pour elle{detail}."
    )
    hint_fr = (
        "Reprenez le mot de passe inscrit sur la fiche de récupération imprimée et relancez "
        "« hygie backup setup » sans --yes (il vous sera demandé), ou donnez-le sur l'entrée "
        "standard avec --password-stdin."
    )


class BackupInterrupted(BackupError):
    """hygie was asked to stop (signal, time limit) while restic worked: restic was stopped
    with it and nothing was counted as done."""

    exit_code = 57
    code = "backup_interrupted"
    message_fr = "L'opération sur « {destination} » a été interrompue : {detail}"
    hint_fr = (
        "Relancez la commande : une sauvegarde interrompue ne compte pas, et le verrou "
        "laissé par restic est levé automatiquement la prochaine fois."
    )
