"""``hygie media scan`` run as a Windows program (tests/personality.py) with Microsoft
Defender answering from recorded MpCmdRun outputs (tests/fixtures/cmd/windows/mpcmdrun/).

Nothing asks for clamd: on Windows the station uses Defender by default. The recording holds
one answer per exact command line: the user's files and the canaries (whose paths are fixed:
hygie names them by content), so the whole path — discovery of MpCmdRun.exe in the Defender
platform folder, signature age through Get-MpComputerStatus, the canary battery, hygie's own
container checks, the verdicts and the JSON — runs as it would on Windows.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest
from tests.personality import build_recording, run_hygie

from hygie.media.canaries import battery, eicar_bytes, nested_zip
from hygie.media.defender_engine import DEFENDER_LIMITS
from hygie.media.mpcmdrun import scan_args
from hygie.platform.parsers.defender import MP_STATUS_PS

pytestmark = pytest.mark.integration
FIX = Path(__file__).parents[2] / "fixtures" / "cmd" / "windows"
PLATFORM_VERSION = "4.18.24090.11-0"


def _out(case: str, path: str) -> str:
    text = (FIX / "mpcmdrun" / f"{case}.txt").read_text(encoding="utf-8")
    return text.replace("{path}", path).replace("\n", "\r\n")


def _machine(tmp_path: Path, *, eicar_canary: str = "infected") -> tuple[dict[str, str], dict]:
    """(environment, recorded outputs) of a Windows PC with Defender's platform folder."""
    pd = tmp_path / "ProgramData"
    exe_dir = pd / "Microsoft" / "Windows Defender" / "Platform" / PLATFORM_VERSION
    exe_dir.mkdir(parents=True)
    exe = str(exe_dir / "MpCmdRun.exe")
    Path(exe).write_bytes(b"")
    outputs: dict[tuple[str, ...], tuple[str, int, str] | str] = {
        tuple(MP_STATUS_PS): (FIX / "mp_status" / "enabled.txt").read_text(encoding="utf-8"),
    }
    scratch = tmp_path / "hygie" / "data" / "media" / "defender"
    for c in battery(DEFENDER_LIMITS):
        if c.must == "read":
            continue
        path = os.path.join(scratch, f"canary-{hashlib.sha256(c.data).hexdigest()[:16]}.bin")
        case = eicar_canary if c.name == "eicar" else "clean"
        if c.name == "nested_trusted":
            case = "infected"
        outputs[tuple(scan_args(exe, path))] = (
            _out(case, path),
            2 if case == "infected" else 0,
            "",
        )
    env = {"ProgramData": str(pd), "ProgramFiles": str(tmp_path / "Program Files")}
    return env, outputs


def _key(tmp_path: Path, outputs: dict, exe: str) -> Path:
    key = tmp_path / "cle"
    key.mkdir()
    files = {
        "compte-rendu.pdf": (b"%PDF-1.4\n%%EOF\n", "clean", 0),
        "facture.com": (eicar_bytes(), "infected", 2),
        "photo.jpg": (b"\xff\xd8\xff\xe0 not really", "failed_disabled", 2),
        "profond.zip": (nested_zip(b"rien", 6), "clean", 0),  # deeper than Defender is trusted
    }
    for name, (data, case, rc) in files.items():
        p = key / name
        p.write_bytes(data)
        outputs[tuple(scan_args(exe, str(p)))] = (_out(case, str(p)), rc, "")
    return key


def test_media_scan_with_defender_as_a_windows_program(tmp_path: Path) -> None:
    env, outputs = _machine(tmp_path)
    exe = os.path.join(
        env["ProgramData"],
        "Microsoft",
        "Windows Defender",
        "Platform",
        PLATFORM_VERSION,
        "MpCmdRun.exe",
    )
    key = _key(tmp_path, outputs, exe)
    rec = build_recording(tmp_path / "rec", "windows", outputs)
    cp = run_hygie(
        "windows", ["media", "scan", str(key), "--json"], home=tmp_path, replay=rec, env=env
    )
    assert cp.returncode == 1, cp.stderr
    assert "clamd" not in cp.stderr.lower()
    doc = json.loads(cp.stdout)
    data = doc["data"]
    assert data["engine"]["engine"] == "defender"
    assert data["engine"]["version"] == PLATFORM_VERSION
    assert data["engine"]["signature_date_source"] == "mpstatus"
    assert all(c["ok"] for c in data["engine"]["proof"])
    files = {f["name"]: f for f in data["files"]}
    assert files["compte-rendu.pdf"]["verdict"] == "clean"
    assert files["facture.com"]["verdict"] == "infected"
    assert files["facture.com"]["signature"] == "Virus:DOS/EICAR_Test_File"
    err = files["photo.jpg"]
    assert err["verdict"] == "not_scanned" and err["reason"] == "engine_error"
    assert "0x80004005" in err["detail"]
    deep = files["profond.zip"]
    assert deep["verdict"] == "not_scanned" and deep["reason"] == "too_deep"
    assert data["counts"] == {"clean": 1, "infected": 1, "not_scanned": 2}


def test_defender_missing_is_an_error_not_a_clean_scan(tmp_path: Path) -> None:
    (tmp_path / "cle").mkdir()
    (tmp_path / "cle" / "a.pdf").write_bytes(b"%PDF-1.4\n")
    empty = build_recording(tmp_path / "rec", "windows", {})
    env = {"ProgramData": str(tmp_path / "nothing"), "ProgramFiles": str(tmp_path / "nothing")}
    cp = run_hygie(
        "windows",
        ["media", "scan", str(tmp_path / "cle"), "--json"],
        home=tmp_path,
        replay=empty,
        env=env,
    )
    assert cp.returncode == 38
    doc = json.loads(cp.stdout)
    assert doc["status"] == "error" and doc["error"]["code"] == "media_defender_unavailable"
    assert "clamd" not in cp.stderr.lower()


def test_defender_that_misses_the_eicar_canary_is_refused(tmp_path: Path) -> None:
    env, outputs = _machine(tmp_path, eicar_canary="clean")
    (tmp_path / "cle").mkdir()
    (tmp_path / "cle" / "a.pdf").write_bytes(b"%PDF-1.4\n")
    rec = build_recording(tmp_path / "rec", "windows", outputs)
    cp = run_hygie(
        "windows",
        ["media", "scan", str(tmp_path / "cle"), "--json"],
        home=tmp_path,
        replay=rec,
        env=env,
    )
    assert cp.returncode == 32
    assert json.loads(cp.stdout)["error"]["code"] == "media_selftest_failed"
