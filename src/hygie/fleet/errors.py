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
