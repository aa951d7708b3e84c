"""Failure drills with real restic: each asserts that nothing is lost and the user is told."""

from __future__ import annotations

import io
import json
import os
import resource
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from hygie import backup as engine
from hygie import proc
from hygie.audit import service
from hygie.backup import state, verifying
from hygie.backup.errors import ResticNotFound
from hygie.cli.app import main
from hygie.secrets import get_secret, set_secret
from hygie.store import open_store

pytestmark = pytest.mark.integration


def _setup_local(src: Path, tmp_path: Path, **kw: Any) -> Path:
    repo = tmp_path / "disk" / "repo"
    repo.parent.mkdir(exist_ok=True)
    engine.setup([str(src)], [str(repo)], pdf=False, **kw)
    return repo


def _restic_children() -> list[int]:
    """restic processes started by this test process (never by name across the host)."""
    me = os.getpid()
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1 : stat.rindex(")")]
        ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
        if comm == "restic" and ppid == me:
            pids.append(int(entry.name))
    return pids


def test_kill_9_mid_backup_then_run_again(
    source_tree: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    tree_digest: Callable[[Path], dict[str, str]],
) -> None:
    for i in range(3):
        (source_tree / f"scan-{i}.bin").write_bytes(os.urandom(4_000_000))
    _setup_local(source_tree, tmp_path)
    monkeypatch.setenv("RESTIC_PROGRESS_FPS", "60")
    killed: list[int] = []

    def kill_on_progress(dest: str, event: dict[str, Any]) -> None:
        if event.get("message_type") == "status" and not killed:
            for pid in _restic_children():
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)

    first = engine.run(progress=kill_on_progress)
    assert killed, "restic was not running"
    assert not first.ok and first.exit_code != 0
    st = open_store()
    assert state.last_run(st, "local", "backup", ok_only=True) is None  # not counted
    second = engine.run()
    assert second.ok, second.to_dict()
    ver = engine.verify(full=True)
    assert ver.ok, ver.to_dict()
    target = tmp_path / "restored"
    engine.restore(target)
    assert tree_digest(target / str(source_tree).lstrip("/")) == tree_digest(source_tree)


