"""``hygie backup``: setup, run, verify, repair, restore, status, schedule (thin: parses and
calls :mod:`hygie.backup`, the capability's public surface)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)
from rich.prompt import Confirm, Prompt

from hygie.errors import EXIT_OK
from hygie.i18n import _
from hygie.output import envelope, err_console, print_json, stdout_console

if TYPE_CHECKING:
    from hygie.backup import BatchResult

# hygie.backup is imported inside each command: `hygie --help` need not load it.
DEFAULT_SAMPLE = 20

backup_app = typer.Typer(
    name="backup",
    help="Sauvegardes chiffrées, testées, déconnectées, en deux endroits (restic).",
    no_args_is_help=True,
)

JsonOpt = Annotated[bool, typer.Option("--json", help="Écrire le résultat en JSON sur stdout.")]


def register(app: typer.Typer) -> None:
    app.add_typer(backup_app, name="backup")


class _Bar:
    """Rich progress on stderr from restic's JSON status lines."""

    def __init__(self, enabled: bool) -> None:
        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TimeRemainingColumn(),
            console=err_console,
            transient=True,
            disable=not enabled,
        )
        self.tasks: dict[str, TaskID] = {}

    def __enter__(self) -> _Bar:
        self.progress.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.__exit__(None, None, None)

    def __call__(self, dest: str, event: dict[str, Any]) -> None:
        if dest not in self.tasks:
            self.tasks[dest] = self.progress.add_task(dest, total=None)
        task = self.tasks[dest]
        kind = event.get("message_type")
        if kind == "status":
            total = event.get("total_bytes")
            self.progress.update(
                task,
                total=total if total else None,
                completed=event.get("bytes_done", 0) or 0,
                description=_("{dest} : sauvegarde").format(dest=dest),
            )
        elif kind == "phase":
            labels = {
                "forget": _("{dest} : nettoyage des anciennes sauvegardes"),
                "check": _("{dest} : contrôle du dépôt ({subset})"),
                "restore": _("{dest} : restauration d'essai"),
                "backup": _("{dest} : nouvelle sauvegarde"),
            }
            label = labels.get(str(event.get("phase")), "{dest}")
            self.progress.update(
                task,
                description=label.format(dest=dest, subset=event.get("subset", "")),
                total=None,
            )


def _human_bytes(n: object) -> str:
    size = float(n) if isinstance(n, int | float) else 0.0
    for unit in ("o", "Ko", "Mo", "Go", "To"):
        if size < 1024 or unit == "To":
            return f"{size:.0f} {unit}" if unit == "o" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} To"


def _print_outcomes(result: BatchResult) -> None:
    for o in result.outcomes:
        if o.status == "ok":
            d = o.details
            if result.operation == "backup":
                msg = _("✔ {dest} : sauvegarde {snap} ({files} fichiers, {added} ajoutés)").format(
                    dest=o.destination,
                    snap=d.get("snapshot_id", ""),
                    files=d.get("files", 0),
                    added=_human_bytes(d.get("data_added", 0)),
                )
                err_console.print(msg, highlight=False)
                if d.get("unreadable"):
                    err_console.print(
                        _("  ▲ {n} fichier(s) illisible(s) n'ont pas été sauvegardés").format(
                            n=d["unreadable"]
                        )
                    )
                if o.removable:
                    err_console.print(
                        _("  Vous pouvez maintenant débrancher le disque « {dest} ».").format(
                            dest=o.destination
                        )
                    )
            else:
                err_console.print(
                    _(
                        "✔ {dest} : restauration d'essai réussie ({n} fichiers comparés, "
                        "{b}, contrôle {subset})"
                    ).format(
                        dest=o.destination,
                        n=d.get("files_checked", 0),
                        b=_human_bytes(d.get("bytes_checked", 0)),
                        subset=d.get("read_data_subset", ""),
                    ),
                    highlight=False,
                )
        else:
            err = o.error or {}
            err_console.print(
                f"[bold red]✖ {o.destination}[/] : {err.get('message', '')}", highlight=False
            )
            if err.get("hint"):
                err_console.print(f"  → {err['hint']}", highlight=False)


def _split(values: list[str] | None) -> list[str]:
    return [v.strip() for v in values or [] if v.strip()]


