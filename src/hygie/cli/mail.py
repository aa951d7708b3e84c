"""``hygie mail``: MSSanté addresses, the guard relay, the exposure audit (thin CLI)."""

from __future__ import annotations

import getpass
import logging
import signal
import sys
import threading
from pathlib import Path
from typing import Annotated, Any

import typer

from hygie.cli.params import finite
from hygie.errors import EXIT_FINDINGS, EXIT_OK
from hygie.i18n import _
from hygie.output import envelope, err_console, print_json, stdout_console

mail_app = typer.Typer(
    name="mail",
    help="Messagerie : adresses MSSanté, relais de garde, exposition des données de patients.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
relay_app = typer.Typer(
    name="relay",
    help="Relais SMTP local qui bloque les données de patients envoyées hors MSSanté.",
    invoke_without_command=True,
    rich_markup_mode=None,
)

quarantine_app = typer.Typer(
    name="quarantine",
    help="Messages gardés par le relais (politique quarantine) : lister, voir, envoyer, supprimer.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

JsonOpt = Annotated[bool, typer.Option("--json", help="Écrire le résultat en JSON sur stdout.")]


def register(app: typer.Typer) -> None:
    mail_app.add_typer(relay_app, name="relay")
    mail_app.add_typer(quarantine_app, name="quarantine")
    app.add_typer(mail_app, name="mail")


@mail_app.command("address", help="Dire si des adresses sont MSSanté, gratuites ou autres.")
def address(
    addresses: Annotated[list[str], typer.Argument(help="Une ou plusieurs adresses.")],
    json_: JsonOpt = False,
) -> int:
    from hygie.mail import classify_all

    infos = classify_all(addresses)
    all_ok = all(i.is_mssante for i in infos)
    if json_:
        print_json(
            envelope(
                "mail.address",
                {"addresses": [i.to_dict() for i in infos], "all_mssante": all_ok},
                status="success" if all_ok else "findings",
            )
        )
    else:
        console = stdout_console()
        for i in infos:
            mark = "[green]✔[/]" if i.is_mssante else "[red]✘[/]"
            console.print(f"{mark} {i.shown} — {i.label} ({i.reason})", highlight=False)
    return EXIT_OK if all_ok else EXIT_FINDINGS


@mail_app.command(
    "patient-address", help="Écrire l'adresse MSSanté d'un patient à partir de son matricule INS."
)
def patient_address_cmd(
    nir: Annotated[str, typer.Argument(help="Matricule INS (15 caractères, clé comprise).")],
    json_: JsonOpt = False,
) -> int:
    from hygie.mail import patient_address

    # Printed because the user typed the number for this purpose; never logged nor stored.
    addr = patient_address(nir)
    if json_:
        print_json(envelope("mail.patient_address", {"address": addr}))
    else:
        sys.stdout.write(addr + "\n")
    return EXIT_OK


@relay_app.callback()
def relay(
    ctx: typer.Context,
    listen: Annotated[
        str | None, typer.Option("--listen", help="HÔTE:PORT d'écoute (défaut 127.0.0.1:2525).")
    ] = None,
    upstream: Annotated[
        str | None, typer.Option("--upstream", help="HÔTE:PORT du vrai serveur d'envoi.")
    ] = None,
    upstream_tls: Annotated[
        str | None,
        typer.Option("--upstream-tls", help="starttls (défaut), tls ou none (local seulement)."),
    ] = None,
    upstream_user: Annotated[
        str | None, typer.Option("--upstream-user", help="Identifiant sur le serveur d'envoi.")
    ] = None,
    policy: Annotated[
        str | None,
        typer.Option("--policy", help="reject (défaut), quarantine ou warn."),
    ] = None,
    check: Annotated[
        bool, typer.Option("--check", help="Vérifier les réglages sans démarrer le relais.")
    ] = False,
    json_: JsonOpt = False,
) -> None:
    """Démarrer le relais (Ctrl-C pour l'arrêter)."""
    if ctx.invoked_subcommand is not None:
        return
    from hygie import mail as r
    from hygie.config import load_config
    from hygie.secrets import get_secret

    settings = r.settings_from(
        load_config(),
        listen=listen,
        upstream=upstream,
        upstream_tls=upstream_tls,
        upstream_user=upstream_user,
        policy=policy,
    )
    client_password = get_secret(r.SECRET_CLIENT)
    upstream_password = get_secret(r.SECRET_UPSTREAM) if settings.upstream_user else None
    settings.validate(client_password_set=bool(client_password))
    info: dict[str, Any] = settings.to_dict()
    info["client_auth"] = bool(client_password)
    if check:
        _check(settings, upstream_password, info, json_)
    # Only hygie's relay log at INFO (one line per message, no address, no content).
    logging.basicConfig(
        level=logging.WARNING, stream=sys.stderr, format="%(asctime)s %(name)s %(message)s"
    )
    logging.getLogger("hygie.mail.relay").setLevel(logging.INFO)
    guard = r.GuardRelay(
        settings, upstream_password=upstream_password, client_password=client_password
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_a: stop.set())
    err_console.print(
        _("Relais hygie à l'écoute sur {listen} → {upstream} (politique : {policy}).").format(
            listen=info["listen"], upstream=info["upstream"], policy=settings.policy
        )
    )
    try:
        totals = r.run_forever(guard, stop)
    except KeyboardInterrupt:
        stop.set()
        guard.stop()
        totals = dict(guard.stats.totals)
    if json_:
        print_json(envelope("mail.relay", {**info, "totals": totals}))
    err_console.print(_("Relais arrêté."))
    raise typer.Exit(EXIT_OK)


def _check(settings: Any, upstream_password: str | None, info: dict[str, Any], json_: bool) -> None:
    """``--check``: the settings are valid; now connect to the upstream once and say why not."""
    from hygie.mail import check_upstream
    from hygie.mail.errors import UpstreamAuthFailed, UpstreamTLSError, UpstreamUnreachable

    result = check_upstream(settings, upstream_password)
    info = {**info, "upstream_check": result.to_dict()}
    if result.ok:
        if json_:
            print_json(envelope("mail.relay", info))
        else:
            err_console.print(_("Réglages du relais valides."))
            err_console.print(result.message())
        raise typer.Exit(EXIT_OK)
    cls: type[Exception]
    if result.reason.startswith("tls_") or result.reason == "no_starttls":
        cls = UpstreamTLSError
    elif result.reason in ("auth", "no_auth"):
        cls = UpstreamAuthFailed
    else:
        cls = UpstreamUnreachable
    detail = result.message()
    if result.detail:
        detail += f" ({result.detail})"
    raise cls(upstream=info["upstream"], detail=detail)


@relay_app.command(
    "set-password", help="Enregistrer un mot de passe du relais (jamais en argument)."
)
def set_password(
    client: Annotated[
        bool,
        typer.Option(
            "--client",
            help="Le mot de passe que les logiciels de messagerie donnent au relais "
            "(au lieu de celui du serveur d'envoi).",
        ),
    ] = False,
) -> int:
    from hygie.mail import SECRET_CLIENT, SECRET_UPSTREAM
    from hygie.mail.errors import SecretInputError
    from hygie.secrets import set_secret

    if sys.stdin.isatty():
        value = getpass.getpass(_("Mot de passe : "))
    else:
        value = sys.stdin.readline().rstrip("\r\n")
    if not value:
        raise SecretInputError(detail=_("entrée vide"))
    backend = set_secret(SECRET_CLIENT if client else SECRET_UPSTREAM, value)
    err_console.print(_("Mot de passe enregistré ({backend}).").format(backend=backend))
    return EXIT_OK


@relay_app.command("stats", help="Compter les messages traités par le relais (30 derniers jours).")
def stats(
    days: Annotated[int, typer.Option("--days", help="Nombre de jours.")] = 30,
    json_: JsonOpt = False,
) -> int:
    from hygie.mail import relay_counts

    counts = relay_counts(days)
    if json_:
        print_json(envelope("mail.relay_stats", counts))
    else:
        console = stdout_console()
        console.print(
            _("{n} message(s) en {days} jours").format(n=counts["total"], days=days),
            highlight=False,
        )
        for decision, n in sorted(counts["by_decision"].items()):
            console.print(f"  {decision}: {n}", highlight=False)
    return EXIT_OK


@mail_app.command(
    "exposure",
    help="Compter les messages envoyés hors MSSanté avec des données de patients (12 mois).",
)
def exposure(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Dossiers ou fichiers .mbox/.eml (défaut : profils Thunderbird)."),
    ] = None,
    months: Annotated[int, typer.Option("--months", help="Période examinée, en mois.")] = 12,
    no_record: Annotated[
        bool, typer.Option("--no-record", help="Ne pas garder les compteurs pour le bilan.")
    ] = False,
    json_: JsonOpt = False,
) -> int:
    from rich.progress import Progress, SpinnerColumn, TextColumn

    from hygie.mail import run_exposure

    show = not json_ and err_console.is_terminal
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        console=err_console,
        transient=True,
        disable=not show,
    ) as bar:
        task = bar.add_task(_("Lecture des messages envoyés"), total=None)

        def progress(done: int) -> None:
            bar.update(task, description=_("{n} messages examinés").format(n=done), completed=done)

        result = run_exposure(
            list(paths or []), months=months, record=not no_record, progress=progress
        )
    exposed = result.sent_patient_data_non_mssante > 0
    if json_:
        print_json(
            envelope("mail.exposure", result.to_dict(), status="findings" if exposed else "success")
        )
    else:
        from hygie.mail import render_lines

        console = stdout_console()
        for line in render_lines(result):
            console.print(line, highlight=False)
    return EXIT_FINDINGS if exposed else EXIT_OK


