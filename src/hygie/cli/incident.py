"""``hygie incident``: thin commands over :mod:`hygie.incident` (its public API)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.prompt import Prompt

from hygie.cli.prompts import RichGuideUI, YesNo
from hygie.errors import EXIT_FINDINGS, EXIT_OK, UsageError
from hygie.i18n import _
from hygie.output import envelope, err_console, print_json, stdout_console

if TYPE_CHECKING:
    from hygie.incident import ReportAnswers

incident_app = typer.Typer(
    help="En cas de cyberattaque : journal, six gestes, isolement, constat, brouillons CNIL.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

JsonOpt = Annotated[bool, typer.Option("--json", help="Écrire le résultat en JSON sur stdout.")]
BackendOpt = Annotated[
    str | None,
    typer.Option(
        "--backend",
        help="Méthode pour couper le réseau : auto, nmcli, ip, netadapter, netsh, networksetup "
        "(variable HYGIE_NET_BACKEND).",
    ),
]


def register(app: typer.Typer) -> None:
    app.add_typer(incident_app, name="incident")


def _interactive() -> bool:
    return sys.stdin.isatty()


def _show_code(code_text: str) -> None:
    """After each journal entry: the check code to write down on the kit."""
    err_console.print(
        _("Code de contrôle du journal : {code} — notez-le sur le kit papier.").format(
            code=code_text
        ),
        highlight=False,
    )


@incident_app.command("start")
def start(
    to: Annotated[
        Path, typer.Option("--to", help="Dossier de l'incident (idéalement sur une clé USB).")
    ],
    drill: Annotated[
        bool, typer.Option("--drill", help="Exercice : tout le guide, sans rien couper.")
    ] = False,
    no_guide: Annotated[
        bool, typer.Option("--no-guide", help="Ouvrir seulement le journal.")
    ] = False,
    copy_to: Annotated[
        Path | None,
        typer.Option(
            "--copy-to",
            help="Dossier sur un autre support (2e clé USB…) qui garde une copie du code de "
            "contrôle après chaque entrée.",
        ),
    ] = None,
    backend: BackendOpt = None,
    json_: JsonOpt = False,
) -> int:
    """Ouvrir un incident (journal dans DIR) et dérouler les six gestes."""
    from hygie.incident import record_drill, run_guide, same_disk_as_system, start_incident

    j = start_incident(to, drill=drill, copy_to=copy_to)
    if same_disk_as_system(j.folder):
        err_console.print(
            _(
                "Attention : ce dossier est sur le disque de l'ordinateur ; une clé USB est "
                "préférable pour ne pas effacer de traces."
            )
        )
    err_console.print(_("Journal de l'incident : {path}").format(path=j.path))
    data: dict[str, object] = {"folder": str(j.folder), "journal": str(j.path), "drill": drill}
    if not no_guide:
        result = run_guide(j, RichGuideUI(), drill=drill, backend=backend)
        data["guide"] = result.to_dict()
    if drill:
        at = record_drill(completed=not no_guide)
        data["drill_recorded_at"] = at
        err_console.print(_("Exercice enregistré. Bravo !"))
    head = j.head()
    if head is not None:
        data["code"] = head.code
        _show_code(f"n° {head.seq} : {head.code}")
    if json_:
        print_json(envelope("incident.start", data))
    return EXIT_OK


@incident_app.command("note")
def note(
    folder: Annotated[Path, typer.Argument(help="Dossier de l'incident.")],
    text: Annotated[str, typer.Argument(help="Ce qui a été fait ou vu.")],
    step: Annotated[int, typer.Option("--step", min=0, max=6, help="Étape (1 à 6).")] = 0,
    json_: JsonOpt = False,
) -> int:
    """Ajouter une entrée au journal de l'incident."""
    from hygie.incident import Journal

    entry = Journal.open(folder).append(text, step=step, kind="note")
    if json_:
        print_json(envelope("incident.note", entry.to_dict()))
    else:
        err_console.print(_("Entrée n° {n} ajoutée.").format(n=entry.seq))
        _show_code(entry.code_text)
    return EXIT_OK


