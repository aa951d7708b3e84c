"""Errors as the dashboard shows them: a French sentence, what to do here (a button, never a
command), and the tool's raw output folded away in "Détails techniques".

The capabilities' error classes speak to the terminal (their hints name commands and options).
:data:`DASHBOARD_HINTS` words the same advice for the dashboard, by error code; a code missing
from it falls back to its hint without any command (see :mod:`hygie.web.plain`).
"""

from __future__ import annotations

import logging
import re
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hygie.errors import AppError, UsageError
from hygie.i18n import N_, _
from hygie.web.plain import plain, shows_command

log = logging.getLogger("hygie.web")

RETRY = N_("Réessayez ; si cela recommence, montrez ce message à votre prestataire informatique.")

# code -> (what to do, in the dashboard's words; link; link text)
DASHBOARD_HINTS: dict[str, tuple[str, str, str]] = {
    "usage": (N_("Corrigez le formulaire puis réessayez."), "", ""),
    "config": (
        N_(
            "Le fichier de réglages de hygie contient une erreur : montrez ce message à votre "
            "prestataire informatique. Rien n'a été modifié."
        ),
        "",
        "",
    ),
    "store": (N_(RETRY), "", ""),
    "restic_not_found": (
        N_(
            "Le programme de sauvegarde restic manque sur cet ordinateur : demandez à votre "
            "prestataire de l'installer, puis revenez sur cette page."
        ),
        "/sauvegardes",
        N_("Revenir aux sauvegardes"),
    ),
    "not_configured": (
        N_("Mettez d'abord la sauvegarde en place."),
        "/sauvegardes#configurer",
        N_("Mettre en place la sauvegarde"),
    ),
    "destination_absent": (
        N_("Branchez le disque de sauvegarde, attendez qu'il apparaisse, puis relancez."),
        "/sauvegardes",
        N_("Revenir aux sauvegardes"),
    ),
    "wrong_password": (
        N_(
            "Le mot de passe enregistré n'ouvre pas cette sauvegarde. Prenez la fiche de "
            "secours imprimée et montrez-la à votre prestataire informatique."
        ),
        "/sauvegardes",
        N_("Revenir aux sauvegardes"),
    ),
    "destination_full": (
        N_(
            "Le disque de sauvegarde est plein : libérez de la place ou prenez un disque "
            "plus grand, puis relancez. Les sauvegardes précédentes sont intactes."
        ),
        "/sauvegardes",
        N_("Revenir aux sauvegardes"),
    ),
    "destination_unreachable": (
        N_("Vérifiez la connexion Internet, puis relancez la sauvegarde."),
        "/sauvegardes",
        N_("Revenir aux sauvegardes"),
    ),
    "backup_failed": (
        N_(
            "Relancez la sauvegarde ; si l'erreur revient, montrez ce message à votre "
            "prestataire informatique."
        ),
        "/sauvegardes",
        N_("Revenir aux sauvegardes"),
    ),
    "verify_failed": (
        N_(
            "Gardez cette sauvegarde, faites-en une nouvelle puis testez à nouveau la "
            "restauration ; si l'échec revient, appelez votre prestataire informatique."
        ),
        "/sauvegardes",
        N_("Revenir aux sauvegardes"),
    ),
    "media": (N_(RETRY), "/cle-usb", N_("Revenir à la page Clé USB")),
    "media_engine_unavailable": (
        N_(
            "L'antivirus ClamAV n'est pas installé ou ne répond pas sur cet ordinateur. "
            "Demandez à votre prestataire informatique de l'installer ; en attendant, "
            "n'ouvrez aucune clé d'origine inconnue."
        ),
        "/cle-usb",
        N_("Revenir à la page Clé USB"),
    ),
    "media_selftest_failed": (
        N_(
            "Les signatures de l'antivirus ne sont pas chargées : aucun fichier ne peut être "
            "déclaré sain. Demandez à votre prestataire de mettre l'antivirus à jour."
        ),
        "/cle-usb",
        N_("Revenir à la page Clé USB"),
    ),
    "media_no_signatures": (
        N_(
            "L'antivirus n'a pas encore ses signatures : demandez à votre prestataire de les "
            "télécharger, puis relancez l'analyse."
        ),
        "/cle-usb",
        N_("Revenir à la page Clé USB"),
    ),
    "media_mount_failed": (
        N_("Ouvrez la clé dans l'explorateur de fichiers, puis choisissez-la sur la page."),
        "/cle-usb",
        N_("Revenir à la page Clé USB"),
    ),
    "mail": (N_(RETRY), "/messagerie", N_("Revenir à la messagerie")),
    "relay_config": (
        N_("Corrigez le réglage du relais indiqué dans le formulaire."),
        "/messagerie#relais",
        N_("Régler le relais"),
    ),
    "incident": (
        N_("Réessayez ; si le problème continue, notez-le sur papier."),
        "/incident",
        N_("Revenir à la page Incident"),
    ),
    "incident_destination_not_writable": (
        N_(
            "Branchez une clé USB qui n'est pas protégée en écriture, "
            "ou choisissez un autre dossier."
        ),
        "/incident/exercice",
        N_("Choisir un autre dossier"),
    ),
    "incident_journal_exists": (
        N_(
            "Ce dossier contient déjà un journal : "
            "choisissez un autre dossier (ou un dossier vide)."
        ),
        "/incident/exercice",
        N_("Choisir un autre dossier"),
    ),
    "incident_isolation_failed": (
        N_(
            "Débranchez le câble réseau et coupez le Wi-Fi à la main ; hygie n'a peut-être pas "
            "les droits nécessaires."
        ),
        "/incident",
        N_("Revenir à la page Incident"),
    ),
    "kit_write_failed": (
        N_("Réessayez ; si cela recommence, imprimez le kit depuis la page Incident."),
        "/incident",
        N_("Revenir à la page Incident"),
    ),
    "incident_confirmation_required": (
        N_("Cochez la case de confirmation, puis recommencez."),
        "/incident",
        N_("Revenir à la page Incident"),
    ),
    "dashboard": (N_(RETRY), "/", N_("Revenir à l'accueil")),
}