# --- quarantine ----------------------------------------------------------------------------
def _quarantine() -> Any:
    from hygie.mail import Quarantine, quarantine_folder

    return Quarantine(quarantine_folder())


def _findings_line(item: Any) -> str:
    from collections import Counter

    counts = Counter(_(f.label) for f in item.findings)
    return ", ".join(f"{label} ({n})" for label, n in counts.most_common()) or "-"


@quarantine_app.command("list", help="Lister les messages gardés (sans leur contenu).")
def quarantine_list(json_: JsonOpt = False) -> int:
    items = _quarantine().items()
    if json_:
        print_json(envelope("mail.quarantine", {"items": [i.to_dict() for i in items]}))
        return EXIT_OK
    console = stdout_console()
    if not items:
        console.print(_("Aucun message en quarantaine."), highlight=False)
        return EXIT_OK
    for i in items:
        console.print(
            _("{id}  {when}  {size} octets  {n} destinataire(s) hors MSSanté  {found}").format(
                id=i.id,
                when=i.received_at.strftime("%Y-%m-%d %H:%M"),
                size=i.size,
                n=i.non_mssante,
                found=_findings_line(i),
            ),
            highlight=False,
        )
    return EXIT_OK


@quarantine_app.command(
    "show", help="Voir un message gardé : en-têtes et données trouvées, masquées."
)
def quarantine_show(
    item_id: Annotated[str, typer.Argument(help="Numéro du message (voir « list »).")],
    json_: JsonOpt = False,
) -> int:
    from hygie.mail import shown_headers

    msg = _quarantine().open(item_id)
    headers = shown_headers(msg.raw)
    data = {**msg.item.to_dict(), "headers": headers}
    if json_:
        print_json(envelope("mail.quarantine_item", data))
        return EXIT_OK
    console = stdout_console()
    console.print(f"{msg.item.id}  ({msg.item.received_at:%Y-%m-%d %H:%M} UTC)", highlight=False)
    names = {
        "from": _("De"),
        "to": _("À"),
        "cc": _("Copie"),
        "subject": _("Objet"),
        "date": _("Date"),
    }
    for key, label in names.items():
        if key in headers:
            console.print(f"  {label} : {headers[key]}", highlight=False)
    if headers.get("unreadable"):
        console.print("  " + _("En-têtes illisibles."), highlight=False)
    for name in headers.get("attachments", []):
        console.print("  " + _("Pièce jointe : {name}").format(name=name), highlight=False)
    console.print(_("Données de patient trouvées (masquées) :"), highlight=False)
    for f in msg.item.findings:
        console.print(f"  - {_(f.label)} : {f.masked} ({f.place})", highlight=False)
    return EXIT_OK


