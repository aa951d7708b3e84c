"""``hygie kit``: the printable emergency kit and the practice's contacts (thin commands over
:mod:`hygie.incident`)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.prompt import Prompt

from hygie.errors import EXIT_OK, UsageError
from hygie.i18n import _
from hygie.output import envelope, err_console, print_json

kit_app = typer.Typer(
    help="Le kit d'urgence imprimable (six gestes, contacts, dmp.fr, sauvegardes).",
    invoke_without_command=True,
    no_args_is_help=False,
    rich_markup_mode=None,
)

JsonOpt = Annotated[bool, typer.Option("--json", help="Écrire le résultat en JSON sur stdout.")]


def register(app: typer.Typer) -> None:
    app.add_typer(kit_app, name="kit")


def _interactive() -> bool:
    return sys.stdin.isatty()


@kit_app.callback()
def kit(
    ctx: typer.Context,
    pdf: Annotated[Path | None, typer.Option("--pdf", help="Écrire le kit en PDF.")] = None,
    html: Annotated[Path | None, typer.Option("--html", help="Écrire le kit en HTML.")] = None,
    with_password: Annotated[
        bool,
        typer.Option(
            "--with-password", help="Imprimer aussi le mot de passe des sauvegardes sur le kit."
        ),
    ] = False,
    json_: JsonOpt = False,
) -> int | None:
    """Éditer le kit d'urgence imprimable, ou saisir les contacts (« hygie kit setup »)."""
    if ctx.invoked_subcommand is not None:
        return None
    if pdf is None and html is None:
        raise UsageError(detail=_("indiquez --pdf FICHIER et/ou --html FICHIER"))
    from hygie.incident import write_kit

    written = write_kit(pdf=pdf, html=html, with_password=with_password)
    if json_:
        print_json(envelope("kit", written.to_dict()))
        return EXIT_OK
    for path in (written.pdf, written.html):
        if path:
            err_console.print(_("Kit d'urgence écrit : {path}").format(path=path))
    if not written.contacts_ready:
        err_console.print(
            _("Les contacts d'urgence ne sont pas complets : « hygie kit setup » puis rééditez.")
        )
    err_console.print(_("Imprimez-le et rangez-le près de l'ordinateur."))
    return EXIT_OK


_ROLE_OPTS = {"it_provider": "it", "security_officer": "security", "insurer": "insurer",
              "colleague": "colleague"}  # fmt: skip


@kit_app.command("setup")
def kit_setup(
    practice: Annotated[str | None, typer.Option("--practice", help="Nom du cabinet.")] = None,
    it_name: Annotated[str | None, typer.Option("--it-name", help="Prestataire : nom.")] = None,
    it_phone: Annotated[str | None, typer.Option("--it-phone", help="Prestataire : tél.")] = None,
    it_email: Annotated[
        str | None, typer.Option("--it-email", help="Prestataire : e-mail.")
    ] = None,
    it_note: Annotated[
        str | None, typer.Option("--it-note", help="Prestataire : remarque.")
    ] = None,
    security_name: Annotated[
        str | None, typer.Option("--security-name", help="Responsable sécurité : nom.")
    ] = None,
    security_phone: Annotated[
        str | None, typer.Option("--security-phone", help="Responsable sécurité : tél.")
    ] = None,
    security_email: Annotated[
        str | None, typer.Option("--security-email", help="Responsable sécurité : e-mail.")
    ] = None,
    security_note: Annotated[
        str | None, typer.Option("--security-note", help="Responsable sécurité : remarque.")
    ] = None,
    insurer_name: Annotated[
        str | None, typer.Option("--insurer-name", help="Assureur : nom.")
    ] = None,
    insurer_phone: Annotated[
        str | None, typer.Option("--insurer-phone", help="Assureur : tél.")
    ] = None,
    insurer_email: Annotated[
        str | None, typer.Option("--insurer-email", help="Assureur : e-mail.")
    ] = None,
    insurer_note: Annotated[
        str | None, typer.Option("--insurer-note", help="Assureur : n° de contrat...")
    ] = None,
    colleague_name: Annotated[
        str | None, typer.Option("--colleague-name", help="Confrère (continuité) : nom.")
    ] = None,
    colleague_phone: Annotated[
        str | None, typer.Option("--colleague-phone", help="Confrère : tél.")
    ] = None,
    colleague_email: Annotated[
        str | None, typer.Option("--colleague-email", help="Confrère : e-mail.")
    ] = None,
    colleague_note: Annotated[
        str | None, typer.Option("--colleague-note", help="Confrère : remarque.")
    ] = None,
    interactive: Annotated[
        bool | None,
        typer.Option(
            "--interactive/--no-interactive",
            help="Poser les questions (par défaut : oui si aucune option et dans un terminal).",
        ),
    ] = None,
    json_: JsonOpt = False,
) -> int:
    """Saisir les contacts d'urgence du cabinet (gardés dans la section [kit] du fichier de
    configuration)."""
    from hygie.incident import (
        FIELD_LABELS,
        FIELDS,
        ROLES,
        load_kit_config,
        save_kit_config,
        update_kit_config,
    )

    given = {
        "it_provider": {"name": it_name, "phone": it_phone, "email": it_email, "note": it_note},
        "security_officer": {
            "name": security_name,
            "phone": security_phone,
            "email": security_email,
            "note": security_note,
        },
        "insurer": {
            "name": insurer_name,
            "phone": insurer_phone,
            "email": insurer_email,
            "note": insurer_note,
        },
        "colleague": {
            "name": colleague_name,
            "phone": colleague_phone,
            "email": colleague_email,
            "note": colleague_note,
        },
    }
    any_flag = practice is not None or any(
        v is not None for d in given.values() for v in d.values()
    )
    ask = interactive if interactive is not None else (not any_flag and _interactive())
    current = load_kit_config()
    kc = update_kit_config(
        current,
        practice,
        {r: {k: v for k, v in d.items() if v is not None} for r, d in given.items()},
    )
    if ask:
        console = err_console
        console.print(
            _(
                "Contacts d'urgence du cabinet. Entrée pour garder la valeur proposée, "
                "« - » pour effacer."
            )
        )
        practice_v = Prompt.ask(_("Nom du cabinet"), default=kc.practice, console=console)
        changes: dict[str, dict[str, str]] = {}
        for role in ROLES:
            c = kc.contact(role)
            console.print(f"\n[bold]{c.label}[/bold]")
            changes[role] = {}
            for f in FIELDS:
                v = Prompt.ask(_(FIELD_LABELS[f]), default=getattr(c, f), console=console)
                changes[role][f] = "" if v.strip() == "-" else v
        kc = update_kit_config(kc, "" if practice_v.strip() == "-" else practice_v, changes)
    path = save_kit_config(kc)
    if json_:
        print_json(envelope("kit.setup", {"config_file": str(path), **kc.to_dict()}))
    else:
        err_console.print(_("Contacts enregistrés dans {path}.").format(path=path))
        if not kc.contacts_ready:
            err_console.print(
                _(
                    "Il manque un moyen de joindre le prestataire informatique ou le responsable "
                    "de la sécurité."
                )
            )
        err_console.print(_("Éditez maintenant le kit : « hygie kit --pdf kit.pdf »."))
    return EXIT_OK
