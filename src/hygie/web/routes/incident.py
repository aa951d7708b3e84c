"""Incident (``hygie.incident``): the six steps, isolation, contacts, the kit, the drill."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hygie import incident as capability
from hygie.errors import AppError
from hygie.i18n import _
from hygie.incident import FIELD_LABELS, FIELDS, ROLE_LABELS, ROLES, STEPS, Step
from hygie.web import pickers
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
from hygie.web.failures import failure_of
from hygie.web.printview import print_view

# as long as a person writes them (the config file takes any length: the form keeps it sane)
LIMITS = {"practice": 200, "name": 200, "phone": 40, "email": 254, "note": 500}
PHONE = re.compile(r"^[0-9 +().\-]{4,40}$")
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
MAX_DESCRIPTION = 2000


def _contacts() -> list[dict[str, Any]]:
    try:
        kit = capability.load_kit_config()
    except AppError:  # a broken config file must not hide the incident guide
        kit = None
    return [c.to_dict() for c in kit.contacts if not c.empty] if kit else []


def isolation_plan() -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """What would cut this computer off the network (nothing is run), or the failure."""
    try:
        return capability.plan_isolation("isolate").to_dict(), None
    except AppError as exc:
        return None, failure_of(exc).to_dict()


def steps_view() -> list[Step]:
    return list(STEPS)


async def incident(request: Request) -> Response:
    plan, plan_error = await in_thread(isolation_plan)
    return render(
        request,
        "incident.html.j2",
        active="incident",
        plan=plan,
        plan_error=plan_error,
        steps=[(_(s.title), _(s.advice)) for s in STEPS],
        contacts=await in_thread(_contacts),
    )


async def fallback(request: Request) -> Response:
    return render(request, "fallback.html.j2", active="incident")


async def isolate(request: Request) -> Response:
    form = await form_of(request)
    if form.get("confirmer") != "oui":
        flash(
            request,
            _("Rien n'a été fait : cochez la case de confirmation pour couper le réseau."),
            "error",
        )
        return redirect("/incident#isoler")

    outcome = await in_thread(capability.isolate)
    if outcome.journal:
        text = _(
            "Réseau coupé ({n} commande(s)), noté dans le journal de l'incident ({code}). "
            "Débranchez aussi le câble réseau."
        ).format(n=len(outcome.done), code=outcome.code)
    else:
        text = _(
            "Réseau coupé ({n} commande(s)). Débranchez aussi le câble réseau, et notez "
            "l'heure sur papier : aucun incident n'est ouvert dans hygie."
        ).format(n=len(outcome.done))
    flash(request, text, "ok")
    return redirect("/incident")


# -- contacts ------------------------------------------------------------------------------


def _contact_values() -> dict[str, str]:
    kc = capability.load_kit_config() or capability.empty_config()
    return kc.to_section()


async def contacts_page(
    request: Request, values: dict[str, str] | None = None, errors: FormErrors | None = None
) -> Response:
    shown = values if values is not None else await in_thread(_contact_values)
    return render(
        request,
        "contacts.html.j2",
        active="incident",
        roles=[(r, _(ROLE_LABELS[r])) for r in ROLES],
        fields=[(f, _(FIELD_LABELS[f]), LIMITS[f]) for f in FIELDS],
        practice_max=LIMITS["practice"],
        values=shown,
        errors=errors or FormErrors(),
        status_code=400 if errors else 200,
    )


async def contacts_get(request: Request) -> Response:
    return await contacts_page(request)


def check_contacts(form: dict[str, Any]) -> tuple[dict[str, str], FormErrors]:
    values: dict[str, str] = {"practice": str(form.get("practice", "")).strip()}
    errors = FormErrors()
    if len(values["practice"]) > LIMITS["practice"]:
        errors["practice"] = _("{n} caractères au plus.").format(n=LIMITS["practice"])
    for r in ROLES:
        for f in FIELDS:
            key = f"{r}_{f}"
            v = str(form.get(key, "")).strip()
            values[key] = v
            if len(v) > LIMITS[f]:
                errors[key] = _("{n} caractères au plus.").format(n=LIMITS[f])
            elif v and f == "phone" and not PHONE.match(v):
                errors[key] = _("Un numéro de téléphone : chiffres, espaces, + et tirets.")
            elif v and f == "email" and not EMAIL.match(v):
                errors[key] = _("Une adresse e-mail, par exemple nom@exemple.fr.")
    return values, errors


def _save_contacts(st: WebState, values: dict[str, str]) -> bool:
    changes = {r: {f: values[f"{r}_{f}"] for f in FIELDS} for r in ROLES}
    kc = capability.update_kit_config(capability.load_kit_config(), values["practice"], changes)
    capability.save_kit_config(kc)
    st.reevaluate()
    return kc.contacts_ready


async def contacts_post(request: Request) -> Response:
    values, errors = check_contacts(await form_of(request))
    if errors:
        return await contacts_page(request, values, errors)
    ready = await in_thread(_save_contacts, state_of(request), values)
    if ready:
        flash(request, _("Contacts enregistrés. Imprimez maintenant le kit."), "ok")
    else:
        flash(
            request,
            _(
                "Contacts enregistrés, mais ni le prestataire ni le responsable de la sécurité "
                "n'ont un nom et un téléphone (ou un e-mail) : complétez-les."
            ),
            "info",
        )
    return redirect("/incident#kit")


# -- the kit ---------------------------------------------------------------------------------


def _kit_html(st: WebState, fmt: str) -> str:
    page = capability.render_kit_html(capability.build_kit(with_password=False))
    capability.record_kit([fmt], with_password=False, store=st.store())
    st.reevaluate()
    return page


async def kit_print(request: Request) -> Response:
    page = await in_thread(_kit_html, state_of(request), "print")
    return print_view(page, back="/incident", pdf="/incident/kit.pdf")


async def kit_pdf(request: Request) -> Response:
    from hygie.render.pdf import html_to_pdf

    st = state_of(request)
    data = await in_thread(lambda: html_to_pdf(_kit_html(st, "pdf")))
    return Response(
        data,
        media_type="application/pdf",
        headers={"content-disposition": 'attachment; filename="hygie-kit-incident.pdf"'},
    )


# -- the drill -------------------------------------------------------------------------------


@dataclass
class DrillUI:
    """The guide's questions answered from the drill form (one tick per step)."""

    ticked: set[int]
    description: str
    personal: str
    step: int = 0
    shown: list[int] = field(default_factory=list)

    def show_step(self, step: Step, lines: list[str]) -> None:
        self.step = step.number
        self.shown.append(step.number)

    def confirm(self, question: str, default: bool = True) -> bool:
        return self.step in self.ticked

    def ask(self, question: str, default: str = "") -> str:
        if self.step == 5:
            return self.description
        if self.step == 6:
            return self.personal
        return default

    def info(self, text: str) -> None:
        return None


