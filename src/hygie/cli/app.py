"""The root command ``hygie`` and the one place that maps errors to exit codes.

Start-up is kept short: nothing here imports a capability, Rich or the output module until a
command needs them (``hygie --version`` costs little more than starting Python).
"""

from __future__ import annotations

import importlib
import sys
from typing import Annotated

import typer
import typer.main
from typer import _click as click
from typer.core import TyperGroup

from hygie import __version__
from hygie.cli.words import install as install_words
from hygie.cli.words import show_usage_error, word
from hygie.errors import EXIT_USAGE, AppError, UsageError
from hygie.i18n import N_, SUPPORTED, _, set_language


class LazyGroup(TyperGroup):
    """The root group: a capability's module is imported only when its command is used.

    ``hygie --version`` and ``hygie --help`` import no capability (the listing comes from
    :data:`COMMANDS`); ``hygie audit`` imports ``hygie.cli.audit`` only. A module listed in
    :data:`CLI_MODULES` whose command is missing from :data:`COMMANDS` still works (every
    module is then imported to find it), and a meta-test says so.
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        names = list(COMMANDS)
        return names + [n for n in self.commands if n not in COMMANDS]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        cmd = self.commands.get(cmd_name)
        if cmd is not None:
            return cmd
        entry = COMMANDS.get(cmd_name)
        # A name outside the table: only the modules the table does not describe can hold it
        # (a typo then imports nothing).
        listed = {module for module, _help in COMMANDS.values()}
        modules = [entry[0]] if entry else [m for m in CLI_MODULES if m not in listed]
        for module in modules:
            for name, loaded in load_module_commands(module).items():
                self.commands.setdefault(name, loaded)
        return self.commands.get(cmd_name)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        try:
            return self._click_resolve_command(ctx, args)
        except click.exceptions.UsageError as exc:
            import difflib

            matches = difflib.get_close_matches(args[0], self.list_commands(ctx)) if args else []
            if matches:
                exc.message = (
                    exc.message.rstrip(".")
                    + ". Did you mean "
                    + ", ".join(repr(m) for m in matches)
                    + "?"
                )
            raise

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The listing from :data:`COMMANDS` (nothing imported), never cut with "…"."""
        rows = []
        for name in self.list_commands(ctx):
            if name in COMMANDS:
                rows.append((name, _(COMMANDS[name][1])))
            else:
                cmd = self.get_command(ctx, name)
                if cmd is not None and not cmd.hidden:
                    rows.append((name, short_help(cmd)))
        if rows:
            with formatter.section(word("Commands")):
                formatter.write_dl(rows)


app = typer.Typer(
    name="hygie",
    help="hygie : l'hygiène informatique du cabinet, vérifiée et appliquée sur cet ordinateur.",
    cls=LazyGroup,
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"hygie {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    lang: Annotated[
        str,
        typer.Option(
            "--lang",
            envvar="HYGIE_LANG",
            metavar="fr|en",
            help="Langue : fr (défaut) ou en ; aussi après la commande (hygie audit --lang en).",
        ),
    ] = "fr",
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Version.")
    ] = False,
    home: Annotated[
        str | None,
        typer.Option(
            "--home",
            help="Dossier des données de hygie (comme HYGIE_HOME ; utilisé par les tâches "
            "planifiées de Windows, qui ne transmettent pas de variables d'environnement).",
        ),
    ] = None,
    debug: Annotated[
        bool,
        typer.Option("--debug", help="Afficher aussi le journal technique (fichier hygie.log)."),
    ] = False,
) -> None:
    """hygie : l'hygiène informatique du cabinet."""
    if home:
        import os

        os.environ["HYGIE_HOME"] = home
    use_language(lang)
    if debug:
        from hygie import log as hygie_log

        hygie_log.setup(debug=True)


# One module per capability, each with ``register(app)``. A capability adds one line here,
# and its commands to COMMANDS (name -> module, one-line help in French) so that the
# listing of ``hygie --help`` does not import it.
CLI_MODULES: tuple[str, ...] = (
    "hygie.cli.audit",
    "hygie.cli.backup",
    "hygie.cli.incident",
    "hygie.cli.kit",
    "hygie.cli.mail",
    "hygie.cli.media",
    "hygie.cli.scan",
    "hygie.cli.serve",
    "hygie.cli.doctor",
    "hygie.cli.remind",
    "hygie.cli.fleet",
)

COMMANDS: dict[str, tuple[str, str]] = {
    "audit": ("hygie.cli.audit", N_("Faire le bilan d'hygiène de cet ordinateur (M01 à M13).")),
    "questionnaire": (
        "hygie.cli.audit",
        N_("Répondre aux questions que hygie ne peut pas vérifier seul."),
    ),
    "scan": ("hygie.cli.scan", N_("Chercher des données de patient dans des fichiers ou e-mails.")),
    "serve": ("hygie.cli.serve", N_("Ouvrir le tableau de bord dans le navigateur.")),
    "backup": (
        "hygie.cli.backup",
        N_("Sauvegardes chiffrées, testées, en deux endroits (restic)."),
    ),
    "kit": (
        "hygie.cli.kit",
        N_("Le kit d'urgence imprimable (six gestes, contacts, dmp.fr)."),
    ),
    "incident": (
        "hygie.cli.incident",
        N_("En cas de cyberattaque : journal, six gestes, constat."),
    ),
    "mail": ("hygie.cli.mail", N_("Messagerie : adresses MSSanté, relais de garde, exposition.")),
    "media": ("hygie.cli.media", N_("Station blanche : analyser une clé USB ou un disque.")),
    "doctor": ("hygie.cli.doctor", N_("Vérifier les composants dont hygie a besoin ici.")),
    "remind": ("hygie.cli.remind", N_("Rappels : prévenir quand une mesure glisse.")),
    "fleet": (
        "hygie.cli.fleet",
        N_("Suivi de parc : campagnes (union régionale, cabinet, prestataire), sans patient."),
    ),
}


