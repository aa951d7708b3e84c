"""Errors of the platform seam and of record/replay (exit codes 6–9)."""

from __future__ import annotations

from hygie.errors import AppError


class ReplayFolderError(AppError):
    """A recording given to ``--replay`` / ``HYGIE_REPLAY`` cannot be read."""

    exit_code = 6
    code = "replay_folder"
    message_fr = "L'enregistrement {path} ne peut pas être relu : {detail}"
    hint_fr = (
        "Vérifiez le chemin du dossier reçu (il contient recording.json et un dossier "
        "commands), ou demandez un nouvel enregistrement avec « hygie audit --record »."
    )


class RecordFolderError(AppError):
    """The folder given to ``hygie audit --record`` cannot be written."""

    exit_code = 7
    code = "record_folder"
    message_fr = "Impossible d'enregistrer les commandes dans {path} : {detail}"
    hint_fr = "Choisissez un dossier où vous pouvez écrire (par exemple dans Documents)."
