"""The overview's reminder banner: shown from the last bilan, snoozed from the page."""

from __future__ import annotations

import datetime as dt
import html as htmllib
import re
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from hygie.audit.model import Fact
from hygie.store import open_store
from hygie.web.app import create_app
from hygie.web.security import Sessions

MISSED_BACKUP = Fact.known(
    "backup.destinations",
    [
        {
            "name": "disque",
            "removable": True,
            "offsite": False,
            "last_success_age_days": 4.0,
            "last_error": "destination_absent",
        }
    ],
    "backup.state",
)


@pytest.fixture
def client() -> Iterator[TestClient]:
    sessions = Sessions()
    app, _ = create_app(sessions=sessions)
    with TestClient(app, base_url="http://127.0.0.1") as c:  # type: ignore[arg-type]
        c.get(f"/?token={sessions.token}")
        yield c


def _record_audit(*facts: Fact) -> None:
    store = open_store()
    store.add_audit(
        {
            "started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "platform": "linux",
            "score": {"value": 55},
            "critical": False,
            "measures": [],
            "actions": [],
            "facts": [f.to_dict() for f in facts],
        }
    )
    store.close()


def _csrf(page: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert m is not None
    return m[1]


def test_no_bilan_no_banner(client: TestClient) -> None:
    assert 'id="rappels-title"' not in client.get("/").text


def test_banner_shows_the_reminder_with_its_page_and_snoozes(client: TestClient) -> None:
    _record_audit(MISSED_BACKUP)
    page = client.get("/").text
    assert 'id="rappels-title"' in page
    text = htmllib.unescape(page)
    assert "Branchez le disque de sauvegarde « disque »" in text
    assert 'href="/sauvegardes"' in page
    section = text[text.index('id="rappels-title"') :]
    section = re.sub(r"<[^>]+>", " ", section[: section.index("</section>")])
    assert "hygie " not in section and "--" not in section  # a button, never a command
    r = client.post(
        "/rappels/reporter",
        data={"csrf_token": _csrf(page), "cle": "backup.disk_absent:disque", "jours": "7"},
        follow_redirects=True,
    )
    assert r.status_code == 200
    assert "dans une semaine" in htmllib.unescape(r.text)
    assert "Branchez le disque de sauvegarde" not in htmllib.unescape(r.text)


@pytest.mark.parametrize(
    ("key", "days", "message"),
    [
        ("backup.disk_absent:disque", "3", "Choisissez « demain » ou « dans une semaine »."),
        ("<script>alert(1)</script>", "1", "Ce rappel n'est plus en cours."),
        ("backup.stale:" + "x" * 5000, "1", "Ce rappel n'est plus en cours."),
    ],
    ids=["bad-days", "bad-key", "huge-key"],
)
def test_bad_snooze_is_a_plain_message(
    client: TestClient, key: str, days: str, message: str
) -> None:
    _record_audit(MISSED_BACKUP)
    page = client.get("/").text
    r = client.post(
        "/rappels/reporter",
        data={"csrf_token": _csrf(page), "cle": key, "jours": days},
        follow_redirects=True,
    )
    assert r.status_code == 200
    assert message in htmllib.unescape(r.text)
    assert "<script>alert(1)</script>" not in r.text


def test_snooze_needs_the_csrf_token(client: TestClient) -> None:
    _record_audit(MISSED_BACKUP)
    r = client.post(
        "/rappels/reporter",
        data={"cle": "backup.disk_absent:disque", "jours": "1"},
        follow_redirects=False,
    )
    assert r.status_code in (400, 403)
