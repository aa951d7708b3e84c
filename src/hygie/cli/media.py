"""``hygie media``: the decontamination station (scan, copy, watch, engine)."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Annotated, Any

import typer

from hygie import media
from hygie.i18n import _
from hygie.media import FileResult, ScanRun, Verdict
from hygie.output import envelope, err_console, print_json, stdout_console

media_app = typer.Typer(
    name="media",
    help="Station blanche : analyser une clé USB ou un disque avant d'ouvrir ses fichiers.",
    no_args_is_help=True,
)

ClamdOpt = Annotated[
    str | None,
    typer.Option("--clamd", help="Moteur à utiliser : unix:CHEMIN ou tcp:HÔTE:PORT."),
]
EngineOpt = Annotated[
    str | None,
    typer.Option(
        "--engine",
        help="Antivirus : clamav ou defender (défaut : defender sous Windows, clamav ailleurs).",
    ),
]
ClamdConfOpt = Annotated[
    Path | None,
    typer.Option("--clamd-conf", help="Le clamd.conf du moteur donné par --clamd (ses limites)."),
]
DatabaseOpt = Annotated[
    Path | None,
    typer.Option("--database", help="Dossier des signatures pour le clamd de hygie."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Écrire le résultat en JSON sur stdout.")]
WorkersOpt = Annotated[
    int | None, typer.Option("--workers", min=1, max=32, help="Analyses en parallèle.")
]
NoRecordOpt = Annotated[
    bool, typer.Option("--no-record", help="Ne pas garder cette analyse dans l'historique.")
]


ENGINE_LABELS = {"clamav": "ClamAV", "defender": "Microsoft Defender"}


def register(app: typer.Typer) -> None:
    app.add_typer(media_app, name="media")


class _Bar:
    """The progress bar on a terminal; nothing at all otherwise (not even rich.progress,
    whose import is a tenth of a short scan's start-up)."""

    def __init__(self, enabled: bool) -> None:
        self.progress: Any = contextlib.nullcontext()
        if not enabled:
            return
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TransferSpeedColumn,
        )

        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.fields[files]}"),
            DownloadColumn(),
            TransferSpeedColumn(),
            TimeElapsedColumn(),
            console=err_console,
            transient=True,
        )
        self.task = self.progress.add_task(_("Analyse"), total=None, files="")

    def callback(self) -> Any:
        """What the scanner calls with its progress (None: no bar, no call)."""
        return self if not isinstance(self.progress, contextlib.nullcontext) else None

    def __call__(self, done: int, done_b: int, total: int, total_b: int) -> None:
        self.progress.update(
            self.task,
            completed=done_b,
            total=total_b or None,
            files=_("{done}/{total} fichiers").format(done=done, total=total),
        )


def _print_problems(files: tuple[FileResult, ...]) -> None:
    console = stdout_console()
    bad = [f for f in files if f.verdict is not Verdict.CLEAN]
    if bad:
        from rich.table import Table
        from rich.text import Text

        table = Table(title=_("Fichiers à ne pas ouvrir ou non analysés"))
        table.add_column(_("Fichier"), overflow="fold")
        table.add_column(_("Verdict"))
        table.add_column(_("Détail"), overflow="fold")
        labels = {
            Verdict.INFECTED: _("infecté"),
            Verdict.NOT_SCANNED: _("non analysé"),
        }
        for f in bad:
            detail = f.signature or (f.reason.value if f.reason else "")
            if f.detail and f.detail != detail:
                detail = f"{detail} ({f.detail})" if detail else f.detail
            table.add_row(Text(f.name), labels.get(f.verdict, f.verdict.value), Text(detail))
        console.print(table)


def _print_summary(run: ScanRun) -> None:
    console = stdout_console()
    c = run.counts
    console.print(
        _(
            "{files} fichier(s) : {clean} sain(s), {infected} infecté(s), {ns} non analysé(s)."
        ).format(
            files=len(run.files), clean=c["clean"], infected=c["infected"], ns=c["not_scanned"]
        ),
        markup=False,
    )
    eng = run.engine
    if eng.get("signature_date"):
        console.print(
            _("Moteur {name} {version}, signatures du {date}.").format(
                name=ENGINE_LABELS.get(str(eng.get("engine")), "ClamAV"),
                version=eng.get("version", "?"),
                date=str(eng["signature_date"])[:10],
            ),
            markup=False,
        )
    if run.engine_error:
        console.print(
            _("Le moteur antivirus s'est arrêté pendant l'analyse : les fichiers restants "
              "n'ont pas été analysés ({detail}).").format(detail=run.engine_error),
            markup=False,
        )  # fmt: skip
    elif not run.files:
        console.print(
            _("Aucun fichier trouvé : rien n'a été analysé, rien n'est déclaré sain."),
            markup=False,
        )
    elif run.all_clean:
        console.print(_("Aucun virus trouvé : tous les fichiers ont été analysés."), markup=False)


@media_app.command("scan", help="Analyser des fichiers ou dossiers (clé USB, disque).")
def scan(
    paths: Annotated[list[Path], typer.Argument(help="Fichiers ou dossiers à analyser.")],
    clamd: ClamdOpt = None,
    database: DatabaseOpt = None,
    json_: JsonOpt = False,
    workers: WorkersOpt = None,
    no_record: NoRecordOpt = False,
    engine_kind: EngineOpt = None,
    clamd_conf: ClamdConfOpt = None,
) -> int:
    """Analyser des fichiers ou dossiers."""
    bar = _Bar(not json_ and err_console.is_terminal)
    opened = media.engine_from_options(clamd, database, engine=engine_kind, clamd_conf=clamd_conf)
    with opened as engine, bar.progress:
        run = media.scan(
            [str(p) for p in paths],
            engine,
            workers=workers,
            progress=bar.callback(),
            record=not no_record,
        )
    if json_:
        print_json(
            envelope("media.scan", run.to_dict(), status=run.status(), error=run.error_doc())
        )
    else:
        _print_problems(run.files)
        _print_summary(run)
    return run.exit_code()