def short_help(cmd: click.Command) -> str:
    """A command's first help paragraph, whole (Click would cut it with "…")."""
    if cmd.short_help:
        return cmd.short_help
    return (cmd.help or "").split("\n\n")[0].strip()


def _localize(cmd: click.Command) -> None:
    """Translate a loaded command tree's help texts and give each its whole short help."""
    if cmd.help:
        cmd.help = _(cmd.help)
    cmd.short_help = _(cmd.short_help) if cmd.short_help else short_help(cmd)
    for param in cmd.params:
        text = getattr(param, "help", None)
        if text:
            param.help = _(text)  # type: ignore[attr-defined]
    for sub in getattr(cmd, "commands", {}).values():
        _localize(sub)


def load_module_commands(module: str) -> dict[str, click.Command]:
    """Import one CLI module and return the Click commands its ``register`` adds."""
    holder = typer.Typer(rich_markup_mode=None, add_completion=False)
    importlib.import_module(module).register(holder)
    group = typer.main.get_group(holder)
    commands = dict(group.commands)
    for cmd in commands.values():
        _localize(cmd)
    return commands


def _wants_json(argv: list[str]) -> bool:
    return "--json" in argv


def take_lang(args: list[str]) -> tuple[str | None, list[str]]:
    """Take ``--lang X`` / ``--lang=X`` out of ``args`` wherever it stands (before ``--``).

    The language must be known before Click draws a help page or an error, and the README's
    ``hygie audit --lang en`` must work as well as ``hygie --lang en audit``.
    """
    lang: str | None = None
    rest: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            rest.extend(args[i:])
            break
        if arg == "--lang" and i + 1 < len(args):
            lang = args[i + 1]
            i += 2
            continue
        if arg.startswith("--lang="):
            lang = arg.split("=", 1)[1]
            i += 1
            continue
        rest.append(arg)
        i += 1
    return lang, rest


def _unexpected(exc: Exception) -> AppError:
    """Log an uncaught error with its traceback; the French error the user sees."""
    import logging

    from hygie import log as hygie_log
    from hygie.errors import UnexpectedError

    logging.getLogger("hygie.cli").error("uncaught error", exc_info=exc)
    return UnexpectedError(kind=type(exc).__name__, log=str(hygie_log.log_path()))


def use_language(lang: str) -> None:
    """Choose the language the user typed (--lang, HYGIE_LANG); unknown -> UsageError."""
    if lang not in SUPPORTED:
        raise UsageError(detail=f"langue « {lang} » inconnue (choix : {', '.join(SUPPORTED)})")
    set_language(lang)


def main(argv: list[str] | None = None) -> None:
    import os

    from hygie import log as hygie_log

    args = list(sys.argv[1:] if argv is None else argv)
    hygie_log.setup(debug="--debug" in args)
    install_words()
    try:
        if os.environ.get("HYGIE_REPLAY"):
            # hygie.replay's variable; the module (and subprocess) only when asked for.
            from hygie.replay import install_from_env

            install_from_env()
        lang, args = take_lang(args)
        lang = lang or os.environ.get("HYGIE_LANG") or None
        if lang:
            use_language(lang)
            args = ["--lang", lang, *args]
        try:
            rv = app(args=args, prog_name="hygie", standalone_mode=False)
        except (AppError, typer.Abort, typer.Exit, click.ClickException, KeyboardInterrupt):
            raise
        except Exception as unexpected:  # a bug: logged with its traceback, French message
            raise _unexpected(unexpected) from unexpected
    except AppError as exc:
        from rich.text import Text

        from hygie.output import envelope, err_console, print_json

        if _wants_json(args):
            print_json(envelope("error", None, status="error", error=exc.to_dict()))
        err_console.print(Text.assemble((_("Erreur") + " : ", "bold red"), exc.render()))
        hint = exc.hint()
        if hint:
            err_console.print(Text("→ " + hint))
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        typer.echo(_("Interrompu. Rien n'a été perdu."), err=True)
        sys.exit(130)
    except click.exceptions.NoArgsIsHelpError as exc:
        exc.show()
        sys.exit(exc.exit_code if exc.exit_code else EXIT_USAGE)
    except click.exceptions.UsageError as exc:
        show_usage_error(exc)
        sys.exit(exc.exit_code if exc.exit_code else EXIT_USAGE)
    except typer.TyperException as exc:
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        else:
            typer.echo(exc.format_message(), err=True)
        sys.exit(exc.exit_code if exc.exit_code else EXIT_USAGE)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    sys.exit(rv if isinstance(rv, int) else 0)
