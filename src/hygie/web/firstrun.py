"""The first-run path ("Premiers pas"): bilan → questionnaire → what to save and the disk →
first backup → restore test → recovery sheet → kit contacts → the kit printed.

Each step is done when the capability's own recorded state says so (never a tick the page
keeps by itself), may be skipped and resumed; the overview shows where she is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hygie.i18n import N_, _
from hygie.store import Store, utcnow

MODULE = "web"


@dataclass(frozen=True)
class PathStep:
    key: str
    title: str
    url: str
    done: bool
    skipped: bool

    @property
    def open(self) -> bool:
        return not (self.done or self.skipped)


STEPS = (
    ("bilan", N_("Faire le bilan de l'ordinateur"), "/#bilan"),
    ("questionnaire", N_("Répondre au questionnaire"), "/questionnaire"),
    ("sauvegarde", N_("Choisir ce qu'il faut sauvegarder et le disque"), "/sauvegardes#configurer"),
    ("premiere", N_("Faire la première sauvegarde"), "/sauvegardes"),
    ("restauration", N_("Tester la restauration"), "/sauvegardes"),
    ("fiche", N_("Imprimer la fiche de secours"), "/sauvegardes/fiche"),
    ("contacts", N_("Noter les contacts d'urgence"), "/incident/contacts"),
    ("kit", N_("Imprimer le kit d'urgence"), "/incident/kit/imprimer"),
)


def mark(store: Store, key: str) -> None:
    """Record that something only the dashboard sees happened (the sheet's print view)."""
    store.put_state(MODULE, f"done:{key}", utcnow())


def skip(store: Store, key: str) -> None:
    if key in {k for k, _t, _u in STEPS}:
        skipped = set(store.get_state(MODULE, "skipped", []) or [])
        skipped.add(key)
        store.put_state(MODULE, "skipped", sorted(skipped))


def resume(store: Store) -> None:
    store.put_state(MODULE, "skipped", [])


def _backup_done(store: Store) -> dict[str, bool]:
    from hygie.backup import last_run, load_config

    cfg = load_config(store)
    if cfg is None:
        return {"sauvegarde": False, "premiere": False, "restauration": False}
    names = [d.name for d in cfg.destinations]
    return {
        "sauvegarde": True,
        "premiere": any(last_run(store, n, "backup", ok_only=True) for n in names),
        "restauration": any(last_run(store, n, "verify", ok_only=True) for n in names),
    }


def progress(store: Store) -> list[PathStep]:
    from hygie.incident import kit_generated_at, load_kit_config

    done: dict[str, Any] = {
        "bilan": store.last_audit() is not None,
        "questionnaire": bool(store.answers()),
        **_backup_done(store),
        "fiche": store.get_state(MODULE, "done:fiche") is not None,
        "kit": kit_generated_at(store) is not None,
    }
    try:
        kc = load_kit_config()
        done["contacts"] = bool(kc and kc.contacts_ready)
    except Exception:
        done["contacts"] = False
    skipped = set(store.get_state(MODULE, "skipped", []) or [])
    return [
        PathStep(key, _(title), url, bool(done.get(key)), key in skipped)
        for key, title, url in STEPS
    ]
