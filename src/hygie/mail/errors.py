"""Errors of ``hygie mail`` (exit codes 20-29, shared band with ``hygie scan``; 60-63)."""

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


class UpstreamUnreachable(MailError):
    """``hygie mail relay --check``: the upstream SMTP server does not answer (refused, timed
    out, unknown host name)."""

    exit_code = 60
    code = "relay_upstream_unreachable"
    message_fr = "Le serveur d'envoi {upstream} ne répond pas : {detail}"
    hint_fr = (
        "Vérifiez le nom et le port du serveur d'envoi (upstream dans [mail.relay]) et la "
        "connexion à Internet, puis relancez « hygie mail relay --check »."
    )


class UpstreamTLSError(MailError):
    """``hygie mail relay --check``: the TLS connection to the upstream failed (certificate not
    trusted, expired or for another host name, no STARTTLS offered, protocol failure)."""

    exit_code = 61
    code = "relay_upstream_tls"
    message_fr = "La connexion chiffrée avec le serveur d'envoi {upstream} a échoué : {detail}"
    hint_fr = (
        "Vérifiez le nom du serveur (celui écrit sur son certificat), le mode upstream_tls "
        "(starttls pour le port 587, tls pour le port 465) et, si le serveur a sa propre "
        "autorité de certification, upstream_ca ; puis relancez « hygie mail relay --check »."
    )


class UpstreamAuthFailed(MailError):
    """``hygie mail relay --check``: the upstream refused the relay's login, or offers no login
    on this connection."""

    exit_code = 62
    code = "relay_upstream_auth"
    message_fr = "Le serveur d'envoi {upstream} refuse l'identification du relais : {detail}"
    hint_fr = (
        "Vérifiez upstream_user dans [mail.relay] et enregistrez à nouveau le mot de passe avec "
        "« hygie mail relay set-password »."
    )


class QuarantineError(MailError):
    """A quarantined message cannot be found, read, released or purged."""

    exit_code = 63
    code = "mail_quarantine"
    message_fr = "Quarantaine du relais : {detail}"
    hint_fr = "Affichez les messages gardés avec « hygie mail quarantine list »."
