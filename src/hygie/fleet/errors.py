"""Errors of ``hygie fleet`` (exit codes 64-99).

Bands inside the fleet's: 64-69 shared (reports, protocol), 70-79 the server and its
database, 80-89 the device side (join, queue, delivery), 90-99 the operator's tools.
"""

from __future__ import annotations

from hygie.errors import AppError


class FleetError(AppError):
    """Base class of the fleet's errors."""

    exit_code = 64
    code = "fleet"
    message_fr = "Le suivi de parc a rencontré un problème : {detail}"
    hint_fr = "Relancez la commande ; si le problème persiste, lancez « hygie doctor »."


class ReportInvalid(FleetError):
    """A report does not match the closed report schema (unknown field, wrong value)."""

    exit_code = 65
    code = "fleet_report_invalid"
    message_fr = "Rapport refusé : le champ « {where} » n'est pas conforme (règle « {rule} »)."
    hint_fr = (
        "Un rapport ne contient que les statuts des mesures, le score et les versions ; "
        "mettez hygie à jour sur cet ordinateur."
    )


# --- server and database: 70-79 -------------------------------------------------------------


# --- device side: 80-89 ---------------------------------------------------------------------


class FleetServerAddressInvalid(FleetError):
    """The campaign server's address is not one a device may use (not https, or plain http
    to a computer other than this one without the explicit ``--allow-plain-http``)."""

    exit_code = 80
    code = "fleet_server_address_invalid"
    message_fr = "Adresse du serveur de campagne refusée : {detail}"
    hint_fr = (
        "Recopiez l'adresse donnée par l'organisateur de la campagne ; elle commence "
        "normalement par https://."
    )


class FleetJoinCodeInvalid(FleetError):
    """The server refused the join code: wrong, expired or campaign closed (one answer for
    the three, as the server gives), or the code does not have the shape of a join code."""

    exit_code = 81
    code = "fleet_join_code_invalid"
    message_fr = (
        "Ce code d'inscription n'est pas accepté : il est faux, il a expiré, "
        "ou la campagne est close."
    )
    hint_fr = (
        "Vérifiez le code (quatre groupes de quatre caractères, par exemple ABCD-EFGH-JKMN-PQRS) "
        "ou demandez un nouveau code à l'organisateur de la campagne."
    )


class FleetServerUnreachable(FleetError):
    """The campaign server could not be reached (network, name, time-out, TLS certificate)."""

    exit_code = 82
    code = "fleet_server_unreachable"
    message_fr = "Le serveur de campagne ne répond pas : {detail}"
    hint_fr = (
        "Vérifiez la connexion à Internet. Rien n'est perdu : les bilans restent en attente "
        "sur cet ordinateur et partiront plus tard."
    )


class FleetNotJoined(FleetError):
    """The command needs a campaign and this computer is in none."""

    exit_code = 83
    code = "fleet_not_joined"
    message_fr = "Cet ordinateur ne participe à aucune campagne."
    hint_fr = (
        "Pour participer, utilisez le code donné par l'organisateur (page « Suivi de parc » "
        "du tableau de bord)."
    )


class FleetAlreadyJoined(FleetError):
    """This computer is already in a campaign: one campaign at a time."""

    exit_code = 84
    code = "fleet_already_joined"
    message_fr = "Cet ordinateur participe déjà à la campagne « {campaign} » ({server})."
    hint_fr = "Quittez d'abord cette campagne, puis inscrivez-vous à la nouvelle."


class FleetReportsQueued(FleetError):
    """``send`` could not deliver every queued report; they stay queued and are retried."""

    exit_code = 85
    code = "fleet_reports_queued"
    message_fr = "{count} bilan(s) n'ont pas pu partir et restent en attente : {detail}"
    hint_fr = (
        "Rien n'est perdu : hygie réessaiera après le prochain bilan. Vous pouvez aussi "
        "réessayer plus tard."
    )


class FleetMembershipGone(FleetError):
    """The server no longer knows this computer (401/410): the campaign deleted it or it
    was closed. Nothing more is sent until the nurse leaves (and may join again)."""

    exit_code = 86
    code = "fleet_membership_gone"
    message_fr = (
        "Le serveur de campagne ne reconnaît plus cet ordinateur : la campagne est close "
        "ou l'organisateur l'a retiré. Plus rien n'est envoyé."
    )
    hint_fr = (
        "Quittez la campagne sur cet ordinateur ; pour participer à nouveau, demandez un "
        "nouveau code à l'organisateur."
    )


class FleetJoinDetailsInvalid(FleetError):
    """The department or the label given at join is refused (shape, or missing label in an
    identified campaign)."""

    exit_code = 87
    code = "fleet_join_details_invalid"
    message_fr = "Inscription impossible : {detail}"
    hint_fr = "Corrigez ce point puis inscrivez-vous à nouveau ; rien n'a été envoyé de plus."


class FleetServerAnswerInvalid(FleetError):
    """The server answered something the contract does not allow (an error page, a proxy's
    HTML, a body that is not the expected JSON)."""

    exit_code = 88
    code = "fleet_server_answer_invalid"
    message_fr = "Le serveur de campagne a donné une réponse inattendue : {detail}"
    hint_fr = (
        "Vérifiez l'adresse du serveur ; si elle est juste, prévenez l'organisateur de la "
        "campagne. Les bilans restent en attente sur cet ordinateur."
    )


class FleetLeavePending(FleetError):
    """``leave`` could not reach the server: nothing more is sent, and the deletion is asked
    again at each later attempt until the server confirms it."""

    exit_code = 89
    code = "fleet_leave_pending"
    message_fr = (
        "Le serveur de campagne n'a pas pu être joint pour effacer les données de cet "
        "ordinateur : {detail}. Plus aucun bilan n'est envoyé."
    )
    hint_fr = (
        "hygie redemandera l'effacement après chaque bilan jusqu'à ce que le serveur le "
        "confirme ; vous pouvez aussi réessayer de quitter la campagne plus tard."
    )


# --- operator tools: 90-99 ------------------------------------------------------------------
