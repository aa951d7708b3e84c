"""hygie and restic as processes: one backup at a time per destination, restic stopped with
hygie, stale locks removed on the next run (issue #14), with real restic."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hygie import backup
from hygie.backup import state
from hygie.backup.lock import destination_lock, holder, lock_dir
from hygie.store import open_store

pytestmark = pytest.mark.integration


def _hygie(*args: str) -> subprocess.Popen[str]:
    env = dict(os.environ, RESTIC_PROGRESS_FPS="20", HYGIE_LANG="fr")
    return subprocess.Popen(
        [sys.executable, "-m", "hygie", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _children(pid: int, name: str, arg: str = "backup") -> list[int]:
    """Processes called ``name`` running ``arg`` whose parent is ``pid`` (never by name
    across the host; ``restic version`` is a child too, for a moment)."""
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1 : stat.rindex(")")]
        ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if comm == name and ppid == pid and arg.encode() in argv:
            out.append(int(entry.name))
    return out


def _wait_for(cond: object, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():  # type: ignore[operator]
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def big_source(tmp_path: Path) -> Path:
    src = tmp_path / "Documents"
    src.mkdir()
    for i in range(6):
        (src / f"radio-{i}.dcm").write_bytes(os.urandom(8_000_000))
    return src


def _setup(src: Path, tmp_path: Path) -> Path:
    repo = tmp_path / "disque" / "hygie"
    repo.parent.mkdir()
    backup.setup([str(src)], [str(repo)], pdf=False)
    return repo


def test_two_concurrent_runs_one_refuses(big_source: Path, tmp_path: Path) -> None:
    _setup(big_source, tmp_path)
    first = _hygie("backup", "run")
    paused: list[int] = []
    try:
        # the first one holds the destination's lock while its restic works
        assert _wait_for(lambda: _children(first.pid, "restic")), "restic did not start"
        paused += _children(first.pid, "restic")
        for pid in paused:  # hold it there, so that the race is not won by chance
            os.kill(pid, signal.SIGSTOP)
        second = _hygie("backup", "run")
        _out, err = second.communicate(timeout=120)
        assert second.returncode == 54, err
        text = " ".join(err.split())
        assert "déjà en cours" in text and f"programme n° {first.pid}" in text
        assert "Rien n'a été fait" in text
        # the dashboard and the schedule go through the same lock (same API, same file)
        verify = backup.verify()
        assert verify.exit_code == 54 and verify.outcomes[0].status == "busy"
    finally:
        for pid in paused:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)
        _out, err1 = first.communicate(timeout=300)
    assert first.returncode == 0, err1
    assert holder("local") == {}  # released, and nothing recorded for the refused ones
    st = open_store()
    last = state.last_run(st, "local", "verify")
    assert last is None


def test_lock_of_a_dead_process_is_free() -> None:
    """An OS lock dies with its process: kill -9 of a holder leaves nothing to clean."""
    code = (
        "import sys, time\n"
        "from hygie.backup.lock import destination_lock\n"
        "with destination_lock('local', 'backup'):\n"
        "    print('held', flush=True)\n"
        "    time.sleep(60)\n"
    )
    holder_proc = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=dict(os.environ)
    )
    try:
        assert holder_proc.stdout is not None and holder_proc.stdout.readline().strip() == "held"
        with pytest.raises(backup.BackupBusy), destination_lock("local", "verify"):
            pass
    finally:
        holder_proc.kill()
        holder_proc.wait(timeout=10)
    with destination_lock("local", "verify"):  # free at once, no staleness guess needed
        assert (lock_dir() / "local.lock").exists()


def test_sigterm_stops_restic_with_hygie_and_next_run_cleans_the_lock(
    big_source: Path, tmp_path: Path
) -> None:
    repo = _setup(big_source, tmp_path)
    assert backup.run().ok
    for i in range(6):  # new data for a second, slower run
        (big_source / f"scan-{i}.bin").write_bytes(os.urandom(8_000_000))
    run = _hygie("backup", "run")
    assert _wait_for(lambda: _children(run.pid, "restic")), "restic did not start"
    restic_pids = _children(run.pid, "restic")
    assert _wait_for(lambda: any((repo / "locks").iterdir())), "restic took no lock"
    for pid in restic_pids:  # hold restic mid-backup: the signal cannot arrive after it ends
        os.kill(pid, signal.SIGSTOP)
    run.send_signal(signal.SIGTERM)
    _out, err = run.communicate(timeout=60)
    assert run.returncode == 57, err
    assert "interrompue" in err and "rien n'est compté" in " ".join(err.split())
    for pid in restic_pids:  # restic died with hygie: not left running on its own
        assert _wait_for(lambda p=pid: not Path(f"/proc/{p}").exists(), 10), pid
    st = open_store()
    last = state.last_run(st, "local", "backup")
    assert last is not None and last.ok is False and last.error_code == "backup_interrupted"
    assert list((repo / "locks").iterdir()), "a killed restic leaves its lock behind"
    # the next run meets the stale lock only where an exclusive one is needed: removed then
    again = backup.run()
    assert again.ok, again.to_dict()
    assert again.outcomes[0].details.get("stale_lock_removed") is True
    # no lock left (a "<id>-tmp-N" file is restic's half-written temporary, which a SIGTERM can
    # leave behind; restic ignores it: only 64-hex names are locks)
    assert [p for p in (repo / "locks").iterdir() if re.fullmatch(r"[0-9a-f]{64}", p.name)] == []
    ver = backup.verify(full=True)
    assert ver.ok, ver.to_dict()
    assert "stale_lock_removed" not in ver.outcomes[0].details  # nothing left to remove


def test_repair_while_another_operation_holds_the_destination(
    big_source: Path, tmp_path: Path
) -> None:
    _setup(big_source, tmp_path)
    assert backup.run().ok
    code = (
        "import time\n"
        "from hygie.backup.lock import destination_lock\n"
        "with destination_lock('local', 'backup'):\n"
        "    print('held', flush=True)\n"
        "    time.sleep(60)\n"
    )
    other = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=dict(os.environ)
    )
    try:
        assert other.stdout is not None and other.stdout.readline().strip() == "held"
        with pytest.raises(backup.BackupBusy) as exc:
            backup.repair()
        assert exc.value.exit_code == 54  # told to wait, not "repair failed"
    finally:
        other.kill()
        other.wait(timeout=10)
