"""``hygie kit`` and ``hygie incident``: thin commands over :mod:`hygie.incident`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.panel import Panel
from rich.prompt import Confirm, InvalidResponse, Prompt
from rich.text import Text

from hygie.errors import EXIT_FINDINGS, EXIT_OK, UsageError
from hygie.i18n import _, get_language
from hygie.incident.report import ReportAnswers
from hygie.incident.steps import Step
from hygie.output import envelope, err_console, print_json, stdout_console

kit_app = typer.Typer(
    help="Le kit d'urgence imprimable (six gestes, contacts, dmp.fr, sauvegardes).",
    invoke_without_command=True,
    no_args_is_help=False,
    rich_markup_mode=None,
)
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
    app.add_typer(kit_app, name="kit")
    app.add_typer(incident_app, name="incident")


def _interactive() -> bool:
    return sys.stdin.isatty()


# -- hygie kit -----------------------------------------------------------------------------
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
    from hygie.incident.kit import write_kit

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
    from hygie.incident.kit import (
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


# -- hygie incident ------------------------------------------------------------------------
class YesNo(Confirm):
    """A confirmation that understands French and English answers (o/oui/y/yes, n/non/no)."""

    YES = frozenset({"o", "oui", "y", "yes"})
    NO = frozenset({"n", "non", "no"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choices = ["o", "n"] if get_language() == "fr" else ["y", "n"]

    def process_response(self, value: str) -> bool:
        v = value.strip().lower()
        if v in self.YES:
            return True
        if v in self.NO:
            return False
        raise InvalidResponse(self.validate_error_message)

    def render_default(self, default: Any) -> Text:
        yes, no = self.choices
        return Text(f"({yes if default else no})", "prompt.default")


def ask_yes_no(question: str, default: bool = True) -> bool:
    return bool(YesNo.ask(question, default=default, console=err_console))


class RichGuideUI:
    def __init__(self) -> None:
        self.console = err_console

    def show_step(self, step: Step, lines: list[str]) -> None:
        self.console.print(
            Panel(
                "\n".join(lines),
                title=_("Étape {n} sur 6 : {t}").format(n=step.number, t=_(step.title)),
                border_style="red",
            )
        )

    def confirm(self, question: str, default: bool = True) -> bool:
        return ask_yes_no(question, default)

    def ask(self, question: str, default: str = "") -> str:
        return str(Prompt.ask(question, default=default, console=self.console))

    def info(self, text: str) -> None:
        self.console.print(text)


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
    backend: BackendOpt = None,
    json_: JsonOpt = False,
) -> int:
    """Ouvrir un incident (journal dans DIR) et dérouler les six gestes."""
    from hygie.incident import destination
    from hygie.incident.guide import run_guide
    from hygie.incident.guide import start as open_incident
    from hygie.incident.state import record_drill

    j = open_incident(to, drill=drill)
    if destination.same_disk_as_system(j.folder):
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
    from hygie.incident.journal import Journal

    entry = Journal.open(folder).append(text, step=step, kind="note")
    if json_:
        print_json(envelope("incident.note", entry.to_dict()))
    else:
        err_console.print(_("Entrée n° {n} ajoutée.").format(n=entry.seq))
    return EXIT_OK


@incident_app.command("verify")
def verify(
    folder: Annotated[Path, typer.Argument(help="Dossier de l'incident.")],
    json_: JsonOpt = False,
) -> int:
    """Vérifier que le journal n'a pas été modifié (0 intact, 1 altéré)."""
    from hygie.incident.journal import verify as verify_journal

    v = verify_journal(folder)
    if json_:
        print_json(
            envelope("incident.verify", v.to_dict(), status="success" if v.intact else "findings")
        )
    elif v.intact:
        stdout_console().print(
            _("Journal intact : {n} entrées, chaîne de hachage vérifiée.").format(n=v.entries)
        )
    else:
        p = v.first_problem
        assert p is not None
        stdout_console().print(
            _("Journal altéré : {detail} (ligne {line}).").format(detail=p.detail, line=p.line)
        )
    return EXIT_OK if v.intact else EXIT_FINDINGS


