"""Schedule files are valid for their scheduler; errors stay in the backup bands."""

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
        "hygie-remind.service",
        "hygie-verify.service",
        "hygie-verify.timer",
    ]
    assert res.validated is True, res.validation_output
    svc = (tmp_path / "hygie-backup.service").read_text()
    assert " backup run" in svc and " backup verify" in svc
    # reminders after each scheduled backup, whatever its outcome, and at login
    assert any(
        line.startswith("ExecStopPost=-") and line.endswith(" remind") for line in svc.splitlines()
    )
    remind_unit = (tmp_path / "hygie-remind.service").read_text()
    assert "WantedBy=default.target" in remind_unit and " remind\n" in remind_unit
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


def _task_schema() -> object:
    etree = pytest.importorskip("lxml.etree")
    xsd = Path(__file__).parents[2] / "fixtures" / "schemas" / "task-scheduler-subset.xsd"
    return etree.XMLSchema(etree.parse(str(xsd)))


def test_windows_task_scheduler_xml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from lxml import etree

    home = "C:\\Users\\Infirmière\\AppData\\Local\\hygie données"
    monkeypatch.setenv("HYGIE_HOME", home)
    monkeypatch.setattr(
        "hygie.backup.schedule.hygie_command",
        lambda: ["C:\\Program Files\\hygie\\Scripts\\hygie.exe"],
    )
    monkeypatch.setenv("USERNAME", "infirmiere")
    monkeypatch.setenv("USERDOMAIN", "CABINET")
    res = generate(tmp_path / "out", platform="windows")
    assert sorted(Path(f).name for f in res.files) == [
        "hygie-backup.xml",
        "hygie-remind.xml",
        "hygie-verify.xml",
    ]
    schema = _task_schema()
    for f in res.files:
        raw = Path(f).read_bytes()
        assert raw[:2] in {b"\xff\xfe", b"\xfe\xff"}  # UTF-16 with its BOM, as declared
        doc = etree.fromstring(raw)
        assert schema.validate(doc), schema.error_log  # type: ignore[attr-defined]
        root = ET.fromstring(raw.decode("utf-16"))
        assert root.tag == f"{NS}Task"
        for ex in root.findall(f"{NS}Actions/{NS}Exec"):
            command = ex.findtext(f"{NS}Command")
            args = ex.findtext(f"{NS}Arguments") or ""
            # the program alone in <Command>, everything else in <Arguments>
            assert command == "C:\\Program Files\\hygie\\Scripts\\hygie.exe"
            assert args.startswith(f'--home "{home}" ')
            assert args.split(f'--home "{home}" ')[1].split()[0] in {"backup", "remind"}
        assert root.find(f"{NS}Settings/{NS}StartWhenAvailable") is not None
    by_name = {Path(f).name: Path(f) for f in res.files}
    daily = ET.fromstring(by_name["hygie-backup.xml"].read_bytes().decode("utf-16"))
    steps = [e.findtext(f"{NS}Arguments") for e in daily.findall(f"{NS}Actions/{NS}Exec")]
    assert [s.split(f'--home "{home}" ')[1] for s in steps if s] == [
        "backup run",
        "backup verify",
        "remind",
    ]
    logon = ET.fromstring(by_name["hygie-remind.xml"].read_bytes().decode("utf-16"))
    assert logon.findtext(f".//{NS}LogonTrigger/{NS}UserId") == "CABINET\\infirmiere"
    assert logon.findtext(f".//{NS}LogonTrigger/{NS}Delay") == "PT2M"
    assert (logon.findtext(f".//{NS}Arguments") or "").endswith(" remind")
    monthly = ET.fromstring(by_name["hygie-verify.xml"].read_bytes().decode("utf-16"))
    assert monthly.find(f".//{NS}ScheduleByMonth") is not None
    assert (monthly.findtext(f".//{NS}Arguments") or "").endswith("backup verify --full")


