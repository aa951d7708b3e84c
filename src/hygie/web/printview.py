"""Documents to print (the recovery sheet, the emergency kit) shown as a print view.

The document is the capability's own HTML, shown in the browser with a banner that never
prints ("Imprimez puis fermez cette page", a Print button, the way back) and never offered as a
file download: the recovery sheet holds the backup password, and a Downloads folder is often
synchronised to the cloud. Its own ``<style>`` is allowed by its exact hash, nothing more.
"""

from __future__ import annotations

import base64
import hashlib
import re

from markupsafe import escape
from starlette.responses import HTMLResponse

from hygie.i18n import _
from hygie.web.security import CSP

_STYLE = re.compile(r"<style>(.*?)</style>", re.DOTALL)
_BODY = re.compile(r"<body[^>]*>", re.IGNORECASE)
_HEAD_END = re.compile(r"</head>", re.IGNORECASE)


def _hash(css: str) -> str:
    digest = hashlib.sha256(css.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def print_view(document: str, *, back: str, pdf: str = "") -> HTMLResponse:
    """``document`` (a whole HTML page) with the print banner; no download header."""
    hashes = " ".join(_hash(m.group(1)) for m in _STYLE.finditer(document))
    banner = (
        '<div class="print-banner" role="region" aria-label="{label}">'
        "<p><strong>{title}</strong> {text}</p>"
        '<p><button type="button" id="imprimer">{print_}</button> '
        "{pdf_link}"
        '<a href="{back}">{back_text}</a></p></div>'
    ).format(
        label=escape(_("Impression")),
        title=escape(_("Imprimez puis fermez cette page.")),
        text=escape(_("Rien n'est enregistré sur l'ordinateur.")),
        print_=escape(_("Imprimer")),
        pdf_link=(
            f'<a href="{escape(pdf)}">{escape(_("Enregistrer en PDF"))}</a> · ' if pdf else ""
        ),
        back=escape(back),
        back_text=escape(_("Revenir au tableau de bord")),
    )
    head = (
        '<link rel="stylesheet" href="/static/print.css">'
        '<script src="/static/print.js" defer></script>'
    )
    html = _HEAD_END.sub(lambda _m: head + "</head>", document, count=1)
    html = _BODY.sub(lambda m: m.group(0) + banner, html, count=1)
    response = HTMLResponse(html)
    csp = CSP.replace("default-src 'self';", f"default-src 'self'; style-src 'self' {hashes};")
    response.headers["content-security-policy"] = csp
    return response
