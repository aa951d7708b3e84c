"""« Suivi de parc » in the dashboard: join in two steps (nothing leaves before she confirms),
the exact JSON and what each field means, send now, leave; never a command on the page.

The campaign server is the scripted loopback server of tests/fleet_device_helpers.py; the
real ``hygie fleet serve`` with Chromium is in tests/integration/fleet/test_device_web.py.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from html import unescape
from pathlib import Path

import pytest
from starlette.testclient import TestClient
from tests.fleet_device_helpers import Scripted, scripted_server
from tests.unit.web.test_web_no_command import assert_no_command, visible

from hygie.web.app import create_app
from hygie.web.base import WebState
from hygie.web.security import Sessions

CODE = "ABCD-EFGH-JKMN-PQRS"


@pytest.fixture
def dash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[TestClient, WebState]]:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    sessions = Sessions()
    app, st = create_app(sessions=sessions)
    with TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=False) as c:  # type: ignore[arg-type]
        c.get(f"/?token={sessions.token}")
        yield c, st


@pytest.fixture
def server() -> Iterator[Scripted]:
    with scripted_server() as s:
        yield s


def _csrf(c: TestClient, path: str = "/parc") -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', c.get(path).text)
    assert m is not None
    return m[1]


def _pre(html: str) -> list[dict]:
    return [
        json.loads(unescape(b))
        for b in re.findall(r'<pre class="json"[^>]*>(.*?)</pre>', html, re.S)
    ]


def test_join_shows_first_then_sends_on_confirmation(
    dash: tuple[TestClient, WebState], server: Scripted
) -> None:
    c, _st = dash
    page = c.get("/parc")
    assert page.status_code == 200
    assert "aucune campagne" in visible(page.text)
    assert_no_command(page.text, "/parc (not joined)")
    r = c.post(
        "/parc/verifier",
        data={
            "csrf_token": _csrf(c),
            "serveur": server.url,
            "code": CODE.lower(),
            "departement": "974",
            "nom": "",
        },
    )
    assert r.status_code == 200
    assert server.seen == []  # nothing left yet
    text = visible(r.text)
    assert server.url in text and "masqué" in text
    assert CODE not in r.text and CODE.lower() not in r.text  # the code is never in a page
    (join_body,) = _pre(r.text)[:1]
    assert join_body == {
        "code": "ABCD-…",
        "department": "974",
        "label": None,
        "os_family": "linux",
        "hygie_version": join_body["hygie_version"],
    }
    assert_no_command(r.text, "/parc/verifier")
    r = c.post("/parc/rejoindre", data={"csrf_token": _csrf(c)}, follow_redirects=True)
    assert [s.path for s in server.seen] == ["/api/v1/join"]
    assert json.loads(server.seen[0].body)["code"] == CODE
    assert "participe à la campagne « URPS test »" in visible(r.text)
    assert server.url in visible(r.text)
    assert "Quitter la campagne" in r.text
    assert_no_command(r.text, "/parc (joined)")
    # confirming twice (a reload) does not join again
    r = c.post("/parc/rejoindre", data={"csrf_token": _csrf(c)}, follow_redirects=True)
    assert len(server.seen) == 1 and "expiré" in visible(r.text)


def test_form_errors_are_shown_next_to_the_fields(dash: tuple[TestClient, WebState]) -> None:
    c, _st = dash
    r = c.post(
        "/parc/verifier",
        data={
            "csrf_token": _csrf(c),
            "serveur": "http://parc.exemple.fr",
            "code": "XYZ",
            "departement": "20",
            "nom": "Mme Durand 185057800608491",
        },
    )
    assert r.status_code == 400
    assert 'aria-invalid="true"' in r.text
    text = visible(r.text)
    assert "https://" in text
    assert "185057800608491" not in r.text  # a refused label is never shown back
    assert_no_command(r.text, "/parc form errors")


def test_send_now_and_leave_from_the_page(
    dash: tuple[TestClient, WebState], server: Scripted
) -> None:
    from hygie import audit as service
    from hygie.fleet import device

    c, st = dash
    device.join(device.prepare_join(server.url, CODE), store=st.store())
    server.script = lambda s: (503, None, {}) if "reports" in s.path else None
    result = service.audit(ctx=service.make_context(st.store()))
    t = device.after_audit(result, store_path=st.store().path)
    assert t is not None
    t.join(10)
    page = c.get("/parc")
    shown = _pre(page.text)[0]
    assert shown["measures"] == {m.measure_id: m.status.value for m in result.measures}
    assert "1 (au plus 200" in visible(page.text)
    assert "Envoyer maintenant" in page.text
    assert len(server.reports()) == 1  # the attempt after the audit (503)
    server.script = None
    r = c.post("/parc/envoyer", data={"csrf_token": _csrf(c)}, follow_redirects=True)
    assert "Envoyé : 1 bilan(s)" in visible(r.text)
    assert len(server.reports()) == 2
    assert json.loads(server.reports()[1].body) == shown  # exactly what the page showed
    r = c.post("/parc/quitter", data={"csrf_token": _csrf(c)})
    assert "Quitter et effacer les données" in r.text and server.seen[-1].method == "POST"
    assert_no_command(r.text, "/parc/quitter")
    r = c.post(
        "/parc/quitter", data={"csrf_token": _csrf(c), "confirmer": "oui"}, follow_redirects=True
    )
    assert server.seen[-1].method == "DELETE"
    assert "quittée" in visible(r.text) and "aucune campagne" in visible(r.text)


def test_english_page_has_no_command(dash: tuple[TestClient, WebState], server: Scripted) -> None:
    from hygie.fleet import device

    c, st = dash
    device.join(device.prepare_join(server.url, CODE), store=st.store())
    c.post("/langue", data={"csrf_token": _csrf(c), "lang": "en", "next": "/parc"})
    page = c.get("/parc")
    assert 'lang="en"' in page.text
    assert_no_command(page.text, "/parc en")


def test_the_dashboard_audit_queues_and_sends_the_report(
    dash: tuple[TestClient, WebState], server: Scripted
) -> None:
    import time

    from hygie.fleet import device

    c, st = dash
    device.join(device.prepare_join(server.url, CODE), store=st.store())
    r = c.post("/bilan", data={"csrf_token": _csrf(c, "/")})
    assert r.status_code in (200, 303)
    job = st.jobs.latest("audit")
    assert job is not None
    deadline = time.monotonic() + 120
    while (job.running or not server.reports()) and time.monotonic() < deadline:
        st.jobs.wait_change(job, job.version, 0.5)
    assert len(server.reports()) == 1
    sent = json.loads(server.reports()[0].body)
    _row, result = st.latest()
    assert result is not None
    assert sent["measures"] == {m.measure_id: m.status.value for m in result.measures}
