"""Errors of ``hygie scan``: exit codes 26-29 (20-25 are the mail capability's, same band)."""

from __future__ import annotations

from hygie.errors import AppError


class ScanError(AppError):
    """Base class of the scan errors."""

    exit_code = 26
    code = "scan"
    message_fr = "L'analyse n'a pas pu être faite : {detail}"
    hint_fr = "Vérifiez le chemin indiqué puis relancez « hygie scan »."


class ScanPathNotFound(ScanError):
    """A path given on the command line does not exist."""

    exit_code = 27
    code = "scan_path_not_found"
    message_fr = "Le chemin « {path} » n'existe pas."
    hint_fr = "Vérifiez l'orthographe du chemin, ou glissez le dossier dans la fenêtre du terminal."


class ScanNothingToScan(ScanError):
    """The folders given hold no file at all."""

    exit_code = 28
    code = "scan_nothing"
    message_fr = "Aucun fichier à analyser dans : {paths}"
    hint_fr = "Indiquez un dossier qui contient des documents, ou directement un fichier."
