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


class FleetDatabaseUnavailable(FleetError):
    """PostgreSQL cannot be reached or refuses the connection (names the host, never a password)."""

    exit_code = 70
    code = "fleet_database_unavailable"
    message_fr = "Impossible de joindre la base PostgreSQL du suivi de parc ({host}) : {reason}"
    hint_fr = (
        "Vérifiez que PostgreSQL est démarré, que l'adresse --database est la bonne et que "
        "l'utilisateur a le droit de se connecter ; le mot de passe se met dans ~/.pgpass ou "
        "la variable PGPASSWORD, jamais dans l'adresse."
    )


class FleetDatabaseUrlInvalid(FleetError):
    """The --database value is not a libpq connection string (its text is never echoed)."""

    exit_code = 71
    code = "fleet_database_url_invalid"
    message_fr = "L'adresse de la base PostgreSQL n'est pas valide : {reason}"
    hint_fr = (
        "Écrivez-la comme « postgresql://utilisateur@hôte:5432/base » ou, pour un socket "
        "local, « postgresql:///base?host=/var/run/postgresql »."
    )


class FleetSchemaTooNew(FleetError):
    """The database was migrated by a newer hygie than this one: nothing is changed."""

    exit_code = 72
    code = "fleet_schema_too_new"
    message_fr = (
        "La base du suivi de parc est à la version {found} du schéma, plus récente que celle "
        "de ce hygie ({known}) : rien n'a été modifié."
    )
    hint_fr = "Mettez hygie à jour sur ce serveur (pip install -U 'hygie[fleet-server]')."


class FleetMigrationFailed(FleetError):
    """A schema migration failed; its transaction was rolled back, earlier ones stay applied."""

    exit_code = 73
    code = "fleet_migration_failed"
    message_fr = (
        "La mise à jour du schéma « {name} » a échoué et a été annulée (la base reste à la "
        "version {version}) : {reason}"
    )
    hint_fr = (
        "Corrigez la cause (droits de l'utilisateur PostgreSQL, espace disque) puis relancez "
        "« hygie fleet init » : les versions déjà appliquées ne sont pas refaites."
    )


class FleetCampaignExists(FleetError):
    """A campaign with this name already exists (names are unique)."""

    exit_code = 74
    code = "fleet_campaign_exists"
    message_fr = "Une campagne nommée « {name} » existe déjà."
    hint_fr = "Choisissez un autre nom, ou voyez les campagnes avec « hygie fleet campaign list »."


class FleetCampaignUnknown(FleetError):
    """No campaign has this name."""

    exit_code = 75
    code = "fleet_campaign_unknown"
    message_fr = "Aucune campagne ne s'appelle « {name} »."
    hint_fr = "Voyez les campagnes existantes avec « hygie fleet campaign list »."


class FleetPlainHttpRefused(FleetError):
    """``serve`` was asked to listen off loopback without TLS and without --allow-plain-http."""

    exit_code = 76
    code = "fleet_plain_http_refused"
    message_fr = (
        "Refus d'écouter sur {host} en HTTP non chiffré : les jetons des ordinateurs "
        "passeraient en clair sur le réseau."
    )
    hint_fr = (
        "Écoutez sur 127.0.0.1 derrière un proxy inverse qui fait le TLS (voir "
        "docs/how-to/fleet-reverse-proxy.md), ou ajoutez --allow-plain-http si ce réseau est "
        "lui-même chiffré."
    )


class FleetListenInvalid(FleetError):
    """The --listen value is not HOST:PORT."""

    exit_code = 77
    code = "fleet_listen_invalid"
    message_fr = "Adresse d'écoute « {listen} » invalide : {reason}"
    hint_fr = "Écrivez-la comme 127.0.0.1:8750 (ou [::1]:8750)."


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


class OperatorNameInvalid(FleetError):
    """An operator name that the accounts table would refuse (letters, digits, ``._@-``)."""

    exit_code = 90
    code = "fleet_operator_name_invalid"
    message_fr = "Nom d'opérateur « {name} » invalide."
    hint_fr = (
        "Utilisez de 1 à 64 lettres minuscules sans accent, chiffres ou « . _ @ - », en "
        "commençant par une lettre ou un chiffre (par exemple « marie.dupont »)."
    )


class OperatorExists(FleetError):
    """An operator with this name already exists."""

    exit_code = 91
    code = "fleet_operator_exists"
    message_fr = "Un opérateur nommé « {name} » existe déjà."
    hint_fr = (
        "Choisissez un autre nom, ou supprimez d'abord l'ancien compte avec "
        "« hygie fleet operator remove »."
    )


class OperatorUnknown(FleetError):
    """No operator has this name."""

    exit_code = 92
    code = "fleet_operator_unknown"
    message_fr = "Aucun opérateur ne s'appelle « {name} »."
    hint_fr = "Voyez les comptes existants avec « hygie fleet operator list »."


class OperatorPasswordRefused(FleetError):
    """The new password is empty, too short, or the two typed copies differ."""

    exit_code = 93
    code = "fleet_operator_password_refused"
    message_fr = "Mot de passe refusé : {reason}"
    hint_fr = (
        "Choisissez une phrase de passe d'au moins {minimum} caractères (par exemple quatre "
        "mots sans lien entre eux) et relancez la commande ; rien n'a été enregistré."
    )


class OperatorSchemaMissing(FleetError):
    """The database has no operator table: ``hygie fleet init`` was not run (or is too old)."""

    exit_code = 94
    code = "fleet_operator_schema_missing"
    message_fr = "La base du suivi de parc n'a pas encore la table des opérateurs."
    hint_fr = "Lancez « hygie fleet init --database … » sur ce serveur, puis recommencez."
