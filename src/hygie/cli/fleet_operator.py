"""``hygie fleet operator add|list|remove``: the accounts of the server's web UI.

The password is read from a prompt (typed twice, not echoed) or, when stdin is not a
terminal, from the first line of stdin — never from the command line, where every local user
could read it in the process list.
"""

from __future__ import annotations

import getpass
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer

from hygie.errors import EXIT_OK
from hygie.i18n import _

if TYPE_CHECKING:
    import psycopg

DatabaseOpt = Annotated[
    str,
    typer.Option(
        "--database",
        envvar="HYGIE_FLEET_DATABASE",
        help="Adresse de la base PostgreSQL (libpq), par exemple postgresql:///hygie_fleet.",
    ),
]
NameOpt = Annotated[str, typer.Option("--name", help="Nom de l'opérateur (ex. marie.dupont).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Écrire le résultat en JSON sur stdout.")]

operator_app = typer.Typer(
    help="Comptes des opérateurs de l'interface web du serveur (connexion, campagnes, exports).",
    no_args_is_help=True,
    rich_markup_mode=None,
)


def register(app: typer.Typer) -> None:
    """Add ``operator`` to the ``fleet`` group."""
    app.add_typer(operator_app, name="operator")


@contextmanager
def _connection(database: str) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    import psycopg

    from hygie.fleet.errors import OperatorSchemaMissing
    from hygie.fleet.server import connect

    conn = connect(database)
    try:
        yield conn
    except psycopg.errors.UndefinedTable:
        raise OperatorSchemaMissing() from None
    finally:
        conn.close()


def read_new_password() -> str:
    """Twice at a prompt, or one line of stdin when it is not a terminal."""
    from hygie.fleet.errors import OperatorPasswordRefused
    from hygie.fleet.server import MIN_PASSWORD, check_new_password

    if sys.stdin.isatty():
        first = getpass.getpass(
            _("Mot de passe (au moins {n} caractères) : ").format(n=MIN_PASSWORD)
        )
        check_new_password(first)
        second = getpass.getpass(_("Le même mot de passe, encore une fois : "))
        if first != second:
            raise OperatorPasswordRefused(
                reason=_("les deux saisies sont différentes"), minimum=MIN_PASSWORD
            )
        return first
    return check_new_password(sys.stdin.readline().rstrip("\r\n"))


@operator_app.command(
    "add", help="Créer un compte d'opérateur (mot de passe demandé, jamais en argument)."
)
def add(database: DatabaseOpt, name: NameOpt, json_: JsonOpt = False) -> int:
    from hygie.fleet.server import add_operator, check_name
    from hygie.output import envelope, err_console, print_json

    check_name(name)
    password = read_new_password()
    with _connection(database) as conn:
        op = add_operator(conn, name, password)
    if json_:
        print_json(envelope("fleet.operator.add", {"name": op.name}))
    else:
        err_console.print(
            _("Compte « {name} » créé : il peut se connecter à l'interface web du serveur.").format(
                name=op.name
            )
        )
    return EXIT_OK


@operator_app.command("list", help="Lister les comptes d'opérateurs.")
def list_(database: DatabaseOpt, json_: JsonOpt = False) -> int:
    from hygie.fleet.server import list_operators
    from hygie.output import envelope, print_json, stdout_console

    with _connection(database) as conn:
        ops = list_operators(conn)
    if json_:
        print_json(
            envelope(
                "fleet.operator.list",
                {
                    "operators": [
                        {
                            "name": o.name,
                            "created_at": o.created_at.isoformat(timespec="seconds"),
                            "last_login_at": o.last_login_at.isoformat(timespec="seconds")
                            if o.last_login_at
                            else None,
                        }
                        for o in ops
                    ]
                },
            )
        )
        return EXIT_OK
    console = stdout_console()
    if not ops:
        console.print(_("Aucun opérateur. Créez-en un avec « hygie fleet operator add »."))
    for o in ops:
        last = o.last_login_at.strftime("%d/%m/%Y %H:%M") if o.last_login_at else _("jamais")
        console.print(
            _("{name} — créé le {created}, dernière connexion : {last}").format(
                name=o.name, created=o.created_at.strftime("%d/%m/%Y"), last=last
            ),
            markup=False,
        )
    return EXIT_OK


@operator_app.command("remove", help="Supprimer un compte d'opérateur (ses sessions s'arrêtent).")
def remove(database: DatabaseOpt, name: NameOpt, json_: JsonOpt = False) -> int:
    from hygie.fleet.server import remove_operator
    from hygie.output import envelope, err_console, print_json

    with _connection(database) as conn:
        remove_operator(conn, name)
    if json_:
        print_json(envelope("fleet.operator.remove", {"name": name}))
    else:
        err_console.print(_("Compte « {name} » supprimé.").format(name=name), markup=False)
    return EXIT_OK