@backup_app.command("setup")
def setup(
    source: Annotated[
        list[str] | None, typer.Option("--source", help="Dossier à sauvegarder (répétable).")
    ] = None,
    destination: Annotated[
        list[str] | None,
        typer.Option(
            "--destination",
            help="Chemin (disque externe), s3:URL, rest:URL ou sftp:… (répétable).",
        ),
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", help="Ne rien demander (scripts).")] = False,
    removable: Annotated[
        bool | None,
        typer.Option(
            "--removable/--fixed",
            help="Forcer la destination locale comme disque amovible (ou fixe).",
        ),
    ] = None,
    sheet_dir: Annotated[
        Path | None, typer.Option("--sheet-dir", help="Où écrire la fiche de récupération.")
    ] = None,
    no_pdf: Annotated[bool, typer.Option("--no-pdf", help="Fiche en HTML seulement.")] = False,
    keep_last: Annotated[int, typer.Option("--keep-last")] = 3,
    keep_daily: Annotated[int, typer.Option("--keep-daily")] = 7,
    keep_weekly: Annotated[int, typer.Option("--keep-weekly")] = 4,
    keep_monthly: Annotated[int, typer.Option("--keep-monthly")] = 12,
    keep_yearly: Annotated[int, typer.Option("--keep-yearly")] = 3,
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin",
            help="Lire sur l'entrée standard le mot de passe de la fiche de récupération "
            "(dépôt déjà existant).",
        ),
    ] = False,
    json_: JsonOpt = False,
) -> int:
    """Configurer les sauvegardes : quoi, où ; crée les dépôts chiffrés et la fiche.

    Un dépôt qui existe déjà garde son mot de passe : celui de la fiche est demandé."""
    sources = _split(source)
    dests = _split(destination)
    if not yes:
        if not sources:
            default = str(Path.home() / "Documents")
            answer = Prompt.ask(
                _("Dossiers à sauvegarder (séparés par des virgules)"),
                default=default,
                console=err_console,
            )
            sources = [s.strip() for s in answer.split(",") if s.strip()]
        if not dests:
            err_console.print(
                _(
                    "Destinations : le chemin d'un dossier sur un disque externe, "
                    "et/ou s3:https://… d'un hébergeur certifié HDS."
                )
            )
            answer = Prompt.ask(_("Destinations (séparées par des virgules)"), console=err_console)
            dests = [d.strip() for d in answer.split(",") if d.strip()]
        if not Confirm.ask(
            _("Sauvegarder {src} vers {dst} ?").format(
                src=", ".join(sources), dst=", ".join(dests)
            ),
            default=True,
            console=err_console,
        ):
            raise typer.Abort()
    import os
    import sys

    from hygie import backup as api

    passwords: dict[str, str] = {}
    if password_stdin:
        given = sys.stdin.readline().strip()
        passwords = dict.fromkeys(dests, given) if given else {}

    def attempt() -> Any:
        return api.setup(
            sources,
            dests,
            retention={
                "last": keep_last,
                "daily": keep_daily,
                "weekly": keep_weekly,
                "monthly": keep_monthly,
                "yearly": keep_yearly,
            },
            removable=removable,
            sheet_dir=sheet_dir,
            pdf=not no_pdf,
            passwords=passwords,
            environ=os.environ,
        )

    while True:
        try:
            result = attempt()
            break
        except api.ExistingRepositoryPassword as exc:
            location = str(exc.params.get("location", ""))
            if yes or password_stdin or not sys.stdin.isatty() or location in passwords:
                raise
            err_console.print(exc.render(), highlight=False)
            passwords[location] = typer.prompt(
                _("Mot de passe de la fiche de récupération pour {loc}").format(loc=location),
                hide_input=True,
            )
    if json_:
        print_json(envelope("backup.setup", result.to_dict()))
    else:
        for name in result.opened:
            err_console.print(
                _("✔ « {name} » : dépôt existant ouvert avec le mot de passe de la fiche.").format(
                    name=name
                ),
                highlight=False,
            )
        for d in result.destinations:
            extra = (
                _(" (disque amovible {label})").format(label=d.disk_label) if d.removable else ""
            )
            err_console.print(
                _("✔ destination « {name} » : {url}{extra}").format(
                    name=d.name, url=d.url, extra=extra
                ),
                highlight=False,
            )
        err_console.print(
            _("Fiche de récupération : {html}").format(html=result.sheet_pdf or result.sheet_html),
            highlight=False,
        )
        err_console.print(
            _(
                "Imprimez-la, rangez-la loin de l'ordinateur, puis supprimez le fichier. "
                "Lancez ensuite la première sauvegarde : « hygie backup run »."
            )
        )
    return EXIT_OK


