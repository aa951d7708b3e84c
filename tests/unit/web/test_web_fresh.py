"""The overview re-evaluates by itself after an answer: never a stale score."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from hygie.audit import service
from hygie.web.app import create_app
from hygie.web.base import WebState
from hygie.web.security import Sessions


@pytest.fixture
def dash() -> Iterator[tuple[TestClient, WebState]]:
    sessions = Sessions()
    app, st = create_app(sessions=sessions)
    with TestClient(app, base_url="http://127.0.0.1") as c:  # type: ignore[arg-type]
        c.get(f"/?token={sessions.token}")
        yield c, st


def _csrf(c: TestClient, path: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', c.get(path).text)
    assert m is not None
    return m[1]


def test_answers_left_mid_questionnaire_are_counted_on_the_next_overview(
    dash: tuple[TestClient, WebState],
) -> None:
    c, st = dash
    service.audit(ctx=service.make_context(st.store()))
    before = st.store().last_audit()
    assert before is not None
    unknown_before = sum(1 for v in before["statuses"].values() if v == "unknown")
    page = c.get("/questionnaire?etape=1").text
    facts = sorted(set(re.findall(r'name="q:([^"]+)"', page)))
    assert facts
    data = {"csrf_token": _csrf(c, "/questionnaire?etape=1"), "etape": "1", "action": "suivant"}
    data.update({f"q:{f}": "yes" for f in facts})
    c.post("/questionnaire", data=data)
    assert st.store().last_audit()["id"] == before["id"]  # type: ignore[index]
    assert st.stale()
    # she leaves by the menu: the overview re-evaluates before showing the score
    c.get("/")
    after = st.store().last_audit()
    assert after is not None and after["id"] > before["id"] and not st.stale()
    unknown_after = sum(1 for v in after["statuses"].values() if v == "unknown")
    assert unknown_after <= unknown_before


def test_the_last_step_re_evaluates_and_says_so(dash: tuple[TestClient, WebState]) -> None:
    c, st = dash
    service.audit(ctx=service.make_context(st.store()))
    first = st.store().last_audit()
    steps = len(re.findall(r'href="/questionnaire\?etape=\d+"', c.get("/questionnaire").text))
    r = c.post(
        "/questionnaire",
        data={"csrf_token": _csrf(c, "/questionnaire"), "etape": str(max(steps, 99))},
    )
    assert "le bilan a été mis à jour" in r.text
    assert st.store().last_audit()["id"] >= first["id"]  # type: ignore[index]
