"""Mail (``hygie.mail``, ``hygie.scan``): addresses, a document before sending, the relay."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hygie.config import load_config
from hygie.errors import AppError
from hygie.i18n import N_, _
from hygie.web.base import FormErrors, flash, form_of, in_thread, redirect, render
from hygie.web.failures import failure_of

HOST = re.compile(r"^[A-Za-z0-9.-]{1,253}$")
POLICIES = (
    ("reject", N_("Refuser le message (il n'est pas envoyé, vous êtes prévenue)")),
    ("quarantine", N_("Le mettre de côté sans l'envoyer")),
    ("warn", N_("L'envoyer quand même et le signaler")),
)
TLS = (("starttls", "STARTTLS"), ("tls", "TLS"))


def _relay_status() -> dict[str, Any]:
    from hygie.mail import relay_counts, settings_from

    status: dict[str, Any] = {"configured": False, "settings": None, "error": None}
    try:
        settings = settings_from(load_config())
        status["configured"] = True
        status["settings"] = settings.to_dict()
        status["listen_host"] = settings.listen_host
        status["listen_port"] = settings.listen_port
    except AppError as exc:
        if load_config().get("mail", {}).get("relay"):
            status["error"] = failure_of(exc).to_dict()
    try:
        status["counts"] = relay_counts(30)
    except Exception:
        status["counts"] = None
    return status


async def mail_page(request: Request, **extra: Any) -> Response:
    extra.setdefault("values", {})
    extra.setdefault("errors", FormErrors())
    return render(
        request,
        "mail.html.j2",
        active="mail",
        relay=await in_thread(_relay_status),
        policies=[(v, _(label)) for v, label in POLICIES],
        tls_modes=TLS,
        status_code=400 if extra["errors"] else 200,
        **extra,
    )


async def index(request: Request) -> Response:
    return await mail_page(request)


async def addresses(request: Request) -> Response:
    from hygie.mail import classify_all

    form = await form_of(request)
    raw = str(form.get("adresses") or "")[:20_000]
    items = [a for a in raw.replace(",", "\n").replace(";", "\n").split() if a.strip()][:50]
    results = [r.to_dict() for r in classify_all(items)] if items else []
    # The typed text is never echoed back: a patient's INS would appear in clear.
    return await mail_page(request, addresses=results, asked_addresses=True)


async def document(request: Request) -> Response:
    from hygie.scan import document_report

    form = await form_of(request)
    upload = form.get("document")
    if not isinstance(upload, tuple) or not upload[1]:
        return await mail_page(request, document_error=_("Choisissez un fichier à vérifier."))
    name, data = upload
    result = await in_thread(lambda: document_report(data, Path(str(name)).name).to_dict())
    return await mail_page(request, document=result)


def _save_relay(values: dict[str, str], password: str) -> None:
    from hygie.config import save_section
    from hygie.mail import SECRET_UPSTREAM, settings_from
    from hygie.secrets import set_secret

    config = load_config()
    mail = dict(config.get("mail") or {})
    relay = dict(mail.get("relay") or {})
    relay.update(
        upstream=f"{values['hote']}:{values['port']}",
        upstream_tls=values["securite"],
        policy=values["politique"],
    )
    if values["utilisateur"]:
        relay["upstream_user"] = values["utilisateur"]
    else:
        relay.pop("upstream_user", None)
    mail["relay"] = relay
    # checked before anything is written (raises the relay's own configuration error)
    settings_from({**config, "mail": mail}).validate(client_password_set=False)
    save_section("mail", mail)
    if password:
        set_secret(SECRET_UPSTREAM, password)


async def relay_setup(request: Request) -> Response:
    form = {k: v for k, v in (await form_of(request)).items() if isinstance(v, str)}
    values = {
        "hote": form.get("hote", "").strip(),
        "port": form.get("port", "587").strip(),
        "securite": form.get("securite", "starttls"),
        "politique": form.get("politique", "reject"),
        "utilisateur": form.get("utilisateur", "").strip(),
    }
    password = form.get("mot_de_passe", "")
    errors = FormErrors()
    if not HOST.match(values["hote"]):
        errors["hote"] = _("Le nom du serveur d'envoi, par exemple smtp.exemple.fr.")
    port = values["port"]
    if not (port.isascii() and port.isdigit() and len(port) <= 5 and 1 <= int(port) <= 65535):
        errors["port"] = _("Un numéro de port entre 1 et 65535 (souvent 587 ou 465).")
    if values["securite"] not in dict(TLS):
        errors["securite"] = _("Choisissez la sécurité de la connexion.")
    if values["politique"] not in dict(POLICIES):
        errors["politique"] = _("Choisissez ce que fait hygie d'un message à risque.")
    if len(values["utilisateur"]) > 254:
        errors["utilisateur"] = _("{n} caractères au plus.").format(n=254)
    if len(password) > 1024:
        errors["mot_de_passe"] = _("{n} caractères au plus.").format(n=1024)
    if not errors:
        try:
            await in_thread(_save_relay, values, password)
        except AppError as exc:
            f = failure_of(exc)
            errors["hote"] = f.message + " " + f.hint
    if errors:
        return await mail_page(request, values=values, errors=errors, relay_form=True)
    flash(request, _("Relais enregistré : réglez maintenant votre logiciel de messagerie."), "ok")
    return redirect("/messagerie#relais")


ROUTES = [
    Route("/messagerie", index),
    Route("/messagerie/adresses", addresses, methods=["POST"]),
    Route("/messagerie/document", document, methods=["POST"]),
    Route("/messagerie/relais", relay_setup, methods=["POST"]),
]
