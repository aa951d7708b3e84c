"""Microsoft Defender's MpCmdRun output, read from recorded outputs (fail closed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hygie import proc
from hygie.media.defender_engine import DefenderEngine
from hygie.media.mpcmdrun import find_mpcmdrun, parse_scan, platform_version, scan_args
from hygie.media.verdicts import Reason, Verdict
from hygie.proc import Completed

FIX = Path(__file__).parents[2] / "fixtures" / "cmd" / "windows" / "mpcmdrun"
PATH = r"E:\Courriers\compte-rendu.pdf"


def out(case: str, path: str = PATH, crlf: bool = True) -> str:
    text = (FIX / f"{case}.txt").read_text(encoding="utf-8").replace("{path}", path)
    return text.replace("\n", "\r\n") if crlf else text


@pytest.mark.parametrize("crlf", [True, False])
def test_clean_and_infected(crlf: bool) -> None:
    assert parse_scan(0, out("clean", crlf=crlf), PATH).verdict is Verdict.CLEAN
    found = parse_scan(2, out("infected", crlf=crlf), PATH)
    assert found.verdict is Verdict.INFECTED and found.signature == "Virus:DOS/EICAR_Test_File"
    # A named threat is a threat whatever the exit code.
    assert parse_scan(0, out("infected", crlf=crlf), PATH).verdict is Verdict.INFECTED


@pytest.mark.parametrize(
    ("case", "rc", "hint"),
    [
        ("failed_disabled", 2, "0x80004005"),  # exit 2 like a threat: only the text tells
        ("failed_not_found", 2, "0x80508023"),
        ("remediated", 0, "without a name"),  # a cleaned threat exits 0
        ("usage", 0, "not understood"),
        ("clean", 2, "contradictory"),
    ],
)
def test_everything_else_is_not_scanned(case: str, rc: int, hint: str) -> None:
    answer = parse_scan(rc, out(case), PATH)
    assert answer.verdict is Verdict.NOT_SCANNED and answer.reason is Reason.ENGINE_ERROR
    assert hint in answer.detail


def test_no_output_and_unfinished_runs_are_not_scanned() -> None:
    assert parse_scan(0, "", PATH).verdict is Verdict.NOT_SCANNED
    assert parse_scan(None, out("clean"), PATH).verdict is Verdict.NOT_SCANNED


def test_a_file_name_cannot_forge_a_clean_line() -> None:
    # Windows names cannot end with a dot nor hold a newline: the real ending always wins.
    sneaky = r"E:\x found no threats.pdf"
    assert parse_scan(2, out("infected", sneaky), sneaky).verdict is Verdict.INFECTED
    assert parse_scan(0, out("clean", r"E:\autre.pdf"), PATH).verdict is Verdict.NOT_SCANNED


def test_two_scan_lines_are_not_understood() -> None:
    text = out("clean") + out("clean", r"E:\b.pdf")
    assert parse_scan(0, text, PATH).verdict is Verdict.NOT_SCANNED


def test_find_mpcmdrun_newest_platform_then_program_files(tmp_path: Path) -> None:
    pd, pf = tmp_path / "ProgramData", tmp_path / "Program Files"
    platform = pd / "Microsoft" / "Windows Defender" / "Platform"
    for v in ("4.18.2006.10-0", "4.18.24090.11-0", "4.18.23110.3-0"):
        (platform / v).mkdir(parents=True)
        (platform / v / "MpCmdRun.exe").write_bytes(b"")
    (platform / "4.18.99999.1-0").mkdir()  # an update in progress: no exe yet
    legacy = pf / "Windows Defender"
    legacy.mkdir(parents=True)
    (legacy / "MpCmdRun.exe").write_bytes(b"")
    env = {"ProgramData": str(pd), "ProgramFiles": str(pf)}
    exe = find_mpcmdrun(env)
    assert (
        exe is not None and "4.18.24090.11-0" in exe and platform_version(exe) == "4.18.24090.11-0"
    )
    for v in platform.iterdir():
        (v / "MpCmdRun.exe").unlink(missing_ok=True)
    assert find_mpcmdrun(env) == str(legacy / "MpCmdRun.exe")
    (legacy / "MpCmdRun.exe").unlink()
    assert find_mpcmdrun(env) is None


def _engine_with(tmp_path: Path) -> tuple[DefenderEngine, int, str]:
    f = tmp_path / "a.pdf"
    f.write_bytes(b"%PDF-1.4\n")
    import os

    fd = os.open(f, os.O_RDONLY)
    return DefenderEngine("MpCmdRun.exe", tmp_path / "scratch"), fd, str(f)


@pytest.mark.parametrize(
    ("result", "reason"),
    [
        (Completed(("x",), None, timed_out=True, duration_s=120), Reason.TIMEOUT),
        (Completed(("x",), None, missing=True), Reason.ENGINE_ERROR),
        (Completed(("x",), None, error="Access is denied"), Reason.ENGINE_ERROR),
    ],
)
def test_time_out_missing_or_failed_engine_is_not_scanned(
    tmp_path: Path, result: Completed, reason: Reason
) -> None:
    import os

    engine, fd, path = _engine_with(tmp_path)

    def runner(args, timeout, env, stdin):  # type: ignore[no-untyped-def]
        assert list(args) == scan_args("MpCmdRun.exe", os.path.abspath(path))
        return result

    try:
        with proc.use_runner(runner):
            answer = engine.scan_fd(fd, path, 9)
    finally:
        os.close(fd)
    assert answer.verdict is Verdict.NOT_SCANNED and answer.reason is reason and answer.detail


def test_a_file_swapped_under_its_path_is_not_scanned(tmp_path: Path) -> None:
    import os

    engine, fd, path = _engine_with(tmp_path)
    os.replace(path, tmp_path / "moved.pdf")
    Path(path).write_bytes(b"something else")
    try:
        answer = engine.scan_fd(fd, path, 9)
    finally:
        os.close(fd)
    assert answer.verdict is Verdict.NOT_SCANNED and answer.reason is Reason.CHANGED


def test_real_time_protection_removing_a_canary_counts_as_detection(tmp_path: Path) -> None:
    """With real-time protection on, Defender quarantines the EICAR canary as soon as it is
    written; MpCmdRun then fails with 0x80508023. That is a detection, not a failure — but the
    same failure on a canary that is still there is "not scanned"."""
    import os

    from hygie.media.canaries import eicar_bytes

    engine = DefenderEngine("MpCmdRun.exe", tmp_path / "scratch")

    def quarantining(args, timeout, env, stdin):  # type: ignore[no-untyped-def]
        os.unlink(args[5])  # -File PATH
        return Completed(tuple(args), 2, out("failed_not_found", args[5]))

    with proc.use_runner(quarantining):
        found = engine.scan_bytes(eicar_bytes())
    assert found.verdict is Verdict.INFECTED and found.signature == "Defender.RealTimeProtection"

    def failing(args, timeout, env, stdin):  # type: ignore[no-untyped-def]
        return Completed(tuple(args), 2, out("failed_disabled", args[5]))

    with proc.use_runner(failing):
        answer = engine.scan_bytes(b"harmless")
    assert answer.verdict is Verdict.NOT_SCANNED and "0x80004005" in answer.detail
    assert list((tmp_path / "scratch").iterdir()) == []  # canaries never left behind
