"""Schedule files for the daily backup (+ quick restore test) and the monthly full verify:
a systemd user timer (Linux), Task Scheduler XML (Windows), a launchd plist (macOS).

Generated on request into a folder; installed only with ``--install``.
"""

from __future__ import annotations

import os
import plistlib
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from hygie import proc
from hygie.errors import UsageError
from hygie.fileio import private_dir, write_atomic
from hygie.i18n import _
from hygie.paths import get_paths
from hygie.platform import current

DAILY_TIME = "12:30"  # lunchtime: the practice computer is on
MONTHLY_DAY = 1


def hygie_command() -> list[str]:
    """How the scheduler starts hygie: the installed ``hygie`` entry point (``hygie.exe`` in
    a Windows ``Scripts`` folder), absolute; else this Python with ``-m hygie``."""
    exe = shutil.which("hygie")
    if exe is None:
        for name in ("hygie", "hygie.exe"):
            cand = Path(sys.executable).parent / name
            if cand.exists():
                exe = str(cand)
                break
    if exe is None:
        return [str(Path(sys.executable).absolute()), "-m", "hygie"]
    return [str(Path(exe).absolute())]


@dataclass(frozen=True)
class ScheduleResult:
    platform: str
    files: tuple[str, ...]
    installed: bool
    validated: bool | None
    validation_output: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "platform": self.platform,
            "files": list(self.files),
            "installed": self.installed,
            "validated": self.validated,
            "validation_output": self.validation_output,
        }


def _env_lines() -> list[str]:
    home = os.environ.get("HYGIE_HOME")
    return [f'Environment="HYGIE_HOME={home}"'] if home else []


def systemd_units(cmd: list[str]) -> dict[str, str]:
    exe = " ".join(cmd)
    h, m = DAILY_TIME.split(":")
    env = "\n".join(_env_lines())
    svc = (
        "[Unit]\nDescription=hygie: daily encrypted backup and quick restore test\n"
        "Documentation=man:restic(1)\n\n"
        "[Service]\nType=oneshot\n"
        + (env + "\n" if env else "")
        + f"ExecStart={exe} backup run\nExecStart={exe} backup verify\n"
        # after the backup, whatever its outcome: tell the nurse what slipped (hygie.remind);
        # "-": a due reminder (exit 1) does not mark the backup failed
        + f"ExecStopPost=-{exe} remind\n"
        "Nice=10\nIOSchedulingClass=idle\n"
    )
    timer = (
        "[Unit]\nDescription=hygie: daily backup timer\n\n"
        f"[Timer]\nOnCalendar=*-*-* {h}:{m}:00\nPersistent=true\nRandomizedDelaySec=10min\n\n"
        "[Install]\nWantedBy=timers.target\n"
    )
    vsvc = (
        "[Unit]\nDescription=hygie: monthly full restore test\n\n"
        "[Service]\nType=oneshot\n"
        + (env + "\n" if env else "")
        + f"ExecStart={exe} backup verify --full\nNice=10\nIOSchedulingClass=idle\n"
    )
    vtimer = (
        "[Unit]\nDescription=hygie: monthly full restore test timer\n\n"
        f"[Timer]\nOnCalendar=*-*-{MONTHLY_DAY:02d} 13:00:00\nPersistent=true\n\n"
        "[Install]\nWantedBy=timers.target\n"
    )
    rsvc = (
        "[Unit]\nDescription=hygie: reminders at login (missed backup, disk left plugged in…)\n\n"
        "[Service]\nType=oneshot\n"
        + (env + "\n" if env else "")
        + "ExecStartPre=/bin/sleep 60\n"  # let the desktop's notification service start
        + f"ExecStart=-{exe} remind\n\n"
        "[Install]\nWantedBy=default.target\n"
    )
    return {
        "hygie-backup.service": svc,
        "hygie-backup.timer": timer,
        "hygie-verify.service": vsvc,
        "hygie-verify.timer": vtimer,
        "hygie-remind.service": rsvc,
    }


def task_arguments(cmd: list[str], args: list[str], home: str | None) -> str:
    """The ``<Arguments>`` of one action: what follows the program in ``cmd`` (``-m hygie``),
    ``--home`` (Task Scheduler passes no environment variable), then the sub-command; quoted
    the way Windows programs split their command line (``subprocess.list2cmdline``)."""
    words = [*cmd[1:], *(["--home", home] if home else []), *args]
    return subprocess.list2cmdline(words)


