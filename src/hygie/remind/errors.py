"""Errors of the reminders (usage/configuration band: exit code 2)."""

from __future__ import annotations

from hygie.errors import EXIT_USAGE, AppError


class RemindConfigError(AppError):
    """The ``[remind]`` table of the configuration file holds a value hygie cannot use."""

    exit_code = EXIT_USAGE
    code = "remind_config"
    message_fr = "Réglage de rappel incorrect dans le fichier de configuration : « {key} »."
    hint_fr = (
        "Les délais sont des nombres de jours (par exemple 2 ou 7) ; les heures calmes "
        "s'écrivent « 20:00-08:00 ». Corrigez la ligne ou supprimez-la pour garder la valeur "
        "par défaut."
    )


class UnknownReminder(AppError):
    """A snooze named a reminder that is not due (or does not exist)."""

    exit_code = EXIT_USAGE
    code = "remind_unknown"
    message_fr = "Aucun rappel « {key} » n'est en cours."
    hint_fr = "« hygie remind --json » liste les rappels en cours et leur clé."