@backup_app.command("run")
def run(
    json_: JsonOpt = False,
    destination: Annotated[
        str | None, typer.Option("--destination", help="Seulement cette destination (nom).")
    ] = None,
    no_forget: Annotated[
        bool, typer.Option("--no-forget", help="Ne pas appliquer la durée de conservation.")
    ] = False,
    eject: Annotated[
        bool, typer.Option("--eject", help="Démonter le disque amovible après la sauvegarde.")
    ] = False,
) -> int:
    """Sauvegarder vers chaque destination présente (une seule opération à la fois par
    destination ; code 54 si une autre est en cours, 53 si la destination est endommagée)."""
    from hygie import backup as api

    api.install_stop_handlers()

    with _Bar(not json_ and err_console.is_terminal) as bar:
        result = api.run(progress=bar, only=destination, forget=not no_forget)
    if eject:
        from hygie.store import open_store

        cfg = api.load_config(open_store())
        for o in result.outcomes:
            d = cfg.destination(o.destination) if cfg else None
            if o.status == "ok" and d is not None and d.removable:
                ok = api.eject(d)
                err_console.print(
                    _("Disque « {d} » démonté : vous pouvez le débrancher.").format(d=d.name)
                    if ok
                    else _("Le disque « {d} » n'a pas pu être démonté.").format(d=d.name)
                )
    if json_:
        print_json(envelope("backup.run", result.to_dict(), status=result.status))
    else:
        _print_outcomes(result)
    return result.exit_code


@backup_app.command("verify")
def verify(
    full: Annotated[
        bool, typer.Option("--full", help="Restaurer et comparer tous les fichiers.")
    ] = False,
    json_: JsonOpt = False,
    destination: Annotated[
        str | None, typer.Option("--destination", help="Seulement cette destination (nom).")
    ] = None,
    sample: Annotated[
        int, typer.Option("--sample", help="Nombre de fichiers restaurés au hasard.")
    ] = DEFAULT_SAMPLE,
) -> int:
    """Tester la restauration (code 0 seulement si chaque destination a réussi).

    Un échec reste un échec : après une sauvegarde endommagée, seul un test complet
    réussi après « hygie backup repair » lève l'alerte."""
    from hygie import backup as api

    api.install_stop_handlers()

    with _Bar(not json_ and err_console.is_terminal) as bar:
        result = api.verify(full=full, sample=sample, only=destination, progress=bar)
    if json_:
        print_json(envelope("backup.verify", result.to_dict(), status=result.status))
    else:
        _print_outcomes(result)
    return result.exit_code


@backup_app.command("repair")
def repair(
    destination: Annotated[
        str | None,
        typer.Option("--destination", help="Nom de la destination (si plusieurs)."),
    ] = None,
    json_: JsonOpt = False,
) -> int:
    """Réparer une sauvegarde endommagée, puis la tester en entier.

    Avec restic 0.16 ou plus récent : « restic repair » (index, paquets, instantanés) et
    une nouvelle sauvegarde. Avec un restic plus ancien : un nouveau dépôt au même endroit,
    avec le même mot de passe, l'ancien gardé à côté en lecture seule. Code 0 seulement si
    le test complet qui suit réussit."""
    from hygie import backup as api

    api.install_stop_handlers()
    with _Bar(not json_ and err_console.is_terminal) as bar:
        result = api.repair(destination, progress=bar)
    if json_:
        print_json(
            envelope("backup.repair", result.to_dict(), status="success" if result.ok else "error")
        )
        return result.exit_code
    for step in result.steps:
        err_console.print(f"• {step}", highlight=False)
    if result.ok:
        err_console.print(
            _(
                "✔ {dest} : réparée et testée en entier ({n} fichiers comparés). "
                "L'alerte est levée."
            ).format(dest=result.destination, n=result.verify.details.get("files_checked", 0))
            if result.verify is not None
            else "",
            highlight=False,
        )
        if result.kept:
            err_console.print(
                _(
                    "L'ancien dépôt est gardé en lecture seule à {p} (versions anciennes). "
                    "Imprimez la nouvelle fiche de récupération : l'identifiant du dépôt a changé."
                ).format(p=result.kept),
                highlight=False,
            )
    elif result.verify is not None:
        _print_outcomes(api.BatchResult("verify", (result.verify,), 0.0))
    return result.exit_code