def _run_drill(st: WebState, folder: str, ui: DrillUI) -> dict[str, Any]:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    j = capability.start_incident(Path(folder) / f"hygie-exercice-{stamp}", drill=True)
    result = capability.run_guide(j, ui, drill=True)
    complete = set(range(1, 7)) <= ui.ticked
    j.append(
        _("[exercice] étapes cochées dans le tableau de bord : {steps}").format(
            steps=", ".join(str(n) for n in sorted(ui.ticked)) or "-"
        ),
        kind="drill",
        data={"drill": True, "ticked": sorted(ui.ticked), "complete": complete},
    )
    capability.record_drill(completed=complete, store=st.store())
    st.reevaluate()
    return {"folder": str(j.folder), "complete": complete, "steps": list(result.steps_done)}


async def drill_page(
    request: Request, values: dict[str, Any] | None = None, errors: FormErrors | None = None
) -> Response:
    plan, plan_error = await in_thread(isolation_plan)
    shown = dict(values or {})
    if "dossier" not in shown and "dossier" in request.query_params:
        shown["dossier"] = request.query_params["dossier"][: pickers.MAX_PATH]
    return render(
        request,
        "drill.html.j2",
        active="incident",
        steps=STEPS,
        plan=plan,
        plan_error=plan_error,
        contacts=await in_thread(_contacts),
        disks=await in_thread(pickers.external_disks),
        values=shown,
        errors=errors or FormErrors(),
        max_description=MAX_DESCRIPTION,
        status_code=400 if errors else 200,
    )


async def drill_get(request: Request) -> Response:
    return await drill_page(request)


async def drill_post(request: Request) -> Response:
    form = {k: v for k, v in (await form_of(request)).items() if isinstance(v, str)}
    errors = FormErrors()
    folder, problem = pickers.checked_folder(form.get("dossier"))
    if problem:
        errors["dossier"] = problem
    description = form.get("description", "").strip()
    if len(description) > MAX_DESCRIPTION:
        errors["description"] = _("{n} caractères au plus.").format(n=MAX_DESCRIPTION)
    personal = form.get("donnees", "?")
    if personal not in ("oui", "non", "?"):
        personal = "?"
    ticked = {n for n in range(1, 7) if form.get(f"etape{n}") == "fait"}
    if errors:
        return await drill_page(request, form, errors)
    ui = DrillUI(ticked, description or _("(exercice)"), personal)
    try:
        done = await in_thread(_run_drill, state_of(request), folder, ui)
    except AppError as exc:
        failure = failure_of(exc)
        errors["dossier"] = failure.message + " " + failure.hint
        return await drill_page(request, form, errors)
    if done["complete"]:
        flash(
            request,
            _("Exercice terminé et enregistré. Le journal est dans {folder}.").format(
                folder=done["folder"]
            ),
            "ok",
        )
    else:
        missing = [str(n) for n in range(1, 7) if n not in ticked]
        flash(
            request,
            _(
                "Exercice enregistré comme incomplet : étape(s) {steps} non cochée(s). "
                "Refaites-le quand vous voulez. Le journal est dans {folder}."
            ).format(steps=", ".join(missing), folder=done["folder"]),
            "info",
        )
    return redirect("/incident")


ROUTES = [
    Route("/incident", incident),
    Route("/logiciel-indisponible", fallback),
    Route("/incident/isoler", isolate, methods=["POST"]),
    Route("/incident/contacts", contacts_get),
    Route("/incident/contacts", contacts_post, methods=["POST"]),
    Route("/incident/kit/imprimer", kit_print),
    Route("/incident/kit.pdf", kit_pdf),
    Route("/incident/exercice", drill_get),
    Route("/incident/exercice", drill_post, methods=["POST"]),
]
