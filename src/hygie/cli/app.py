"""The root command ``hygie`` and the one place that maps errors to exit codes."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.text import Text

from hygie import __version__
from hygie.errors import EXIT_USAGE, AppError
from hygie.i18n import _, set_language
from hygie.output import envelope, err_console, print_json

app = typer.Typer(
    name="hygie",
    help="hygie : l'hygiène informatique du cabinet, vérifiée et appliquée sur cet ordinateur.",
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
        str, typer.Option("--lang", envvar="HYGIE_LANG", help="Langue : fr (défaut) ou en.")
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
) -> None:
    """hygie : l'hygiène informatique du cabinet."""
    if home:
        import os

        os.environ["HYGIE_HOME"] = home
    set_language(lang)


# One module per capability, each with ``register(app)``. A capability adds one line here.
CLI_MODULES: tuple[str, ...] = (
    "hygie.cli.audit",
    "hygie.cli.backup",
    "hygie.cli.incident",
    "hygie.cli.mail",
    "hygie.cli.media",
    "hygie.cli.scan",
    "hygie.cli.serve",
)


def _register() -> None:
    import importlib

    for name in CLI_MODULES:
        importlib.import_module(name).register(app)


_register()


def _wants_json(argv: list[str]) -> bool:
    return "--json" in argv


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        rv = app(args=args, prog_name="hygie", standalone_mode=False)
    except AppError as exc:
        if _wants_json(args):
            print_json(envelope("error", None, status="error", error=exc.to_dict()))
        err_console.print(Text.assemble((_("Erreur") + " : ", "bold red"), exc.render()))
        hint = exc.hint()
        if hint:
            err_console.print(Text("→ " + hint))
        sys.exit(exc.exit_code)
    except typer.Abort:
        err_console.print(_("Interrompu. Rien n'a été perdu."))
        sys.exit(130)
    except typer.TyperException as exc:
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        else:
            err_console.print(exc.format_message())
        sys.exit(exc.exit_code if exc.exit_code else EXIT_USAGE)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err_console.print(_("Interrompu. Rien n'a été perdu."))
        sys.exit(130)
    sys.exit(rv if isinstance(rv, int) else 0)