@backup_app.command("restore")
def restore(
    target: Annotated[Path, typer.Option("--target", help="Dossier (vide) où restaurer.")],
    paths: Annotated[list[str] | None, typer.Argument(help="Chemins à restaurer.")] = None,
    snapshot: Annotated[str, typer.Option("--snapshot", help="latest ou un identifiant.")] = (
        "latest"
    ),
    destination: Annotated[
        str | None, typer.Option("--destination", help="Nom de la destination.")
    ] = None,
    json_: JsonOpt = False,
) -> int:
    """Restaurer une sauvegarde (ou des chemins choisis) dans un dossier, sans rien écraser."""
    from hygie import backup as api

    with err_console.status(_("Restauration en cours…"), spinner="dots"):
        result = api.restore(target, snapshot=snapshot, destination=destination, paths=paths or [])
    if json_:
        print_json(envelope("backup.restore", result.to_dict()))
    else:
        err_console.print(
            _("✔ {n} fichiers restaurés depuis « {dest} » dans {target}").format(
                n=result.files, dest=result.destination, target=result.target
            ),
            highlight=False,
        )
    return EXIT_OK


@backup_app.command("status")
def status(json_: JsonOpt = False) -> int:
    """État de chaque destination : dernière sauvegarde, dernier test, taille, disque."""
    from hygie import backup as api

    result = api.status()
    if json_:
        print_json(envelope("backup.status", result.to_dict()))
        return EXIT_OK
    console = stdout_console()
    if not result.configured:
        console.print(_("Aucune sauvegarde configurée : « hygie backup setup »."))
        return EXIT_OK
    from rich.table import Table

    table = Table(title=_("Sauvegardes"))
    for col in (
        _("Destination"),
        _("État"),
        _("Présente"),
        _("Dernière réussite"),
        _("Dernier test"),
        _("Sauvegardes"),
        _("Taille"),
    ):
        table.add_column(col)
    for d in result.destinations:
        lv = d.last_verify
        test = "—"
        if lv:
            test = ("✔ " if lv["ok"] else "✖ ") + str(lv["finished_at"])
        health = (
            _("✖ endommagée depuis le {d}").format(d=str(d.damaged.get("since", ""))[:10])
            if d.damaged
            else "✔"
        )
        table.add_row(
            f"{d.name} ({d.kind_label})",
            health,
            _("oui") if d.present else _("non"),
            d.last_success or "—",
            test,
            "—" if d.snapshots is None else str(d.snapshots),
            "—" if d.size_bytes is None else _human_bytes(d.size_bytes),
        )
    console.print(table)
    return EXIT_OK


@backup_app.command("password")
def password(
    destination: Annotated[str, typer.Option("--destination", help="Nom de la destination.")],
) -> int:
    """Enregistrer le mot de passe d'une destination (celui de la fiche de récupération)."""
    import sys

    if sys.stdin.isatty():
        value = typer.prompt(_("Mot de passe de la fiche de récupération"), hide_input=True)
    else:
        value = sys.stdin.readline()
    from hygie import backup as api

    repo_id = api.set_password(destination, value)
    err_console.print(
        _("✔ mot de passe accepté par le dépôt {id} et enregistré.").format(id=repo_id[:10]),
        highlight=False,
    )
    return EXIT_OK


@backup_app.command("schedule")
def schedule(
    install: Annotated[
        bool, typer.Option("--install", help="Installer la planification (sinon : fichiers).")
    ] = False,
    output: Annotated[
        Path | None, typer.Option("--output", help="Dossier où écrire les fichiers.")
    ] = None,
    platform: Annotated[
        str | None, typer.Option("--platform", help="linux, windows ou darwin.")
    ] = None,
    json_: JsonOpt = False,
) -> int:
    """Écrire (et installer sur demande) la planification quotidienne et mensuelle."""
    from hygie.backup import generate_schedule

    result = generate_schedule(output, platform=platform, install=install)
    if json_:
        print_json(envelope("backup.schedule", result.to_dict()))
    else:
        for f in result.files:
            err_console.print(_("Fichier écrit : {f}").format(f=f), highlight=False)
        if result.validated is False:
            err_console.print(result.validation_output, highlight=False)
        if result.installed:
            err_console.print(_("Planification installée."))
        elif not install:
            err_console.print(_("Pour l'installer : « hygie backup schedule --install »."))
    return EXIT_OK
