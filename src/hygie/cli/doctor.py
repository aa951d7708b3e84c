"""``hygie doctor``: check every component hygie relies on (``--json`` for IT providers)."""

from __future__ import annotations

from typing import Annotated

import typer

from hygie.errors import EXIT_FINDINGS, EXIT_OK
from hygie.i18n import _


def register(app: typer.Typer) -> None:
    app.command(
        "doctor",
        help=(
            "Vérifier les composants dont hygie a besoin ici (restic, antivirus, PDF, "
            "coffre des mots de passe, planification, relais, tableau de bord). "
            "Code de sortie : 0 tout ce qui est configuré peut fonctionner, 1 sinon."
        ),
    )(doctor)


STATE_ICONS = {"ok": "✔", "warn": "▲", "missing": "✖", "unknown": "?", "not_configured": "–"}
STATE_STYLES = {
    "ok": "green",
    "warn": "yellow",
    "missing": "bold red",
    "unknown": "magenta",
    "not_configured": "dim",
}


def doctor(
    json_: Annotated[
        bool, typer.Option("--json", help="Écrire le résultat en JSON sur stdout.")
    ] = False,
) -> int:
    """Vérifier les composants dont hygie a besoin sur cet ordinateur."""
    from hygie.doctor import STATE_LABELS, run_doctor
    from hygie.output import envelope, print_json, stdout_console

    report = run_doctor()
    code = EXIT_OK if report.healthy else EXIT_FINDINGS
    if json_:
        print_json(
            envelope("doctor", report.to_dict(), status="success" if report.healthy else "findings")
        )
        return code
    from rich.text import Text

    console = stdout_console()
    console.print(
        Text(_("hygie doctor — composants sur {os}").format(os=report.to_dict()["platform_label"]))
    )
    for c in report.components:
        line = Text()
        line.append(f" {STATE_ICONS[c.state]} ", style=STATE_STYLES[c.state])
        line.append(c.label, style="bold")
        line.append(" : " + _(STATE_LABELS[c.state]))
        if not c.needed and c.state != "not_configured":
            line.append(" " + _("(pas nécessaire pour ce qui est configuré)"), style="dim")
        console.print(line)
        console.print(Text("     " + c.seen, style="dim"))
        if c.fix and c.state != "ok":
            console.print(Text("     → " + c.fix))
    if report.healthy:
        console.print(Text(_("Tout ce dont hygie a besoin ici est prêt."), style="green"))
    else:
        names = ", ".join(c.label for c in report.problems)
        console.print(
            Text(
                _("À réparer avant que hygie puisse tout faire : {names}").format(names=names),
                style="bold red",
            )
        )
    return code
