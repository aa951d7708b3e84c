"""The platform seam: one place knows the OS, only its module is imported, and nothing
else in hygie calls OS-specific functions (checked over the whole source tree)."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import hygie
from hygie import osprocess, proc
from hygie.platform import current, host, system
from hygie.platform.os_base import Volume
from hygie.platform.os_windows import VOLUMES_PS, WindowsSystem, eject_command
from hygie.platform.parsers import diskutil, lsblk, win_volumes
from tests.helpers import ReplayRunner, fixture_text

SRC = Path(hygie.__file__).parent
POSIX_ONLY_MODULES = {"grp", "pwd", "fcntl", "termios", "resource"}
OS_SPECIFIC = ("sys.platform", "os.killpg", "os.statvfs", "os.geteuid", "os.getuid",
               "os.setsid", "os.fork", "SIGKILL", "os.getpgid", "start_new_session")  # fmt: skip


def _modules() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.py") if "locale" not in p.parts)


def test_no_posix_only_import_at_module_level() -> None:
    bad = []
    for path in _modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:  # module level only; imports inside functions are fine
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name.split(".")[0] for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module.split(".")[0]]
            bad += [f"{path.relative_to(SRC)}: {n}" for n in names if n in POSIX_ONLY_MODULES]
    assert bad == []


OS_ATTRIBUTES = {
    ("sys", "platform"), ("os", "killpg"), ("os", "statvfs"), ("os", "fstatvfs"),
    ("os", "geteuid"), ("os", "getuid"), ("os", "setsid"), ("os", "fork"), ("os", "getpgid"),
    ("signal", "SIGKILL"), ("os", "getpwnam"),
}  # fmt: skip


def test_only_the_platform_package_reads_the_os() -> None:
    """In code (not comments): no ``sys.platform``, ``os.killpg``…, ``start_new_session=``
    outside hygie.platform and its floor below hygie.proc, hygie.osprocess."""
    offenders = []
    for path in _modules():
        if path.parent.name == "platform" and path.parent.parent == SRC:
            continue
        if path == SRC / "osprocess.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            where = f"{path.relative_to(SRC)}:{getattr(node, 'lineno', '?')}"
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                if (node.value.id, node.attr) in OS_ATTRIBUTES:
                    offenders.append(f"{where} {node.value.id}.{node.attr}")
            elif isinstance(node, ast.keyword) and node.arg in ("start_new_session", "preexec_fn"):
                offenders.append(f"{where} {node.arg}=")
            elif isinstance(node, ast.ImportFrom) and node.module in ("os", "signal", "sys"):
                for alias in node.names:
                    if (node.module, alias.name) in OS_ATTRIBUTES:
                        offenders.append(f"{where} from {node.module} import {alias.name}")
    assert offenders == []


def test_current_follows_hygie_platform(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HYGIE_PLATFORM", "windows")
    assert current() == "windows"
    monkeypatch.setenv("HYGIE_PLATFORM", "macOS")
    assert current() == "darwin"
    monkeypatch.setenv("HYGIE_PLATFORM", "amiga")  # unknown: the real OS, not a guess
    assert current() == host()
    monkeypatch.delenv("HYGIE_PLATFORM")
    assert current() == host() == "linux"
    assert system("windows").name == "windows" and system().name == "linux"


@pytest.mark.parametrize("name", ["windows", "darwin", "linux"])
def test_only_the_current_os_module_is_imported(name: str) -> None:
    code = (
        "import sys; from hygie.audit import registry; registry.load();"
        "from hygie.platform import system; system();"
        "print(','.join(sorted(m for m in sys.modules if m.startswith("
        "('hygie.platform.', 'hygie.audit.probes.')))))"
    )
    env = {**os.environ, "HYGIE_PLATFORM": name}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    ).stdout.strip()
    loaded = set(out.split(","))
    assert f"hygie.audit.probes.{name}" in loaded and f"hygie.platform.os_{name}" in loaded
    others = {"windows", "darwin", "linux"} - {name}
    for other in others:
        assert f"hygie.audit.probes.{other}" not in loaded
        assert f"hygie.platform.os_{other}" not in loaded


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def _wait_dead(pid: int) -> bool:
    for _ in range(100):
        if not _alive(pid):
            return True
        time.sleep(0.05)
    return False


def test_run_timeout_kills_the_whole_tree() -> None:
    # The grandchild keeps the pipes open: without a tree kill, run() would wait for it.
    cp = proc.run(["sh", "-c", "sleep 60 & echo $!; sleep 60"], timeout=0.5)
    assert cp.timed_out and cp.returncode is None
    grandchild = int(cp.stdout.split()[0])
    assert _wait_dead(grandchild)


def test_windows_kill_tree_without_taskkill_still_kills(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")  # no taskkill here: falls back to Popen.kill
    child = subprocess.Popen(["/bin/sleep", "60"])
    osprocess.kill_tree(child, "windows")
    assert child.wait(timeout=10) != 0


def test_free_space_is_shutil_disk_usage(tmp_path: Path) -> None:
    free = system().free_space(tmp_path)
    assert isinstance(free, int) and free > 0
    assert system("windows").free_space(tmp_path / "missing" / "x") is None


def test_linux_volumes_from_lsblk() -> None:
    records = lsblk.parse_volumes(fixture_text("cmd", "linux", "lsblk", "usb-disk-mounted.txt"))
    usb = [r for r in records if r["removable"]]
    assert [(r["mount"], r["uuid"], r["label"]) for r in usb] == [
        ("/media/infirmiere/CABINET-1", "5E2A-91C4", "CABINET-1")
    ]
    assert {r["mount"] for r in records if not r["removable"]} == {"/", "/boot/efi"}


def test_windows_volumes_usb_bus_and_volume_id() -> None:
    text = fixture_text("cmd", "windows", "volumes", "ps51_usb_disk.json")
    runner = ReplayRunner({" ".join(VOLUMES_PS): text})
    with proc.use_runner(runner):
        osys = WindowsSystem()
        vols = osys.volumes()
        assert vols is not None
        usb = osys.removable_volumes()
        held = osys.volume_of("e:/Sauvegardes/cabinet")
    assert [v.mount for v in vols] == ["C:\\", "D:\\", "E:\\"]
    assert usb == [v for v in vols if v.mount == "E:\\"]
    assert usb[0].bus == "USB" and usb[0].volume_id.startswith("\\\\?\\Volume{9d4c8b2a")
    assert vols[0].bus == "NVMe" and not vols[0].removable
    assert held is not None and held.label == "CABINET-1"
    named = win_volumes.parse_volumes(
        fixture_text("cmd", "windows", "volumes", "names_sd_card.json")
    )
    assert named[0]["removable"] and named[0]["bus"] == "SD" and named[0]["mount"] == "F:\\"


def test_windows_volumes_unknown_when_powershell_fails() -> None:
    with proc.use_runner(ReplayRunner({})):
        assert WindowsSystem().volumes() is None
    with proc.use_runner(ReplayRunner({" ".join(VOLUMES_PS): "Get-Volume : accès refusé"})):
        assert WindowsSystem().volumes() is None


def test_windows_eject_only_takes_a_drive_letter() -> None:
    runner = ReplayRunner({})
    hostile = Volume(mount="E:'; Remove-Item -Recurse C:\\ ; '")
    with proc.use_runner(runner):
        cp = WindowsSystem().eject(hostile)
    assert not cp.ok and runner.calls == []
    script = eject_command("e")[-1]
    assert "$d='E:'" in script and "InvokeVerb('Eject')" in script


def test_darwin_volumes_from_diskutil() -> None:
    listed = diskutil.parse_list(
        fixture_text("cmd", "darwin", "diskutil", "list_external_usb.plist")
    )
    assert [(r["mount"], r["uuid"]) for r in listed] == [
        ("/Volumes/CABINET-1", "8B3E2F1A-4C5D-3E6F-9A0B-1C2D3E4F5A6B")
    ]
    usb = diskutil.parse_info(fixture_text("cmd", "darwin", "diskutil", "info_usb.plist"))
    assert usb["removable"] and usb["bus"] == "USB" and usb["device"] == "disk4s2"
    inner = diskutil.parse_info(fixture_text("cmd", "darwin", "diskutil", "info_internal.plist"))
    assert not inner["removable"]
    with pytest.raises(diskutil.DiskutilError):
        diskutil.parse_info("diskutil: command failed")


def test_daily_home_follows_sudo_user(monkeypatch: pytest.MonkeyPatch) -> None:
    import pwd  # this test runs on Linux only (the personalities test the other OSes)

    me = pwd.getpwuid(os.getuid())
    monkeypatch.setenv("SUDO_USER", me.pw_name)
    monkeypatch.setenv("HOME", "/nonexistent-root-home")
    assert system("linux").daily_home() == Path(me.pw_dir)
    assert system("linux").daily_user() == me.pw_name


@pytest.mark.parametrize(
    ("case", "elevated"),
    [("en_admin_elevated", True), ("fr_admin_filtered", False), ("en_standard", False)],
)
def test_windows_elevation_from_the_token_integrity_level(case: str, elevated: bool) -> None:
    from hygie.platform.os_windows import WHOAMI_GROUPS

    text = fixture_text("cmd", "windows", "whoami", f"{case}.txt")
    runner = ReplayRunner({" ".join(WHOAMI_GROUPS): text})
    with proc.use_runner(runner):
        osys = WindowsSystem()
        assert osys.is_elevated() is elevated
        assert osys.is_elevated() is elevated  # asked once per process
    assert runner.calls.count(tuple(WHOAMI_GROUPS)) == 1
    with proc.use_runner(ReplayRunner({})):
        assert WindowsSystem().is_elevated() is None  # unknown, never "admin"