@quarantine_app.command(
    "release",
    help="Envoyer quand même un message gardé, tel quel, après confirmation (journalisé).",
)
def quarantine_release(
    item_id: Annotated[str, typer.Argument(help="Numéro du message (voir « list »).")],
    yes: Annotated[
        bool,
        typer.Option("--yes", help="Confirmer sans question (scripts) : la décision est la vôtre."),
    ] = False,
    json_: JsonOpt = False,
) -> int:
    from hygie.config import load_config
    from hygie.errors import UsageError
    from hygie.mail import SECRET_UPSTREAM, release, settings_from
    from hygie.mail.errors import (
        QuarantineError,
        UpstreamAuthFailed,
        UpstreamTLSError,
        UpstreamUnreachable,
    )
    from hygie.secrets import get_secret

    q = _quarantine()
    item = q.get(item_id)
    settings = settings_from(load_config())
    upstream = f"{settings.upstream_host}:{settings.upstream_port}"
    if not yes:
        if not sys.stdin.isatty():
            raise UsageError(
                detail=_(
                    "envoyer un message gardé demande une confirmation : lancez la commande "
                    "dans un terminal, ou ajoutez --yes"
                )
            )
        err_console.print(
            _(
                "Ce message contient des données de patients ({found}). Il partira tel quel "
                "vers {n} destinataire(s), dont {m} hors MSSanté, par {upstream}."
            ).format(
                found=_findings_line(item), n=item.recipients, m=item.non_mssante, upstream=upstream
            )
        )
        word = _("envoyer")
        answer = typer.prompt(_("Tapez « {word} » pour confirmer").format(word=word), default="")
        if answer.strip().lower() != word:
            err_console.print(_("Rien n'a été envoyé ; le message reste en quarantaine."))
            return EXIT_OK
    password = get_secret(SECRET_UPSTREAM) if settings.upstream_user else None
    delivery = release(q, item_id, settings, password)
    if not delivery.ok:
        reason = delivery.reason
        detail = delivery.reply[4:]
        if reason.startswith("tls_") or reason == "no_starttls":
            raise UpstreamTLSError(upstream=upstream, detail=detail)
        if reason in ("auth", "no_auth"):
            raise UpstreamAuthFailed(upstream=upstream, detail=detail)
        if reason:
            raise UpstreamUnreachable(upstream=upstream, detail=detail)
        raise QuarantineError(
            detail=_("le serveur d'envoi a refusé le message : {reply}").format(
                reply=delivery.reply
            )
        )
    if json_:
        print_json(envelope("mail.quarantine_release", {"id": item_id, "released": True}))
    else:
        err_console.print(_("Message envoyé ; il a été retiré de la quarantaine."))
    return EXIT_OK


@quarantine_app.command(
    "purge", help="Supprimer des messages gardés : par numéro, ou plus vieux que N jours."
)
def quarantine_purge(
    item_ids: Annotated[
        list[str] | None, typer.Argument(help="Numéros des messages à supprimer.")
    ] = None,
    older_than: Annotated[
        float | None,
        typer.Option(
            "--older-than", help="Supprimer ceux de plus de N jours.", min=0, callback=finite
        ),
    ] = None,
    json_: JsonOpt = False,
) -> int:
    from hygie.errors import UsageError
    from hygie.mail import purge_quarantine

    if not item_ids and older_than is None:
        raise UsageError(
            detail=_("dites quoi supprimer : des numéros de message, ou --older-than JOURS")
        )
    gone = purge_quarantine(_quarantine(), ids=item_ids or (), older_than_days=older_than)
    if json_:
        print_json(envelope("mail.quarantine_purge", {"deleted": gone}))
    else:
        err_console.print(_("{n} message(s) supprimé(s) de la quarantaine.").format(n=len(gone)))
    return EXIT_OK
