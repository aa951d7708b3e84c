"""Background jobs: one per kind, progress streamed by Server-Sent Events, found again on reload."""

from __future__ import annotations

import json
import re
import threading
from typing import Any

from starlette.testclient import TestClient

from hygie.errors import UsageError
from hygie.web.app import create_app
from hygie.web.jobs import JobRegistry, Report
from hygie.web.security import Sessions


def gated(gate: threading.Event, steps: int = 3) -> Any:
    def run(report: Report) -> dict[str, Any]:
        for i in range(1, steps + 1):
            gate.wait(10)
            report(i, steps, f"étape {i}")
        return {"steps": steps}

    return run


def test_one_job_per_kind_at_a_time() -> None:
    reg = JobRegistry()
    gate = threading.Event()
    first, started = reg.start("backup", "Sauvegarde", gated(gate))
    again, started_again = reg.start("backup", "Sauvegarde", gated(gate))
    other, started_other = reg.start("scan", "Analyse", gated(gate))
    assert started and not started_again and again is first
    assert started_other and other is not first
    gate.set()
    reg.wait_change(first, -1, 0)
    for job in (first, other):
        while job.running:
            reg.wait_change(job, job.version, 5)
    assert first.state == "done" and first.result == {"steps": 3} and first.percent == 100
    # once finished, a new run of the same kind may start
    third, started_third = reg.start("backup", "Sauvegarde", gated(gate, 1))
    assert started_third and third is not first


def test_a_failing_job_keeps_a_french_message_and_no_trace() -> None:
    reg = JobRegistry()

    def boom(report: Report) -> dict[str, Any]:
        raise UsageError(detail="chemin manquant")

    def crash(report: Report) -> dict[str, Any]:
        raise RuntimeError("secret internals")

    a, _ = reg.start("a", "A", boom)
    b, _ = reg.start("b", "B", crash)
    for job in (a, b):
        while job.running:
            reg.wait_change(job, job.version, 5)
    assert a.state == "failed" and "chemin manquant" in a.error["message"].lower()
    assert b.state == "failed" and "secret internals" not in json.dumps(b.error)
    assert "aller au bout" in b.error["message"]


def test_progress_is_streamed_by_sse_and_the_job_survives_a_reload() -> None:
    sessions = Sessions()
    app, state = create_app(sessions=sessions)
    gate = threading.Event()
    job, _ = state.jobs.start("backup", "Sauvegarde", gated(gate), next_url="/sauvegardes")
    with TestClient(app, base_url="http://127.0.0.1") as c:  # type: ignore[arg-type]
        c.get(f"/?token={sessions.token}")
        page = c.get(f"/taches/{job.job_id}")
        assert page.status_code == 200 and 'data-state="running"' in page.text
        gate.set()
        events = []
        with c.stream("GET", f"/taches/{job.job_id}/flux") as stream:
            assert stream.headers["content-type"].startswith("text/event-stream")
            for line in stream.iter_lines():
                if line.startswith("data:"):
                    events.append(json.loads(line[5:]))
        assert events[-1]["state"] == "done" and events[-1]["percent"] == 100
        assert all(e["kind"] == "backup" for e in events)
        # a reload after the end shows the result, not a new run
        again = c.get(f"/taches/{job.job_id}")
        assert 'data-state="done"' in again.text and "Terminé." in again.text
        assert c.get(f"/taches/{job.job_id}/etat").json()["state"] == "done"
        assert c.get("/taches/inconnu-1").status_code == 404


def test_two_clicks_on_refaire_le_bilan_start_one_audit() -> None:
    sessions = Sessions()
    app, state = create_app(sessions=sessions)
    gate = threading.Event()
    blocker, _ = state.jobs.start("audit", "Bilan", gated(gate, 1))
    with TestClient(app, base_url="http://127.0.0.1") as c:  # type: ignore[arg-type]
        c.get(f"/?token={sessions.token}")
        token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/").text)
        assert token is not None
        r1 = c.post("/bilan", data={"csrf_token": token[1]}, follow_redirects=False)
        r2 = c.post("/bilan", data={"csrf_token": token[1]}, follow_redirects=False)
    gate.set()
    assert r1.headers["location"] == r2.headers["location"] == f"/taches/{blocker.job_id}"
