"""The backup pages with real restic, through the web test client (no browser needed):
forms that keep values, folders that do not exist, a busy backup, results she can act on."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from hygie.web.app import create_app
from hygie.web.base import WebState
from hygie.web.security import Sessions

pytestmark = pytest.mark.integration


@pytest.fixture
def dash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[TestClient, WebState]]:
    monkeypatch.setenv("HYGIE_KEYRING", "file")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    sessions = Sessions()
    app, st = create_app(sessions=sessions)
    with TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=False) as c:  # type: ignore[arg-type]
        c.get(f"/?token={sessions.token}")
        yield c, st


def csrf(c: TestClient, path: str = "/sauvegardes") -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', c.get(path).text)
    assert m is not None
    return m[1]


def wait(st: WebState, job_id: str) -> Any:
    job = st.jobs.get(job_id)
    assert job is not None
    deadline = time.monotonic() + 180
    while job.running and time.monotonic() < deadline:
        st.jobs.wait_change(job, job.version, 1.0)
    assert not job.running
    return job


def job_of(r: Any) -> str:
    m = re.search(r"/taches/([\w-]+)", str(r.url))
    assert m is not None, r.url
    return m[1]


def data_folder(tmp_path: Path, n: int = 30) -> Path:
    data = tmp_path / "cabinet"
    data.mkdir()
    for i in range(n):
        (data / f"compte-rendu-{i}.txt").write_text(f"compte rendu {i}\n" * 200, encoding="utf-8")
    return data


def test_a_missing_folder_is_a_form_error_not_an_unplugged_disk(
    dash: tuple[TestClient, WebState], tmp_path: Path
) -> None:
    c, _st = dash
    data = data_folder(tmp_path)
    missing = tmp_path / "pas-la" / "depot"
    r = c.post(
        "/sauvegardes/configurer",
        data={
            "csrf_token": csrf(c),
            "type": "disque",
            "sources": str(data),
            "dossier": str(missing),
        },
    )
    assert r.status_code == 400
    assert "n&#39;est pas branché" not in r.text and "n&#39;existe pas" in r.text
    assert f'value="{missing}"' in r.text  # kept
    assert f">{data}</textarea>" in r.text
    field = re.search(r'<input[^>]*id="dossier"[^>]*>', r.text)
    assert field is not None and 'aria-invalid="true"' in field[0]
    assert 'aria-describedby="dossier-erreur"' in field[0]
    assert not missing.parent.exists()


@pytest.mark.parametrize("length", [9000, 5000])
def test_a_very_long_path_is_a_form_error_not_the_generic_page(
    dash: tuple[TestClient, WebState], length: int
) -> None:
    c, _st = dash
    long = "/" + "a" * length
    for path, field in (
        ("/sauvegardes/configurer", "dossier"),
        ("/cle-usb/analyse", "chemin"),
        ("/incident/exercice", "dossier"),
    ):
        r = c.post(path, data={"csrf_token": csrf(c), field: long, "sources": long})
        assert r.status_code == 400, path
        assert "trop long" in r.text and "Un problème est survenu" not in r.text


def test_set_up_back_up_verify_and_print_the_sheet(
    dash: tuple[TestClient, WebState], tmp_path: Path
) -> None:
    c, st = dash
    data = data_folder(tmp_path)
    repo = tmp_path / "depot"
    repo.mkdir()
    c.post("/bilan", data={"csrf_token": csrf(c, "/")})
    audits_before = len(st.store().audit_history(limit=100))
    wait(st, st.jobs.latest("audit").job_id)  # type: ignore[union-attr]
    r = c.post(
        "/sauvegardes/configurer",
        data={"csrf_token": csrf(c), "type": "disque", "sources": str(data), "dossier": str(repo)},
    )
    job = wait(st, job_of(r))
    assert job.state == "done", job.error
    r = c.post("/sauvegardes/lancer", data={"csrf_token": csrf(c)})
    job = wait(st, job_of(r))
    assert job.state == "done", job.error
    page = c.get(f"/taches/{job.job_id}").text
    assert "30 fichiers" in page and " en " in page and "Ko" in page  # files, size, duration
    assert "Prochaine sauvegarde" in page
    r = c.post("/sauvegardes/tester", data={"csrf_token": csrf(c)})
    job = wait(st, job_of(r))
    assert job.state == "done", job.error
    page = c.get(f"/taches/{job.job_id}").text
    assert re.search(r"\d+ fichiers comparés avec l&#39;original", page), page
    # the overview was re-evaluated after the set-up, the backup and the verify
    assert len(st.store().audit_history(limit=100)) >= audits_before + 4
    home = c.get("/").text
    assert "Tester la restauration" in home or "premiers-pas" in home
    # the recovery sheet is a page to print, never a download
    sheet = c.get("/sauvegardes/fiche")
    assert sheet.status_code == 200 and "content-disposition" not in sheet.headers
    assert "Imprimez puis fermez cette page" in sheet.text
    assert "sha256-" in sheet.headers["content-security-policy"]
    # a folder on the system disk is not ejectable: said in words, nothing run
    r = c.post("/sauvegardes/ejecter", data={"csrf_token": csrf(c), "destination": "local"})
    assert "ne peut pas être éjecté d&#39;ici" in r.text


def test_restore_test_during_a_backup_says_what_runs_and_offers_to_queue(
    dash: tuple[TestClient, WebState], tmp_path: Path
) -> None:
    c, st = dash
    gate = threading.Event()

    def slow(report: Any) -> dict[str, Any]:
        report(1, 10, "sauvegarde en cours")
        gate.wait(30)
        return {"operation": "backup", "destinations": [], "ok": True}

    running, _ = st.jobs.start("backup", "Sauvegarde", slow, next_url="/sauvegardes")
    try:
        r = c.post("/sauvegardes/tester", data={"csrf_token": csrf(c)})
        assert r.status_code == 200 and "/taches/" not in str(r.url)
        assert "« Sauvegarde » est en cours" in r.text
        assert "Lancer « Test de restauration » juste après" in r.text
        assert "En cours : Sauvegarde" in c.get("/sauvegardes").text
        # she chooses to queue it: a waiting job, started once the backup ends
        r = c.post("/sauvegardes/tester", data={"csrf_token": csrf(c), "ensuite": "oui"})
        queued = st.jobs.get(job_of(r))
        assert queued is not None and queued is not running and queued.state == "waiting"
        assert "commencera dès que « Sauvegarde » sera terminée" in r.text
    finally:
        gate.set()
    job = wait(st, queued.job_id)
    assert running.state == "done" and job.state in ("done", "failed")


def test_restic_s_own_words_are_folded_away(
    dash: tuple[TestClient, WebState], tmp_path: Path
) -> None:
    """The repository is gone: she reads French and what to do; restic's English is in
    "Détails techniques"."""
    import shutil

    from tests.unit.web.test_web_no_command import visible

    c, st = dash
    data = data_folder(tmp_path, 3)
    repo = tmp_path / "depot"
    r = c.post(
        "/sauvegardes/configurer",
        data={"csrf_token": csrf(c), "type": "disque", "sources": str(data), "dossier": str(repo)},
    )
    assert wait(st, job_of(r)).state == "done"
    shutil.rmtree(repo)
    repo.write_text("plus un dépôt", encoding="utf-8")
    r = c.post("/sauvegardes/lancer", data={"csrf_token": csrf(c)})
    job = wait(st, job_of(r))
    html = c.get(f"/taches/{job.job_id}").text
    shown = visible(html)
    assert "échec" in shown and "Relancez la sauvegarde" in shown, shown
    assert "Fatal" not in shown and "restic" not in shown.lower().replace("restic)", "")
    assert "Détails techniques" in html
