"""macOS parsers against recorded command outputs (tests/fixtures/cmd/darwin/)."""

from __future__ import annotations

import datetime as dt

import pytest

from hygie.platform.parsers import softwareupdate, sw_vers, sysadminctl, system_profiler
from hygie.platform.parsers.fdesetup import parse_fdesetup_status
from hygie.platform.parsers.macos_misc import app_names, is_admin_groups
from hygie.platform.parsers.socketfilterfw import parse_global_state
from tests.helpers import fixture_text


def mac(probe: str, case: str) -> str:
    return fixture_text("cmd", "darwin", probe, f"{case}.txt")


@pytest.mark.parametrize(
    ("case", "expected"),
    [("on", True), ("off", False), ("encrypting", False), ("off_pending_restart", False)],
)
def test_fdesetup(case: str, expected: bool) -> None:
    assert parse_fdesetup_status(mac("fdesetup", case)) is expected


def test_fdesetup_garbage() -> None:
    assert parse_fdesetup_status("fdesetup: unknown verb") is None


@pytest.mark.parametrize(
    ("case", "expected"), [("enabled", True), ("disabled", False), ("block_all", True)]
)
def test_socketfilterfw(case: str, expected: bool) -> None:
    assert parse_global_state(mac("socketfilterfw", case)) is expected


def test_socketfilterfw_garbage() -> None:
    assert parse_global_state("") is None


@pytest.mark.parametrize(
    ("case", "total", "security"),
    [
        ("none_stderr", 0, 0),
        ("pending_security", 3, 2),
        ("pending_other", 1, 0),
    ],
)
def test_softwareupdate_list(case: str, total: int, security: int) -> None:
    res = softwareupdate.parse_softwareupdate_list(mac("softwareupdate", case))
    assert res is not None and (res.total, res.security) == (total, security)


def test_softwareupdate_restart_label() -> None:
    res = softwareupdate.parse_softwareupdate_list(mac("softwareupdate", "pending_security"))
    assert res is not None
    first = res.updates[0]
    assert first.label == "macOS Sequoia 15.7.2-24G325"
    assert first.recommended and first.restart


@pytest.mark.parametrize("case", ["none_stdout", "offline_stderr"])
def test_softwareupdate_unrecognised(case: str) -> None:
    assert softwareupdate.parse_softwareupdate_list(mac("softwareupdate", case)) is None


@pytest.mark.parametrize(("case", "automatic"), [("auto_on", True), ("auto_off", False)])
def test_software_update_prefs(case: str, automatic: bool) -> None:
    values = softwareupdate.parse_defaults_dict(mac("su_prefs", case))
    assert values["CriticalUpdateInstall"] == "1"
    assert "fr" not in values  # nested array items are not top-level keys
    assert softwareupdate.automatic_updates(values) is automatic


@pytest.mark.parametrize(
    ("case", "release", "name"),
    [
        ("sequoia", "15", "macOS 15.7.1"),
        ("tahoe", "26", "macOS 26.1"),
        ("monterey", "12", "macOS 12.7.6"),
        ("catalina", "10.15", "Mac OS X 10.15.7"),
    ],
)
def test_sw_vers(case: str, release: str, name: str) -> None:
    assert sw_vers.release_key(sw_vers.parse_sw_vers(mac("sw_vers", case))) == (
        "macos",
        release,
        name,
    )


def test_sw_vers_empty() -> None:
    assert sw_vers.release_key(sw_vers.parse_sw_vers("")) is None


@pytest.mark.parametrize(
    ("case", "on", "delay"),
    [("immediate_stderr", True, 0), ("delay_5s_stderr", True, 5), ("off_stderr", False, 0)],
)
def test_sysadminctl_screenlock(case: str, on: bool, delay: int) -> None:
    assert sysadminctl.parse_screenlock_status(mac("sysadminctl", case)) == (
        sysadminctl.LockSetting(on, delay)
    )


def test_sysadminctl_garbage() -> None:
    assert sysadminctl.parse_screenlock_status("usage: sysadminctl ...") is None


def test_idle_and_display_sleep() -> None:
    assert sysadminctl.parse_idle_time(mac("screensaver_idle", "300")) == 300
    assert sysadminctl.parse_idle_time(mac("screensaver_idle", "not_exist_stderr")) is None
    assert sysadminctl.parse_pmset_displaysleep(mac("pmset", "display_10")) == 600
    assert sysadminctl.parse_pmset_displaysleep(mac("pmset", "display_never")) == 0


@pytest.mark.parametrize(
    ("on", "delay", "idle", "display", "expected"),
    [
        (True, 0, 300, 600, (True, 300)),
        (True, 5, None, 600, (True, 605)),
        (True, 0, None, 0, (False, 0)),
        (False, 0, 300, 600, (False, 0)),
    ],
)
def test_lock_after(
    on: bool, delay: int, idle: int | None, display: int | None, expected: tuple[bool, int]
) -> None:
    assert sysadminctl.lock_after(sysadminctl.LockSetting(on, delay), idle, display) == expected


@pytest.mark.parametrize(
    ("case", "connected", "security"),
    [
        ("wpa2", True, "wpa2"),
        ("wpa2_wpa3", True, "wpa2"),
        ("wpa3", True, "wpa3"),
        ("open", True, "open"),
        ("wep", True, "wep"),
        ("off", False, None),
    ],
)
def test_airport_current(case: str, connected: bool, security: str | None) -> None:
    is_connected, label = system_profiler.airport_current(mac("airport", case))
    assert is_connected is connected
    got = system_profiler.airport_security(label) if label is not None else None
    assert got == security


@pytest.mark.parametrize(
    ("label", "expected"),
    [("WPA2 Enterprise", "wpa2-enterprise"), ("WPA/WPA2 Personal", "wpa"), ("None", "open")],
)
def test_airport_security_labels(label: str, expected: str) -> None:
    assert system_profiler.airport_security(label) == expected


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("recent", dt.datetime(2026, 11, 26, 18, 40, 31, tzinfo=dt.UTC)),
        ("old", dt.datetime(2026, 8, 12, 18, 40, 31, tzinfo=dt.UTC)),
    ],
)
def test_xprotect_last_update(case: str, expected: dt.datetime) -> None:
    assert system_profiler.xprotect_last_update(mac("install_history", case)) == expected


def test_xprotect_absent() -> None:
    assert system_profiler.xprotect_last_update('{"SPInstallHistoryDataType": []}') is None


@pytest.mark.parametrize(("case", "admin"), [("admin", True), ("standard", False)])
def test_id_groups(case: str, admin: bool) -> None:
    assert is_admin_groups(mac("id_groups", case)) is admin


def test_id_groups_empty() -> None:
    assert is_admin_groups("") is None


def test_app_names() -> None:
    names = app_names([*mac("applications", "typical").splitlines(), ".DS_Store"])
    assert "1Password" in names and "Utilities" in names and ".DS_Store" not in names
