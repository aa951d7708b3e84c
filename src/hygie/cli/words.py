"""Click's own words (the help layout and the usage errors) in the user's language.

Typer 0.29 vendors Click (``typer._click``) with its texts hard-coded in English: "Usage:",
"Show this message and exit.", "No such option: …". hygie speaks French first, so this
module translates them when the help is drawn and when a usage error is shown:

* the help formatter (usage prefix, metavars, section titles, ``[default: …]``) through
  :func:`install`, called once by :mod:`hygie.cli.app` before Click runs;
* usage errors through :func:`show_usage_error`, which prints the usage line, the hint and
  the message in French (``--lang en`` keeps Click's English).

Everything here is a pure mapping from Click's English to French; the pinned Typer version
(pyproject.toml) is what these strings were taken from, and tests/unit/cli check each one.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from typing import Any

from hygie.i18n import get_language

# Exact strings Click/Typer pass through gettext or hard-code in the help layout.
FR: dict[str, str] = {
    "Usage: ": "Utilisation : ",
    "Options": "Options",
    "Commands": "Commandes",
    "Arguments": "Arguments",
    "default: {default}": "défaut : {default}",
    "env var: {var}": "variable d'environnement : {var}",
    "required": "obligatoire",
    "(dynamic)": "(variable)",
    "Show this message and exit.": "Afficher cette aide et quitter.",
    "Missing command.": "Commande manquante.",
    "No such command {name!r}.": "Commande inconnue : {name!r}.",
    "Aborted!": "Interrompu.",
    "[OPTIONS]": "[OPTIONS]",
    "COMMAND [ARGS]...": "COMMANDE [ARGUMENTS]...",
}
METAVARS_FR: dict[str, str] = {
    "<path>": "<chemin>",
    "<str>": "<texte>",
    "<int>": "<nombre>",
    "<int range>": "<nombre>",
    "<float range>": "<nombre>",
    "<float>": "<nombre>",
    "<text>": "<texte>",
    "<choice>": "<choix>",
}

# Click's f-string messages (usage errors), matched whole; groups are kept as typed.
_ERRORS_FR: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(r"^No such option: (.+?) \(Possible options: (.+)\)$"),
        r"Option inconnue : \1 (options possibles : \2)",
    ),
    (re.compile(r"^No such option: (.+)$"), r"Option inconnue : \1"),
    (re.compile(r"^No such command '(.+)'\.$"), r"Commande inconnue : « \1 »."),
    (re.compile(r"^Missing command\.$"), r"Commande manquante."),
    (re.compile(r"^Missing option (.+?)\.(?: (.*))?$"), r"Option obligatoire manquante : \1."),
    (re.compile(r"^Missing argument (.+?)\.(?: (.*))?$"), r"Argument obligatoire manquant : \1."),
    (re.compile(r"^Missing parameter(?::)? ?(.*?)\.?$"), r"Paramètre manquant : \1."),
    (
        re.compile(r"^Got unexpected extra arguments? ?\(s\)? \((.+)\)$"),
        r"Argument(s) en trop : \1",
    ),
    (re.compile(r"^Got unexpected extra argument\(s\) \((.+)\)$"), r"Argument(s) en trop : \1"),
    (
        re.compile(r"^Option '(.+)' does not take a value\.$"),
        r"L'option « \1 » ne prend pas de valeur.",
    ),
    (re.compile(r"^Option '(.+)' requires an argument\.$"), r"L'option « \1 » attend une valeur."),
    (
        re.compile(r"^Option '(.+)' requires (\d+) arguments\.$"),
        r"L'option « \1 » attend \2 valeurs.",
    ),
]
_VALUE_PREFIX = re.compile(r"^Invalid value(?: for (.+?))?: (.*)$", re.S)
_VALUES_FR: list[tuple[re.Pattern[str], str]] = [
    # Click quotes what was typed: '' is an empty value (--workers '' or --days=)
    (re.compile(r"^'' is not a valid int(?:eger)?(?: range)?\.?$"), "un nombre entier est attendu"),
    (re.compile(r"^'' is not a valid float(?: range)?\.?$"), "un nombre est attendu"),
    (
        re.compile(r"^'?(.+?)'? is not a valid int(?:eger)?(?: range)?\.?$"),
        r"« \1 » n'est pas un nombre entier",
    ),
    (
        re.compile(r"^'(\d+),(\d+)' is not a valid float(?: range)?\.?$"),
        r"« \1,\2 » n'est pas un nombre (écrivez \1.\2, avec un point)",
    ),
    (re.compile(r"^'?(.+?)'? is not a valid float(?: range)?\.?$"), r"« \1 » n'est pas un nombre"),
    (re.compile(r"^'?(.+?)'? is not a valid boolean.*$"), r"« \1 » n'est ni oui ni non"),
    (
        re.compile(r"^(.+?) is not in the range (\S+?)<=x<=(\S+?)\.$"),
        r"\1 n'est pas entre \2 et \3",
    ),
    (re.compile(r"^(.+?) is not in the range x>=(\S+?)\.$"), r"\1 est plus petit que \2"),
    (re.compile(r"^(.+?) is not in the range x<=(\S+?)\.$"), r"\1 est plus grand que \2"),
    (re.compile(r"^(.+?) is not in the range (.+)\.$"), r"\1 n'est pas dans l'intervalle \2"),
    (re.compile(r"^(.+?) is not one of (.+)\.$"), r"\1 ne fait pas partie des choix : \2"),
    (re.compile(r"^(.+) (.+) does not exist\.$"), r"\2 n'existe pas"),
    (re.compile(r"^(.+) (.+) is a file\.$"), r"\2 est un fichier (un dossier est attendu)"),
    (re.compile(r"^(.+) (.+) is a directory\.$"), r"\2 est un dossier (un fichier est attendu)"),
    (re.compile(r"^(.+) (.+) is not readable\.$"), r"\2 ne peut pas être lu"),
    (re.compile(r"^(.+) (.+) is not writable\.$"), r"\2 ne peut pas être écrit"),
]


def french() -> bool:
    return get_language() == "fr"


def word(text: str) -> str:
    """One of Click's own words in the current language (unchanged in English)."""
    return FR.get(text, text) if french() else text


