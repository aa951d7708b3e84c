"""A failure stays a failure until proven repaired (issue #14), with real restic 0.14:
corrupt a pack -> the sampled test fails -> it stays failed -> repair -> full test passes
-> restore equals the source."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from hygie import backup
from hygie.audit import service
from hygie.backup import state
from hygie.cli.app import main
from hygie.store import open_store

pytestmark = pytest.mark.integration


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any], str]:
    with pytest.raises(SystemExit) as exc:
        main(list(args))
    cap = capsys.readouterr()
    return int(exc.value.code or 0), (json.loads(cap.out) if cap.out.strip() else {}), cap.err


@pytest.fixture
def many_files(tmp_path: Path) -> Path:
    """60 files of 200 kB: more than the sample of 20, so the sample does not cover all."""
    src = tmp_path / "Documents"
    src.mkdir()
    for i in range(60):
        (src / f"compte-rendu-{i:02d}.pdf").write_bytes(os.urandom(200_000))
    return src


def _setup(src: Path, tmp_path: Path) -> Path:
    repo = tmp_path / "disque" / "hygie"
    repo.parent.mkdir()
    backup.setup([str(src)], [str(repo)], pdf=False)
    return repo


def _packs(repo: Path) -> list[Path]:
    return sorted(p for p in (repo / "data").rglob("*") if p.is_file())


def _flip(pack: Path, where: float = 0.5) -> bytes:
    original = pack.read_bytes()
    pack.chmod(0o600)
    data = bytearray(original)
    data[int(len(data) * where)] ^= 0xFF
    pack.write_bytes(bytes(data))
    return original


def _m07(check: str) -> str:
    result = service.audit(record=False)
    return {c.check_id: c.status for c in result.measure("M07").checks}[check]


def test_sampled_verify_finds_any_corrupted_pack(
    many_files: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = _setup(many_files, tmp_path)
    assert backup.run().ok
    ok = backup.verify()  # every repository file proved once
    assert ok.ok, ok.to_dict()
    files = ok.outcomes[0].details["repository_files"]
    assert files["never_checked"] == files["total_files"] == files["files"] > 0
    for pack in _packs(repo):  # whichever pack goes bad, the next sampled test says so
        original = _flip(pack, 0.7)
        rc, doc, _err = _cli(capsys, "backup", "verify", "--json")
        assert rc == 14, doc  # RepositoryCorrupted, not "contrôle 2/30" and 0
        outcome = doc["data"]["destinations"][0]
        assert outcome["status"] == "failed" and pack.name[:12] in outcome["error"]["message"]
        pack.write_bytes(original)  # put the byte back: the repository is sound again...
        rc, doc, _err = _cli(capsys, "backup", "verify", "--json")
        assert rc == 53, doc  # ...but a sampled test cannot clear the failure
        assert doc["data"]["destinations"][0]["status"] == "damaged"
        st = open_store()
        state.clear_damage(st, "local")  # (reset for the next pack of this loop only)


def test_failure_is_sticky_until_repair_and_full_verify(
    many_files: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    tree_digest: Callable[[Path], dict[str, str]],
) -> None:
    repo = _setup(many_files, tmp_path)
    assert backup.run().ok
    pack = max(_packs(repo), key=lambda p: p.stat().st_size)
    _flip(pack)
    # the first sampled test after the damage fails, and turns M07 red
    rc, doc, err = _cli(capsys, "backup", "verify")
    assert rc == 14 and "endommagée" in err
    assert _m07("M07.restore_test_result") == "fail"
    # a full test fails as well; the next sampled one still fails (it proves nothing)
    rc, doc, err = _cli(capsys, "backup", "verify", "--full", "--json")
    assert rc == 14
    rc, doc, err = _cli(capsys, "backup", "verify", "--json")
    assert rc in {14, 53}, doc
    assert _m07("M07.restore_test_result") == "fail"
    # backup run on the damaged destination makes its snapshot but does not say "ok"
    (many_files / "nouveau.txt").write_text("soins du jour\n", encoding="utf-8")
    rc, doc, err = _cli(capsys, "backup", "run", "--json")
    assert rc == 53, doc
    outcome = doc["data"]["destinations"][0]
    assert outcome["status"] == "damaged" and outcome["details"]["snapshot_id"]
    assert "backup repair" in outcome["error"]["hint"]
    status = backup.status(live=False).destinations[0]
    assert status.damaged is not None and status.damaged["since"]
    info = backup.recovery_info()
    assert info is not None and info.destinations[0].damaged_since

    # repair (restic 0.14: a fresh repository, the damaged one kept read-only) + full test
    rc, doc, err = _cli(capsys, "backup", "repair", "--json")
    assert rc == 0, doc
    data = doc["data"]
    assert data["ok"] is True and data["damaged_before"] is True
    assert data["action"] == ("fresh-repository" if _restic_lt_016() else "restic-repair")
    if data["kept"]:
        kept = Path(data["kept"])
        assert kept.is_dir() and (kept / "config").is_file()
        assert not os.access(kept / "config", os.W_OK) or os.geteuid() == 0
        assert not (kept / "config").stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP)
    verify = data["verify"]
    assert verify["status"] == "ok" and verify["details"]["full"] is True
    assert verify["details"]["damage_cleared"] is True
    assert verify["details"]["files_checked"] == 61
    assert state.damage(open_store(), "local") is None
    assert _m07("M07.restore_test_result") == "ok"
    # what the repaired destination gives back is the source, byte for byte
    target = tmp_path / "restaure"
    backup.restore(target)
    assert tree_digest(target / str(many_files).lstrip("/")) == tree_digest(many_files)
    assert backup.verify().ok  # and the daily test is green again


def _restic_lt_016() -> bool:
    from hygie.backup.restic import restic_version

    return restic_version() < (0, 16, 0)


def test_full_verify_without_repair_does_not_clear(many_files: Path, tmp_path: Path) -> None:
    repo = _setup(many_files, tmp_path)
    assert backup.run().ok
    pack = _packs(repo)[0]
    original = _flip(pack)
    assert backup.verify().exit_code == 14
    pack.write_bytes(original)  # sound again, but nobody proved a repair
    full = backup.verify(full=True)
    assert full.exit_code == 53 and full.outcomes[0].status == "damaged"
    assert "aucune réparation" in (full.outcomes[0].error or {})["message"]
    # repair finds nothing damaged now (a disk that misread once), changes nothing, and the
    # full test that ends it clears the alert
    rep = backup.repair()
    assert rep.ok and rep.action == "none" and rep.kept == ""
    assert backup.load_config(open_store()) is not None
    assert state.damage(open_store(), "local") is None


def test_verify_of_changed_files_only_is_a_failure(many_files: Path, tmp_path: Path) -> None:
    _setup(many_files, tmp_path)
    assert backup.run().ok
    for p in many_files.iterdir():  # every file changed since the snapshot
        p.write_bytes(os.urandom(10))
    res = backup.verify()
    assert res.exit_code == 19 and res.outcomes[0].error is not None
    assert res.outcomes[0].error["code"] == "verify_failed"
    assert res.outcomes[0].details["files_checked"] == 0
