"""Errors of the incident and kit capability (exit codes 40-49, 58-59)."""

from __future__ import annotations

from hygie.errors import AppError


class IncidentError(AppError):
    """Base class of incident/kit errors."""

    exit_code = 40
    code = "incident"
    message_fr = "Incident : {detail}"
    hint_fr = "Relancez la commande ; si le problème continue, notez-le sur papier."


class DestinationNotWritable(IncidentError):
    """The incident folder (journal, triage, drafts) cannot be written (read-only, full...)."""

    exit_code = 41
    code = "incident_destination_not_writable"
    message_fr = "Impossible d'écrire dans le dossier {path} : {detail}"
    hint_fr = (
        "Branchez une clé USB qui n'est pas protégée en écriture (ou choisissez un autre "
        "dossier) et relancez avec --to suivi de ce dossier."
    )


class JournalMissing(IncidentError):
    """No incident journal in the folder given to note/verify/report."""

    exit_code = 42
    code = "incident_journal_missing"
    message_fr = "Aucun journal d'incident dans {path}."
    hint_fr = "Ouvrez d'abord l'incident : « hygie incident start --to {path} »."


class JournalExists(IncidentError):
    """``start`` on a folder that already holds a journal."""

    exit_code = 43
    code = "incident_journal_exists"
    message_fr = "Un incident est déjà ouvert dans {path}."
    hint_fr = (
        "Ajoutez une note avec « hygie incident note {path} TEXTE », "
        "ou choisissez un autre dossier pour un nouvel incident."
    )


class NetworkBackendMissing(IncidentError):
    """No way to turn networking off was found on this machine."""

    exit_code = 44
    code = "incident_network_backend_missing"
    message_fr = "hygie ne sait pas couper le réseau sur cet ordinateur : {detail}"
    hint_fr = "Débranchez le câble réseau et coupez le Wi-Fi à la main (bouton ou paramètres)."


class IsolationFailed(IncidentError):
    """A command that turns networking off (or on) failed."""

    exit_code = 45
    code = "incident_isolation_failed"
    message_fr = "La commande « {command} » a échoué : {detail}"
    hint_fr = (
        "Débranchez le câble réseau et coupez le Wi-Fi à la main ; "
        "les droits administrateur sont peut-être nécessaires (sudo)."
    )


class ConfirmationRequired(IncidentError):
    """``--apply`` without a terminal to confirm and without ``--yes``."""

    exit_code = 46
    code = "incident_confirmation_required"
    message_fr = "Confirmation nécessaire avant de {action}."
    hint_fr = "Relancez dans un terminal, ou ajoutez --yes si vous êtes sûr(e)."


class KitError(IncidentError):
    """The emergency kit could not be written."""

    exit_code = 47
    code = "kit_write_failed"
    message_fr = "Le kit d'urgence n'a pas pu être écrit dans {path} : {detail}"
    hint_fr = "Choisissez un autre emplacement (par exemple votre dossier Documents)."


class PathNotFound(IncidentError):
    """A folder given to ``hygie incident check`` does not exist."""

    exit_code = 48
    code = "incident_path_not_found"
    message_fr = "Le dossier {path} n'existe pas."
    hint_fr = "Vérifiez le chemin et relancez la vérification."


class AnchorCopyNotWritable(IncidentError):
    """The second copy of the journal's head (``--copy-to``) cannot be written there."""

    exit_code = 49
    code = "incident_anchor_copy_not_writable"
    message_fr = (
        "La seconde copie du code de contrôle ne peut pas être écrite dans {path} : {detail}"
    )
    hint_fr = (
        "Choisissez un autre support que celui du journal (une deuxième clé USB, un dossier "
        "réseau) qui accepte l'écriture, ou ouvrez l'incident sans --copy-to."
    )


class CheckInconclusive(IncidentError):
    """``hygie incident check`` could examine nothing (0 files read) or only a part."""

    exit_code = 59
    code = "incident_check_inconclusive"
    message_fr = "Examen incomplet : {detail}"
    hint_fr = "Indiquez le dossier de vos documents : « hygie incident check DOSSIER »."
