"""The six steps, walked in order, each recorded in the journal (``hygie incident start``).

The guide talks through a small :class:`GuideUI` (Rich prompts in the CLI, a scripted one in
tests). Steps 1-2: advice and a confirmation; step 3: offers network isolation (never applied
in a drill); step 4: shows the contacts from the kit; steps 5-6: prepare the texts
(:mod:`hygie.incident.report`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

from hygie.errors import AppError
from hygie.i18n import _
from hygie.incident import isolation, network
from hygie.incident.journal import Journal
from hygie.incident.kit import load_kit_config
from hygie.incident.report import NO, UNKNOWN, YES, ReportAnswers, build_drafts
from hygie.incident.steps import CNIL_BREACH_URL, CYBERMALVEILLANCE_URL, Step, step


class GuideUI(Protocol):
    def show_step(self, step: Step, lines: list[str]) -> None: ...

    def confirm(self, question: str, default: bool = True) -> bool: ...

    def ask(self, question: str, default: str = "") -> str: ...

    def info(self, text: str) -> None: ...


@dataclass(frozen=True)
class GuideResult:
    folder: str
    drill: bool
    steps_done: tuple[int, ...]
    isolated: bool
    drafts: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "folder": self.folder,
            "drill": self.drill,
            "steps_done": list(self.steps_done),
            "isolated": self.isolated,
            "drafts": list(self.drafts),
        }


def _record(j: Journal, n: int, action: str, drill: bool, **data: Any) -> None:
    prefix = _("[exercice] ") if drill else ""
    j.append(prefix + action, step=n, kind="step", data={"drill": drill, **data})


def run_guide(
    j: Journal,
    ui: GuideUI,
    *,
    drill: bool = False,
    backend: str | None = None,
) -> GuideResult:
    done: list[int] = []
    isolated = False

    # 1 and 2: advice and confirmation.
    for n, question in (
        (1, _("L'ordinateur reste allumé, sans redémarrage : c'est compris ?")),
        (2, _("Vous n'utilisez plus ce poste (sauf pour ce guide) : c'est compris ?")),
    ):
        s = step(n)
        ui.show_step(s, [_(s.advice)])
        ok = ui.confirm(question)
        _record(j, n, _("conseil lu : {t}").format(t=_(s.title)), drill, confirmed=ok)
        done.append(n)

    # 3: isolation.
    s = step(3)
    lines = [_(s.advice)]
    plan: network.Plan | None = None
    try:
        plan = network.plan_isolate(backend=backend)
        lines.append(_("hygie peut couper le réseau avec ces commandes :"))
        lines += [f"  {c.display}" for c in plan.commands] or [_("  (aucune interface active)")]
    except AppError as exc:
        lines.append(exc.render())
    ui.show_step(s, lines)
    if drill:
        _record(
            j,
            3,
            _("isolation non appliquée (exercice) ; commandes prévues : {c}").format(
                c="; ".join(c.display for c in plan.commands) if plan else "-"
            ),
            drill,
        )
    elif plan is not None and plan.commands and ui.confirm(_("Couper le réseau maintenant ?")):
        try:
            isolation.apply(plan, folder=j.folder, journal_folder=j.folder)  # journals it
            isolated = True
        except AppError as exc:  # journaled by isolation.apply
            ui.info(exc.render() + "\n→ " + exc.hint())
    else:
        _record(j, 3, _("isolation par hygie refusée ou impossible"), drill)
    manual = ui.confirm(_("Le câble réseau est débranché et le Wi-Fi coupé ?"))
    _record(j, 3, _("coupure manuelle confirmée : {v}").format(v=_yn(manual)), drill)
    done.append(3)

    # 4: contacts.
    s = step(4)
    kc = load_kit_config()
    lines = [_(s.advice)]
    if kc is None or all(kc.contact(r).empty for r in ("it_provider", "security_officer")):
        lines.append(
            _("Aucun contact enregistré dans hygie : prenez le kit imprimé ou vos papiers.")
        )
    else:
        for role in ("it_provider", "security_officer", "insurer", "colleague"):
            c = kc.contact(role)
            if not c.empty:
                lines.append(
                    f"{c.label} : {c.name} {('☎ ' + c.phone) if c.phone else ''} {c.email}".strip()
                )
    ui.show_step(s, lines)
    warned = ui.confirm(_("Les avez-vous prévenus ?"), default=False)
    _record(
        j, 4, _("prestataire / responsable sécurité prévenu : {v}").format(v=_yn(warned)), drill
    )
    done.append(4)

    # 5: description for cybermalveillance.gouv.fr.
    s = step(5)
    ui.show_step(s, [_(s.advice), CYBERMALVEILLANCE_URL])
    description = ui.ask(_("En une ou deux phrases, qu'avez-vous vu ?"))
    _record(j, 5, _("description de l'incident notée"), drill, length=len(description))
    done.append(5)

    # 6: personal data and the CNIL draft.
    s = step(6)
    ui.show_step(s, [_(s.advice), CNIL_BREACH_URL])
    raw = ui.ask(_("Des données de patients ont-elles pu être touchées ? (oui/non/?)"), "?")
    personal = {"oui": YES, "o": YES, "yes": YES, "non": NO, "n": NO, "no": NO}.get(
        raw.strip().lower(), UNKNOWN
    )
    answers = replace(ReportAnswers(), description=description, personal_data=personal)
    drafts = build_drafts(j.folder, answers)
    ui.info(
        _("Brouillons prêts dans {d} ; CNIL : {left}.").format(
            d=drafts.folder, left=drafts.time_left
        )
    )
    ui.info(drafts.inform_patients)
    ui.info(
        _(
            "Ensuite : restaurez une sauvegarde d'avant les premiers signes "
            "(« hygie backup restore »), puis refaites « hygie audit » sur l'ordinateur "
            "reconstruit, et notez-le : « hygie incident note {d} TEXTE »."
        ).format(d=j.folder)
    )
    done.append(6)
    j.append(
        _("[exercice] guide terminé") if drill else _("guide des six gestes terminé"),
        kind="guide",
        data={"drill": drill},
    )
    return GuideResult(str(j.folder), drill, tuple(done), isolated, drafts.files)


def _yn(v: bool) -> str:
    return _("oui") if v else _("non")


def start(folder: Path, *, drill: bool = False, copy_to: Path | None = None) -> Journal:
    """Open the journal (first entry says whether it is a drill); ``copy_to``: a folder on
    another medium keeping a second copy of the journal's head."""
    from hygie import __version__

    j = Journal.create(folder, copy_to=copy_to)
    j.append(
        _("exercice ouvert (rien ne sera coupé)") if drill else _("incident ouvert"),
        kind="start",
        data={"drill": drill, "hygie_version": __version__},
    )
    return j
