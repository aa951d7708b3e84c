"""Schedule files are valid for their scheduler; errors stay in the backup band 10-19."""

from __future__ import annotations

import plistlib
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from hygie.backup import errors as berr
from hygie.backup.schedule import generate
from hygie.errors import AppError

NS = "{http://schemas.microsoft.com/windows/2004/02/mit/task}"


def _restic_man_page() -> bool:
    """``systemd-analyze verify`` looks up the units' ``Documentation=man:restic(1)`` with
    ``man``: a minimal system (no man-db, no restic man page) fails the check for that alone."""
    if shutil.which("man") is None:
        return False
    r = subprocess.run(["man", "-w", "restic"], capture_output=True, timeout=30, check=False)
    return r.returncode == 0


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze")
@pytest.mark.skipif(
    not _restic_man_page(), reason="no restic man page (man -w restic): systemd-analyze would fail"
)
def test_systemd_units_pass_systemd_analyze_verify(tmp_path: Path) -> None:
    res = generate(tmp_path, platform="linux")
    names = sorted(Path(f).name for f in res.files)
    assert names == [
        "hygie-backup.service",
        "hygie-backup.timer",
        "hygie-verify.service",
        "hygie-verify.timer",
    ]
    assert res.validated is True, res.validation_output
    svc = (tmp_path / "hygie-backup.service").read_text()
    assert " backup run" in svc and " backup verify" in svc
    assert "Persistent=true" in (tmp_path / "hygie-verify.timer").read_text()
    assert not res.installed


def test_broken_unit_is_reported_by_systemd_analyze(tmp_path: Path) -> None:
    if shutil.which("systemd-analyze") is None:
        pytest.skip("no systemd-analyze")
    from hygie.backup.schedule import validate_systemd

    bad = tmp_path / "bad.service"
    bad.write_text("[Service]\nExecStart=relative-path-is-invalid\n")
    ok, out = validate_systemd([bad])
    assert ok is False and out


def test_windows_task_scheduler_xml(tmp_path: Path) -> None:
    res = generate(tmp_path, platform="windows")
    assert len(res.files) == 2
    for f in res.files:
        root = ET.fromstring(Path(f).read_bytes().decode("utf-16"))
        assert root.tag == f"{NS}Task"
        args = root.find(f"{NS}Actions/{NS}Exec/{NS}Arguments")
        assert args is not None and args.text and args.text.startswith("backup ")
        assert root.find(f"{NS}Settings/{NS}StartWhenAvailable") is not None
    daily = ET.fromstring(Path(res.files[0]).read_bytes().decode("utf-16"))
    assert len(daily.findall(f"{NS}Actions/{NS}Exec")) == 2  # run, then the quick verify
    monthly = ET.fromstring(Path(res.files[1]).read_bytes().decode("utf-16"))
    assert monthly.find(f".//{NS}ScheduleByMonth") is not None


def test_launchd_plists(tmp_path: Path) -> None:
    res = generate(tmp_path, platform="darwin")
    daily = plistlib.loads(Path(res.files[0]).read_bytes())
    assert daily["Label"] == "fr.hygie.backup"
    assert daily["ProgramArguments"][-2:] == ["backup", "run"]
    assert daily["StartCalendarInterval"] == {"Hour": 12, "Minute": 30}
    check = plistlib.loads(Path(res.files[1]).read_bytes())
    assert check["ProgramArguments"][-2:] == ["backup", "verify"]
    monthly = plistlib.loads(Path(res.files[2]).read_bytes())
    assert monthly["StartCalendarInterval"]["Day"] == 1
    assert monthly["ProgramArguments"][-1] == "--full"


def test_backup_errors_are_in_band_with_unique_codes_and_hints() -> None:
    classes = [
        c
        for c in vars(berr).values()
        if isinstance(c, type) and issubclass(c, AppError) and c.__module__ == berr.__name__
    ]
    assert len(classes) >= 10
    assert all(10 <= c.exit_code <= 19 for c in classes)
    assert len({c.code for c in classes}) == len(classes)
    assert len({c.exit_code for c in classes}) == len(classes)
    for c in classes:
        err = c(destination="disque", label="CABINET-1", detail="x", target="/t")
        assert err.render() and err.hint(), c
    absent = berr.DestinationAbsent(destination="disque", label="CABINET-1", detail="")
    assert "Branchez le disque « CABINET-1 »" in absent.hint()