def _task_xml(description: str, actions_args: list[list[str]], trigger: str, cmd: list[str]) -> str:
    home = os.environ.get("HYGIE_HOME")
    actions = "\n".join(
        f"""    <Exec>
      <Command>{escape(cmd[0])}</Command>
      <Arguments>{escape(task_arguments(cmd, a, home))}</Arguments>
    </Exec>"""
        for a in actions_args
    )
    return f"""<?xml version="1.0" encoding="UTF-16"?>
<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">
  <RegistrationInfo>
    <Description>{escape(description)}</Description>
    <URI>\\hygie\\{escape(description.split(":")[0])}</URI>
  </RegistrationInfo>
  <Triggers>
{trigger}
  </Triggers>
  <Principals>
    <Principal id="Author">
      <LogonType>InteractiveToken</LogonType>
      <RunLevel>LeastPrivilege</RunLevel>
    </Principal>
  </Principals>
  <Settings>
    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>
    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>
    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>
    <StartWhenAvailable>true</StartWhenAvailable>
    <RunOnlyIfNetworkAvailable>false</RunOnlyIfNetworkAvailable>
    <ExecutionTimeLimit>PT12H</ExecutionTimeLimit>
    <Enabled>true</Enabled>
  </Settings>
  <Actions Context="Author">
{actions}
  </Actions>
</Task>
"""


def windows_tasks(cmd: list[str]) -> dict[str, str]:
    """Task Scheduler XML (schema http://schemas.microsoft.com/windows/2004/02/mit/task):
    ``<Command>`` is the program alone, ``<Arguments>`` the rest; one ``<Exec>`` per step,
    run in order. Trigger children follow triggerBaseType's sequence (Enabled first)."""
    daily = f"""    <CalendarTrigger>
      <Enabled>true</Enabled>
      <StartBoundary>2026-01-01T{DAILY_TIME}:00</StartBoundary>
      <ScheduleByDay><DaysInterval>1</DaysInterval></ScheduleByDay>
    </CalendarTrigger>"""
    monthly = f"""    <CalendarTrigger>
      <Enabled>true</Enabled>
      <StartBoundary>2026-01-01T13:00:00</StartBoundary>
      <ScheduleByMonth>
        <DaysOfMonth><Day>{MONTHLY_DAY}</Day></DaysOfMonth>
        <Months><January/><February/><March/><April/><May/><June/><July/><August/>"""
    monthly += """<September/><October/><November/><December/></Months>
      </ScheduleByMonth>
    </CalendarTrigger>"""
    user = os.environ.get("USERNAME", "")
    domain = os.environ.get("USERDOMAIN", "")
    user_id = f"{domain}\\{user}" if user and domain else user
    logon = (
        "    <LogonTrigger>\n      <Enabled>true</Enabled>\n"
        + (f"      <UserId>{escape(user_id)}</UserId>\n" if user_id else "")
        + "      <Delay>PT2M</Delay>\n    </LogonTrigger>"
    )
    return {
        "hygie-backup.xml": _task_xml(
            "hygie-backup: sauvegarde quotidienne",
            # actions run in order whatever the previous one returned: remind comes last
            [["backup", "run"], ["backup", "verify"], ["remind"]],
            daily,
            cmd,
        ),
        "hygie-remind.xml": _task_xml(
            "hygie-remind: rappels à l'ouverture de session", [["remind"]], logon, cmd
        ),
        "hygie-verify.xml": _task_xml(
            "hygie-verify: test de restauration mensuel",
            [["backup", "verify", "--full"]],
            monthly,
            cmd,
        ),
    }


