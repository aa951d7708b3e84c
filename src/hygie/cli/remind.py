"""``hygie remind``: notify what slipped (missed backup, disk left plugged in, overdue test…)."""

from __future__ import annotations

from typing import Annotated

import typer

from hygie.errors import EXIT_FINDINGS, EXIT_OK
from hygie.i18n import N_, _

STATUS_LABELS = {
    "notify": N_("notifié maintenant"),
    "sent_today": N_("déjà notifié aujourd'hui"),
    "snoozed": N_("reporté"),
    "quiet": N_("heures calmes : notifié plus tard"),
    "desktop_off": N_("notifications du bureau désactivées"),
}
DRY_RUN_LABELS = {"notify": N_("serait notifié maintenant")}


def register(app: typer.Typer) -> None:
    app.command(
        "remind",
        help=(
            "Rappels : prévenir sur le bureau quand une mesure glisse (sauvegarde manquée, "
            "disque resté branché, test de restauration en retard…). "
            "Code de sortie : 0 rien à rappeler, 1 au moins un rappel en cours."
        ),
    )(remind_cmd)


def remind_cmd(
    json_: Annotated[
        bool, typer.Option("--json", help="Écrire les rappels en cours en JSON sur stdout.")
    ] = False,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Montrer ce qui serait notifié, sans rien notifier."),
    ] = False,
    snooze: Annotated[
        str | None,
        typer.Option("--snooze", help="Reporter le rappel de cette clé (voir --json)."),
    ] = None,
    days: Annotated[int, typer.Option("--days", help="Durée du report : 1 ou 7 jours.")] = 1,
) -> int:
    """Prévenir de ce qui a glissé depuis le dernier bilan."""
    from hygie.config import load_config
    from hygie.output import envelope, print_json, stdout_console
    from hygie.remind import SNOOZE_DAYS, remind
    from hygie.remind import snooze as snooze_fn
    from hygie.store import open_store

    store = open_store()
    if snooze is not None:
        if days not in SNOOZE_DAYS:
            raise typer.BadParameter(_("1 ou 7 jours"), param_hint="--days")
        until = snooze_fn(store=store, key=snooze, days=days)
        if json_:
            print_json(envelope("remind", {"snoozed": snooze, "until": until}))
        else:
            stdout_console().print(_("Rappel reporté jusqu'au {until}.").format(until=until))
        return EXIT_OK
    result = remind(store=store, config=load_config(), dry_run=dry_run)
    code = EXIT_FINDINGS if result.reminders else EXIT_OK
    if json_:
        print_json(
            envelope(
                "remind", result.to_dict(), status="findings" if result.reminders else "success"
            )
        )
        return code
    from rich.text import Text

    console = stdout_console()
    if not result.reminders:
        console.print(
            Text(_("Rien à rappeler : tout ce que hygie suit est à jour."), style="green")
        )
        return code
    labels = {**STATUS_LABELS, **(DRY_RUN_LABELS if dry_run else {})}
    for r in result.reminders:
        c = r.candidate
        line = Text()
        line.append(
            " ✖ " if c.severity == "fail" else " ▲ ",
            style="red" if c.severity == "fail" else "yellow",
        )
        line.append(c.title, style="bold")
        line.append(f"  ({_(labels[r.status])})", style="dim")
        console.print(line)
        console.print(Text("     → " + c.action))
    for key, why in result.failed:
        console.print(
            Text(
                _("La notification « {key} » n'a pas pu être affichée : {why}").format(
                    key=key, why=why
                ),
                style="red",
            )
        )
    return code
