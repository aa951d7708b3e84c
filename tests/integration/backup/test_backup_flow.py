"""End to end with real restic: local disk, S3 (SeaweedFS) and REST (rclone) destinations."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from hygie import backup as engine
from hygie.audit import service
from hygie.backup import state
from hygie.backup.errors import RestoreConflict
from hygie.backup.repo import credentials_secret
from hygie.cli.app import main
from hygie.paths import get_paths
from hygie.secrets import get_secret
from hygie.store import open_store

pytestmark = pytest.mark.integration


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, object]]:
    with pytest.raises(SystemExit) as exc:
        main(list(args))
    out = capsys.readouterr().out
    return int(exc.value.code or 0), (json.loads(out) if out.strip() else {})


def test_local_disk_whole_regime_and_audit(
    source_tree: Path,
    tmp_path: Path,
    tree_digest: Callable[[Path], dict[str, str]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    repo = tmp_path / "disque" / "hygie-sauvegarde"
    (tmp_path / "disque").mkdir()
    rc, doc = _cli(
        capsys,
        "backup",
        "setup",
        "--source",
        str(source_tree),
        "--destination",
        str(repo),
        "--yes",
        "--json",
    )
    assert rc == 0 and doc["schema"] == "hygie.backup.setup/1"
    data = doc["data"]
    assert isinstance(data, dict)
    dest = data["destinations"][0]
    assert dest["name"] == "local" and len(dest["repo_id"]) == 64
    password = get_secret(engine.password_secret("local"))
    assert password and len(password) >= 40
    # the recovery sheet holds the password and the repository id; the PDF is a real PDF
    html = Path(data["recovery_sheet"]["html"]).read_text(encoding="utf-8")
    assert password in html and dest["repo_id"] in html
    assert Path(data["recovery_sheet"]["pdf"]).read_bytes().startswith(b"%PDF")
    assert Path(data["recovery_sheet"]["pdf"]).stat().st_mode & 0o077 == 0
    # the password is nowhere in the store or the config folder
    assert password not in get_paths().store_file.read_bytes().decode("latin-1")

    rc, doc = _cli(capsys, "backup", "run", "--json")
    assert rc == 0 and doc["status"] == "success"
    # the scripting contract: envelope and keys are pinned
    assert set(doc) == {"schema", "hygie_version", "status", "data", "error"}
    assert doc["schema"] == "hygie.backup.run/1"
    assert set(doc["data"]) == {"operation", "ok", "duration_s", "destinations"}  # type: ignore[arg-type]
    outcome = doc["data"]["destinations"][0]  # type: ignore[index]
    assert set(outcome) == {"destination", "status", "removable", "details", "error"}
    assert {"snapshot_id", "files", "bytes", "data_added", "duration_s"} <= set(outcome["details"])
    rc, doc = _cli(capsys, "backup", "verify", "--json")
    assert rc == 0, doc
    details = doc["data"]["destinations"][0]["details"]  # type: ignore[index]
    assert details["mismatches"] == 0 and details["files_checked"] == 14
    assert details["read_data_subset"] == "1/30"

    target = tmp_path / "restored"
    rc, doc = _cli(capsys, "backup", "restore", "--target", str(target), "--json")
    assert rc == 0
    restored_root = target / str(source_tree).lstrip("/")
    assert tree_digest(restored_root) == tree_digest(source_tree)
    with pytest.raises(RestoreConflict):  # never overwrites silently
        engine.restore(target)

    rc, doc = _cli(capsys, "backup", "status", "--json")
    st = doc["data"]["destinations"][0]  # type: ignore[index]
    assert set(st) == {
        "name",
        "kind",
        "location",
        "removable",
        "offsite",
        "present",
        "last_backup",
        "last_success",
        "last_verify",
        "snapshots",
        "size_bytes",
        "problem",
        "damaged",
        "kind_label",
    }
    assert st["damaged"] is None and st["kind_label"] == "disque externe ou dossier"
    assert st["present"] is True and st["snapshots"] == 1 and st["size_bytes"] > 0
    assert st["last_verify"]["ok"] is True

    # the door the incident kit uses: no password unless asked for
    from hygie.backup import recovery_info

    got = recovery_info()
    assert got is not None and got.password is None
    info = got.to_dict()
    assert "password" not in info
    d0 = info["destinations"][0]
    assert d0["last_success"] and d0["last_verify_ok"] is True and d0["repository_id"]
    with_pw = recovery_info(include_password=True)
    assert with_pw is not None and password in (with_pw.password or "")

    result = service.audit(record=False)
    facts = {f.key: f for f in result.facts}
    assert facts["backup.exists"].value is True
    assert facts["backup.restore_tested"].value is True
    assert facts["backup.encrypted"].value is True
    assert facts["backup.two_places"].value is False  # one destination only
    m07 = {c.check_id: c for c in result.measure("M07").checks}
    assert m07["M07.last_backup_age"].status == "ok"
    assert m07["M07.restore_test_result"].status == "ok"
    assert m07["M07.restic_version"].status == "warn"  # Debian's 0.14 < 0.18


def test_s3_and_rest_destinations(
    source_tree: Path,
    s3_server: Any,
    rest_server: Any,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    tree_digest: Callable[[Path], dict[str, str]],
) -> None:
    bucket = "hygie-" + "".join(c for c in tmp_path.name.lower() if c.isalnum())[-20:]
    s3_url = f"s3:{s3_server.url}/{bucket}"
    rest_url = rest_server.url + tmp_path.name
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", s3_server.key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", s3_server.secret)
    res = engine.setup([str(source_tree)], [s3_url, rest_url], pdf=False, environ=os.environ)
    assert [d.name for d in res.destinations] == ["s3", "rest"]
    assert set(res.created) == {"s3", "rest"}
    # credentials were taken at setup time and kept as secrets, not needed in the env after
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    assert (
        json.loads(get_secret(credentials_secret("s3")) or "{}")["access_key_id"] == s3_server.key
    )

    events: list[tuple[str, str]] = []
    run = engine.run(progress=lambda d, e: events.append((d, str(e.get("message_type")))))
    assert run.ok, run.to_dict()
    assert ("s3", "summary") in events and ("rest", "summary") in events
    ver = engine.verify(full=True)
    assert ver.ok, ver.to_dict()
    assert all(o.details["mismatches"] == 0 for o in ver.outcomes)
    target = tmp_path / "from-s3"
    engine.restore(target, destination="s3")
    assert tree_digest(target / str(source_tree).lstrip("/")) == tree_digest(source_tree)
    facts = {f.key: f for f in service.audit(record=False).facts}
    assert facts["backup.two_places"].value is True
    endpoints = facts["backup.cloud_endpoints"].value
    assert isinstance(endpoints, list) and all(e["private"] for e in endpoints)
    assert state.last_run(open_store(), "rest", "backup", ok_only=True) is not None