@incident_app.command("check")
def check(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Dossiers à examiner (défaut : vos documents).")
    ] = None,
    json_: JsonOpt = False,
) -> int:
    """Suis-je attaqué ? Cherche les signes de rançongiciel, sans rien modifier."""
    from hygie.incident.check import run_check

    r = run_check(paths or [])
    if json_:
        print_json(
            envelope(
                "incident.check", r.to_dict(), status="findings" if r.signs_found else "success"
            )
        )
        return EXIT_FINDINGS if r.signs_found else EXIT_OK
    out = stdout_console()
    style = "bold red" if r.signs_found else "bold green"
    out.print(f"[{style}]{r.verdict}[/{style}]")
    for s in r.report.signs:
        out.print(f"  • {s.detail}")
        for ex in s.examples:
            out.print(f"      {ex}", markup=False)
    out.print(
        _("{n} fichiers examinés, dont {r} modifiés dans les dernières 48 h.").format(
            n=r.report.files, r=r.report.recent
        )
    )
    if r.backup.known:
        out.print(
            _("Dernière sauvegarde : {b} ; dernière vérification : {v}.").format(
                b=r.backup.last_backup_at or "?", v=r.backup.last_verified_at or "?"
            )
        )
    else:
        out.print(_("Sauvegardes : {reason}.").format(reason=r.backup.reason))
    out.print("→ " + r.next_step)
    return EXIT_FINDINGS if r.signs_found else EXIT_OK


def _network(
    action: str,
    apply_: bool,
    yes: bool,
    to: Path | None,
    backend: str | None,
    json_: bool,
) -> int:
    from hygie.incident import network
    from hygie.incident.errors import ConfirmationRequired
    from hygie.incident.journal import Journal

    if action == "isolate":
        plan = network.plan_isolate(backend=backend)
    else:
        plan = network.plan_reconnect(backend=backend, folder=to)
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
    journal = Journal.open(to) if to is not None and Journal.exists_in(to) else None
    if to is not None:
        from hygie.incident.destination import prepare

        prepare(to)
    try:
        applied = network.apply(plan, to)
    except Exception as exc:
        if journal is not None:
            journal.append(
                _("échec : {e}").format(e=str(exc)), step=3, kind=action, data=plan.to_dict()
            )
        raise
    seq = None
    if journal is not None:
        label = _("réseau coupé : {c}") if action == "isolate" else _("réseau rallumé : {c}")
        seq = journal.append(
            label.format(c="; ".join(applied.done)),
            step=3 if action == "isolate" else 0,
            kind=action,
            data=plan.to_dict(),
        ).seq
    if json_:
        print_json(
            envelope(
                f"incident.{action}", {"applied": True, **applied.to_dict(), "journal_seq": seq}
            )
        )
    else:
        for d in applied.done:
            out.print(d, markup=False)
        if journal is None:
            err_console.print(
                _("Pas de journal d'incident : notez l'heure et ce qui a été fait sur papier.")
            )
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
    from hygie.incident.journal import Journal
    from hygie.incident.triage import run_triage

    with err_console.status(_("Constat en cours…")) as status:
        result = run_triage(
            to, paths=path or None, progress=lambda s: status.update(_("Constat : {s}").format(s=s))
        )
    if Journal.exists_in(to):
        manifest = Path(result.folder) / "manifest.json"
        import hashlib

        Journal.open(to).append(
            _("constat en lecture seule écrit dans {d}").format(d=Path(result.folder).name),
            kind="triage",
            data={"manifest_sha256": hashlib.sha256(manifest.read_bytes()).hexdigest()},
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

    from hygie.incident.journal import Journal
    from hygie.incident.report import build_drafts, load_answers

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

    from hygie.incident.report import NO, UNKNOWN, YES

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
