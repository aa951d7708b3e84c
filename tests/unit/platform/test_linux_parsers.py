"""Table tests of the pure Linux parsers, on recorded (this Debian 12 machine) and
documented outputs kept in tests/fixtures/cmd/linux/<probe>/<case>.txt."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from helpers import fixture_text
from hygie.platform.eol import support_status
from hygie.platform.parsers import apt, clamav, desktop, dnf, firewall, lsblk, nmcli, passwd
from hygie.platform.parsers import systemctl as sd
from hygie.platform.parsers.applications import desktop_entry_names
from hygie.platform.parsers.os_release import parse_os_release, release_key
from hygie.platform.parsers.thunderbird import (
    parse_prefs,
    thunderbird_profile_dirs,
    webmail_domains_from_prefs,
)


def fx(probe: str, case: str) -> str:
    return fixture_text("cmd", "linux", probe, f"{case}.txt")


# --- apt ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("case", "pending", "security"),
    [
        ("debian12_pending", 126, 83),  # recorded on this machine
        ("ubuntu2404_security", 5, 3),
        ("up_to_date", 0, 0),
        ("fr_locale_ignored", 0, 0),  # hygie runs apt with LC_ALL=C; other text is not counted
    ],
)
def test_apt_upgradable(case: str, pending: int, security: int) -> None:
    got = apt.parse_apt_upgradable(fx("apt_upgradable", case))
    assert (got.pending, got.security) == (pending, security)


@pytest.mark.parametrize(
    ("case", "enabled"),
    [
        ("debian12_default", False),  # recorded: no APT::Periodic at all
        ("unattended_enabled", True),
        ("unattended_zero", False),
        ("periodic_disabled", False),
    ],
)
def test_apt_config_unattended(case: str, enabled: bool) -> None:
    config = apt.parse_apt_config(fx("apt_config", case))
    assert apt.unattended_upgrade_enabled(config) is enabled


def test_apt_config_values_are_unquoted() -> None:
    config = apt.parse_apt_config(fx("apt_config", "debian12_default"))
    assert config["APT::Architecture"] == "amd64"
    assert config["Dir::Cache::pkgcache"] == ""


def test_dpkg_packages_keep_installed_only() -> None:
    text = "ii  adduser\nrc  steam-launcher\nii  clamav:amd64\nhi  keepassxc\nun  foo\n"
    assert apt.parse_dpkg_packages(text) == ["adduser", "clamav", "keepassxc"]
    recorded = apt.parse_dpkg_packages(fx("dpkg", "debian12_head"))
    assert "adduser" in recorded and len(recorded) == 40


# --- dnf ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("case", "rc", "count"),
    [
        ("check_update_pending", 100, 3),  # the Obsoleting section repeats a package
        ("check_update_security", 100, 1),
        ("check_update_security", 0, 0),  # exit 0: nothing to do, whatever the text
        ("check_update_pending", 1, None),  # exit 1: dnf failed
    ],
)
def test_dnf_check_update(case: str, rc: int, count: int | None) -> None:
    assert dnf.count_dnf_updates(fx("dnf", case), rc) == count


# --- systemctl ------------------------------------------------------------------------
def test_systemctl_states_and_no_systemd() -> None:
    states = sd.parse_unit_states("active\ninactive\nfailed\n", ["ufw", "firewalld", "nftables"])
    assert states == {"ufw": "active", "firewalld": "inactive", "nftables": "failed"}
    assert sd.is_active(states["ufw"]) and not sd.is_active(states["nftables"])
    assert sd.systemd_unavailable(fx("systemctl", "no_systemd"))  # recorded in this container
    assert not sd.systemd_unavailable("")
    assert sd.is_enabled("enabled") and not sd.is_enabled("masked")


# --- lsblk ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("case", "root", "home"),
    [
        ("debian12_vm_plain", False, None),  # recorded on this machine
        ("luks_lvm", True, True),
        ("luks_root_plain_home", True, False),
        ("btrfs_luks_fedora", True, True),
        ("old_mountpoint_plain", False, None),
        ("old_mountpoint_luks", True, None),
        ("container_no_root", None, None),
    ],
)
def test_lsblk_mount_encryption(case: str, root: bool | None, home: bool | None) -> None:
    devices = lsblk.parse_lsblk(fx("lsblk", case))
    assert lsblk.mount_encryption(devices, "/") is root
    assert lsblk.mount_encryption(devices, "/home") is home


def test_lsblk_crypt_names_and_mounts() -> None:
    devices = lsblk.parse_lsblk(fx("lsblk", "luks_lvm"))
    assert lsblk.crypt_device_names(devices) == ["nvme0n1p3", "nvme0n1p3_crypt"]
    assert {"/", "/home", "/boot", "/boot/efi", "[SWAP]"} <= lsblk.mounted(devices)


@pytest.mark.parametrize("case", ["garbage", "old_lsblk_error"])
def test_lsblk_rejects_non_json(case: str) -> None:
    with pytest.raises(lsblk.LsblkError):
        lsblk.parse_lsblk(fx("lsblk", case))


# --- firewall -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (fx("firewall", "ufw_enabled"), True),
        (fx("firewall", "ufw_disabled"), False),
        ("# nothing\nLOGLEVEL=low\n", None),
        ("ENABLED='yes'\n", True),
    ],
)
def test_ufw_conf(text: str, expected: bool | None) -> None:
    assert firewall.parse_ufw_conf(text) is expected


@pytest.mark.parametrize(
    ("case", "filters"),
    [
        ("nftables_debian_default", False),
        ("nftables_drop_input", True),
        ("nft_ruleset_docker_only", False),  # forward drop is not a host firewall
        ("nft_ruleset_ufw", True),
        ("nft_input_reject_rule", True),
    ],
)
def test_nft_filters_input(case: str, filters: bool) -> None:
    assert firewall.nft_filters_input(fx("firewall", case)) is filters


@pytest.mark.parametrize(
    ("case", "rc", "state"),
    [("firewalld_running", 0, True), ("firewalld_not_running", 252, False)],
)
def test_firewalld_state(case: str, rc: int, state: bool) -> None:
    assert firewall.parse_firewalld_state(fx("firewall", case), rc) is state
    assert firewall.parse_firewalld_state("", None) is None


def test_permission_denied() -> None:
    assert firewall.permission_denied(fx("firewall", "nft_permission_denied"))
    assert not firewall.permission_denied("Error: syntax error")


# --- desktop: detection, GNOME, KDE ---------------------------------------------------
@pytest.mark.parametrize(
    ("env", "installed", "expected"),
    [
        ({"XDG_CURRENT_DESKTOP": "ubuntu:GNOME"}, {}, "gnome"),
        ({"XDG_CURRENT_DESKTOP": "GNOME"}, {}, "gnome"),
        ({"XDG_CURRENT_DESKTOP": "KDE"}, {"gnome": True}, "kde"),
        ({"XDG_CURRENT_DESKTOP": "X-Cinnamon"}, {}, "x-cinnamon"),
        ({"XDG_CURRENT_DESKTOP": "XFCE"}, {}, "xfce"),
        ({"DESKTOP_SESSION": "plasma"}, {}, "kde"),
        ({}, {"gnome": True}, "gnome"),
        ({}, {"kde": True}, "kde"),
        ({}, {}, None),
    ],
)
def test_detect_desktop(env: dict[str, str], installed: dict[str, bool], expected: str) -> None:
    assert desktop.detect_desktop(env, installed) == expected


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("true", True),
        ("false", False),
        ("uint32 300", 300),
        ("5", 5),
        ("'zoom'", "zoom"),
        ("@as []", "@as []"),
    ],
)
def test_gvariant(text: str, value: object) -> None:
    assert desktop.parse_gvariant(text) == value


@pytest.mark.parametrize(
    ("screensaver", "session", "enabled", "delay"),
    [
        ("screensaver_default", "session_default", True, 300),
        ("screensaver_default", "session_15min", True, 900),
        ("screensaver_lock_delay_60", "session_default", True, 360),
        ("screensaver_lock_off", "session_default", False, 300),
        ("screensaver_default", "session_never", False, 0),
    ],
)
def test_gnome_screenlock(screensaver: str, session: str, enabled: bool, delay: int) -> None:
    settings = desktop.parse_gsettings_list(fx("gsettings", screensaver))
    settings.update(desktop.parse_gsettings_list(fx("gsettings", session)))
    assert desktop.gnome_screenlock(settings) == desktop.ScreenLock(enabled, delay)


@pytest.mark.parametrize(
    ("case", "disabled"),
    [("media_default", False), ("media_hardened", True), ("media_never_but_opens", False)],
)
def test_gnome_autorun(case: str, disabled: bool) -> None:
    settings = desktop.parse_gsettings_list(fx("gsettings", case))
    assert desktop.gnome_autorun_disabled(settings) is disabled


def test_gsettings_memory_backend() -> None:
    assert desktop.gsettings_is_memory_backend(fx("gsettings", "memory_backend_stderr"))
    assert not desktop.gsettings_is_memory_backend(fx("gsettings", "no_schema_stderr"))


@pytest.mark.parametrize(
    ("case", "enabled", "delay"),
    [
        (None, True, 305),  # no file: Plasma's defaults (5 min + 5 s grace)
        ("kscreenlockerrc_greeter_only", True, 305),
        ("kscreenlockerrc_custom_10min", True, 630),
        ("kscreenlockerrc_autolock_off", False, 300),
        ("kscreenlockerrc_timeout_zero", False, 0),
    ],
)
def test_kde_screenlock(case: str | None, enabled: bool, delay: int) -> None:
    text = fx("kde", case) if case else None
    assert desktop.kde_screenlock(text) == desktop.ScreenLock(enabled, delay)


@pytest.mark.parametrize(
    ("case", "disabled"),
    [(None, True), ("automounter_on_plug", False), ("automounter_login_only", True)],
)
def test_kde_autorun(case: str | None, disabled: bool) -> None:
    text = fx("kde", case) if case else None
    assert desktop.kde_autorun_disabled(text) is disabled


# --- nmcli ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("dev", "con", "security", "hidden"),
    [
        ("dev_wifi_wpa2", "con_fields_psk", "wpa2", False),
        ("dev_wifi_wpa3", "con_fields_sae", "wpa3", False),
        ("dev_wifi_wpa3", None, "wpa3", None),
        ("dev_wifi_transition", "con_fields_psk", "wpa2", False),
        ("dev_wifi_transition", "con_fields_sae", "wpa3", False),
        ("dev_wifi_transition", None, "wpa2", None),
        ("dev_wifi_open", "con_fields_open", "open", False),
        ("dev_wifi_open_dashes", None, "open", None),
        ("dev_wifi_wep", "con_fields_wep", "wep", False),
        ("dev_wifi_wep", None, "wep", None),
        ("dev_wifi_wpa1", "con_fields_psk", "wpa", False),
        ("dev_wifi_enterprise", "con_fields_eap", "wpa2-enterprise", False),
        ("dev_wifi_hidden", "con_fields_hidden_psk", "wpa2", True),
    ],
)
def test_nmcli_security(dev: str, con: str | None, security: str, hidden: bool | None) -> None:
    ap = nmcli.active_ap(nmcli.parse_dev_wifi(fx("nmcli", dev)))
    assert ap is not None
    fields = nmcli.parse_connection_fields(fx("nmcli", con)) if con else {}
    assert nmcli.wifi_security(ap.security, fields.get("802-11-wireless-security.key-mgmt")) == (
        security
    )
    assert nmcli.connection_hidden(fields) is hidden


@pytest.mark.parametrize(
    ("security", "key_mgmt", "expected"),
    [
        ("WPA3 802.1X", None, "wpa3-enterprise"),
        ("WPA2 802.1X", "wpa-eap-suite-b-192", "wpa3-enterprise"),
        ("OWE", None, "open"),
        ("", "owe", "open"),
        ("WPA1 802.1X", None, "wpa"),
        ("FOO", None, "unknown"),
    ],
)
def test_wifi_security_mapping(security: str, key_mgmt: str | None, expected: str) -> None:
    assert nmcli.wifi_security(security, key_mgmt) == expected


def test_nmcli_terse_escapes_and_lists() -> None:
    aps = nmcli.parse_dev_wifi(fx("nmcli", "dev_wifi_enterprise"))
    assert [ap.ssid for ap in aps] == ["eduroam", "Cabinet-IDEL:invites"]
    assert nmcli.active_ap(nmcli.parse_dev_wifi(fx("nmcli", "dev_wifi_not_connected"))) is None
    assert nmcli.active_ap(nmcli.parse_dev_wifi(fx("nmcli", "dev_wifi_hidden"))).ssid == ""  # type: ignore[union-attr]
    assert nmcli.active_wifi_uuid(fx("nmcli", "con_active_wifi")) == (
        "3f1c9a7e-2b4d-4e61-9c2a-7d5e8b0f1a23"
    )
    assert nmcli.active_wifi_uuid(fx("nmcli", "con_active_ethernet")) is None


# --- passwd and autologin -------------------------------------------------------------
@pytest.mark.parametrize(
    ("case", "user", "status"),
    [
        ("root_locked", "root", "L"),  # recorded in this container
        ("user_password", "infirmiere", "P"),
        ("user_no_password", "infirmiere", "NP"),
        ("user_util_linux_ps", "infirmiere", "P"),
        ("user_password", "someone-else", None),
        ("other_user_denied", "root", None),
    ],
)
def test_passwd_status(case: str, user: str, status: str | None) -> None:
    assert passwd.parse_passwd_status(fx("passwd", case), user) == status


@pytest.mark.parametrize(
    ("parse", "case", "user"),
    [
        (passwd.gdm_autologin_user, "gdm3_daemon_autologin", "infirmiere"),
        (passwd.gdm_autologin_user, "gdm3_daemon_default", None),
        (passwd.lightdm_autologin_user, "lightdm_autologin", "infirmiere"),
        (passwd.lightdm_autologin_user, "gdm3_daemon_default", None),
        (passwd.sddm_autologin_user, "sddm_autologin", "infirmiere"),
        (passwd.sddm_autologin_user, "lightdm_autologin", None),
    ],
)
def test_autologin(parse: object, case: str, user: str | None) -> None:
    assert parse(fx("autologin", case)) == user  # type: ignore[operator]


# --- ClamAV ---------------------------------------------------------------------------
NOW = dt.datetime(2026, 11, 29, 10, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("case", "built", "version"),
    [
        ("daily_cvd", dt.datetime(2026, 11, 27, 7, 31, tzinfo=dt.UTC), 27835),
        ("main_cvd", dt.datetime(2021, 9, 16, 12, 32, tzinfo=dt.UTC), 62),
        ("daily_cld_date_only", dt.datetime(2026, 10, 3, 6, 24, tzinfo=dt.UTC), 27780),
    ],
)
def test_cvd_header(case: str, built: dt.datetime, version: int) -> None:
    head = clamav.parse_cvd_header(fx("clamav", case).encode("ascii"))
    assert head is not None
    assert (head.built, head.version) == (built, version)


def test_cvd_header_rejects_other_files_and_age_is_newest() -> None:
    assert clamav.parse_cvd_header(fx("clamav", "not_a_cvd")) is None
    heads = [clamav.parse_cvd_header(fx("clamav", c)) for c in ("daily_cvd", "main_cvd")]
    assert clamav.signature_age_days([h for h in heads if h], NOW) == 2
    assert clamav.signature_age_days([], NOW) is None


def test_process_running() -> None:
    assert clamav.process_running(["bash\n", "clamonacc\n"], "clamonacc")
    assert not clamav.process_running(["clamd\n"], "clamonacc")


# --- applications ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("case", "names"),
    [
        ("org.keepassxc.KeePassXC.desktop", ["org.keepassxc.KeePassXC", "KeePassXC"]),
        ("steam.desktop", ["steam", "Steam"]),  # the action's Name= is not the app's
        ("hidden_user_override.desktop", []),
    ],
)
def test_desktop_entry_names(case: str, names: list[str]) -> None:
    assert desktop_entry_names(case, fx("desktop_entries", case)) == names


# --- Thunderbird ----------------------------------------------------------------------
def test_thunderbird_profile_dirs() -> None:
    base = Path("/home/claire/.thunderbird")
    assert thunderbird_profile_dirs(fx("thunderbird", "profiles"), base) == [
        base / "q8xk2m1c.default-release",
        base / "a1b2c3d4.default",
    ]
    assert thunderbird_profile_dirs(fx("thunderbird", "profiles_absolute"), base) == [
        Path("/srv/mail/cabinet-profile")
    ]
    assert thunderbird_profile_dirs("not an ini [", base) == []


@pytest.mark.parametrize(
    ("case", "domains"),
    [
        ("prefs_gmail_orange_mssante", ["gmail.com", "orange.fr"]),  # MSSanté is not webmail
        ("prefs_workspace_domain", []),  # own domain hosted by Google: not a free webmail
        ("prefs_two_gmail_hostname_only", ["gmail.com", "gmail.com"]),  # RSS skipped
        ("prefs_identities_only", ["laposte.net"]),
        ("prefs_empty", []),
    ],
)
def test_webmail_domains_from_prefs(case: str, domains: list[str]) -> None:
    got = webmail_domains_from_prefs(fx("thunderbird", case))
    assert got == domains
    assert not any("@" in d for d in got)  # domains only, never addresses


def test_parse_prefs_types() -> None:
    prefs = parse_prefs(fx("thunderbird", "prefs_gmail_orange_mssante"))
    assert prefs["mail.account.lastKey"] == 4
    assert prefs["mail.identity.id1.valid"] is True
    assert prefs["mail.server.server3.hostname"] == "imap.orange.fr"


# --- os-release -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("case", "family", "release", "supported"),
    [
        ("debian12", "debian", "12", True),  # recorded on this machine
        ("debian10", "debian", "10", False),
        ("ubuntu2404", "ubuntu", "24.04", True),
        ("linuxmint22", "linuxmint", "22.1", True),
        ("fedora41", "fedora", "41", False),
    ],
)
def test_os_release_support(case: str, family: str, release: str, supported: bool) -> None:
    fam, rel, name = release_key(parse_os_release(fx("os_release", case)))
    assert (fam, rel) == (family, release)
    info = support_status(fam, rel, name, NOW.date())
    assert info["supported"] is supported