_HOLE = "\x00"


@dataclass(frozen=True)
class Failure:
    """What a page or a job shows when an action failed."""

    message: str
    hint: str
    code: str
    action_url: str = ""
    action_label: str = ""
    details: str = ""
    fields: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "message": self.message,
            "hint": self.hint,
            "code": self.code,
            "action_url": self.action_url,
            "action_label": self.action_label,
            "details": self.details,
        }


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?", "»")) else text + "."


def _message(exc: AppError) -> tuple[str, str]:
    """(the French sentence without the tool's raw output, that raw output)."""
    detail = str(exc.params.get("detail", "") or "")
    if isinstance(exc, UsageError):
        # the dashboard's own checks word the detail for her; "Commande incorrecte" is for
        # the terminal
        text = plain(detail)
        if shows_command(text):  # not one of the dashboard's own sentences: fold it away
            return _("Cette action n'a pas pu être faite."), detail
        return _sentence(text), ""
    if not detail:
        return _sentence(plain(exc.render())), ""
    params = {**exc.params, "detail": _HOLE}
    try:
        text = _(exc.message_fr).format(**params)
    except (KeyError, IndexError):
        text = _(exc.message_fr)
    text = re.sub(rf"\s*\(\s*{_HOLE}\s*\)|\s*[:,;]\s*{_HOLE}|{_HOLE}", "", text)
    return _sentence(plain(text)), detail


def failure_of(exc: AppError) -> Failure:
    message, details = _message(exc)
    hint, url, label = DASHBOARD_HINTS.get(exc.code, ("", "", ""))
    if hint:
        hint = _(hint)
    else:
        hint = plain(exc.hint())
        if not hint or shows_command(hint):
            hint = _(RETRY)
    raw = f"{exc.code} ({exc.exit_code})" + (f"\n{details}" if details else "")
    return Failure(message, hint, exc.code, url, _(label) if label else "", raw)


def unexpected(exc: BaseException, where: str) -> Failure:
    """An error hygie did not foresee: logged with its traceback, shown as a friendly text."""
    log.error(
        "unexpected error in %s\n%s",
        where,
        "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)),
    )
    return Failure(
        _("L'action n'a pas pu aller au bout. Rien n'a été perdu."),
        _(RETRY),
        type(exc).__name__,
        "/",
        _("Revenir à l'accueil"),
        type(exc).__name__,
    )


def attach_log_file() -> Path | None:
    """hygie's log file (:mod:`hygie.log`, identifiers masked) for the dashboard's errors;
    keeps ``--debug`` when the CLI turned it on."""
    from hygie import log as hygie_log

    debug = logging.getLogger(hygie_log.ROOT).level == logging.DEBUG
    return hygie_log.setup(debug=debug)


def failure_from_dict(error: dict[str, Any], **params: Any) -> Failure:
    """A capability's error already turned into a dict (``AppError.to_dict()``, e.g. one
    destination of a backup): its French sentence apart from the tool's raw output."""
    from hygie.errors import all_error_classes

    code = str(error.get("code", ""))
    message = str(error.get("message", ""))
    cls = next((c for c in all_error_classes() if c.code == code), None)
    details = ""
    if cls is not None and "{detail}" in cls.message_fr:
        head = _(cls.message_fr).split("{detail}", 1)[0]
        try:
            head = head.format(**params)
        except (KeyError, IndexError):
            head = ""
        if head and message.startswith(head):
            details = message[len(head) :].strip().rstrip(".")
            message = re.sub(r"\s*[:(,;]\s*$", "", head)
    hint, url, label = DASHBOARD_HINTS.get(code, ("", "", ""))
    if hint:
        hint = _(hint)
    else:
        hint = plain(str(error.get("hint", "")))
        if not hint or shows_command(hint):
            hint = _(RETRY)
    raw = code + (f"\n{details}" if details else "")
    return Failure(_sentence(plain(message)), hint, code, url, _(label) if label else "", raw)
