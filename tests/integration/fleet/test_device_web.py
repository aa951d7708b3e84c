"""« Suivi de parc » in Debian's Chromium (Playwright) against a real dashboard (``hygie serve``)
and the REAL ``hygie fleet serve``: join in two steps, the exact JSON shown, leave; axe-core
finds no serious or critical violation on any of the pages."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.integration.fleet.conftest import FleetServer, scalar
from tests.integration.web.conftest import start_dashboard, stop_dashboard
from tests.integration.web.test_web_browser import check_page

pytestmark = pytest.mark.integration

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "web"


def test_join_see_what_is_sent_and_leave_in_the_browser(
    browser: Any, fleet_server: FleetServer, tmp_path: Path
) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    code = fleet_server.campaign("Cabinet des Lilas", "identified")
    dash = start_dashboard(tmp_path / "home")
    context = browser.new_context(locale="fr-FR")
    try:
        page = context.new_page()
        page.set_default_timeout(20_000)
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.console_errors = errors
        page.goto(dash.url)
        page.get_by_role("navigation").get_by_role("link", name="Suivi de parc").click()
        page.wait_for_url(re.compile(r"/parc$"))
        assert "aucune campagne" in page.locator("main").inner_text()
        check_page(page, ARTIFACTS, "fleet-01-non-inscrit")

        page.get_by_label("Adresse du serveur de la campagne").fill(fleet_server.base_url)
        page.get_by_label("Code d'inscription").fill(code.lower())
        page.get_by_label("Département du cabinet").fill("69")
        page.get_by_label("Nom de cet ordinateur").fill("PC accueil")
        page.get_by_role("button", name="Voir ce qui sera envoyé").click()
        page.get_by_role("heading", name="Confirmer l'inscription").wait_for()
        assert scalar(fleet_server.database, "SELECT count(*) FROM device") == 0
        shown = json.loads(page.locator("pre.json").first.inner_text())
        assert shown["department"] == "69" and shown["label"] == "PC accueil"
        assert shown["code"] == code[:4] + "-…" and code not in page.content()
        assert fleet_server.base_url in page.locator("main").inner_text()
        check_page(page, ARTIFACTS, "fleet-02-confirmer")

        page.get_by_role("button", name="Confirmer et participer").click()
        page.wait_for_url(re.compile(r"/parc$"))
        main = page.locator("main").inner_text()
        assert "participe à la campagne « Cabinet des Lilas »" in main
        assert "PC accueil" in main and fleet_server.base_url in main
        assert (
            scalar(fleet_server.database, "SELECT count(*) FROM device WHERE label = 'PC accueil'")
            == 1
        )
        check_page(page, ARTIFACTS, "fleet-03-inscrit")

        page.get_by_role("button", name="Quitter la campagne").click()
        page.get_by_role("button", name="Quitter et effacer les données").wait_for()
        check_page(page, ARTIFACTS, "fleet-04-quitter")
        page.get_by_role("button", name="Quitter et effacer les données").click()
        page.wait_for_url(re.compile(r"/parc$"))
        assert "quittée" in page.locator(".flash").inner_text()
        assert scalar(fleet_server.database, "SELECT count(*) FROM device") == 0
    finally:
        context.close()
        stop_dashboard(dash)
