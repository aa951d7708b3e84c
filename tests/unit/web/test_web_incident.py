"""The incident page's isolation action: nothing runs without the explicit confirmation."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from hygie.incident import network
from hygie.web.app import create_app
from hygie.web.security import Sessions


@pytest.fixture
def client() -> Iterator[TestClient]:
    sessions = Sessions()
    app, _ = create_app(sessions=sessions)
    with TestClient(app, base_url="http://127.0.0.1") as c:  # type: ignore[arg-type]
        c.get(f"/?token={sessions.token}")
        yield c


@pytest.fixture
def applied(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Replace the real network change by a recorder: tests never touch the host's network."""
    calls: list[Any] = []

    def fake_apply(plan: network.Plan, folder: Any = None) -> network.Applied:
        calls.append(plan)
        return network.Applied(plan, tuple(c.display for c in plan.commands), None)

    fake_plan = network.Plan(
        "isolate",
        "linux",
        "ip",
        ("eth9",),
        (network.Command(("ip", "link", "set", "dev", "eth9", "down"), "linux"),),
    )
    monkeypatch.setattr(network, "apply", fake_apply)
    monkeypatch.setattr(network, "plan_isolate", lambda *a, **k: fake_plan)
    return calls


def _csrf(c: TestClient) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/incident").text)
    assert m is not None
    return m[1]


def test_incident_page_shows_the_six_steps_the_plan_and_the_confirmation(
    client: TestClient, applied: list[Any]
) -> None:
    html = client.get("/incident").text
    assert html.count("<li><strong>") == 6
    assert "ip link set dev eth9 down" in html
    assert 'name="confirmer" value="oui" required' in html
    assert applied == []  # showing the plan runs nothing


def test_isolation_without_confirmation_does_nothing(
    client: TestClient, applied: list[Any]
) -> None:
    r = client.post("/incident/isoler", data={"csrf_token": _csrf(client)})
    assert r.status_code == 200 and "Rien n&#39;a été fait" in r.text
    assert applied == []


def test_isolation_with_confirmation_runs_the_incident_module_plan(
    client: TestClient, applied: list[Any]
) -> None:
    r = client.post("/incident/isoler", data={"csrf_token": _csrf(client), "confirmer": "oui"})
    assert r.status_code == 200 and "Réseau coupé (1 commande(s))" in r.text
    assert [p.targets for p in applied] == [("eth9",)]


def test_kit_download_is_recorded_for_the_audit(client: TestClient) -> None:
    from hygie.incident.state import kit_generated_at
    from hygie.store import open_store

    r = client.get("/incident/kit")
    assert r.status_code == 200
    assert r.headers["content-disposition"].startswith("attachment")
    assert "cybermalveillance" in r.text
    assert kit_generated_at(open_store()) is not None
