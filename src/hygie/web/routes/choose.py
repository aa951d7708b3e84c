"""The folder chooser: known folders first, the external disks, then a browsable tree.

``/choisir?champ=NAME&retour=/page&chemin=FOLDER`` lists ``FOLDER``'s sub-folders; "Choisir ce
dossier" goes back to ``/page?NAME=FOLDER``, where the form shows it filled in. Only folders in
the user's home and on mounted external disks are ever listed (see :mod:`hygie.web.pickers`).
"""

from __future__ import annotations

import re
import urllib.parse
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hygie.web import pickers
from hygie.web.base import in_thread, render, safe_next

FIELD = re.compile(r"^[a-z_]{1,30}$")


def back_url(retour: str, champ: str, path: str) -> str:
    base, _sep, anchor = retour.partition("#")
    sep = "&" if "?" in base else "?"
    query = urllib.parse.urlencode({champ: path})
    return f"{base}{sep}{query}" + (f"#{anchor}" if anchor else "")


async def choose(request: Request) -> Response:
    q = request.query_params
    champ = q.get("champ", "dossier")
    if not FIELD.match(champ):
        champ = "dossier"
    retour = safe_next(q.get("retour"), "/")
    raw = q.get("chemin", "")

    def gather() -> tuple[
        Path | None, Path | None, list[pickers.Folder], list[pickers.Folder], list[pickers.Disk]
    ]:
        bounds = pickers.roots()
        here = pickers.allowed(raw, bounds) if raw else None
        up = pickers.allowed(str(here.parent), bounds) if here is not None else None
        return (
            here,
            up if up is not None and up != here else None,
            pickers.subfolders(here, bounds) if here else [],
            pickers.known_folders(),
            pickers.external_disks(),
        )

    here, parent, children, known, disks = await in_thread(gather)
    refused = bool(raw) and here is None
    return render(
        request,
        "choose.html.j2",
        champ=champ,
        retour=retour,
        here=str(here) if here else "",
        parent=str(parent) if parent else None,
        children=children,
        known=known,
        disks=disks,
        refused=refused,
        back=back_url,
        quote=urllib.parse.quote,
    )


ROUTES = [Route("/choisir", choose)]