@incident_app.command("verify")
def verify(
    folder: Annotated[Path, typer.Argument(help="Dossier de l'incident.")],
    code: Annotated[
        list[str] | None,
        typer.Option(
            "--code",
            help="Code de contrôle noté sur papier ou dans un brouillon, sous la forme "
            "N:XXXX-XXXX-XXXX-XXXX (plusieurs possibles).",
        ),
    ] = None,
    copy: Annotated[
        list[Path] | None,
        typer.Option("--copy", help="Seconde copie du code (dossier ou fichier .head)."),
    ] = None,
    json_: JsonOpt = False,
) -> int:
    """Vérifier que le journal n'a pas été modifié, en le comparant à chaque ancrage trouvé :
    code noté, mémoire de hygie, trousseau, seconde copie (0 intact, 1 altéré)."""
    from hygie.incident import WrittenCode
    from hygie.incident import verify as verify_journal

    codes = []
    for text in code or []:
        wc = WrittenCode.parse(text)
        if wc is None:
            raise UsageError(
                detail=_(
                    "code de contrôle illisible : « {c} » (attendu : N:XXXX-XXXX-XXXX-XXXX)"
                ).format(c=text)
            )
        codes.append(wc)
    v = verify_journal(folder, codes=tuple(codes), copies=tuple(copy or ()))
    if json_:
        print_json(
            envelope("incident.verify", v.to_dict(), status="success" if v.intact else "findings")
        )
        return EXIT_OK if v.intact else EXIT_FINDINGS
    out = stdout_console()
    if v.intact:
        out.print(
            _("Journal intact : {n} entrées, chaîne de hachage vérifiée.").format(n=v.entries)
        )
        if not v.anchored:
            out.print(
                _(
                    "Attention : aucun ancrage hors du journal n'a pu être comparé ici ; le "
                    "journal est seulement cohérent avec lui-même. Comparez-le avec le code de "
                    "contrôle noté sur papier : « hygie incident verify DOSSIER --code N:CODE »."
                )
            )
    elif v.first_problem is not None:
        p = v.first_problem
        out.print(
            _("Journal altéré : {detail} (ligne {line}).").format(detail=p.detail, line=p.line)
        )
    else:
        out.print(_("Journal altéré : un ancrage ne correspond pas au journal."))
    marks = {"agrees": "✓", "disagrees": "✗", "missing": "✗", "unavailable": "–"}
    for a in v.anchors:
        label = {
            "head_file": _("fichier journal.head"),
            "store": _("mémoire de hygie"),
            "keyring": _("clé du journal (trousseau)"),
            "copy": _("seconde copie"),
            "code": _("code noté"),
        }.get(a.name, a.name)
        out.print(f"  {marks.get(a.state, '?')} {label} ({a.where}) : {a.detail}", markup=False)
    if v.code:
        out.print(_("Code de contrôle actuel : {code}").format(code=v.code), highlight=False)
    return EXIT_OK if v.intact else EXIT_FINDINGS


@incident_app.command("check")
def check(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Dossiers à examiner (défaut : vos documents).")
    ] = None,
    json_: JsonOpt = False,
) -> int:
    """Suis-je attaqué ? Cherche les signes de rançongiciel par le contenu des fichiers, sans
    rien modifier (0 aucun signe, 1 signes, 59 examen impossible ou incomplet)."""
    from hygie.incident import CheckInconclusive, run_check

    r = run_check(paths or [])
    code = {"signs": EXIT_FINDINGS, "no_signs": EXIT_OK}.get(r.status, CheckInconclusive.exit_code)
    if json_:
        status = {"signs": "findings", "no_signs": "success"}.get(r.status, "unknown")
        print_json(envelope("incident.check", r.to_dict(), status=status))
        return code
    out = stdout_console()
    style = {"signs": "bold red", "no_signs": "bold green"}.get(r.status, "bold yellow")
    out.print(f"[{style}]{r.verdict}[/{style}]")
    for s in r.report.signs:
        out.print(f"  • {s.detail}")
        for ex in s.examples:
            out.print(f"      {ex}", markup=False)
    out.print(
        _("{n} fichiers trouvés, {s} lus par leur contenu, dont {r} modifiés dans les "
          "dernières 48 h.").format(n=r.report.files, s=r.report.sampled, r=r.report.recent)
    )  # fmt: skip
    if r.backup.known:
        out.print(
            _("Dernière sauvegarde : {b} ; dernière vérification : {v}.").format(
                b=r.backup.last_backup_at or "?", v=r.backup.last_verified_at or "?"
            )
        )
    else:
        out.print(_("Sauvegardes : {reason}.").format(reason=r.backup.reason))
    out.print("→ " + r.next_step)
    return code


