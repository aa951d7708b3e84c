"""Pages of the capabilities built beside the audit: backups, USB station, mail, incident kit.

Each page calls the capability's own importable functions (the CLI calls the same ones).
A capability not installed in this build shows what exists instead of a broken page.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hygie.i18n import N_, _


def available(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


PLANNED = {
    "backup": (
        N_("Sauvegardes"),
        N_(
            "Sauvegarde chiffrée vers un disque externe ou un hébergeur certifié HDS, "
            "et test de restauration."
        ),
        "hygie backup",
    ),
    "media": (
        N_("Clé USB"),
        N_(
            "Analyse antivirus d'une clé USB ou d'un dossier, fichier par fichier, "
            "et copie des fichiers sains."
        ),
        "hygie media",
    ),
    "mail": (
        N_("Messagerie"),
        N_("Vérification des adresses (MSSanté, webmail) et des documents avant envoi."),
        "hygie mail",
    ),
}


def _not_yet(kind: str) -> Callable[[Request], Awaitable[Response]]:
    async def page(request: Request) -> Response:
        from hygie.web.app import render

        title, text, command = PLANNED[kind]
        return render(
            request,
            "unavailable.html.j2",
            active=kind,
            title=_(title),
            text=_(text),
            command=command,
        )

    return page


def routes() -> list[Route]:
    return [
        Route("/sauvegardes", _not_yet("backup")),
        Route("/cle-usb", _not_yet("media")),
        Route("/messagerie", _not_yet("mail")),
    ]
