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