def _network(
    action: str,
    apply_: bool,
    yes: bool,
    to: Path | None,
    backend: str | None,
    json_: bool,
) -> int:
    from hygie.incident import ConfirmationRequired, apply_isolation, plan_isolation

    plan = plan_isolation(action, backend=backend, folder=to)
    out = stdout_console()
    if not apply_:
        if json_:
            print_json(envelope(f"incident.{action}", {"applied": False, **plan.to_dict()}))
        else:
            for c in plan.commands:
                out.print(c.display, markup=False, highlight=False, soft_wrap=True)
            for n in plan.notes:
                err_console.print(n)
            err_console.print(_("Rien n'a été fait. Ajoutez --apply pour exécuter ces commandes."))
        return EXIT_OK
    if not yes:
        what = _("couper le réseau") if action == "isolate" else _("rallumer le réseau")
        if not _interactive():
            raise ConfirmationRequired(action=what)
        for c in plan.commands:
            err_console.print(f"  {c.display}", markup=False)
        if not YesNo.ask(
            _("Exécuter ces commandes pour {what} ?").format(what=what), console=err_console
        ):
            err_console.print(_("Rien n'a été fait."))
            return EXIT_OK
    result = apply_isolation(plan, folder=to)
    if json_:
        print_json(envelope(f"incident.{action}", result.to_dict()))
    else:
        for d in result.done:
            out.print(d, markup=False)
        if result.journal is None:
            err_console.print(
                _("Pas de journal d'incident : notez l'heure et ce qui a été fait sur papier.")
            )
        else:
            _show_code(result.code)
    return EXIT_OK


ApplyOpt = Annotated[
    bool, typer.Option("--apply", help="Exécuter les commandes (sinon : les afficher seulement).")
]
YesOpt = Annotated[bool, typer.Option("--yes", help="Ne pas demander de confirmation.")]
ToOpt = Annotated[
    Path | None,
    typer.Option("--to", help="Dossier de l'incident (journal et état de l'isolement)."),
]


@incident_app.command("isolate")
def isolate(
    apply_: ApplyOpt = False,
    yes: YesOpt = False,
    to: ToOpt = None,
    backend: BackendOpt = None,
    json_: JsonOpt = False,
) -> int:
    """Couper le réseau de cet ordinateur (affiche les commandes ; --apply pour agir)."""
    return _network("isolate", apply_, yes, to, backend, json_)


@incident_app.command("reconnect")
def reconnect(
    apply_: ApplyOpt = False,
    yes: YesOpt = False,
    to: ToOpt = None,
    backend: BackendOpt = None,
    json_: JsonOpt = False,
) -> int:
    """Rallumer le réseau coupé par « hygie incident isolate »."""
    return _network("reconnect", apply_, yes, to, backend, json_)


@incident_app.command("triage")
def triage(
    to: Annotated[Path, typer.Option("--to", help="Dossier où écrire le constat (clé USB).")],
    path: Annotated[
        list[Path] | None,
        typer.Option("--path", help="Dossier d'utilisateur à examiner (défaut : vos documents)."),
    ] = None,
    json_: JsonOpt = False,
) -> int:
    """Constat en lecture seule pour l'analyste, écrit uniquement dans le dossier choisi."""
    from hygie.incident import run_triage

    with err_console.status(_("Constat en cours…")) as status:
        result = run_triage(
            to, paths=path or None, progress=lambda s: status.update(_("Constat : {s}").format(s=s))
        )
    if json_:
        print_json(
            envelope(
                "incident.triage",
                result.to_dict(),
                status="findings" if result.signs_found else "success",
            )
        )
    else:
        err_console.print(
            _("Constat écrit dans {d} ({n} fichiers, empreintes dans SHA256SUMS).").format(
                d=result.folder, n=len(result.files)
            )
        )
        if result.signs_found:
            err_console.print("[bold red]" + _("Signes de rançongiciel relevés.") + "[/bold red]")
    return EXIT_FINDINGS if result.signs_found else EXIT_OK


