"""Recorded machines shared by the probe tests and the personality tests.

Each function maps a command's exact argv to what it printed (``(stdout, exit code,
stderr)``, a bare stdout string, or None for "not installed"), from the files under
tests/fixtures/cmd/<os>/ (provenance in tests/fixtures/cmd/README.md).
"""

from __future__ import annotations

from pathlib import Path

from hygie.audit.probes import darwin as d
from hygie.audit.probes import windows as w
from tests.helpers import fixture_text
from tests.personality import build_recording

Spec = tuple[str, int, str] | str | None
NOT_FOUND_FR = ("", 1, fixture_text("cmd", "windows", "reg_wu_au", "fr_not_found.txt"))


def wfx(probe: str, case: str) -> str:
    return fixture_text("cmd", "windows", probe, f"{case}.txt")


def wjson(probe: str, case: str) -> str:
    return fixture_text("cmd", "windows", probe, f"{case}.json")


def mfx(probe: str, case: str) -> str:
    return fixture_text("cmd", "darwin", probe, f"{case}.txt")


def windows_fr_machine() -> dict[tuple[str, ...], Spec]:
    """A French Windows 11 25H2 laptop as a nurse would have it."""
    return {
        tuple(w.BITLOCKER_PS): ("", 1, wfx("bitlocker_ps", "access_denied_en")),
        tuple(w.MANAGE_BDE): wfx("manage_bde", "fr_encrypted"),
        tuple(w.SECURITY_CENTER_PS): wfx("security_center", "defender_only"),
        tuple(w.MP_STATUS_PS): wfx("mp_status", "enabled"),
        tuple(w.SNAPSHOT_PS): wjson("snapshot", "fr_nurse_laptop"),
        tuple(w.FIREWALL_PS): wjson("firewall_profiles", "all_on"),
        tuple(w.FIREWALL): wfx("netsh_firewall", "fr_all_on"),
        tuple(w.WU_STATE_PS): wjson("wu_state", "fr_recent"),
        tuple(w.WU_OFFLINE_PS): wfx("wu_search", "fr_security_and_driver"),
        tuple(w.WU_POLICY): NOT_FOUND_FR,
        tuple(w.OS_PS): wfx("win32_os", "fr_win11_25h2"),
        tuple(w.DISPLAY_VERSION): wfx("reg_display_version", "25h2"),
        tuple(w.DESKTOP): wfx("reg_desktop", "no_screensaver"),
        tuple(w.DESKTOP_POLICY): NOT_FOUND_FR,
        tuple(w.CONSOLE_LOCK): wfx("powercfg_consolelock", "fr_on"),
        tuple(w.SLEEP_AFTER): wfx("powercfg_standby", "fr_30min_15min"),
        tuple(w.WLAN_INTERFACES): wfx("netsh_wlan_interfaces", "fr_wpa2"),
        tuple(w.wlan_profile("Livebox-7A2C")): wfx("netsh_wlan_profile", "fr_broadcast"),
        tuple(w.AUTORUN_HKLM): NOT_FOUND_FR,
        tuple(w.AUTORUN_HKCU): wfx("reg_autorun", "hkcu_91"),
        tuple(w.AUTOPLAY): wfx("reg_autorun", "autoplay_on"),
        tuple(w.WHOAMI): wfx("whoami", "fr_admin_filtered"),
        tuple(w.net_user("infirmiere")): wfx("net_user", "fr_required"),
        tuple(w.UNINSTALL_PS): wfx("uninstall", "typical"),
        tuple(w.APPX_PS): wfx("appx", "typical"),
    }


def mac_machine_outputs() -> dict[tuple[str, ...], Spec]:
    """A MacBook on macOS 15 in a practice: FileVault on, firewall off (Apple's default)."""
    return {
        tuple(d.FDESETUP): mfx("fdesetup", "on"),
        tuple(d.SOCKETFILTERFW): mfx("socketfilterfw", "disabled"),
        tuple(d.SOFTWAREUPDATE): ("", 0, mfx("softwareupdate", "none_stderr")),
        tuple(d.SU_PREFS): mfx("su_prefs", "auto_on"),
        tuple(d.SW_VERS): mfx("sw_vers", "sequoia"),
        tuple(d.SCREENLOCK): ("", 0, mfx("sysadminctl", "immediate_stderr")),
        tuple(d.IDLE_TIME): mfx("screensaver_idle", "300"),
        tuple(d.PMSET): mfx("pmset", "display_10"),
        tuple(d.AIRPORT): mfx("airport", "wpa2_wpa3"),
        tuple(d.INSTALL_HISTORY): mfx("install_history", "recent"),
        tuple(d.id_groups("claire")): mfx("id_groups", "admin"),
    }


def recording(folder: Path, platform: str, outputs: dict[tuple[str, ...], Spec]) -> Path:
    """A recording folder (hygie.replay format) of ``outputs`` (None entries left out)."""
    present = {argv: spec for argv, spec in outputs.items() if spec is not None}
    return build_recording(folder, platform, present)