def test_task_without_installed_hygie_runs_python_m_hygie(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No hygie.exe: python.exe with ``-m hygie`` (a module that runs the CLI) as arguments."""
    from lxml import etree

    from hygie.backup.schedule import task_arguments

    monkeypatch.delenv("HYGIE_HOME", raising=False)
    py = "C:\\Python311\\python.exe"
    monkeypatch.setattr("hygie.backup.schedule.hygie_command", lambda: [py, "-m", "hygie"])
    res = generate(tmp_path, platform="windows")
    schema = _task_schema()
    for f in res.files:
        assert schema.validate(etree.parse(f)), schema.error_log  # type: ignore[attr-defined]
        root = ET.fromstring(Path(f).read_bytes().decode("utf-16"))
        assert root.findtext(f".//{NS}Command") == py
        args = root.findtext(f".//{NS}Arguments") or ""
        assert args.startswith(("-m hygie backup ", "-m hygie remind"))
    assert task_arguments([py, "-m", "hygie"], ["backup", "run"], "D:\\a b") == (
        '-m hygie --home "D:\\a b" backup run'
    )
    # and `python -m hygie` is a real entry point (python -m hygie.cli.app did nothing)
    import runpy

    with pytest.raises(SystemExit) as exc:
        monkeypatch.setattr("sys.argv", ["hygie", "--version"])
        runpy.run_module("hygie", run_name="__main__")
    assert exc.value.code == 0


def test_schema_subset_rejects_what_task_scheduler_rejects(tmp_path: Path) -> None:
    """The old task: Command holding 'python.exe -m …' passes the schema (it is a path
    string), so the command/arguments split is asserted above; a missing Command, Enabled
    after StartBoundary, or an unknown run level are refused by the schema itself."""
    from lxml import etree

    schema = _task_schema()
    ns = "http://schemas.microsoft.com/windows/2004/02/mit/task"

    def task(trigger: str, action: str, run_level: str = "LeastPrivilege") -> object:
        return etree.fromstring(
            f'<Task version="1.2" xmlns="{ns}"><Triggers><CalendarTrigger>{trigger}'
            "<ScheduleByDay><DaysInterval>1</DaysInterval></ScheduleByDay></CalendarTrigger>"
            f'</Triggers><Principals><Principal id="Author"><RunLevel>{run_level}</RunLevel>'
            f'</Principal></Principals><Actions Context="Author">{action}</Actions></Task>'
        )

    good_trigger = "<Enabled>true</Enabled><StartBoundary>2026-01-01T12:30:00</StartBoundary>"
    good_action = "<Exec><Command>C:\\hygie.exe</Command><Arguments>backup run</Arguments></Exec>"
    assert schema.validate(task(good_trigger, good_action))  # type: ignore[attr-defined]
    bad_order = "<StartBoundary>2026-01-01T12:30:00</StartBoundary><Enabled>true</Enabled>"
    assert not schema.validate(task(bad_order, good_action))  # type: ignore[attr-defined]
    no_command = "<Exec><Arguments>backup run</Arguments></Exec>"
    assert not schema.validate(task(good_trigger, no_command))  # type: ignore[attr-defined]
    assert not schema.validate(task(good_trigger, good_action, "Admin"))  # type: ignore[attr-defined]


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
    remind = plistlib.loads(Path(res.files[3]).read_bytes())
    assert remind["Label"] == "fr.hygie.remind" and remind["RunAtLoad"] is True
    assert remind["ProgramArguments"][-1] == "remind"
    assert remind["StartCalendarInterval"] == {"Hour": 13, "Minute": 45}


def test_backup_errors_are_in_band_with_unique_codes_and_hints() -> None:
    classes = [
        c
        for c in vars(berr).values()
        if isinstance(c, type) and issubclass(c, AppError) and c.__module__ == berr.__name__
    ]
    assert len(classes) >= 10
    assert all(10 <= c.exit_code <= 19 or 53 <= c.exit_code <= 57 for c in classes)
    assert len({c.code for c in classes}) == len(classes)
    assert len({c.exit_code for c in classes}) == len(classes)
    for c in classes:
        err = c(
            destination="disque",
            label="CABINET-1",
            detail="x",
            target="/t",
            since="2026-11-29",
            pid=4242,
            location="/media/x",
        )
        assert err.render() and err.hint(), c
        assert "{" not in err.render() + err.hint(), c  # every placeholder is filled
    absent = berr.DestinationAbsent(destination="disque", label="CABINET-1", detail="")
    assert "Branchez le disque « CABINET-1 »" in absent.hint()