def launchd_plists(cmd: list[str]) -> dict[str, bytes]:
    h, m = (int(x) for x in DAILY_TIME.split(":"))
    env = {"HYGIE_HOME": os.environ["HYGIE_HOME"]} if os.environ.get("HYGIE_HOME") else {}
    logs = str(get_paths().data_dir / "backup")

    def plist(label: str, args: list[str], cal: dict[str, int], at_load: bool = False) -> bytes:
        d: dict[str, Any] = {
            "Label": label,
            "ProgramArguments": [*cmd, *args],
            "StartCalendarInterval": cal,
            "StandardOutPath": f"{logs}/{label}.log",
            "StandardErrorPath": f"{logs}/{label}.err",
            "ProcessType": "Background",
        }
        if at_load:
            d["RunAtLoad"] = True
        if env:
            d["EnvironmentVariables"] = env
        return plistlib.dumps(d)

    return {
        "fr.hygie.backup.plist": plist(
            "fr.hygie.backup", ["backup", "run"], {"Hour": h, "Minute": m}
        ),
        "fr.hygie.check.plist": plist(
            "fr.hygie.check", ["backup", "verify"], {"Hour": h + 1, "Minute": m}
        ),
        "fr.hygie.verify.plist": plist(
            "fr.hygie.verify",
            ["backup", "verify", "--full"],
            {"Day": MONTHLY_DAY, "Hour": 13, "Minute": 0},
        ),
        # at login (RunAtLoad, for a LaunchAgent) and after the daily backup and check
        "fr.hygie.remind.plist": plist(
            "fr.hygie.remind",
            ["remind"],
            {"Hour": h + 1, "Minute": (m + 15) % 60},
            at_load=True,
        ),
    }


def validate_systemd(files: list[Path]) -> tuple[bool | None, str]:
    """``systemd-analyze verify`` when available (None: could not validate here)."""
    if proc.which("systemd-analyze") is None:
        return None, "systemd-analyze not available"
    cp = proc.run(["systemd-analyze", "verify", *[str(f) for f in files]], timeout=60)
    if cp.missing or cp.timed_out:
        return None, cp.why()
    out = (cp.stderr + cp.stdout).strip()
    return cp.ok, out


def generate(
    folder: Path | None = None, *, platform: str | None = None, install: bool = False
) -> ScheduleResult:
    plat = platform or current()
    folder = folder or (get_paths().data_dir / "backup" / "schedule")
    private_dir(folder)
    cmd = hygie_command()
    written: list[Path] = []
    validated: bool | None = None
    output = ""
    if plat == "linux":
        for name, text in systemd_units(cmd).items():
            write_atomic(folder / name, text.encode("utf-8"), mode=0o644)
            written.append(folder / name)
        validated, output = validate_systemd(written)
    elif plat == "windows":
        for name, text in windows_tasks(cmd).items():
            write_atomic(folder / name, text.encode("utf-16"), mode=0o644)
            written.append(folder / name)
    elif plat == "darwin":
        for name, data in launchd_plists(cmd).items():
            write_atomic(folder / name, data, mode=0o644)
            written.append(folder / name)
    else:
        raise UsageError(detail=_("système « {p} » non pris en charge").format(p=plat))
    installed = False
    if install:
        installed = _install(plat, written)
    return ScheduleResult(plat, tuple(str(p) for p in written), installed, validated, output)


def _install(plat: str, files: list[Path]) -> bool:
    if plat == "linux":
        unit_dir = Path.home() / ".config" / "systemd" / "user"
        unit_dir.mkdir(parents=True, exist_ok=True)
        for f in files:
            shutil.copy2(f, unit_dir / f.name)
        proc.run(["systemctl", "--user", "daemon-reload"], timeout=30)
        ok = True
        for t in ("hygie-backup.timer", "hygie-verify.timer"):
            ok = proc.run(["systemctl", "--user", "enable", "--now", t], timeout=30).ok and ok
        # reminders at each login (not now: the next session start)
        enable = ["systemctl", "--user", "enable", "hygie-remind.service"]
        ok = proc.run(enable, timeout=30).ok and ok
        return ok
    if plat == "windows":
        ok = True
        for f in files:
            name = "hygie\\" + f.stem
            cp = proc.run(["schtasks", "/Create", "/F", "/TN", name, "/XML", str(f)], timeout=30)
            ok = cp.ok and ok
        return ok
    agents = Path.home() / "Library" / "LaunchAgents"
    agents.mkdir(parents=True, exist_ok=True)
    ok = True
    for f in files:
        shutil.copy2(f, agents / f.name)
        ok = proc.run(["launchctl", "load", "-w", str(agents / f.name)], timeout=30).ok and ok
    return ok
