"""Every error hygie raises, with its French message template and its exit code.

Exit-code bands (see docs/reference/exit-codes.md, generated from this module):

* 0 ok, 1 findings (a critical measure, patient data found, an infected file...),
* 2 usage or configuration error,
* 3-63 specific failures of a capability,
* 64-99 fleet errors, 128+N killed by signal N.

Only ``hygie.cli.app`` turns an :class:`AppError` into an exit code. The class docstring's
first paragraph documents the error for developers; ``message_fr`` is the user-facing
template (French first; translated through gettext like every other user text).
"""

from __future__ import annotations

from typing import Any, ClassVar

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2


class AppError(Exception):
    """Base class of every hygie error."""

    exit_code: ClassVar[int] = EXIT_USAGE
    code: ClassVar[str] = "error"
    message_fr: ClassVar[str] = "Une erreur est survenue : {detail}"
    hint_fr: ClassVar[str] = ""

    def __init__(self, **params: Any) -> None:
        self.params = params
        super().__init__(self.render())

    def render(self) -> str:
        from hygie.i18n import _

        try:
            return _(self.message_fr).format(**self.params)
        except (KeyError, IndexError):
            return _(self.message_fr)

    def hint(self) -> str:
        from hygie.i18n import _

        if not self.hint_fr:
            return ""
        try:
            return _(self.hint_fr).format(**self.params)
        except (KeyError, IndexError):
            return _(self.hint_fr)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "exit_code": self.exit_code,
            "message": self.render(),
            "hint": self.hint(),
        }


class UsageError(AppError):
    """The command line is wrong."""

    exit_code = EXIT_USAGE
    code = "usage"
    message_fr = "Commande incorrecte : {detail}"
    hint_fr = "Tapez « hygie --help » pour voir les commandes possibles."


class ConfigError(AppError):
    """A configuration or answers file could not be read; names the file, line and key."""

    exit_code = EXIT_USAGE
    code = "config"
    message_fr = "Le fichier {path} n'est pas valide (ligne {line}) : {detail}"
    hint_fr = "Corrigez cette ligne puis relancez la commande. Rien n'a été modifié."


class StoreError(AppError):
    """The local history database could not be opened or written."""

    exit_code = 3
    code = "store"
    message_fr = "Impossible d'utiliser la base locale de hygie ({path}) : {detail}"
    hint_fr = (
        "Vérifiez que le dossier existe et que vous pouvez y écrire, "
        "ou choisissez un autre dossier avec la variable HYGIE_HOME."
    )


class ToolMissing(AppError):
    """An external program hygie needs is not installed."""

    exit_code = 4
    code = "tool_missing"
    message_fr = "Le programme « {tool} » n'est pas installé sur cet ordinateur."
    hint_fr = "{install}"


class ReportError(AppError):
    """A report (HTML or PDF) could not be written."""

    exit_code = 5
    code = "report"
    message_fr = "Le rapport n'a pas pu être écrit dans {path} : {detail}"
    hint_fr = "Choisissez un autre emplacement (par exemple votre dossier Documents)."


class UnexpectedError(AppError):
    """An error hygie did not foresee (a bug): logged with its traceback, then this message."""

    exit_code = 58
    code = "unexpected"
    message_fr = "Erreur inattendue ({kind}) : hygie s'est arrêté sans rien terminer de plus."
    hint_fr = (
        "Le détail est dans {log} ; envoyez ce fichier à votre prestataire informatique "
        "ou aux développeurs de hygie (il ne contient aucun numéro de patient en clair)."
    )


def all_error_classes() -> list[type[AppError]]:
    """Every AppError subclass, for the generated exit-code reference and its meta-test."""
    seen: list[type[AppError]] = []
    stack: list[type[AppError]] = [AppError]
    while stack:
        cls = stack.pop()
        seen.append(cls)
        stack.extend(cls.__subclasses__())
    return sorted(seen, key=lambda c: (c.exit_code, c.__name__))
