"""Two S3 destinations added from the dashboard (issue #15's bug): the second one gets its own
keys under its own name, the first one keeps its keys, and both take a backup. Real restic, a
real S3 server (SeaweedFS) on loopback."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
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

_spec = importlib.util.spec_from_file_location(
    "backup_servers", Path(__file__).parents[1] / "backup" / "conftest.py"
)
assert _spec is not None and _spec.loader is not None
servers = importlib.util.module_from_spec(_spec)
sys.modules["backup_servers"] = servers  # dataclasses look their module up
_spec.loader.exec_module(servers)


@pytest.fixture(scope="module")
def s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    root = tmp_path_factory.mktemp("web-seaweed")
    server = servers.S3Server(servers.free_ports(1)[0], root / "data", root / "weed.log")
    server.start()
    yield server
    server.stop(grace=0)


@pytest.fixture
def dash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[TestClient, WebState]]:
    monkeypatch.setenv("HYGIE_KEYRING", "file")
    monkeypatch.delenv("AWS_ACCESS_KEY_ID", raising=False)
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY", raising=False)
    sessions = Sessions()
    app, st = create_app(sessions=sessions)
    with TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=False) as c:  # type: ignore[arg-type]
        c.get(f"/?token={sessions.token}")
        yield c, st


def _post(c: TestClient, st: WebState, data: dict[str, str]) -> Any:
    m = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/sauvegardes").text)
    assert m is not None
    r = c.post("/sauvegardes/configurer", data={"csrf_token": m[1], **data})
    found = re.search(r"/taches/([\w-]+)", str(r.url))
    assert found is not None, r.text[-2000:]
    job = st.jobs.get(found[1])
    assert job is not None
    deadline = time.monotonic() + 120
    while job.running and time.monotonic() < deadline:
        st.jobs.wait_change(job, job.version, 1.0)
    return job


def test_two_s3_destinations_each_keep_their_keys(
    dash: tuple[TestClient, WebState], s3: Any, tmp_path: Path
) -> None:
    from hygie.secrets import get_secret

    c, st = dash
    data = tmp_path / "cabinet"
    data.mkdir()
    (data / "a.txt").write_text("dossier\n" * 100, encoding="utf-8")
    repo = tmp_path / "depot"
    job = _post(c, st, {"type": "disque", "sources": str(data), "dossier": str(repo)})
    assert job.state == "done", job.error
    for bucket in ("hygie-web-un", "hygie-web-deux"):
        job = _post(
            c,
            st,
            {
                "type": "s3",
                "s3_url": f"{s3.url}/{bucket}",
                "s3_key": s3.key,
                "s3_secret": s3.secret,
            },
        )
        assert job.state == "done", (bucket, job.error)
    names = [d["name"] for d in job.result["setup"]["destinations"]]
    s3_names = [n for n in names if n.startswith("s3")]
    assert len(s3_names) == 2, names
    for name in s3_names:
        stored = json.loads(get_secret(f"backup.{name}.s3") or "{}")
        assert stored.get("access_key_id") == s3.key, name
    r = c.post(
        "/sauvegardes/lancer",
        data={"csrf_token": re.findall(r'name="csrf_token" value="([^"]+)"', c.get("/").text)[0]},
    )
    found = re.search(r"/taches/([\w-]+)", str(r.url))
    assert found is not None
    run = st.jobs.get(found[1])
    assert run is not None
    while run.running:
        st.jobs.wait_change(run, run.version, 1.0)
    assert run.state == "done"
    assert {d["destination"]: d["status"] for d in run.result["destinations"]} == {
        n: "ok" for n in names
    }
