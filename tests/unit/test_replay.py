"""Record and replay (hygie.replay): one mechanism for support and for the tests."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from hygie import proc, replay


def test_record_then_replay_gives_the_same_results(tmp_path: Path) -> None:
    rec = replay.Recorder(tmp_path / "rec", platform="linux")
    with proc.use_runner(rec):
        first = proc.run(["sh", "-c", "echo dehors; echo erreur >&2; exit 3"])
        gone = proc.run(["hygie-no-such-program"])
        where = proc.which("sh")
    meta = json.loads((tmp_path / "rec" / "recording.json").read_text(encoding="utf-8"))
    assert meta["format"] == "hygie-replay/1" and meta["platform"] == "linux"
    assert len(list((tmp_path / "rec" / "commands").glob("*.json"))) == 3
    back = replay.Replayer.from_folder(tmp_path / "rec")
    with proc.use_runner(back):
        again = proc.run(["sh", "-c", "echo dehors; echo erreur >&2; exit 3"])
        still_gone = proc.run(["hygie-no-such-program"])
        assert proc.which("sh") == where
        other = proc.run(["sh", "-c", "echo autre"])  # not recorded
    assert (again.returncode, again.stdout, again.stderr) == (3, "dehors\n", "erreur\n")
    assert first.returncode == again.returncode and still_gone.missing and gone.missing
    assert other.missing and not other.ok


def test_empty_recording_means_nothing_installed(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with proc.use_runner(replay.Replayer.from_folder(tmp_path / "empty")):
        assert proc.run(["powershell", "-Command", "Get-Date"]).missing
        assert proc.which("powershell") is None
        lines: list[str] = []
        assert proc.stream(["restic", "snapshots"], on_line=lines.append).missing
        with pytest.raises(FileNotFoundError):
            proc.spawn(["clamd"])


def test_passthrough_programs_really_run(tmp_path: Path) -> None:
    (tmp_path / "r").mkdir()
    runner = replay.Replayer.from_folder(
        tmp_path / "r", passthrough=["SH.EXE", replay.program_name(sys.executable)]
    )
    with proc.use_runner(runner):
        cp = proc.run(["sh", "-c", "echo vrai"])
        lines: list[str] = []
        st = proc.stream([sys.executable, "-c", "print('a'); print('b')"], on_line=lines.append)
        assert proc.which("sh")
    assert cp.ok and cp.stdout == "vrai\n"
    assert st.ok and lines == ["a", "b"]


def test_stream_replays_recorded_lines_and_files_may_hold_outputs(tmp_path: Path) -> None:
    folder = tmp_path / "r"
    replay.write_entry(folder, replay.Entry(("restic", "version"), 0, "restic 0.17.3\n"))
    (folder / "commands" / "ls.out").write_text("un\ndeux\n", encoding="utf-8")
    (folder / "commands" / "ls.json").write_text(
        json.dumps({"argv": ["restic", "ls", "latest"], "returncode": 0, "stdout_file": "ls.out"}),
        encoding="utf-8",
    )
    lines: list[str] = []
    with proc.use_runner(replay.Replayer.from_folder(folder)):
        cp = proc.stream(["restic", "ls", "latest"], on_line=lines.append)
        assert proc.run(["restic", "version"]).stdout == "restic 0.17.3\n"
        assert proc.which("restic") == "restic"
    assert cp.ok and lines == ["un", "deux"]


def test_a_broken_recording_is_an_error_not_a_guess(tmp_path: Path) -> None:
    (tmp_path / "r" / "commands").mkdir(parents=True)
    (tmp_path / "r" / "commands" / "x.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(replay.ReplayError):
        replay.load_recording(tmp_path / "r")
    with pytest.raises(replay.ReplayError):
        replay.load_recording(tmp_path / "absent")


def test_runner_from_env(tmp_path: Path) -> None:
    (tmp_path / "r").mkdir()
    env = {"HYGIE_REPLAY": str(tmp_path / "r"), "HYGIE_REPLAY_PASSTHROUGH": "restic, clamdscan"}
    runner = replay.runner_from_env(env)
    assert isinstance(runner, replay.Replayer)
    assert runner.passthrough == {"restic", "clamdscan"}
    assert replay.runner_from_env({}) is None
    assert replay.program_name(r"C:\Program Files\restic\restic.EXE") == "restic"


def test_a_recording_only_reads_inside_itself(tmp_path: Path) -> None:
    """A hostile recording cannot make hygie read another file into a command's output."""
    secret = tmp_path / "secret.txt"
    secret.write_text("do not read\n", encoding="utf-8")
    (tmp_path / "r" / "commands").mkdir(parents=True)
    (tmp_path / "r" / "commands" / "x.json").write_text(
        json.dumps({"argv": ["whoami"], "returncode": 0, "stdout_file": "../../secret.txt"}),
        encoding="utf-8",
    )
    with pytest.raises(replay.ReplayError):
        replay.load_recording(tmp_path / "r")
