"""« Suivi de parc » (``hygie.fleet.device``): join a campaign, see exactly what is sent and to
whom, send now, leave. The join is in two steps: the form is checked here, then the exact
request (code masked) and the report are shown, and nothing leaves before she confirms.
The code she typed waits in her server-side session between the two steps, never in a page.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hygie.audit import AuditResult
from hygie.fleet import device
from hygie.fleet.errors import (
    FleetError,
    FleetJoinCodeInvalid,
    FleetJoinDetailsInvalid,
    FleetServerAddressInvalid,
)
from hygie.i18n import N_, _
from hygie.web.base import (
    FormErrors,
    WebState,
    flash,
    form_of,
    in_thread,
    redirect,
    render,
    state_of,
)
from hygie.web.security import session_of

log = logging.getLogger("hygie.web")

PLAN_KEY = "fleet_join_plan"
# stand-ins to check one field of the form at a time (never sent anywhere)
CHECK_URL = "https://serveur.invalid"
CHECK_CODE = "2222-2222-2222-2222"

# What each field of a report means, in plain words (the page shows them next to the JSON).
REPORT_FIELDS = (
    ("schema", N_("la version du format de ce rapport.")),
    (
        "report_id",
        N_(
            "un numéro tiré au hasard pour ce rapport. Il ne dit rien de vous ni de "
            "l'ordinateur ; il sert seulement à ne pas compter deux fois le même rapport."
        ),
    ),
    ("audited_at", N_("la date et l'heure du bilan (temps universel), à la minute près.")),
    ("os_family", N_("le type de système : windows, macos ou linux.")),
    ("hygie_version", N_("la version de hygie installée.")),
    ("score", N_("le score du bilan, de 0 à 100.")),
    (
        "measures",
        N_(
            "pour chacune des 13 mesures (M01 à M13), son état seulement : ok (appliquée), "
            "warn (à améliorer), fail (en défaut), unknown (pas vérifiable) ou "
            "not_applicable (sans objet)."
        ),
    ),
)
JOIN_FIELDS = (
    (
        "code",
        N_("le code d'inscription de la campagne (masqué ici ; envoyé une seule fois)."),
    ),
    ("department", N_("le numéro du département, si vous l'avez donné (sinon null).")),
    (
        "label",
        N_(
            "le nom que vous donnez à cet ordinateur, seulement pour les campagnes qui "
            "identifient chaque ordinateur (sinon null)."
        ),
    ),
    ("os_family", N_("le type de système : windows, macos ou linux.")),
    ("hygie_version", N_("la version de hygie installée.")),
)


def _pretty(data: dict[str, Any] | None) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) if data is not None else ""


def _fields(table: tuple[tuple[str, str], ...]) -> list[tuple[str, str]]:
    return [(name, _(text)) for name, text in table]


def _last_audit(st: WebState) -> AuditResult | None:
    _row, result = st.latest()
    return result


def _status(st: WebState) -> device.DeviceStatus:
    return device.status(store=st.store(), example_from=_last_audit(st))


async def fleet_page(request: Request, **extra: Any) -> Response:
    st = state_of(request)
    status = await in_thread(_status, st)
    extra.setdefault("values", {})
    extra.setdefault("errors", FormErrors())
    return render(
        request,
        "fleet.html.j2",
        active="fleet",
        status=status,
        report_json=_pretty(status.report_example),
        join_json=_pretty(status.sent_at_join),
        report_fields=_fields(REPORT_FIELDS),
        join_fields=_fields(JOIN_FIELDS[1:]),  # the code is not kept: not shown after joining
        queue_limit=device.QUEUE_LIMIT,
        status_code=400 if extra["errors"] else 200,
        **extra,
    )


async def index(request: Request) -> Response:
    return await fleet_page(request)


def _plan_from(form: dict[str, Any]) -> tuple[dict[str, str], FormErrors, device.JoinPlan | None]:
    """Every field checked on its own (all errors shown at once), then the plan."""
    values = {
        k: str(form.get(k, "") if isinstance(form.get(k, ""), str) else "")[:300]
        for k in ("serveur", "code", "departement", "nom")
    }
    errors = FormErrors()
    checks: tuple[tuple[str, Callable[[str], device.JoinPlan]], ...] = (
        ("serveur", lambda v: device.prepare_join(v, CHECK_CODE)),
        ("code", lambda v: device.prepare_join(CHECK_URL, v)),
        ("departement", lambda v: device.prepare_join(CHECK_URL, CHECK_CODE, department=v)),
        ("nom", lambda v: device.prepare_join(CHECK_URL, CHECK_CODE, label=v)),
    )
    for name, check in checks:
        if name in ("serveur", "code") and not values[name].strip():
            errors[name] = (
                _("Recopiez l'adresse du serveur donnée par l'organisateur.")
                if name == "serveur"
                else _("Recopiez le code d'inscription donné par l'organisateur.")
            )
            continue
        if not values[name].strip():
            continue
        try:
            check(values[name])
        except FleetJoinCodeInvalid as exc:
            errors[name] = exc.render() + " " + exc.hint()
        except (FleetServerAddressInvalid, FleetJoinDetailsInvalid) as exc:
            errors[name] = exc.render()
    if errors:
        return values, errors, None
    plan = device.prepare_join(
        values["serveur"],
        values["code"],
        department=values["departement"] or None,
        label=values["nom"] or None,
    )
    return values, errors, plan


async def check_join(request: Request) -> Response:
    """Step 1: check the form here; show what would be sent and to whom."""
    form = await form_of(request)
    values, errors, plan = _plan_from(form)
    values.pop("code", None)  # never echoed back into the page
    if "nom" in errors:
        values.pop("nom", None)  # a refused label may hold a number: never shown back
    if plan is None:
        return await fleet_page(request, values=values, errors=errors, join_form=True)
    session_of(request).data[PLAN_KEY] = plan
    return render(
        request,
        "fleet_confirm.html.j2",
        active="fleet",
        plan=plan,
        join_json=_pretty(plan.shown()),
        join_fields=_fields(JOIN_FIELDS),
        report_json=_pretty(
            device.preview_report(last) if (last := _last_audit(state_of(request))) else None
        ),
        report_fields=_fields(REPORT_FIELDS),
    )


async def confirm_join(request: Request) -> Response:
    """Step 2: she confirmed: send the join request."""
    st = state_of(request)
    await form_of(request)  # the CSRF token was checked by the middleware
    plan = session_of(request).data.pop(PLAN_KEY, None)
    if not isinstance(plan, device.JoinPlan):
        flash(request, _("L'inscription a expiré : remplissez à nouveau le formulaire."), "error")
        return redirect("/parc")
    try:
        m = await in_thread(lambda: device.join(plan, store=st.store()))
    except FleetError as exc:
        log.info("fleet join from the dashboard refused: %s", exc.code)
        return await fleet_page(
            request, join_error={"message": exc.render(), "hint": exc.hint()}, join_form=True
        )
    text = _("Cet ordinateur participe à la campagne « {name} ».").format(name=m.campaign_name)
    flash(request, text + " " + _("Un rapport partira après chaque bilan."), "ok")
    return redirect("/parc")


async def send_now(request: Request) -> Response:
    st = state_of(request)
    await form_of(request)
    result = await in_thread(lambda: device.deliver(store=st.store(), force=True))
    if result.left:
        flash(
            request,
            _("Le serveur a effacé les données de cet ordinateur ; la campagne est oubliée."),
            "ok",
        )
    elif result.error is not None:
        flash(request, result.error.render() + " " + result.error.hint(), "error")
    else:
        flash(
            request,
            _("Envoyé : {n} bilan(s). Plus rien en attente.").format(n=result.delivered),
            "ok",
        )
    return redirect("/parc")


async def leave(request: Request) -> Response:
    st = state_of(request)
    form = await form_of(request)
    status = await in_thread(_status, st)
    if status.membership is None:
        return redirect("/parc")
    if form.get("confirmer") != "oui":
        return render(request, "fleet_leave.html.j2", active="fleet", status=status)
    try:
        m = await in_thread(lambda: device.leave(store=st.store()))
    except FleetError as exc:
        flash(request, exc.render() + " " + exc.hint(), "error")
        return redirect("/parc")
    text = _("Campagne « {name} » quittée.").format(name=m.campaign_name)
    flash(request, text + " " + _("Le serveur a effacé les données de cet ordinateur."), "ok")
    return redirect("/parc")


ROUTES = [
    Route("/parc", index),
    Route("/parc/verifier", check_join, methods=["POST"]),
    Route("/parc/rejoindre", confirm_join, methods=["POST"]),
    Route("/parc/envoyer", send_now, methods=["POST"]),
    Route("/parc/quitter", leave, methods=["POST"]),
]
