"""Errors of ``hygie scan`` (exit codes 20-24; 25-29 are the mail capability's)."""

from __future__ import annotations

from hygie.errors import AppError


class ScanError(AppError):
    """Base class of the scan errors."""

    exit_code = 20
    code = "scan"
    message_fr = "L'analyse n'a pas pu être faite : {detail}"
    hint_fr = "Vérifiez le chemin indiqué puis relancez « hygie scan »."


class ScanPathNotFound(ScanError):
    """A path given on the command line does not exist."""

    exit_code = 21
    code = "scan_path_not_found"
    message_fr = "Le chemin « {path} » n'existe pas."
    hint_fr = "Vérifiez l'orthographe du chemin, ou glissez le dossier dans la fenêtre du terminal."


class ScanNothingToScan(ScanError):
    """The folders given hold no file at all."""

    exit_code = 22
    code = "scan_nothing"
    message_fr = "Aucun fichier à analyser dans : {paths}"
    hint_fr = "Indiquez un dossier qui contient des documents, ou directement un fichier."