def error_message(text: str) -> str:
    """A Click usage-error message in the current language (unknown ones kept as they are)."""
    if not french():
        return text
    m = _VALUE_PREFIX.match(text)
    if m:
        where, inner = m.group(1), m.group(2)
        for pattern, repl in _VALUES_FR:
            if pattern.match(inner):
                inner = pattern.sub(repl, inner)
                break
        return (
            f"Valeur incorrecte pour {where} : {inner}" if where else f"Valeur incorrecte : {inner}"
        )
    for pattern, repl in _ERRORS_FR:
        if pattern.match(text):
            return pattern.sub(repl, text)
    return text


def _metavars(text: str) -> str:
    if not french():
        return text
    for en, fr in METAVARS_FR.items():
        text = text.replace(en, fr)
    return text


_installed = False


def install() -> None:
    """Route Click's help layout through :func:`word` (idempotent, process-wide)."""
    global _installed
    if _installed:
        return
    import typer.core as typer_core
    from typer._click import core as click_core
    from typer._click.formatting import HelpFormatter

    class LocalizedHelpFormatter(HelpFormatter):
        def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
            args = args.replace("COMMAND [ARGS]...", word("COMMAND [ARGS]..."))
            super().write_usage(
                prog, _metavars(args), word("Usage: ") if prefix is None else prefix
            )

        def write_dl(self, rows: Any, *args: Any, **kwargs: Any) -> None:
            rows = [(_metavars(first), second) for first, second in rows]
            super().write_dl(rows, *args, **kwargs)

    click_core.Context.formatter_class = LocalizedHelpFormatter
    # typer.core asks gettext for its section titles and [default: …] pieces.
    vars(typer_core)["_"] = word

    original: Callable[..., Any] = click_core.Command.get_help_option

    def get_help_option(self: Any, ctx: Any) -> Any:
        opt = original(self, ctx)
        if opt is not None and opt.help in FR:
            opt.help = word("Show this message and exit.")
        return opt

    click_core.Command.get_help_option = get_help_option  # type: ignore[method-assign]
    _installed = True


def show_usage_error(exc: Any) -> None:
    """Print a Click usage error like Click does, in the current language, on stderr."""
    from typer import echo

    ctx = getattr(exc, "ctx", None)
    if ctx is not None:
        hint = ""
        if ctx.command.get_help_option(ctx) is not None:
            command, option = ctx.command_path, ctx.help_option_names[0]
            hint = (
                f"Tapez « {command} {option} » pour l'aide.\n"
                if french()
                else f"Try '{command} {option}' for help.\n"
            )
        echo(f"{ctx.get_usage()}\n{hint}", err=True, file=sys.stderr)
    label = "Erreur" if french() else "Error"
    sep = " : " if french() else ": "
    echo(f"{label}{sep}{error_message(exc.format_message())}", file=sys.stderr)
