"""End-to-end flows of the dashboard in Debian's Chromium (Playwright), with axe-core checks.

One browser for the session; one server and one page per module and xdist worker. Each
flow stands on its own (xdist may spread them over two workers), running an audit first
when it needs one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.integration

Dashboard = Any


@pytest.fixture(scope="module")
def page(browser: Any, dashboard: Dashboard) -> Iterator[Any]:
    context = browser.new_context(accept_downloads=True, locale="fr-FR")
    p = context.new_page()
    p.set_default_timeout(20_000)
    errors: list[str] = []
    p.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    p.goto(dashboard.url)
    p.console_errors = errors  # CSP violations show up as console errors
    yield p
    context.close()


def check_page(page: Any, artifacts: Path, name: str) -> None:
    """axe-core: no serious or critical violation; a screenshot kept as an artifact."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    bad = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert bad == [], f"{name}: {bad}"
    page.screenshot(path=str(artifacts / f"{name}.png"), full_page=True)
    assert not [e for e in page.console_errors if "Content Security Policy" in e]


def base_of(page: Any) -> str:
    return "/".join(page.url.split("/")[:3])


def ensure_audit(page: Any) -> None:
    page.goto(base_of(page) + "/")
    if page.locator(".score-value").count():
        return
    page.get_by_role("button", name="Faire le bilan").click()
    page.get_by_text("Terminé.").wait_for()
    page.get_by_role("link", name="Continuer").click()


def test_token_opens_a_session_and_leaves_the_url(page: Any, dashboard: Dashboard) -> None:
    assert "token=" not in page.url
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.get_by_role("heading", level=1).inner_text() == "Le bilan de votre ordinateur"


def test_run_an_audit_with_progress(page: Any, artifacts: Path) -> None:
    page.goto(base_of(page) + "/")
    first = page.get_by_role("button", name="Faire le bilan")
    if first.count():
        check_page(page, artifacts, "01-accueil-vide")
        first.click()
    else:
        page.get_by_role("button", name="Refaire le bilan").click()
    page.wait_for_url(re.compile(r"/taches/audit-\d+"))
    page.get_by_text("Terminé.").wait_for()
    check_page(page, artifacts, "02-tache-bilan")
    page.get_by_role("link", name="Continuer").click()
    assert page.locator(".score-value").inner_text().strip() != ""
    assert page.locator(".cards .card").count() == 13
    # status by icon AND word, never colour alone
    first = page.locator(".cards .card .status").first.inner_text()
    assert re.search(r"[a-zà-ü]{2,}", first)
    assert page.locator(".urgent-list li").count() <= 3
    check_page(page, artifacts, "03-accueil")


def test_answer_a_question_and_see_the_measure_change(page: Any, artifacts: Path) -> None:
    ensure_audit(page)
    page.locator(".cards a[href='/mesures/M10']").click()
    assert page.locator("#etat .measure-status").inner_text().count("inconnu") == 1
    check_page(page, artifacts, "04-mesure")
    page.get_by_label("oui").first.check()
    page.get_by_role("button", name="Enregistrer et réévaluer").click()
    page.wait_for_url(re.compile(r"/mesures/M10\?avant=unknown"))
    status = page.locator("#etat .measure-status").inner_text()
    assert "ok" in status and "avant : inconnu" in status
    assert "la mesure a été réévaluée" in page.locator(".flash").inner_text()


def test_questionnaire_steps_stop_and_resume(page: Any, artifacts: Path) -> None:
    page.goto(base_of(page) + "/")
    page.get_by_role("navigation").get_by_role("link", name="Questionnaire").click()
    assert page.locator("progress#qprogress").count() == 1
    theme = page.locator("form h2").inner_text()
    check_page(page, artifacts, "05-questionnaire")
    for group in page.locator("fieldset.question").all():
        group.get_by_label("je ne sais pas").check()
    page.get_by_role("button", name="Enregistrer et continuer").click()
    page.wait_for_url(re.compile(r"etape=2"))
    assert page.locator("form h2").inner_text() != theme
    page.get_by_role("button", name="Enregistrer et reprendre plus tard").click()
    assert "reprendre le questionnaire plus tard" in page.locator(".flash").inner_text()
    # resuming lands on the first step with an unanswered question, not the first one
    page.goto(base_of(page) + "/questionnaire")
    assert page.locator("form h2").inner_text() != theme


