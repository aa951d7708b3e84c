"""The operator's web UI in Debian's Chromium (Playwright) against the real server and a real
PostgreSQL: sign-in, charts, the 5-device rule, exports parsed back, CSRF, axe-core."""

from __future__ import annotations

import csv
import html
import io
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hygie.fleet.server import connect, list_campaigns
from hygie.fleet.server.rollup import refresh
from tests.fleet_ui_helpers import SeedDevice, add_operator, run_hygie, seed_campaign
from tests.integration.fleet.conftest import FleetServer
from tests.pg import PgCluster

pytestmark = pytest.mark.integration

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "fleet-ui"
PASSWORD = "cheval agrafe pile correcte"
M = 13


def statuses(fails: int = 0, warns: int = 0) -> str:
    """13 characters: ``fails`` f, then ``warns`` w, the rest o (M13 unknown)."""
    s = "f" * fails + "w" * warns
    return (s + "o" * (M - len(s)))[: M - 1] + "u"


@pytest.fixture(scope="module")
def seeded(
    pg: PgCluster, fleet_template: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[FleetServer, dict[str, int], str]]:
    """The real ``hygie fleet serve`` on a database of its own, three campaigns filled through
    the device API: anonymous (19 computers in 4 groups), identified (4 PCs), tiny (4)."""
    name = f"ui_{os.getpid()}"
    pg.psql("postgres", f'CREATE DATABASE "{name}" TEMPLATE "{fleet_template}"')
    url = pg.url(name)
    done = add_operator(url, "marie.dupont", PASSWORD)
    assert done.returncode == 0, done.stderr
    server = FleetServer.start(url, tmp_path_factory.mktemp("fleet-ui") / "server.log")
    try:
        # anonymous: 75 -> 7 devices, 69 -> 6, 13 -> 4 (under the threshold), 2 without dept
        devices = (
            [SeedDevice("75", None, [statuses(3, 2), statuses(2, 2), statuses(1, 1)])] * 7
            + [SeedDevice("69", None, [statuses(4, 0), statuses(0, 5)])] * 6
            + [SeedDevice("13", None, [statuses(6, 0), statuses(6, 0)])] * 4
            + [SeedDevice(None, None, [statuses(2, 2)])] * 2
        )
        seed_campaign(server, "URPS Occitanie 2027", "anonymous", devices)
        seed_campaign(
            server,
            "Cabinet des Lilas",
            "identified",
            [
                SeedDevice("31", "PC accueil", [statuses(0, 1)], score=92),
                SeedDevice("31", "Portable Claire", [statuses(3, 1)], score=41),
                SeedDevice("31", "PC soins", [statuses(0, 2)], score=80, silent_days=45),
                SeedDevice("31", "Portable Nadia", [], score=0),
            ],
        )
        seed_campaign(
            server, "Petit essai", "anonymous", [SeedDevice("75", None, [statuses(1)])] * 4
        )
        with connect(url, autocommit=True) as conn:
            refresh(conn)  # the statistics' rollups count what the API stored (fleet-scale)
            ids = {c.name: c.id for c in list_campaigns(conn)}
        yield (
            server,
            {
                "anonymous": ids["URPS Occitanie 2027"],
                "identified": ids["Cabinet des Lilas"],
                "tiny": ids["Petit essai"],
            },
            url,
        )
    finally:
        server.stop()


@pytest.fixture()
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(
        accept_downloads=True, locale="fr-FR", viewport={"width": 1200, "height": 900}
    )
    p = context.new_page()
    p.set_default_timeout(20_000)
    errors: list[str] = []
    p.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    p.console_errors = errors
    yield p
    context.close()


