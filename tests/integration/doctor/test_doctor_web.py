"""The dashboard's « Composants » page: what ``hygie doctor`` sees, without any command."""

from __future__ import annotations

import html
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from hygie.backup import state
from hygie.backup.destinations import Destination
from hygie.render import pdf as pdf_mod
from hygie.store import open_store
from hygie.web.app import create_app
from hygie.web.security import Sessions
from tests.unit.web.test_web_no_command import assert_no_command, visible

pytestmark = pytest.mark.integration


@pytest.fixture
def client() -> Iterator[TestClient]:
    sessions = Sessions()
    app, _state = create_app(sessions=sessions, max_body=64 * 1024)
    with TestClient(app, base_url="http://127.0.0.1") as c:  # type: ignore[arg-type]
        assert c.get(f"/?token={sessions.token}", follow_redirects=False).status_code == 303
        yield c


def test_page_lists_every_component_and_is_reachable_from_the_menu(client: TestClient) -> None:
    r = client.get("/composants")
    assert r.status_code == 200
    text = visible(r.text)
    for label in (
        "Moteur de sauvegarde (restic)",
        "Fabrication des PDF",
        "Port du tableau de bord",
    ):
        assert label in text
    assert "Tout ce dont hygie a besoin ici est prêt." in text
    assert 'href="/composants"' in client.get("/").text
    assert_no_command(r.text, "/composants")


def test_problems_say_what_to_do_without_a_command(
    client: TestClient, hygie_home: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    cfg = state.BackupConfig(("/home/x",), (Destination("disque", "local", "/srv/b"),))
    state.save_config(open_store(), cfg)
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    (hygie_home / "config").mkdir(parents=True, exist_ok=True)
    (hygie_home / "config" / "config.toml").write_text(
        f'[mail.relay]\nupstream = "127.0.0.1:{port}"\n', encoding="utf-8"
    )
    monkeypatch.setenv(pdf_mod.ENGINE_ENV, "browser")
    monkeypatch.setenv(pdf_mod.BROWSER_ENV, str(tmp_path / "absent"))
    r = client.get("/composants")
    page = html.unescape(r.text)
    assert "Certains composants manquent" in visible(r.text)
    assert "Les sauvegardes ne sont pas planifiées" in page or "n'a pas pu être vérifiée" in page
    assert 'href="/sauvegardes"' in r.text and 'href="/messagerie"' in r.text
    assert "Installez le navigateur Chromium" in page
    # The IT wording (with its commands) stays in the folded technical details.
    assert "hygie backup schedule --install" in page
    assert_no_command(r.text, "/composants with problems")


def test_page_in_english(client: TestClient) -> None:
    import re

    csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/composants").text)
    assert csrf is not None
    r = client.post("/langue", data={"lang": "en", "next": "/composants", "csrf_token": csrf[1]})
    assert r.status_code == 200
    text = visible(r.text)
    assert "Backup engine (restic)" in text and "Everything hygie needs here is ready." in text
    assert_no_command(r.text, "/composants in English")
