"""The real CLI run as a Windows and as a macOS program (tests/personality.py), answering
every OS command from recordings (tests/machines.py, tests/fixtures/cmd/)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import measure_ids
from tests.machines import mac_machine_outputs, recording, windows_fr_machine
from tests.personality import (
    SITE,
    TracebackInOutput,
    assert_no_traceback,
    personality_env,
    run_hygie,
)

MEASURES = measure_ids()
PROBED = ("M03", "M05", "M09", "M13")


def _audit(cp: subprocess.CompletedProcess[str]) -> dict[str, object]:
    assert cp.returncode in (0, 1), cp.stderr
    doc = json.loads(cp.stdout)
    assert doc["schema"] == "hygie.audit/1"
    data = doc["data"]
    assert isinstance(data, dict)
    return data


def _statuses(data: dict[str, object]) -> dict[str, str]:
    measures = data["measures"]
    assert isinstance(measures, list)
    return {m["id"]: m["status"] for m in measures}


def _facts(data: dict[str, object]) -> dict[str, dict[str, object]]:
    facts = data["facts"]
    assert isinstance(facts, list)
    return {f["key"]: f for f in facts}


@pytest.mark.parametrize("personality", ["windows", "darwin"])
def test_the_personality_lacks_what_that_os_lacks(tmp_path: Path, personality: str) -> None:
    env = personality_env(personality, home=tmp_path, replay_dir=None)  # type: ignore[arg-type]
    code = (
        "import os, signal, sys\n"
        "missing = []\n"
        "for mod in ('grp', 'pwd', 'fcntl', 'termios', 'resource'):\n"
        "    try:\n"
        "        __import__(mod)\n"
        "    except ImportError:\n"
        "        missing.append(mod)\n"
        "for name in ('killpg', 'getuid', 'geteuid', 'fork', 'statvfs', 'setsid'):\n"
        "    if not hasattr(os, name):\n"
        "        missing.append('os.' + name)\n"
        "if not hasattr(signal, 'SIGKILL'):\n"
        "    missing.append('signal.SIGKILL')\n"
        "print(','.join(missing))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.strip()
    if personality == "windows":
        assert out.split(",") == [
            "grp", "pwd", "fcntl", "termios", "resource", "os.killpg", "os.getuid",
            "os.geteuid", "os.fork", "os.statvfs", "os.setsid", "signal.SIGKILL",
        ]  # fmt: skip
    else:
        assert out == ""  # macOS has all of POSIX
    assert str(SITE) in env["PYTHONPATH"] and env["HYGIE_PLATFORM"] == personality


def test_a_traceback_fails_the_caller() -> None:
    crashed = subprocess.CompletedProcess(
        ["hygie"], 1, "", 'Traceback (most recent call last):\n  File "x"\nKeyError: 1\n'
    )
    with pytest.raises(TracebackInOutput):
        assert_no_traceback(crashed)


def test_windows_audit_from_a_french_recording(tmp_path: Path) -> None:
    rec = recording(tmp_path / "rec", "windows", windows_fr_machine())
    data = _audit(run_hygie("windows", ["audit", "--json"], home=tmp_path, replay=rec))
    assert data["platform"] == "windows"
    statuses = _statuses(data)
    assert sorted(statuses) == MEASURES
    facts = _facts(data)
    # The recorded answers went through the real CLI, parsers and checks.
    assert facts["disk.system_encrypted"]["value"] is True
    assert facts["firewall.enabled"]["value"] is True
    assert facts["wifi.security"]["value"] == "wpa2"
    assert statuses["M13"] == "ok"
    assert statuses["M06"] == "fail"  # AutoPlay on for USB keys


def test_windows_audit_with_an_empty_recording_is_unknown_not_a_crash(tmp_path: Path) -> None:
    empty = tmp_path / "vide"
    empty.mkdir()
    data = _audit(run_hygie("windows", ["audit", "--json"], home=tmp_path, replay=empty))
    statuses = _statuses(data)
    assert sorted(statuses) == MEASURES
    for mid in PROBED:
        assert statuses[mid] == "unknown", mid
    facts = _facts(data)
    assert facts["disk.system_encrypted"]["state"] == "unknown"
    assert "introuvable" in str(facts["disk.system_encrypted"]["reason"])


def test_macos_audit_from_a_recording(tmp_path: Path) -> None:
    rec = recording(tmp_path / "rec", "darwin", mac_machine_outputs())
    cp = run_hygie(
        "darwin",
        ["audit", "--json"],
        home=tmp_path,
        replay=rec,
        env={"USER": "claire", "LOGNAME": "claire"},
    )
    data = _audit(cp)
    assert data["platform"] == "darwin"
    statuses = _statuses(data)
    assert sorted(statuses) == MEASURES
    facts = _facts(data)
    assert facts["disk.system_encrypted"]["value"] is True  # FileVault on
    assert facts["firewall.enabled"]["value"] is False  # Apple's default
    assert statuses["M13"] == "ok"


def test_macos_audit_with_an_empty_recording(tmp_path: Path) -> None:
    empty = tmp_path / "vide"
    empty.mkdir()
    data = _audit(run_hygie("darwin", ["audit", "--json"], home=tmp_path, replay=empty))
    statuses = _statuses(data)
    assert sorted(statuses) == MEASURES
    for mid in PROBED:
        assert statuses[mid] == "unknown", mid


def test_audit_replay_option_reads_the_recording_platform(tmp_path: Path) -> None:
    """Support: ``hygie audit --replay DIR`` of a nurse's Windows recording, on this Linux."""
    rec = recording(tmp_path / "rec", "windows", windows_fr_machine())
    env = {k: v for k, v in os.environ.items() if not k.startswith("HYGIE_")}
    env["HYGIE_HOME"] = str(tmp_path / "support")
    cp = subprocess.run(
        [sys.executable, "-m", "hygie", "audit", "--json", "--replay", str(rec)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert_no_traceback(cp)
    data = _audit(cp)
    assert data["platform"] == "windows"
    assert _facts(data)["wifi.security"]["value"] == "wpa2"
    bad = subprocess.run(
        [sys.executable, "-m", "hygie", "audit", "--json", "--replay", str(tmp_path / "absent")],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert_no_traceback(bad)
    assert bad.returncode == 6
    assert json.loads(bad.stdout)["error"]["code"] == "replay_folder"


def test_record_under_the_windows_personality_then_replay(tmp_path: Path) -> None:
    """--record keeps what each command answered (here: the replayed French machine)."""
    rec = recording(tmp_path / "rec", "windows", windows_fr_machine())
    out = tmp_path / "nouvel-enregistrement"
    first = _audit(
        run_hygie("windows", ["audit", "--json", "--record", str(out)], home=tmp_path, replay=rec)
    )
    assert (out / "recording.json").is_file()
    assert len(list((out / "commands").glob("*.json"))) >= 10
    again = _audit(run_hygie("windows", ["audit", "--json"], home=tmp_path, replay=out))
    assert _statuses(again) == _statuses(first)


@pytest.mark.parametrize("personality", ["windows", "darwin"])
def test_a_time_out_kills_the_whole_tree_under_the_personality(
    tmp_path: Path, personality: str
) -> None:
    """Windows: new process group + taskkill /T /F; macOS: new session + killpg."""
    env = personality_env(personality, home=tmp_path, replay_dir=None)  # type: ignore[arg-type]
    code = (
        "from hygie import proc\n"
        "cp = proc.run(['sh', '-c', 'sleep 60 & echo $!; sleep 60'], timeout=0.5)\n"
        "print(cp.timed_out, cp.stdout.split()[0])\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert "Traceback" not in out.stderr
    timed_out, grandchild = out.stdout.split()
    assert timed_out == "True"
    stat = Path(f"/proc/{grandchild}/stat")
    for _ in range(100):
        if not stat.exists() or stat.read_text().rsplit(")", 1)[1].split()[0] == "Z":
            break
        time.sleep(0.05)
    else:
        raise AssertionError(f"grandchild {grandchild} still running")


@pytest.mark.parametrize("personality", ["windows", "darwin"])
@pytest.mark.parametrize("damage", ["garbage", "timed_out", "denied"])
def test_a_hostile_recording_gives_unknowns_not_a_crash(
    tmp_path: Path, personality: str, damage: str
) -> None:
    """Every command answers nonsense, hangs, or is refused: the audit still completes, and
    nothing probed passes."""
    from hygie import replay

    machine = windows_fr_machine() if personality == "windows" else mac_machine_outputs()
    folder = tmp_path / "rec"
    replay.write_meta(folder, personality)
    for argv in machine:
        if damage == "garbage":
            entry = replay.Entry(argv, 0, "\ufeff{[<garbage \u2603 \x00 ]]}\r\n\u00c3\u00a9", "")
        elif damage == "timed_out":
            entry = replay.Entry(argv, None, "", "", timed_out=True)
        else:
            entry = replay.Entry(argv, 5, "", "Accès refusé.\r\n")
        replay.write_entry(folder, entry)
    data = _audit(run_hygie(personality, ["audit", "--json"], home=tmp_path, replay=folder))  # type: ignore[arg-type]
    statuses = _statuses(data)
    assert sorted(statuses) == MEASURES
    facts = _facts(data)
    for key in ("disk.system_encrypted", "firewall.enabled", "updates.pending"):
        assert facts[key]["state"] == "unknown", (key, facts[key])
    for mid in ("M03", "M05", "M13"):
        assert statuses[mid] == "unknown", mid
