"""The first-run path ("Premiers pas") walked in a real browser, as she would: every click and
keystroke counted. Used by the browser test and by ``bench/web_first_run.py``.

bilan → questionnaire → what to save and the disk (folder chooser) → first backup → restore
test → recovery sheet printed → kit contacts → kit printed.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CONTACT_NAME = "Info Services"
CONTACT_PHONE = "01 23 45 67 89"


@dataclass
class Walk:
    page: Any
    base: str
    clicks: int = 0
    keys: int = 0
    steps: list[tuple[str, float]] = field(default_factory=list)
    check: Callable[[Any, str], None] | None = None  # axe + screenshot, per new page

    def click(self, locator: Any) -> None:
        locator.click()
        self.clicks += 1

    def fill(self, locator: Any, text: str) -> None:
        locator.fill(text)
        self.keys += len(text)

    def checked(self, name: str) -> None:
        if self.check is not None:
            self.check(self.page, name)

    def next_step(self, title: str) -> None:
        """On the overview, the first-run panel's "Étape suivante" button."""
        self.page.wait_for_url(re.compile(r"/(#.*)?$"))
        panel = self.page.locator("#premiers-pas")
        self.click(panel.get_by_role("link", name=f"Étape suivante : {title}"))

    def wait_job(self, timeout: int = 180_000) -> None:
        self.page.wait_for_url(re.compile(r"/taches/"))
        self.page.get_by_text("Terminé.").wait_for(timeout=timeout)


def walk(w: Walk, data: Path, disk: Path) -> dict[str, Any]:
    """From a fresh overview to the kit printed. ``data`` is inside her Documents folder;
    ``disk`` stands for the external disk (typed: it is not under her home)."""
    p = w.page
    t0 = time.monotonic()
    lap = t0

    def done(step: str) -> None:
        nonlocal lap
        now = time.monotonic()
        w.steps.append((step, round(now - lap, 2)))
        lap = now

    p.goto(w.base + "/")
    assert p.locator("#premiers-pas").count() == 1
    w.checked("20-premiers-pas")
    # 1. bilan
    w.click(p.get_by_role("button", name="Faire le bilan", exact=True))
    w.wait_job()
    w.click(p.get_by_role("link", name="Continuer"))
    done("bilan")
    # 2. questionnaire: "je ne sais pas" is always possible; she answers each step
    w.next_step("Répondre au questionnaire")
    while "/questionnaire" in p.url:
        for group in p.locator("fieldset.question").all():
            w.click(group.get_by_label("je ne sais pas"))
        w.click(p.get_by_role("button", name=re.compile("Enregistrer et (continuer|terminer)")))
    assert "le bilan a été mis à jour" in p.locator(".flash").inner_text()
    done("questionnaire")
    # 3. what to save (folder chooser) and the disk
    w.next_step("Choisir ce qu'il faut sauvegarder et le disque")
    form = p.locator("#configurer")
    w.click(form.get_by_role("link", name="Choisir un dossier…").first)
    w.checked("21-choisir-dossier")
    w.click(p.get_by_role("link", name="Documents", exact=True).first)
    w.click(p.get_by_role("link", name=data.name, exact=True))
    w.click(p.get_by_role("link", name="Choisir ce dossier"))
    assert p.locator("#sources").input_value() == str(data)
    w.fill(p.get_by_label("Ou un dossier (chemin complet)"), str(disk))
    w.click(p.get_by_role("button", name="Mettre en place"))
    w.wait_job()
    w.click(p.get_by_role("link", name="Continuer"))
    done("mise en place")
    # 4. first backup
    p.goto(w.base + "/")
    w.next_step("Faire la première sauvegarde")
    w.click(p.get_by_role("button", name="Sauvegarder maintenant"))
    w.wait_job()
    result = p.locator(".job").inner_text()
    assert "fichiers" in result and "Mo" in result, result
    w.checked("22-sauvegarde-faite")
    w.click(p.get_by_role("link", name="Continuer"))
    done("première sauvegarde")
    # 5. restore test
    p.goto(w.base + "/")
    w.next_step("Tester la restauration")
    w.click(p.get_by_role("button", name="Tester la restauration"))
    w.wait_job()
    assert "comparés avec l'original" in p.locator(".job").inner_text()
    w.click(p.get_by_role("link", name="Continuer"))
    done("test de restauration")
    # 6. recovery sheet (print view)
    p.goto(w.base + "/")
    w.next_step("Imprimer la fiche de secours")
    assert "Imprimez puis fermez cette page" in p.locator(".print-banner").inner_text()
    w.click(p.get_by_role("link", name="Revenir au tableau de bord"))
    done("fiche de secours")
    # 7. kit contacts
    p.goto(w.base + "/")
    w.next_step("Noter les contacts d'urgence")
    w.checked("23-contacts")
    it = p.locator("fieldset.contact").first
    w.fill(it.get_by_label("Nom", exact=True), CONTACT_NAME)
    w.fill(it.get_by_label("Téléphone"), CONTACT_PHONE)
    w.click(p.get_by_role("button", name="Enregistrer les contacts"))
    assert "Contacts enregistrés" in p.locator(".flash").inner_text()
    done("contacts")
    # 8. the kit printed
    p.goto(w.base + "/")
    w.next_step("Imprimer le kit d'urgence")
    assert CONTACT_NAME in p.content()
    w.click(p.get_by_role("link", name="Revenir au tableau de bord"))
    done("kit")
    p.goto(w.base + "/")
    assert p.locator("#premiers-pas").count() == 0  # the path is walked
    w.checked("24-accueil-apres-premiers-pas")
    return {
        "wall_s": round(time.monotonic() - t0, 1),
        "clicks": w.clicks,
        "keystrokes": w.keys,
        "steps": w.steps,
    }


def make_data(folder: Path, megabytes: int = 50) -> Path:
    """``megabytes`` of practice files (1 MiB each, incompressible)."""
    import os

    folder.mkdir(parents=True, exist_ok=True)
    for i in range(megabytes):
        (folder / f"dossier-patient-{i:03d}.pdf").write_bytes(os.urandom(1024 * 1024))
    return folder
