"""``hygie audit`` and ``hygie questionnaire``."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn
from rich.prompt import Prompt

from hygie import audit as audit_api
from hygie.errors import EXIT_FINDINGS, EXIT_OK
from hygie.i18n import _
from hygie.output import envelope, err_console, print_json, stdout_console

if TYPE_CHECKING:
    from hygie.audit import AuditResult


def register(app: typer.Typer) -> None:
    app.command("audit", help="Faire le bilan d'hygiène de cet ordinateur (M01 à M13).")(audit)
    app.command(
        "questionnaire", help="Répondre aux questions que hygie ne peut pas vérifier seul."
    )(questionnaire)


def audit(
    json_: Annotated[
        bool, typer.Option("--json", help="Écrire le résultat en JSON sur stdout.")
    ] = False,
    html: Annotated[
        Path | None, typer.Option("--html", help="Écrire un rapport HTML imprimable.")
    ] = None,
    pdf: Annotated[Path | None, typer.Option("--pdf", help="Écrire le rapport en PDF.")] = None,
    answers: Annotated[
        Path | None, typer.Option("--answers", help="Fichier TOML de réponses au questionnaire.")
    ] = None,
    compare: Annotated[
        bool, typer.Option("--compare", help="Montrer ce qui a changé depuis le dernier bilan.")
    ] = False,
    no_record: Annotated[
        bool, typer.Option("--no-record", help="Ne pas garder ce bilan dans l'historique.")
    ] = False,
    record_dir: Annotated[
        Path | None,
        typer.Option(
            "--record",
            help="Garder la réponse brute de chaque commande dans ce dossier (pour le support).",
        ),
    ] = None,
    replay_dir: Annotated[
        Path | None,
        typer.Option(
            "--replay",
            help="Refaire le bilan à partir d'un dossier enregistré avec --record.",
        ),
    ] = None,
) -> int:
    """Faire le bilan d'hygiène de cet ordinateur."""
    if record_dir is not None and replay_dir is not None:
        from hygie.errors import UsageError

        raise UsageError(detail=_("--record et --replay ne vont pas ensemble"))
    if record_dir is not None or replay_dir is not None:
        from hygie.replay import PASSTHROUGH_ENV, install, parse_passthrough

        if replay_dir is not None:
            passthrough = parse_passthrough(os.environ.get(PASSTHROUGH_ENV))
            install(replay_dir, mode="replay", passthrough=passthrough)
            no_record = True  # another computer's bilan does not belong in this history
        elif record_dir is not None:
            install(record_dir, mode="record")
    show_progress = not json_ and err_console.is_terminal
    with Progress(
        SpinnerColumn(),
        TextColumn(_("Vérifications en cours")),
        BarColumn(),
        MofNCompleteColumn(),
        console=err_console,
        transient=True,
        disable=not show_progress,
    ) as bar:
        task = bar.add_task("audit", total=None)

        def progress(done: int, total: int, _label: str) -> None:
            bar.update(task, completed=done, total=total)

        result = audit_api.audit(answers_file=answers, progress=progress, record=not no_record)
    fleet = None if no_record else _fleet_after_audit(result)

    if html is not None or pdf is not None:
        if html is not None:
            audit_api.write_html(result, html)
            err_console.print(_("Rapport HTML écrit : {path}").format(path=html))
        if pdf is not None:
            audit_api.write_pdf(result, pdf)
            err_console.print(_("Rapport PDF écrit : {path}").format(path=pdf))

    if json_:
        status = "findings" if result.has_critical else "success"
        print_json(envelope("audit", result.to_dict(), status=status))
    else:
        console = stdout_console()
        audit_api.render_audit(result, console)
        if compare:
            audit_api.render_compare(result, console)
    if fleet is not None:  # the fleet's quick delivery: a short wait at most, never a failure
        fleet.join(timeout=FLEET_WAIT_S)
    return EXIT_FINDINGS if result.has_critical else EXIT_OK


FLEET_WAIT_S = 2.5


def _fleet_after_audit(result: AuditResult) -> threading.Thread | None:
    """Queue this audit's campaign report (when in one) and start its delivery in a thread."""
    from hygie.fleet.device import after_audit

    return after_audit(result)


def questionnaire(
    all_: Annotated[
        bool, typer.Option("--all", help="Reposer aussi les questions déjà répondues.")
    ] = False,
) -> int:
    """Répondre aux questions que hygie ne peut pas vérifier seul."""
    ctx = audit_api.make_context()
    questions = audit_api.pending_questions(ctx, all_=all_)
    console = stdout_console()
    if not questions:
        console.print(_("Aucune question en attente : toutes les réponses sont à jour."))
        return EXIT_OK
    console.print(
        _(
            "{n} question(s). Répondez par le numéro du choix ; "
            "« je ne sais pas » est toujours possible."
        ).format(n=len(questions))
    )
    theme = None
    for i, q in enumerate(questions, 1):
        if q.theme != theme:
            theme = q.theme
            console.print(f"\n[bold]{q.measure_id} · {q.theme}[/bold]")
        console.print(f"\n({i}/{len(questions)}) {q.text}")
        if q.help:
            console.print(f"[dim]{q.help}[/dim]")
        choices = audit_api.answer_choices(q)
        for n, (_value, label) in enumerate(choices, 1):
            console.print(f"  {n}. {label}")
        raw = Prompt.ask(
            _("Votre réponse"),
            choices=[str(n) for n in range(1, len(choices) + 1)],
            console=console,
            show_choices=False,
        )
        audit_api.save_answer(ctx, q, choices[int(raw) - 1][0])
    console.print(
        "\n"
        + _(
            "Merci, vos réponses sont enregistrées. Relancez « hygie audit » pour voir votre bilan."
        )
    )
    return EXIT_OK