def check_page(page: Any, name: str) -> None:
    """axe-core: no serious or critical violation; no CSP violation; a screenshot kept."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    bad = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert bad == [], f"{name}: {bad}"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    assert not [e for e in page.console_errors if "Content Security Policy" in e]


def login(page: Any, base: str, password: str = PASSWORD, then: str = "") -> None:
    page.goto(base + (then or "/connexion"))
    page.get_by_label("Nom d'opérateur").fill("marie.dupont")
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()


def test_wrong_password_says_so_in_french(seeded: Any, page: Any) -> None:
    srv, ids, _url = seeded
    login(page, srv.base_url, password="pas le bon mot de passe")
    alert = page.get_by_role("alert")
    assert "Nom ou mot de passe incorrect" in alert.inner_text()
    assert page.url.endswith("/connexion")
    check_page(page, "fleet-login")
    # nothing signed in: the campaigns page sends back to the sign-in page
    page.goto(srv.base_url + "/campagnes")
    assert "/connexion" in page.url
    # where she was going survives a wrong password
    target = f"/campagnes/{ids['identified']}"
    page.goto(srv.base_url + target)
    page.wait_for_url(re.compile(r"/connexion\?suite="))
    page.get_by_label("Nom d'opérateur").fill("marie.dupont")
    page.get_by_label("Mot de passe").fill("encore faux")
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("alert").wait_for()
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(re.compile(target + "$"))


def test_sign_in_and_a_chart_under_the_threshold_rule(seeded: Any, page: Any) -> None:
    srv, ids, _url = seeded
    login(page, srv.base_url, then=f"/campagnes/{ids['anonymous']}")
    page.wait_for_url(re.compile(rf"/campagnes/{ids['anonymous']}$"))
    assert page.get_by_role("heading", level=1).inner_text() == "URPS Occitanie 2027"
    charts = page.locator("svg.chart")
    assert charts.count() == 13
    assert charts.first.is_visible()
    assert "part des ordinateurs par statut" in charts.first.locator("title").text_content()
    text = page.locator("main").inner_text()
    assert "aucun chiffre ne porte sur moins de 5 ordinateurs" in text
    # 13 has 4 devices: never named, merged into "autres départements" (4 + 2 = 6 >= 5)
    options = page.locator("#groupe option").all_inner_texts()
    assert options == [
        "toute la campagne (19 ordinateurs)",
        "département 69 (6 ordinateurs)",
        "département 75 (7 ordinateurs)",
        "autres départements (6 ordinateurs)",
    ]
    assert "département 13" not in text
    needed = page.locator("ol.needed li")
    assert needed.count() >= 1
    assert "Des mots de passe solides" in needed.first.inner_text()
    check_page(page, "fleet-campaign")
    page.select_option("#groupe", "69")
    page.get_by_role("button", name="Voir").click()
    page.wait_for_url(re.compile(r"groupe=69"))
    assert "— département 69" in page.locator("#now-title").inner_text()
    # a week ago 13 (4 computers) reported too: that day 69 was merged with it, so 69's own
    # figures for that day are hidden (the campaign's total for the day stays shown)
    m01 = page.locator("figure.chart-box").first
    days = m01.locator("tbody tr")
    assert days.count() == 2
    assert days.nth(0).locator("td").all_text_contents() == ["masqué (moins de 5 ordinateurs)"]
    assert days.nth(1).locator("td").all_text_contents() == ["0", "6", "0", "0", "0"]  # warn


def test_a_made_up_group_or_a_removed_operator(seeded: Any, page: Any) -> None:
    srv, ids, url = seeded
    assert add_operator(url, "jean.temp", PASSWORD).returncode == 0
    page.goto(srv.base_url + "/connexion")
    page.get_by_label("Nom d'opérateur").fill("jean.temp")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(re.compile(r"/campagnes$"))
    # a department under the threshold typed in the URL: the whole campaign, nothing of 13
    page.goto(srv.base_url + f"/campagnes/{ids['anonymous']}?groupe=13")
    assert "— toute la campagne" in page.locator("#time-title").inner_text()
    assert page.locator("svg.chart").count() == 13
    assert "département 13" not in page.locator("main").inner_text()
    # the account removed on the server: its session ends at the next page
    done = run_hygie(["fleet", "operator", "remove", "--database", url, "--name", "jean.temp"])
    assert done.returncode == 0, done.stderr
    page.goto(srv.base_url + "/campagnes")
    assert "/connexion" in page.url


def test_campaign_under_five_devices_shows_no_figure(seeded: Any, page: Any) -> None:
    srv, ids, _url = seeded
    login(page, srv.base_url, then=f"/campagnes/{ids['tiny']}")
    page.wait_for_url(re.compile(rf"/campagnes/{ids['tiny']}$"))
    main = page.locator("main").inner_text()
    assert "Pas encore de chiffres" in main
    assert page.locator("[data-devices]").inner_text() == "moins de 5"
    assert page.locator("svg.chart").count() == 0
    assert page.locator("table.now").count() == 0
    # and the export of the same campaign has no figure either
    with page.expect_download() as dl:
        page.get_by_role("link", name=re.compile("CSV")).click()
    rows = list(
        csv.reader(io.StringIO(Path(dl.value.path()).read_text("utf-8-sig")), delimiter=";")
    )
    assert ["chiffres", "aucun : moins de 5 ordinateurs"] in rows
    assert not [r for r in rows if r and r[0] == "toute la campagne"]


def test_exports_csv_and_xlsx_hold_the_shown_figures(
    seeded: Any, page: Any, tmp_path: Path
) -> None:
    srv, ids, _url = seeded
    login(page, srv.base_url, then=f"/campagnes/{ids['anonymous']}")
    page.wait_for_url(re.compile(rf"/campagnes/{ids['anonymous']}$"))
    with page.expect_download() as dl:
        page.get_by_role("link", name=re.compile("CSV")).click()
    assert dl.value.suggested_filename.endswith(".csv")
    raw = Path(dl.value.path()).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # French Excel reads UTF-8 with its BOM
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    now = [r for r in rows if len(r) == 9 and r[2].startswith("M")]
    groups = {r[0]: int(r[1]) for r in now}
    assert groups == {
        "toute la campagne": 19,
        "département 69": 6,
        "département 75": 7,
        "autres départements": 6,
    }
    m01_75 = next(r for r in now if r[0] == "département 75" and r[2] == "M01")
    assert [int(x) for x in m01_75[4:]] == [0, 0, 7, 0, 0]  # latest report: M01 failing
    assert not [r for r in rows if len(r) > 1 and "département 13" in (r[0], r[1])]
    daily = [r for r in rows if len(r) == 9 and re.fullmatch(r"\d{4}-\d{2}-\d{2}", r[0])]
    assert daily, "the figures day by day are exported"
    assert all(int(r[2]) >= 5 for r in daily)
    assert not [r for r in daily if r[1] == "autres départements"]

    with page.expect_download() as dl:
        page.get_by_role("link", name=re.compile("XLSX")).click()
    from openpyxl import load_workbook

    assert dl.value.suggested_filename.endswith(".xlsx")
    dl.value.save_as(tmp_path / "export.xlsx")
    wb = load_workbook(tmp_path / "export.xlsx", read_only=True)
    assert wb.sheetnames == ["Campagne", "Situation actuelle", "Évolution"]
    sheet = [list(r) for r in wb["Situation actuelle"].iter_rows(values_only=True)]
    assert sheet[0][:4] == ["groupe", "ordinateurs", "mesure", "intitulé"]
    assert {(r[0], r[1]) for r in sheet[1:]} == set(groups.items())
    assert [r[4:] for r in sheet[1:] if r[0] == "département 75" and r[2] == "M01"] == [
        [0, 0, 7, 0, 0]
    ]


def test_identified_campaign_lists_computers_by_need_of_a_visit(seeded: Any, page: Any) -> None:
    srv, ids, _url = seeded
    login(page, srv.base_url, then=f"/campagnes/{ids['identified']}")
    page.wait_for_url(re.compile(rf"/campagnes/{ids['identified']}$"))
    names = page.locator("table.devices tbody th").all_inner_texts()
    # failing measures first; then silent (45 days with 2 warnings, never heard of); then
    # warnings; then score
    assert names == ["Portable Claire", "PC soins", "Portable Nadia", "PC accueil"]
    rows = page.locator("table.devices tbody tr")
    assert "silencieux depuis 45 jours" in rows.nth(1).inner_text()
    assert "aucun bilan reçu" in rows.nth(2).inner_text()
    assert "Des mots de passe solides" in rows.nth(0).inner_text()
    check_page(page, "fleet-identified")


def test_create_a_campaign_code_once_and_handout_with_qr(seeded: Any, page: Any) -> None:
    srv, _ids, _url = seeded
    login(page, srv.base_url)
    page.wait_for_url(re.compile(r"/campagnes$"))
    check_page(page, "fleet-campaigns")
    page.get_by_label("Nom de la campagne").fill("Séance Toulouse novembre")
    page.get_by_role("button", name="Créer la campagne").click()
    code = page.locator("p.join-code").inner_text().strip()
    assert re.fullmatch(r"[2-9A-Z]{4}(-[2-9A-Z]{4}){3}", code)
    check_page(page, "fleet-campaign-created")
    page.get_by_role("button", name=re.compile("Préparer la feuille")).click()
    page.locator("svg.qr").wait_for(state="visible")
    assert code in page.locator("article.handout").inner_text()
    check_page(page, "fleet-handout")
    # the campaign page never shows the code again; typing it back remakes the handout
    page.get_by_role("link", name="Revenir à la campagne").click()
    page.wait_for_url(re.compile(r"/campagnes/\d+$"))
    assert code not in page.content()
    page.get_by_label("Code pour rejoindre").fill("AAAA-BBBB-CCCC-DDDD")
    page.get_by_role("button", name=re.compile("Préparer la feuille")).click()
    assert "Ce n'est pas le code de cette campagne" in page.locator("#handout-error").inner_text()
    page.get_by_label("Code pour rejoindre").fill(code.lower().replace("-", " "))
    page.get_by_role("button", name=re.compile("Préparer la feuille")).click()
    page.locator("svg.qr").wait_for(state="visible")
    # the QR's page (public) shows the code from the fragment, which no server log sees
    page.goto(srv.base_url + f"/rejoindre#code={code}")
    assert page.locator("[data-join-code]").inner_text() == code
    check_page(page, "fleet-join")


def test_csrf_and_cross_origin_posts_are_refused(seeded: Any, page: Any) -> None:
    srv, _ids, _url = seeded
    login(page, srv.base_url)
    page.wait_for_url(re.compile(r"/campagnes$"))
    api = page.context.request  # the browser's cookies, not its forms
    r = api.post(srv.base_url + "/campagnes", form={"name": "Forgée", "mode": "anonymous"})
    assert r.status == 403
    assert "Demande refusée" in r.text()
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    r = api.post(
        srv.base_url + "/campagnes",
        form={"name": "Forgée", "mode": "anonymous", "csrf_token": token},
        headers={"Origin": "https://evil.example"},
    )
    assert r.status == 403
    r = api.post(
        srv.base_url + "/campagnes",
        form={"name": "Forgée", "mode": "anonymous", "csrf_token": "x" + token},
    )
    assert r.status == 403
    page.goto(srv.base_url + "/campagnes")
    assert "Forgée" not in page.content()
    # the sign-in form too: without its cookie's nonce, a posted password is not even checked
    fresh = page.context.browser.new_context()
    r = fresh.request.post(
        srv.base_url + "/connexion",
        form={"name": "marie.dupont", "password": PASSWORD, "csrf_token": "x"},
    )
    assert r.status == 403
    fresh.close()


def test_logout_ends_the_session_everywhere(seeded: Any, page: Any) -> None:
    srv, _ids, _url = seeded
    login(page, srv.base_url)
    page.wait_for_url(re.compile(r"/campagnes$"))
    stolen = [c for c in page.context.cookies() if c["name"] == "__Host-hygie-fleet"]
    assert (
        stolen
        and stolen[0]["httpOnly"]
        and stolen[0]["secure"]
        and stolen[0]["sameSite"] == "Strict"
    )
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url(re.compile(r"/connexion\?sortie=1$"))
    assert "Vous êtes déconnecté·e" in page.locator("main").inner_text()
    # a copy of the old cookie (another browser, a thief) no longer opens anything
    other = page.context.browser.new_context()
    other.add_cookies(stolen)
    p2 = other.new_page()
    p2.goto(srv.base_url + "/campagnes")
    assert "/connexion" in p2.url
    other.close()


def test_english_through_gettext(seeded: Any, page: Any) -> None:
    srv, ids, _url = seeded
    login(page, srv.base_url)
    page.wait_for_url(re.compile(r"/campagnes$"))
    page.get_by_role("link", name="English").click()
    page.get_by_role("heading", level=1, name="Campaigns").wait_for()
    assert page.locator("html").get_attribute("lang") == "en"
    page.goto(srv.base_url + f"/campagnes/{ids['anonymous']}")
    assert "no figure covers fewer than 5 computers" in page.locator("main").inner_text()
    check_page(page, "fleet-campaign-en")


def test_password_guessing_is_throttled_per_name(seeded: Any, page: Any) -> None:
    srv, _ids, url = seeded
    assert add_operator(url, "paul.essai", PASSWORD).returncode == 0
    for _ in range(5):
        page.goto(srv.base_url + "/connexion")
        page.get_by_label("Nom d'opérateur").fill("paul.essai")
        page.get_by_label("Mot de passe").fill("devine devine devine")
        page.get_by_role("button", name="Se connecter").click()
        assert "Nom ou mot de passe incorrect" in page.get_by_role("alert").inner_text()
    # the right password now: still refused, for a quarter of an hour
    page.goto(srv.base_url + "/connexion")
    page.get_by_label("Nom d'opérateur").fill("paul.essai")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    text = page.get_by_role("alert").inner_text()
    assert re.search(r"Trop d'essais manqués pour ce nom : réessayez dans 1[45] minutes", text)
    assert not [c for c in page.context.cookies() if c["name"] == "__Host-hygie-fleet"]


def test_parallel_guesses_do_not_get_past_the_limit(seeded: Any) -> None:
    """Twelve wrong passwords at once: each attempt is counted before its password is checked,
    under a lock on the name, so at most 5 are checked and the rest are refused unchecked."""
    from concurrent.futures import ThreadPoolExecutor

    import httpx

    srv, _ids, url = seeded
    assert add_operator(url, "rafale.essai", PASSWORD).returncode == 0
    first = httpx.get(srv.base_url + "/connexion")
    nonce = first.cookies["__Host-hygie-fleet-login"]
    token = re.search(r'name="csrf_token" value="([^"]+)"', first.text)
    assert token is not None

    def guess(i: int) -> int:
        r = httpx.post(
            srv.base_url + "/connexion",
            data={"csrf_token": token.group(1), "name": "rafale.essai", "password": f"faux {i}"},
            headers={"cookie": f"__Host-hygie-fleet-login={nonce}"},
            timeout=60,
        )
        return r.status_code

    with ThreadPoolExecutor(12) as pool:
        codes = sorted(pool.map(guess, range(12)))
    assert codes.count(401) == 5, codes
    assert codes.count(429) == 7, codes


def test_sign_in_over_plain_http_off_this_machine_is_refused(seeded: Any) -> None:
    """Behind a proxy that does not say HTTPS (or with --allow-plain-http on a network), the
    password would cross the network in clear: the page says so and the sign-in is refused."""
    import httpx

    srv, _ids, _url = seeded
    host = {"host": "parc.example.org"}
    first = httpx.get(srv.base_url + "/connexion", headers=host)
    assert "Cette page n'est pas chiffrée (HTTP)" in html.unescape(first.text)
    token = re.search(r'name="csrf_token" value="([^"]+)"', first.text)
    assert token is not None
    nonce = first.cookies["__Host-hygie-fleet-login"]
    r = httpx.post(
        srv.base_url + "/connexion",
        data={"csrf_token": token.group(1), "name": "marie.dupont", "password": PASSWORD},
        headers={**host, "cookie": f"__Host-hygie-fleet-login={nonce}"},
    )
    assert r.status_code == 403
    assert "Connexion refusée : cette page n'est pas chiffrée (HTTPS)" in html.unescape(r.text)
    assert "__Host-hygie-fleet=" not in r.headers.get("set-cookie", "")
    # the same through a proxy on this machine that says the browser's side is HTTPS
    r = httpx.post(
        srv.base_url + "/connexion",
        data={"csrf_token": token.group(1), "name": "marie.dupont", "password": PASSWORD},
        headers={**host, "x-forwarded-proto": "https",
                 "cookie": f"__Host-hygie-fleet-login={nonce}"},
    )  # fmt: skip
    assert r.status_code == 303
    assert "__Host-hygie-fleet=" in r.headers["set-cookie"]