def test_history_chart_and_report_downloads(page: Any, artifacts: Path) -> None:
    ensure_audit(page)
    page.get_by_role("link", name="Historique et rapports").click()
    assert page.locator("svg.chart polyline, svg.chart circle").count() >= 1
    assert page.get_by_role("heading", name="Ce qui a changé").count() == 1
    check_page(page, artifacts, "06-historique")
    with page.expect_download() as info:
        page.get_by_role("link", name="Télécharger le rapport (PDF)").click()
    pdf = Path(info.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF")
    with page.expect_download() as info:
        page.get_by_role("link", name="Télécharger le rapport (HTML)").click()
    html = Path(info.value.path()).read_text(encoding="utf-8")
    assert "hygiène informatique" in html and "M13" in html


def test_incident_guide_from_the_big_button(page: Any, artifacts: Path) -> None:
    page.get_by_role("link", name="Je pense être victime d'une cyberattaque").click()
    steps = page.locator("ol.incident-steps > li")
    assert steps.count() == 6
    assert "N'arrêtez pas" in steps.nth(0).inner_text()
    assert "CNIL" in steps.nth(5).inner_text()
    # the isolation needs an explicit confirmation (never clicked here: tests keep the network)
    assert page.get_by_label("Je confirme : couper le réseau de cet ordinateur maintenant.").count()
    assert page.locator("#isoler input[type=checkbox][required]").count() == 1
    check_page(page, artifacts, "07-incident")
    page.get_by_role("link", name="Imprimer le kit").click()
    assert "Imprimez puis fermez cette page" in page.locator(".print-banner").inner_text()
    assert "cybermalveillance" in page.content()
    check_page(page, artifacts, "07b-kit-impression")
    page.get_by_role("link", name="Revenir au tableau de bord").click()
    page.get_by_role("link", name=re.compile("logiciel de cabinet est indisponible")).first.click()
    assert "dmp.fr" in page.locator("main").inner_text()
    check_page(page, artifacts, "08-logiciel-indisponible")


def test_backup_to_a_folder_then_restore_test_with_progress(
    page: Any, artifacts: Path, tmp_path: Path
) -> None:
    """Real restic: set up, back up, test the restore, all from the page."""
    data = tmp_path / "cabinet"
    data.mkdir()
    for i in range(20):
        (data / f"dossier-{i}.txt").write_text(f"compte rendu {i}\n" * 50, encoding="utf-8")
    page.get_by_role("navigation").get_by_role("link", name="Sauvegardes").click()
    check_page(page, artifacts, "14-sauvegardes-vide")
    page.get_by_label("Dossiers à sauvegarder (un par ligne)").fill(str(data))
    page.get_by_label("Ou un dossier (chemin complet)").fill(str(tmp_path / "depot"))
    page.get_by_role("button", name="Mettre en place").click()
    page.wait_for_url(re.compile(r"/taches/backup-\d+"))
    page.get_by_text("Terminé.").wait_for(timeout=60_000)
    page.get_by_role("link", name="Continuer").click()
    page.get_by_role("button", name="Sauvegarder maintenant").click()
    page.wait_for_url(re.compile(r"/taches/backup-\d+"))
    page.get_by_text("Terminé.").wait_for(timeout=60_000)
    assert "réussi" in page.locator(".job").inner_text()
    check_page(page, artifacts, "15-sauvegarde-faite")
    page.get_by_role("link", name="Continuer").click()
    page.get_by_role("button", name="Tester la restauration").click()
    page.wait_for_url(re.compile(r"/taches/backup-\d+"))
    page.get_by_text("Terminé.").wait_for(timeout=60_000)
    assert "réussi" in page.locator(".job").inner_text()
    page.get_by_role("link", name="Continuer").click()
    table = page.locator("table").first.inner_text()
    assert "jamais" not in table
    check_page(page, artifacts, "16-sauvegardes")
    page.get_by_role("link", name="Imprimer la fiche de secours").click()
    assert "Imprimez puis fermez cette page" in page.locator(".print-banner").inner_text()
    assert "restic" in page.content().lower()
    check_page(page, artifacts, "16b-fiche-impression")
    page.get_by_role("link", name="Revenir au tableau de bord").click()


def test_scan_a_folder_with_an_eicar_file(page: Any, artifacts: Path, tmp_path: Path) -> None:
    from hygie.media.canaries import eicar_bytes

    folder = tmp_path / "CLE"
    folder.mkdir()
    (folder / "ordonnance.txt").write_text("Bonjour", encoding="utf-8")
    (folder / "cadeau.com").write_bytes(eicar_bytes())
    page.get_by_role("navigation").get_by_role("link", name="Clé USB").click()
    check_page(page, artifacts, "10-cle-usb")
    page.get_by_label("Dossier ou clé à analyser (chemin complet)").fill(str(folder))
    page.get_by_role("button", name="Analyser", exact=True).click()
    page.wait_for_url(re.compile(r"/taches/scan-\d+"))
    page.get_by_text("Terminé.").wait_for()
    result = page.locator("main").inner_text()
    assert "1 fichier infecté" in result
    rows = {
        r.locator("td").nth(0).inner_text(): r.inner_text()
        for r in page.locator("table.verdicts tbody tr").all()
    }
    assert "infecté" in rows["cadeau.com"] and "sain" in rows["ordonnance.txt"]
    check_page(page, artifacts, "11-cle-usb-resultat")


def _valid_nir() -> str:
    body = "1850578006084"
    return body + f"{97 - int(body) % 97:02d}"


def test_check_addresses_and_a_document(page: Any, artifacts: Path, tmp_path: Path) -> None:
    nir = _valid_nir()
    page.get_by_role("navigation").get_by_role("link", name="Messagerie").click()
    check_page(page, artifacts, "12-messagerie")
    page.get_by_label("Une ou plusieurs adresses (une par ligne)").fill(
        f"dupont@gmail.com\n{nir}@patient.mssante.fr"
    )
    page.get_by_role("button", name="Vérifier", exact=True).click()
    found = page.locator("#resultat-adresses").inner_text()
    assert "gmail.com" in found and "patient" in found
    doc = tmp_path / "courrier.txt"
    doc.write_text(
        f"Patient NIR {nir[:1]} {nir[1:3]} {nir[3:5]} {nir[5:7]} {nir[7:10]} "
        f"{nir[10:13]} {nir[13:]}\n",
        encoding="utf-8",
    )
    page.get_by_label("Document (PDF, Word, texte, e-mail .eml…)").set_input_files(str(doc))
    page.get_by_role("button", name="Vérifier le document").click()
    shown = page.locator("#resultat-document").inner_text()
    assert "données de patients" in shown
    html = page.content()
    assert nir not in html.replace(" ", "") and nir[5:11] not in html
    check_page(page, artifacts, "13-messagerie-resultat")


def test_keyboard_focus_is_visible_and_english_switch(page: Any, artifacts: Path) -> None:
    page.goto(base_of(page) + "/incident")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert "Aller au contenu" in focused
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    page.get_by_role("button", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("link", name="Home", exact=True).count() == 1
    page.get_by_role("button", name="Français").click()
    assert page.locator("html").get_attribute("lang") == "fr"


def test_narrow_window_and_zoom(page: Any, artifacts: Path) -> None:
    page.goto(base_of(page) + "/")
    page.set_viewport_size({"width": 360, "height": 800})  # ≈ 720 px at 200 % zoom
    wide = page.evaluate(
        "[...document.querySelectorAll('body *')].filter("
        "e => e.getBoundingClientRect().right > window.innerWidth + 1).map("
        "e => e.tagName + '.' + e.className).slice(0, 5)"
    )
    assert wide == []
    check_page(page, artifacts, "09-accueil-etroit")
    page.set_viewport_size({"width": 1280, "height": 800})