@incident_app.command("report")
def report(
    folder: Annotated[Path, typer.Argument(help="Dossier de l'incident.")],
    answers: Annotated[
        Path | None, typer.Option("--answers", help="Réponses (TOML ou JSON), sans questions.")
    ] = None,
    discovered: Annotated[
        str | None,
        typer.Option("--discovered", help="Date et heure de la découverte (AAAA-MM-JJTHH:MM)."),
    ] = None,
    no_input: Annotated[bool, typer.Option("--no-input", help="Ne poser aucune question.")] = False,
    json_: JsonOpt = False,
) -> int:
    """Préparer les textes pour cybermalveillance.gouv.fr et la CNIL (rien n'est envoyé)."""
    from dataclasses import replace

    from hygie.incident import Journal, ReportAnswers, build_drafts, load_answers

    Journal.open(folder)
    a = load_answers(answers) if answers else ReportAnswers()
    if discovered:
        a = replace(a, discovered_at=discovered)
    if answers is None and not no_input and _interactive():
        a = _ask_report(a)
    drafts = build_drafts(folder, a)
    if json_:
        print_json(envelope("incident.report", drafts.to_dict()))
        return EXIT_OK
    out = stdout_console()
    for f in drafts.files:
        out.print(f, markup=False)
    out.print(_("CNIL : {left} (échéance {d}).").format(left=drafts.time_left, d=drafts.deadline))
    out.print(_("Informer les patients : {t}").format(t=drafts.inform_patients))
    err_console.print(_("Rien n'a été envoyé : copiez ces textes sur les sites indiqués."))
    return EXIT_OK


def _ask_report(a: ReportAnswers) -> ReportAnswers:  # pragma: no cover - interactive
    from dataclasses import replace

    from hygie.incident import NO, UNKNOWN, YES

    c = err_console
    disc = Prompt.ask(
        _("Découverte (AAAA-MM-JJTHH:MM, vide = ouverture du journal)"),
        default=a.discovered_at,
        console=c,
    )
    desc = Prompt.ask(_("Ce qui s'est passé"), default=a.description, console=c)
    pd = Prompt.ask(
        _("Des données personnelles sont-elles touchées ? (oui/non/?)"), default="?", console=c
    )
    personal = {"oui": YES, "non": NO}.get(pd.strip().lower(), UNKNOWN)
    conf = YesNo.ask(_("Des données ont-elles pu être lues ou copiées ?"), default=False, console=c)
    integ = YesNo.ask(_("Des données ont-elles été modifiées ?"), default=False, console=c)
    avail = YesNo.ask(
        _("Des données sont-elles inaccessibles ou perdues ?"), default=True, console=c
    )
    persons = Prompt.ask(_("Nombre approximatif de patients concernés"), default="", console=c)
    records = Prompt.ask(
        _("Nombre approximatif de dossiers/enregistrements"), default="", console=c
    )
    cats = Prompt.ask(
        _("Catégories de données (séparées par des virgules)"),
        default=_("identité, coordonnées, n° de sécurité sociale, données de santé"),
        console=c,
    )
    cons = Prompt.ask(
        _("Conséquences probables pour les patients"), default=a.consequences, console=c
    )
    planned = Prompt.ask(_("Mesures envisagées"), default=a.measures_planned, console=c)
    return replace(
        a,
        discovered_at=disc,
        description=desc,
        personal_data=personal,
        confidentiality=conf,
        integrity=integ,
        availability=avail,
        persons_count=int(persons) if persons.strip().isdigit() else None,
        records_count=int(records) if records.strip().isdigit() else None,
        data_categories=tuple(x.strip() for x in cats.split(",") if x.strip()),
        health_data=True,
        consequences=cons,
        measures_planned=planned,
    )
