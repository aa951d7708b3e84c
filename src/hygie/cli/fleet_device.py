"""``hygie fleet join|send|status|leave``: this computer's part in a campaign.

Exit codes: 0 done; 80-89 the device side's failures (hygie/fleet/errors.py); ``send`` exits
85 (:class:`~hygie.fleet.errors.FleetReportsQueued`) when reports stay queued, 86 when the
server no longer knows this computer; ``leave`` exits 89 when the deletion is still pending.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from hygie.errors import EXIT_OK, UsageError
from hygie.i18n import _
from hygie.output import envelope, err_console, print_json, stdout_console

if TYPE_CHECKING:
    from hygie.audit import AuditResult
    from hygie.fleet.device import DeviceStatus, JoinPlan

JsonOpt = Annotated[bool, typer.Option("--json", help="Écrire le résultat en JSON sur stdout.")]


def register(app: typer.Typer) -> None:
    """Add the device commands to the ``fleet`` group."""
    app.command(
        "join",
        help="Inscrire cet ordinateur à une campagne (adresse du serveur et code donnés par "
        "l'organisateur). Montre ce qui sera envoyé avant de le faire.",
    )(join)
    app.command("send", help="Envoyer maintenant les bilans en attente au serveur de la campagne.")(
        send
    )
    app.command(
        "status", help="Campagne, serveur, ce qui est envoyé, bilans en attente, dernier envoi."
    )(status)
    app.command(
        "leave",
        help="Quitter la campagne : le serveur efface les données de cet ordinateur.",
    )(leave)


def _last_audit() -> AuditResult | None:
    """The last recorded audit, read back (to show the report it would give)."""
    from hygie import audit as audit_api
    from hygie.store import open_store

    st = open_store()
    try:
        found = audit_api.last_recorded(st)
        return found[1] if found else None
    finally:
        st.close()


def _show_plan(plan: JoinPlan) -> None:
    from hygie.fleet.device import preview_report

    console = err_console
    console.print(
        _("Inscription au serveur de campagne : {url}").format(url=plan.server_url),
        highlight=False,
        markup=False,
    )
    console.print(_("Envoyé une fois, à l'inscription (le code est masqué ici) :"))
    console.print(
        json.dumps(plan.shown(), ensure_ascii=False, indent=2), highlight=False, markup=False
    )
    last = _last_audit()
    example = preview_report(last) if last else None
    console.print(
        _(
            "Puis, après chaque bilan, un rapport comme celui-ci (statut de chaque mesure et "
            "score, jamais un nom, un fichier, une adresse ni une donnée de patient) :"
        )
    )
    if example is not None:
        console.print(
            json.dumps(example, ensure_ascii=False, indent=2), highlight=False, markup=False
        )
    else:
        console.print(_("(aucun bilan encore : le premier rapport partira après le premier bilan)"))


def join(
    server_url: Annotated[
        str, typer.Argument(help="Adresse du serveur de la campagne (https://…).")
    ],
    code: Annotated[
        str, typer.Argument(help="Code d'inscription donné par l'organisateur (ABCD-EFGH-…).")
    ],
    department: Annotated[
        str | None,
        typer.Option(
            "--department", help="Numéro du département du cabinet (75, 2A, 974…), facultatif."
        ),
    ] = None,
    label: Annotated[
        str | None,
        typer.Option(
            "--label",
            help="Nom de cet ordinateur (« PC accueil »), demandé par les campagnes qui "
            "identifient chaque ordinateur (cabinet de groupe, prestataire).",
        ),
    ] = None,
    allow_plain_http: Annotated[
        bool,
        typer.Option(
            "--allow-plain-http",
            help="Accepter une adresse http:// non chiffrée vers un autre ordinateur "
            "(déconseillé ; seulement sur le réseau du cabinet, si le prestataire le demande).",
        ),
    ] = False,
    yes: Annotated[
        bool, typer.Option("--yes", help="Ne pas demander de confirmation (scripts).")
    ] = False,
    json_: JsonOpt = False,
) -> int:
    """Inscrire cet ordinateur à une campagne."""
    from hygie.fleet.device import join as do_join
    from hygie.fleet.device import prepare_join

    plan = prepare_join(
        server_url, code, department=department, label=label, allow_plain_http=allow_plain_http
    )
    if not yes:
        if not sys.stdin.isatty():
            raise UsageError(
                detail=_(
                    "s'inscrire à une campagne demande une confirmation : lancez la commande "
                    "dans un terminal, ou ajoutez --yes"
                )
            )
        _show_plan(plan)
        from hygie.cli.prompts import ask_yes_no

        if not ask_yes_no(_("Inscrire cet ordinateur à cette campagne ?"), default=False):
            err_console.print(_("Rien n'a été envoyé."))
            return EXIT_OK
    membership = do_join(plan)
    if json_:
        print_json(envelope("fleet.join", membership.to_dict()))
        return EXIT_OK
    console = stdout_console()
    mode = (
        _("identifiée : l'organisateur voit cet ordinateur sous le nom « {label} »").format(
            label=membership.label
        )
        if membership.mode == "identified"
        else _("anonyme : l'organisateur ne voit que des totaux d'au moins 5 ordinateurs")
    )
    console.print(
        _("Inscrit à la campagne « {name} » ({url}), {mode}.").format(
            name=membership.campaign_name, url=membership.server_url, mode=mode
        ),
        highlight=False,
        markup=False,
    )
    console.print(_("Un rapport partira après chaque bilan."))
    return EXIT_OK


def send(json_: JsonOpt = False) -> int:
    """Envoyer maintenant les bilans en attente."""
    from hygie.fleet.device import deliver
    from hygie.fleet.errors import FleetError, FleetLeavePending, FleetReportsQueued

    result = deliver(force=True)
    data = {
        "delivered": result.delivered,
        "rejected": result.rejected,
        "remaining": result.remaining,
        "left": result.left,
    }
    error: FleetError | None = result.error
    if result.leaving and not result.left and error is not None:
        error = FleetLeavePending(detail=str(error.params.get("detail") or error.render()))
    elif error is not None and error.exit_code not in (83, 86) and not result.left:
        # the queue stays: say how many, and why
        if result.remaining:
            error = FleetReportsQueued(count=result.remaining, detail=error.render())
    elif result.remaining and error is None:
        error = FleetReportsQueued(count=result.remaining, detail=_("envoi interrompu"))
    if error is not None:
        err_console.print(_("Envoyé : {n} bilan(s).").format(n=result.delivered))
        if not json_:
            raise error  # the root command prints it with its hint and exits with its code
        print_json(envelope("fleet.send", data, status="error", error=error.to_dict()))
        err_console.print(_("Erreur") + " : " + error.render(), highlight=False, markup=False)
        raise typer.Exit(error.exit_code)
    if json_:
        print_json(envelope("fleet.send", data))
        return EXIT_OK
    console = stdout_console()
    if result.left:
        console.print(
            _("Le serveur a effacé les données de cet ordinateur ; la campagne est oubliée.")
        )
    else:
        console.print(_("Envoyé : {n} bilan(s). Plus rien en attente.").format(n=result.delivered))
    if result.rejected:
        console.print(
            _("{n} bilan(s) refusé(s) par le serveur et retiré(s) de la file.").format(
                n=result.rejected
            )
        )
    return EXIT_OK


def status(json_: JsonOpt = False) -> int:
    """Où en est cet ordinateur dans sa campagne."""
    from hygie.fleet.device import status as device_status

    st = device_status(example_from=_last_audit())
    if json_:
        print_json(envelope("fleet.status", st.to_dict()))
        return EXIT_OK
    _print_status(st)
    return EXIT_OK


def _print_status(st: DeviceStatus) -> None:
    from hygie.fleet.device import QUEUE_LIMIT

    console = stdout_console()
    m = st.membership
    if m is None:
        console.print(_("Cet ordinateur ne participe à aucune campagne. Rien n'est envoyé."))
        return
    states = {
        "active": _("inscrit"),
        "gone": _("le serveur ne reconnaît plus cet ordinateur : plus rien n'est envoyé"),
        "leaving": _(
            "départ demandé, effacement pas encore confirmé par le serveur : plus rien n'est envoyé"
        ),
    }
    modes = {
        "anonymous": _("anonyme (totaux d'au moins 5 ordinateurs)"),
        "identified": _("identifiée (l'organisateur voit cet ordinateur par son nom)"),
    }
    rows = [
        (_("Campagne"), m.campaign_name),
        (_("Serveur"), m.server_url),
        (_("Mode"), modes.get(m.mode, m.mode)),
        (_("État"), states.get(m.state, m.state)),
        (_("Département"), m.department or _("non donné")),
        (_("Nom de l'ordinateur"), m.label or _("aucun")),
        (
            _("Bilans en attente"),
            _("{n} (au plus {limit})").format(n=st.queue_length, limit=QUEUE_LIMIT),
        ),
        (_("Dernier envoi"), st.last_delivery_at or _("aucun")),
        (_("Dernière erreur"), st.last_error or _("aucune")),
    ]
    if st.dropped:
        rows.append(
            (
                _("Perdus"),
                _("{n} bilan(s), les plus anciens, retirés sans être envoyés (file pleine)").format(
                    n=st.dropped
                ),
            )
        )
    if st.next_attempt_at and st.queue_length:
        rows.append((_("Prochain essai automatique"), st.next_attempt_at))
    for name, value in rows:
        console.print(f"{name} : {value}", highlight=False, markup=False)
    console.print(_("Ce qui est envoyé après chaque bilan :"))
    if st.report_example:
        console.print(
            json.dumps(st.report_example, ensure_ascii=False, indent=2),
            highlight=False,
            markup=False,
        )
    else:
        console.print(_("(aucun bilan encore)"))


def leave(
    yes: Annotated[
        bool, typer.Option("--yes", help="Ne pas demander de confirmation (scripts).")
    ] = False,
    json_: JsonOpt = False,
) -> int:
    """Quitter la campagne ; le serveur efface les données de cet ordinateur."""
    from hygie.fleet.device import leave as do_leave
    from hygie.fleet.device import status as device_status
    from hygie.fleet.errors import FleetNotJoined

    current = device_status().membership
    if current is None:
        raise FleetNotJoined()
    if not yes:
        if not sys.stdin.isatty():
            raise UsageError(
                detail=_(
                    "quitter une campagne demande une confirmation : lancez la commande dans "
                    "un terminal, ou ajoutez --yes"
                )
            )
        from rich.markup import escape

        from hygie.cli.prompts import ask_yes_no

        question = _(
            "Quitter la campagne « {name} » et demander à {url} d'effacer les données de cet "
            "ordinateur ?"
        ).format(name=current.campaign_name, url=current.server_url)
        if not ask_yes_no(escape(question), default=False):
            err_console.print(_("Rien n'a changé."))
            return EXIT_OK
    m = do_leave()
    if json_:
        print_json(envelope("fleet.leave", {"left": m.to_dict()}))
        return EXIT_OK
    stdout_console().print(
        _(
            "Campagne « {name} » quittée : le serveur a effacé les données de cet ordinateur, "
            "et hygie a oublié la campagne."
        ).format(name=m.campaign_name),
        highlight=False,
        markup=False,
    )
    return EXIT_OK
