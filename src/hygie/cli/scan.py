"""``hygie scan PATH…``: look for patient data in files and folders."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn

from hygie.cli.params import finite
from hygie.errors import EXIT_FINDINGS, EXIT_OK
from hygie.i18n import _
from hygie.output import envelope, err_console, print_json, stdout_console
from hygie.scan import DocumentResult, scan_paths

#: Folders with at least this many files get a progress bar (on a terminal).
PROGRESS_FROM = 20


def register(app: typer.Typer) -> None:
    app.command(
        "scan",
        help=_(
            "Chercher des données de patient (n° de sécurité sociale, INS, dates de naissance…) "
            "dans des fichiers, dossiers ou e-mails. Rien n'est ignoré en silence : les liens, "
            "dossiers illisibles et fichiers spéciaux sont listés comme non analysés. Code de "
            "sortie : 0 rien trouvé, 1 données de patient trouvées ou fichier non analysé."
        ),
    )(scan)


_ICON = {"patient_data": "[bold red]✗[/]", "not_scannable": "[yellow]?[/]", "clean": "[green]✓[/]"}


def scan(
    paths: Annotated[list[Path], typer.Argument(help="Fichiers ou dossiers à analyser.")],
    json_: Annotated[
        bool, typer.Option("--json", help="Écrire le résultat en JSON sur stdout.")
    ] = False,
    timeout: Annotated[
        float,
        typer.Option(
            "--timeout",
            help="Durée maximale d'analyse par fichier (secondes).",
            min=0.1,
            callback=finite,
        ),
    ] = 10.0,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="N'afficher que les fichiers à problème.")
    ] = False,
) -> int:
    """Chercher des données de patient dans des fichiers et dossiers."""
    with Progress(
        SpinnerColumn(),
        TextColumn(_("Analyse en cours")),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        console=err_console,
        transient=True,
        disable=not err_console.is_terminal,
    ) as bar:
        task = bar.add_task("", total=None, visible=False)

        def progress(done: int, total: int, label: str) -> None:
            bar.update(
                task, completed=done, total=total, description=label, visible=total >= PROGRESS_FROM
            )

        report = scan_paths(paths, timeout_s=timeout, progress=progress)

    status = report.status
    if json_:
        print_json(
            envelope(
                "scan", report.to_dict(), status="success" if status == "clean" else "findings"
            )
        )
    else:
        console = stdout_console()
        for doc in report.documents:
            if quiet and doc.status == "clean":
                continue
            console.print(f"{_ICON[doc.status]} {doc.name}", highlight=False, markup=True)
            console.print(f"    {doc.reason}", highlight=False, markup=False)
            for kind, n in sorted(_counts_by_label(doc).items()):
                console.print(f"    · {kind} : {n}", highlight=False, markup=False)
        console.print(
            _(
                "{n} fichier(s) : {p} avec des données de patient, {u} non analysable(s), "
                "{c} sans donnée de patient."
            ).format(
                n=len(report.documents),
                p=report.count("patient_data"),
                u=report.count("not_scannable"),
                c=report.count("clean"),
            ),
            highlight=False,
        )
        if status != "clean":
            console.print(
                _(
                    "Ces fichiers ne doivent partir que par une messagerie sécurisée de santé "
                    "(MSSanté). Un fichier non analysable n'est pas considéré comme sûr."
                ),
                highlight=False,
            )
    return EXIT_OK if status == "clean" else EXIT_FINDINGS


def _counts_by_label(doc: DocumentResult) -> dict[str, int]:
    from hygie.identifiers import label_of

    out: dict[str, int] = {}
    for f in doc.findings:
        key = (
            f"{label_of(f.type)} ({f.masked})"
            if f.patient and f.type != "PATIENT_NAME"
            else label_of(f.type)
        )
        out[key] = out.get(key, 0) + 1
    return out
