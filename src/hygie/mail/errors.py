"""Errors of ``hygie mail`` (exit codes 20-29, shared band with ``hygie scan``)."""

from __future__ import annotations

from hygie.errors import AppError


class MailError(AppError):
    """Base class of the mail capability's errors."""

    exit_code = 20
    code = "mail"
    message_fr = "Erreur de messagerie : {detail}"
    hint_fr = (
        "Relancez la commande ; si le problème persiste, lancez-la avec --json et notez le code."
    )


class InvalidNir(MailError):
    """The number typed for a patient MSSanté address is not a valid NIR/INS (format or key)."""

    exit_code = 21
    code = "invalid_nir"
    message_fr = "Ce numéro n'est pas un matricule INS valide : {detail}"
    hint_fr = (
        "Recopiez les 15 caractères de la carte Vitale ou de l'attestation de droits "
        "(13 chiffres puis la clé de 2 chiffres) et relancez la commande."
    )


class RelayConfigError(MailError):
    """The relay cannot start with these settings (listen/upstream/TLS/authentication)."""

    exit_code = 22
    code = "relay_config"
    message_fr = "Le relais ne peut pas démarrer avec ces réglages : {detail}"
    hint_fr = (
        "Corrigez l'option indiquée (ligne de commande ou section [mail.relay] du fichier de "
        "configuration) ; voir « hygie mail relay --help »."
    )


class RelayStartError(MailError):
    """The relay could not listen on the requested address (port taken, no permission)."""

    exit_code = 23
    code = "relay_start"
    message_fr = "Le relais n'a pas pu écouter sur {listen} : {detail}"
    hint_fr = (
        "Choisissez un autre port (par exemple 127.0.0.1:2525) "
        "ou arrêtez le programme qui l'occupe."
    )


class ExposureSourceError(MailError):
    """A folder or file given to ``hygie mail exposure`` cannot be read."""

    exit_code = 24
    code = "exposure_source"
    message_fr = "Impossible de lire {path} : {detail}"
    hint_fr = "Vérifiez le chemin (un dossier, un fichier .mbox ou .eml) et vos droits de lecture."


class SecretInputError(MailError):
    """No password was given on standard input / at the prompt."""

    exit_code = 25
    code = "secret_input"
    message_fr = "Aucun mot de passe reçu : {detail}"
    hint_fr = (
        "Tapez le mot de passe à l'invite, ou envoyez-le sur l'entrée standard "
        "(jamais en argument)."
    )
