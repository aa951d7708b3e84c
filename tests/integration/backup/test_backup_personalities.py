"""The backup regime run as a program under the Windows and macOS personalities
(tests/personality.py): the real CLI in an interpreter without what that OS's Python lacks,
every command answered by an (empty) recording, except restic which really runs."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from tests.personality import Personality, run_hygie

pytestmark = pytest.mark.integration


def _env() -> dict[str, str]:
    return {"HYGIE_KEYRING": "file", "HYGIE_REPLAY_PASSTHROUGH": "restic"}


def _doc(cp: object) -> dict[str, object]:
    out = getattr(cp, "stdout", "")
    return json.loads(out) if out.strip() else {}


@pytest.mark.parametrize("personality", ["windows", "darwin"])
def test_setup_run_verify_restore_as_a_program(
    tmp_path: Path, personality: Personality, source_tree: Path
) -> None:
    replay = tmp_path / "replay-vide"
    replay.mkdir()
    repo = tmp_path / "disque" / "hygie"
    repo.parent.mkdir()

    def hygie(*args: str, rc: int = 0) -> dict[str, object]:
        cp = run_hygie(personality, args, home=tmp_path, replay=replay, env=_env(), timeout=300)
        assert cp.returncode == rc, cp.stderr
        return _doc(cp)

    doc = hygie(
        "backup", "setup", "--source", str(source_tree), "--destination", str(repo),
        "--yes", "--no-pdf", "--json",
    )  # fmt: skip
    assert doc["status"] == "success"
    run = hygie("backup", "run", "--json")
    outcome = run["data"]["destinations"][0]  # type: ignore[index]
    assert outcome["status"] == "ok"
    if personality == "windows":  # not elevated here: no VSS, and the run says so
        assert outcome["details"]["fs_snapshot"] is False
    else:
        assert "fs_snapshot" not in outcome["details"]
    ver = hygie("backup", "verify", "--json")
    details = ver["data"]["destinations"][0]["details"]  # type: ignore[index]
    assert details["files_checked"] == 14 and details["mismatches"] == 0
    full = hygie("backup", "verify", "--full", "--json")  # no os.statvfs here
    assert full["data"]["destinations"][0]["details"]["files_checked"] == 14  # type: ignore[index]
    target = tmp_path / "restaure"
    hygie("backup", "restore", "--target", str(target), "--json")
    restored = target / str(source_tree).lstrip("/")
    assert sorted(p.name for p in restored.rglob("*") if p.is_file()) == sorted(
        p.name for p in source_tree.rglob("*") if p.is_file()
    )
    status = hygie("backup", "status", "--json")
    assert status["data"]["destinations"][0]["damaged"] is None  # type: ignore[index]
    # a damaged repository is seen and stays failed, under this OS too
    pack = max((p for p in (repo / "data").rglob("*") if p.is_file()), key=os.path.getsize)
    pack.chmod(0o600)
    data = bytearray(pack.read_bytes())
    data[len(data) // 3] ^= 0x55
    pack.write_bytes(bytes(data))
    hygie("backup", "verify", "--json", rc=14)
    hygie("backup", "run", "--json", rc=53)
    rep = hygie("backup", "repair", "--json")
    assert rep["data"]["ok"] is True  # type: ignore[index]
    # the schedule of this OS is written without error
    sched = hygie("backup", "schedule", "--output", str(tmp_path / "sched"), "--json")
    assert sched["data"]["platform"] == personality  # type: ignore[index]


def test_windows_elevated_asks_restic_for_vss(monkeypatch: pytest.MonkeyPatch) -> None:
    """Elevated (whoami /groups with the High integrity level, recorded): the backup asks
    restic for --use-fs-snapshot; not elevated (medium level): it does not."""
    from tests.helpers import ReplayRunner

    from hygie import proc
    from hygie.backup import vss
    from hygie.platform import os_windows

    fixtures = Path(__file__).parents[2] / "fixtures" / "cmd" / "windows" / "whoami"
    monkeypatch.setenv("HYGIE_PLATFORM", "windows")
    for case, want in (("en_admin_elevated.txt", True), ("en_standard.txt", False)):
        text = (fixtures / case).read_text(encoding="utf-8")
        system = os_windows.WindowsSystem()
        monkeypatch.setattr("hygie.backup.vss.system", lambda s=system: s)
        with proc.use_runner(ReplayRunner({"whoami": text})):
            flags, elevated = vss.snapshot_flags()
        assert elevated is want
        assert flags == (["--use-fs-snapshot"] if want else [])