def _flip_byte_in_largest_pack(repo: Path) -> Path:
    packs = sorted((repo / "data").rglob("*"), key=lambda p: p.stat().st_size if p.is_file() else 0)
    pack = packs[-1]
    pack.chmod(0o600)
    data = bytearray(pack.read_bytes())
    data[len(data) // 2] ^= 0xFF
    pack.write_bytes(bytes(data))
    return pack


def test_flipped_byte_fails_verify_and_turns_m07_red(
    source_tree: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = _setup_local(source_tree, tmp_path)
    assert engine.run().ok
    _flip_byte_in_largest_pack(repo)
    with pytest.raises(SystemExit) as exc:
        main(["backup", "verify", "--json"])
    doc = json.loads(capsys.readouterr().out)
    assert exc.value.code == 14  # RepositoryCorrupted
    assert doc["status"] == "error"
    outcome = doc["data"]["destinations"][0]
    assert outcome["status"] == "failed"
    assert outcome["error"]["code"] == "repository_corrupted" and outcome["error"]["hint"]
    last = state.last_run(open_store(), "local", "verify")
    assert last is not None and last.ok is False
    result = service.audit(record=False)
    assert result.measure("M07").status == "fail"
    checks = {c.check_id: c.status for c in result.measure("M07").checks}
    assert checks["M07.restore_test_result"] == "fail"
    assert checks["M07.restore_tested"] == "fail"


def test_wrong_password_is_told_and_nothing_recorded(
    source_tree: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _setup_local(source_tree, tmp_path)
    good = get_secret(engine.password_secret("local"))
    assert good
    set_secret(engine.password_secret("local"), "pas-le-bon-mot-de-passe")
    with pytest.raises(SystemExit) as exc:
        main(["backup", "run"])
    err = capsys.readouterr().err
    assert exc.value.code == 13
    assert "mot de passe" in err and "fiche de récupération" in err
    assert state.last_run(open_store(), "local", "backup", ok_only=True) is None
    assert "hygie backup password --destination local" in " ".join(err.split())
    # the user types the password from the recovery sheet: checked before it is stored
    monkeypatch.setattr("sys.stdin", io.StringIO("encore-faux\n"))
    with pytest.raises(SystemExit) as exc:
        main(["backup", "password", "--destination", "local"])
    assert exc.value.code == 13
    monkeypatch.setattr("sys.stdin", io.StringIO(good + "\n"))
    with pytest.raises(SystemExit) as exc:
        main(["backup", "password", "--destination", "local"])
    assert exc.value.code == 0
    assert get_secret(engine.password_secret("local")) == good
    assert engine.run().ok  # nothing lost: the right password still opens it


def _mount_tiny_fs(where: Path, size: str) -> bool:
    where.mkdir()
    if os.geteuid() != 0:
        return False
    cp = proc.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(where)])
    return cp.ok


def test_destination_full(
    source_tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A tiny tmpfs when we may mount one (root), else RLIMIT_FSIZE (restic gets EFBIG)."""
    small = tmp_path / "small"
    mounted = _mount_tiny_fs(small, "3m")
    try:
        repo = small / "repo"
        engine.setup([str(source_tree)], [str(repo)], pdf=False)
        assert engine.run().ok  # a first, small backup fits
        (source_tree / "radio.dcm").write_bytes(os.urandom(6_000_000))
        if mounted:
            result = engine.run()
        else:
            soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
            resource.setrlimit(resource.RLIMIT_FSIZE, (2_000_000, hard))
            try:
                result = engine.run()
            finally:
                resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        assert not result.ok
        outcome = result.outcomes[0]
        assert outcome.error and outcome.error["code"] == "destination_full"
        assert result.exit_code == 15
        (source_tree / "radio.dcm").unlink()
        ver = engine.verify(full=True)  # the earlier backup is intact
        assert ver.ok, ver.to_dict()
    finally:
        if mounted:
            proc.run(["umount", str(small)])


def test_removable_disk_absent(
    source_tree: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _setup_local(source_tree, tmp_path, removable=True)
    st = open_store()
    cfg = state.load_config(st)
    assert cfg is not None and cfg.destinations[0].removable
    # this disk's filesystem UUID is not among the machine's block devices: unplugged
    d = cfg.destinations[0]
    gone = state.BackupConfig(
        cfg.sources,
        (type(d)(d.name, d.kind, d.url, True, "0000-HYGIE-TEST", "CABINET-1", "repo"),),
        cfg.retention,
        cfg.created_at,
    )
    state.save_config(st, gone)
    with pytest.raises(SystemExit) as exc:
        main(["backup", "run"])
    err = capsys.readouterr().err
    assert exc.value.code == 12
    assert "Branchez le disque « CABINET-1 »" in err
    assert state.last_run(st, d.name, "backup", ok_only=True) is None
    status = engine.status()
    assert status.destinations[0].present is False


def test_restic_missing(
    source_tree: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    with pytest.raises(ResticNotFound):
        engine.setup([str(source_tree)], [str(tmp_path / "r")], pdf=False)
    with pytest.raises(SystemExit) as exc:
        main(["backup", "setup", "--source", str(source_tree), "--destination", "/x", "--yes"])
    err = " ".join(capsys.readouterr().err.split())
    assert exc.value.code == 10
    assert "restic" in err and "apt install restic" in err and "brew install restic" in err


def test_s3_server_stopped_during_upload(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    make_s3_server: Callable[[], Any],
) -> None:
    """restic retries a dead server for ~15 min: hygie stops it when progress stalls."""
    src = tmp_path / "scans"
    src.mkdir()
    for i in range(3):
        (src / f"scan-{i}.bin").write_bytes(os.urandom(3_000_000))
    srv = make_s3_server()
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", srv.key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", srv.secret)
    monkeypatch.setenv("HYGIE_BACKUP_STALL_S", "3")
    monkeypatch.setenv("RESTIC_PROGRESS_FPS", "60")
    local = tmp_path / "disk" / "repo"
    local.parent.mkdir()
    engine.setup([str(src)], [str(local), f"s3:{srv.url}/upload"], pdf=False, environ=os.environ)

    def stop_server(dest: str, event: dict[str, Any]) -> None:
        if dest == "s3" and event.get("message_type") == "status" and srv.process is not None:
            srv.stop()

    result = engine.run(progress=stop_server)
    by = {o.destination: o for o in result.outcomes}
    assert by["local"].status == "ok"  # the other copy is made anyway
    assert by["s3"].status == "error" and by["s3"].error and by["s3"].error["hint"]
    assert by["s3"].error["code"] == "destination_unreachable"
    assert result.exit_code == 16 and result.status == "partial"
    st = open_store()
    assert state.last_run(st, "s3", "backup", ok_only=True) is None  # no success recorded
    assert _restic_children() == []  # restic was stopped, not left retrying
    srv.start()
    again = engine.run()
    assert again.ok, again.to_dict()
    assert state.last_run(st, "s3", "backup", ok_only=True) is not None


def test_full_verify_restores_into_ram_folder_and_leaves_nothing(
    source_tree: Path, tmp_path: Path
) -> None:
    _setup_local(source_tree, tmp_path)
    assert engine.run().ok
    ver = engine.verify(full=True)
    assert ver.ok, ver.to_dict()
    details = ver.outcomes[0].details
    assert details["scratch"] == "ram"
    assert details["files_checked"] == 14 and details["mismatches"] == 0
    assert {"check", "restore", "compare"} <= set(details["timings_s"])
    assert list((tmp_path / "ram").iterdir()) == []  # the restored copy is gone


def test_failed_ram_restore_is_redone_on_disk(
    source_tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _setup_local(source_tree, tmp_path)
    assert engine.run().ok
    real = verifying._restore_all
    calls: list[Path] = []

    def ram_fills_up(
        repo: Any, dest: Any, tmp: Path, details: dict[str, Any], progress: Any
    ) -> Any:
        calls.append(tmp)
        pairs, err = real(repo, dest, tmp, details, progress)
        if len(calls) == 1:  # as if the RAM folder had filled up during the restore
            return pairs, engine.BackupError(destination=dest.name)
        return pairs, err

    monkeypatch.setattr(verifying, "_restore_all", ram_fills_up)
    ver = engine.verify(full=True)
    assert ver.ok, ver.to_dict()
    assert len(calls) == 2 and calls[0].parent == tmp_path / "ram"
    assert ver.outcomes[0].details["scratch"] == "disk"
    assert ver.outcomes[0].details["mismatches"] == 0


def test_verify_removes_a_stale_lock_left_by_a_killed_backup(
    source_tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = _setup_local(source_tree, tmp_path)
    assert engine.run().ok
    for i in range(3):
        (source_tree / f"scan-{i}.bin").write_bytes(os.urandom(4_000_000))
    monkeypatch.setenv("RESTIC_PROGRESS_FPS", "60")
    killed: list[int] = []

    def kill_on_progress(dest: str, event: dict[str, Any]) -> None:
        if event.get("message_type") == "status" and not killed:
            for pid in _restic_children():
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)

    assert not engine.run(progress=kill_on_progress).ok
    assert killed and list((repo / "locks").iterdir())  # the killed restic left its lock
    ver = engine.verify(full=True)
    assert ver.ok, ver.to_dict()
    details = ver.outcomes[0].details
    assert details["stale_lock_removed"] is True and "unlock" in details["timings_s"]
    assert details["mismatches"] == 0 and details["files_checked"] == 14