@media_app.command(
    "copy", help="Copier seulement les fichiers sains et autorisés (station blanche)."
)
def copy(
    source: Annotated[Path, typer.Argument(help="Dossier du support à analyser (clé USB).")],
    destination: Annotated[Path, typer.Argument(help="Dossier de confiance où copier.")],
    quarantine: Annotated[
        Path | None,
        typer.Option("--quarantine", help="Déplacer les fichiers refusés dans ce dossier (0700)."),
    ] = None,
    report_dir: Annotated[
        Path | None,
        typer.Option("--report-dir", help="Où écrire le rapport (défaut : destination)."),
    ] = None,
    clamd: ClamdOpt = None,
    database: DatabaseOpt = None,
    json_: JsonOpt = False,
    workers: WorkersOpt = None,
    no_record: NoRecordOpt = False,
    engine_kind: EngineOpt = None,
    clamd_conf: ClamdConfOpt = None,
) -> int:
    """Copier seulement les fichiers sains et autorisés."""
    bar = _Bar(not json_ and err_console.is_terminal)
    opened = media.engine_from_options(clamd, database, engine=engine_kind, clamd_conf=clamd_conf)
    with opened as engine, bar.progress:
        run = media.copy(
            str(source),
            str(destination),
            engine,
            quarantine=str(quarantine) if quarantine else None,
            workers=workers,
            progress=bar.callback(),
            report_dir=str(report_dir) if report_dir else None,
            record=not no_record,
        )
    if json_:
        print_json(
            envelope("media.copy", run.to_dict(), status=run.status(), error=run.scan.error_doc())
        )
    else:
        _print_problems(run.scan.files)
        _print_summary(run.scan)
        console = stdout_console()
        console.print(
            _("{copied} fichier(s) copié(s), {refused} refusé(s), {nc} non copié(s).").format(
                copied=run.copied, refused=run.refused, nc=run.not_copied
            ),
            markup=False,
        )
        if run.destination_full:
            console.print(_("La destination est pleine : la copie s'est arrêtée proprement."))
        if run.report_html:
            console.print(_("Rapport : {path}").format(path=run.report_html), markup=False)
        if run.quarantine:
            console.print(_("Quarantaine : {path}").format(path=run.quarantine), markup=False)
    return run.exit_code()


@media_app.command("watch", help="Analyser automatiquement chaque clé USB branchée (Linux).")
def watch(
    clamd: ClamdOpt = None,
    database: DatabaseOpt = None,
    clamd_conf: ClamdConfOpt = None,
    json_: JsonOpt = False,
    once: Annotated[bool, typer.Option("--once", help="S'arrêter après un support.")] = False,
) -> int:
    """Analyser automatiquement chaque clé USB branchée (Linux)."""
    from hygie.errors import UsageError
    from hygie.platform import current

    if current() != "linux":
        raise UsageError(
            detail=_("« hygie media watch » n'existe que sous Linux ; utilisez "
                     "« hygie media scan LECTEUR » sous Windows et macOS")
        )  # fmt: skip
    from hygie.media import DesktopOrTerminalNotifier, LinuxMounter, PyudevSource, watch_devices

    with media.engine_from_options(clamd, database, clamd_conf=clamd_conf) as engine:
        err_console.print(_("En attente d'une clé USB ou d'un disque… (Ctrl+C pour arrêter)"))

        def on_result(res: object) -> None:
            if json_:
                print_json(envelope("media.watch", res.to_dict()))  # type: ignore[attr-defined]

        results = watch_devices(
            PyudevSource(),
            engine,
            LinuxMounter(),
            DesktopOrTerminalNotifier(),
            on_result=on_result,
            max_events=1 if once else None,
        )
    worst = 0
    for r in results:
        code = r.scan.exit_code() if r.scan else 36
        worst = max(worst, code)
    return worst


@media_app.command(
    "engine", help="Vérifier le moteur antivirus (version, signatures, fichiers témoins)."
)
def engine(
    clamd: ClamdOpt = None,
    database: DatabaseOpt = None,
    json_: JsonOpt = False,
    engine_kind: EngineOpt = None,
    clamd_conf: ClamdConfOpt = None,
) -> int:
    """Vérifier le moteur antivirus."""
    opened = media.engine_from_options(clamd, database, engine=engine_kind, clamd_conf=clamd_conf)
    with opened as eng:
        info = media.engine_status(eng)
    if json_:
        print_json(envelope("media.engine", info))
    else:
        console = stdout_console()
        console.print(
            _("Moteur {name} {version} ({mode}, {address}).").format(
                name=ENGINE_LABELS.get(info["engine"], info["engine"]),
                version=info["version"],
                mode=info["mode"],
                address=info["address"],
            ),
            markup=False,
        )
        passed = sum(1 for c in info["proof"] if c["ok"])
        console.print(
            _("Fichiers témoins : {ok}/{n} reconnus comme il faut.").format(
                ok=passed, n=len(info["proof"])
            ),
            markup=False,
        )
        console.print(
            _("Signatures : {count}, du {date} (il y a {age} jours). Test EICAR : {st}.").format(
                count=info["signature_count"] if info["signature_count"] is not None else "?",
                date=info["signature_date"] or "?",
                age=info["signature_age_days"] if info["signature_age_days"] is not None else "?",
                st=info["self_test"],
            ),
            markup=False,
        )
    return 0
