"""The root command ``hygie`` and the one place that maps errors to exit codes."""

from __future__ import annotations

import logging
import sys
from typing import Annotated

import click
import typer
from rich.text import Text

from hygie import __version__
from hygie import log as hygie_log
from hygie.errors import EXIT_USAGE, AppError, UnexpectedError
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
    debug: Annotated[
        bool,
        typer.Option("--debug", help="Afficher aussi le journal technique (fichier hygie.log)."),
    ] = False,
) -> None:
    """hygie : l'hygiène informatique du cabinet."""
    set_language(lang)
    if debug:
        hygie_log.setup(debug=True)


# One module per capability, each with ``register(app)``. A capability adds one line here.
CLI_MODULES: tuple[str, ...] = (
    "hygie.cli.audit",
    "hygie.cli.backup",
    "hygie.cli.incident",
    "hygie.cli.kit",
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


def _unexpected(exc: Exception) -> AppError:
    """Log an uncaught error with its traceback; the French error the user sees."""
    logging.getLogger("hygie.cli").error("uncaught error", exc_info=exc)
    return UnexpectedError(kind=type(exc).__name__, log=str(hygie_log.log_path()))


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    hygie_log.setup(debug="--debug" in args)
    try:
        try:
            rv = app(args=args, prog_name="hygie", standalone_mode=False)
        except (AppError, typer.Abort, typer.TyperException, typer.Exit, click.ClickException,
                KeyboardInterrupt):  # fmt: skip
            raise
        except Exception as unexpected:
            raise _unexpected(unexpected) from unexpected
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
