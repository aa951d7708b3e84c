"""Windows parsers against recorded command outputs (tests/fixtures/cmd/windows/)."""

from __future__ import annotations

import pytest

from hygie.platform.parsers import defender, manage_bde, netsh, win_net, win_os, win_update
from hygie.platform.parsers._text import fix_mojibake, json_records, norm
from hygie.platform.parsers.net_user import password_required
from hygie.platform.parsers.powercfg import parse_powercfg_indexes
from hygie.platform.parsers.reg_query import is_not_found, parse_reg_query
from hygie.platform.parsers.whoami import is_admin
from hygie.platform.parsers.win_settings import autorun_disabled, installed_names, screen_lock
from tests.helpers import fixture_text


def win(probe: str, case: str) -> str:
    return fixture_text("cmd", "windows", probe, f"{case}.txt")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("État", "etat"),
        ("Ã‰tat de la conversion", "etat de la conversion"),
        ("Champ d’identification", "champ d'identification"),
        ("  Protection\u00a0activée ", "protection activee"),
    ],
)
def test_norm_folds_accents_mojibake_and_spaces(text: str, expected: str) -> None:
    assert norm(text) == expected


def test_fix_mojibake_leaves_clean_text_alone() -> None:
    assert fix_mojibake("déjà") == "déjà"
    assert fix_mojibake("dÃ©jÃ\xa0") == "déjà"


def test_json_records_shapes() -> None:
    assert json_records("") == []
    assert json_records('{"a": 1}') == [{"a": 1}]
    assert json_records('[{"a": 1}, 3, {"b": 2}]') == [{"a": 1}, {"b": 2}]
    with pytest.raises(ValueError):
        json_records("Get-Thing : not recognized")


@pytest.mark.parametrize(
    ("case", "mount", "protected", "percent"),
    [
        ("en_encrypted", "C:", True, 100.0),
        ("fr_encrypted", "C:", True, 100.0),
        ("en_decrypted", "C:", False, 0.0),
        ("fr_decrypted", "C:", False, 0.0),
        ("en_suspended", "C:", False, 100.0),
    ],
)
def test_manage_bde_system_volume(case: str, mount: str, protected: bool, percent: float) -> None:
    vol = manage_bde.system_volume(manage_bde.parse_manage_bde(win("manage_bde", case)))
    assert vol is not None
    assert (vol.mount, vol.protected, vol.percent, vol.os_volume) == (
        mount,
        protected,
        percent,
        True,
    )


def test_manage_bde_reads_every_volume() -> None:
    vols = manage_bde.parse_manage_bde(win("manage_bde", "en_encrypted"))
    assert [(v.mount, v.protected, v.os_volume) for v in vols] == [
        ("C:", True, True),
        ("D:", False, False),
    ]


def test_manage_bde_mojibake_french_is_read() -> None:
    broken = win("manage_bde", "fr_encrypted").encode("utf-8").decode("cp1252", "replace")
    vol = manage_bde.system_volume(manage_bde.parse_manage_bde(broken))
    assert vol is not None and vol.protected


@pytest.mark.parametrize("case", ["fr_access_denied", "en_access_denied"])
def test_manage_bde_access_denied_has_no_volume(case: str) -> None:
    assert manage_bde.system_volume(manage_bde.parse_manage_bde(win("manage_bde", case))) is None


@pytest.mark.parametrize(
    ("case", "protected"),
    [("encrypted", True), ("two_volumes_decrypted", False)],
)
def test_bitlocker_json(case: str, protected: bool) -> None:
    vol = manage_bde.system_volume(manage_bde.parse_bitlocker_json(win("bitlocker_ps", case)))
    assert vol is not None and vol.mount == "C:" and vol.protected is protected


def test_bitlocker_json_accepts_enum_names() -> None:
    text = '{"MountPoint":"C:","VolumeType":"OperatingSystem","VolumeStatus":"FullyEncrypted",'
    text += '"ProtectionStatus":"On","EncryptionPercentage":100}'
    vol = manage_bde.system_volume(manage_bde.parse_bitlocker_json(text))
    assert vol is not None and vol.protected


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("on", True),
        ("off", False),
        ("waiting_activation", False),
        ("ambiguous_5", None),
        ("empty", None),
    ],
)
def test_shell_bitlocker_property(case: str, expected: bool | None) -> None:
    assert manage_bde.parse_shell_bitlocker(win("shell_bitlocker", case)) is expected


@pytest.mark.parametrize(
    ("case", "enabled", "realtime", "age"),
    [
        ("enabled", True, True, 1),
        ("realtime_off_old", True, False, 23),
        ("passive", False, False, None),
    ],
)
def test_mp_status(case: str, enabled: bool, realtime: bool, age: int | None) -> None:
    st = defender.parse_mp_status(win("mp_status", case))
    assert st == defender.MpStatus(enabled, realtime, age)


def test_mp_status_error_text_is_not_json() -> None:
    with pytest.raises(ValueError):
        defender.parse_mp_status(win("mp_status", "fr_service_error"))


@pytest.mark.parametrize(
    ("state", "enabled", "fresh"),
    [(397568, True, True), (393472, False, True), (266240, True, True), (397584, True, False)],
)
def test_decode_product_state(state: int, enabled: bool, fresh: bool) -> None:
    assert defender.decode_product_state(state) == (enabled, fresh)


def test_security_center_lists_products() -> None:
    prods = defender.parse_security_center(win("security_center", "third_party"))
    assert [(p.name, p.enabled, p.is_defender) for p in prods] == [
        ("Windows Defender", False, True),
        ("ESET Security", True, False),
    ]
    assert len(defender.parse_security_center(win("security_center", "defender_only"))) == 1


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("en_all_on", [True, True, True]),
        ("en_public_off", [True, True, False]),
        ("fr_all_on", [True, True, True]),
        ("fr_all_off", [False, False, False]),
        ("fr_no_accents", [True, True, True]),
        ("en_service_stopped", []),
    ],
)
def test_advfirewall_state(case: str, expected: list[bool]) -> None:
    assert list(netsh.parse_advfirewall_state(win("netsh_firewall", case)).values()) == expected


@pytest.mark.parametrize(
    ("case", "connected", "security", "profile"),
    [
        ("fr_wpa2", True, "wpa2", "Livebox-7A2C"),
        ("fr_open", True, "open", "Livebox-7A2C"),
        ("fr_wep", True, "wep", "Livebox-7A2C"),
        ("en_wpa3", True, "wpa3", "CabinetInfirmier"),
        ("en_wpa2", True, "wpa2", "CabinetInfirmier"),
        ("en_wpa_tkip", True, "wpa", "CabinetInfirmier"),
        ("en_open", True, "open", "CabinetInfirmier"),
        ("en_enterprise", True, "wpa2-enterprise", "CabinetInfirmier"),
        ("fr_disconnected", False, "?", ""),
    ],
)
def test_wlan_interfaces(case: str, connected: bool, security: str, profile: str) -> None:
    (iface,) = netsh.parse_wlan_interfaces(win("netsh_wlan_interfaces", case))
    assert iface.connected is connected
    assert netsh.wifi_security(iface.authentication, iface.cipher) == security
    assert iface.profile == profile


@pytest.mark.parametrize("case", ["en_no_service", "fr_no_service"])
def test_wlan_no_service_has_no_interface(case: str) -> None:
    assert netsh.parse_wlan_interfaces(win("netsh_wlan_interfaces", case)) == []


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("WPA2 - Personnel", "wpa2"),
        ("WPA3 - Entreprise", "wpa3-enterprise"),
        ("WPA2-Enterprise", "wpa2-enterprise"),
        ("Partagée", "wep"),
        ("OWE", "owe"),
    ],
)
def test_wifi_security_labels(label: str, expected: str) -> None:
    assert netsh.wifi_security(label, "CCMP") == expected


@pytest.mark.parametrize(
    ("case", "hidden"),
    [
        ("fr_broadcast", False),
        ("fr_hidden", True),
        ("en_broadcast", False),
        ("en_hidden", True),
        ("en_not_found", None),
    ],
)
def test_wlan_profile_hidden(case: str, hidden: bool | None) -> None:
    assert netsh.parse_wlan_profile_hidden(win("netsh_wlan_profile", case)) is hidden


def test_reg_query_values_and_subkeys() -> None:
    values = parse_reg_query(win("reg_desktop", "secure_300"))
    assert values["screensaveactive"] == "1"
    assert values["screensavetimeout"] == "300"
    assert values["caretwidth"] == 1
    assert "colors" not in values
    assert parse_reg_query(win("reg_wu_au", "no_auto_update")) == {
        "noautoupdate": 1,
        "auoptions": 2,
    }


@pytest.mark.parametrize(
    ("case", "missing"),
    [("en_not_found", True), ("fr_not_found", True), ("scheduled", False)],
)
def test_reg_not_found(case: str, missing: bool) -> None:
    assert is_not_found(win("reg_wu_au", case)) is missing


@pytest.mark.parametrize(
    ("values", "automatic"),
    [
        ({}, True),
        ({"noautoupdate": 1, "auoptions": 2}, False),
        ({"noautoupdate": 0, "auoptions": 4}, True),
        ({"auoptions": 2}, False),
    ],
)
def test_automatic_from_policy(values: dict[str, str | int], automatic: bool) -> None:
    assert win_update.automatic_from_policy(values) is automatic


@pytest.mark.parametrize(
    ("case", "total", "security"),
    [("none", 0, 0), ("fr_security_and_driver", 3, 2), ("en_one_optional", 1, 0)],
)
def test_wu_search(case: str, total: int, security: int) -> None:
    res = win_update.parse_wu_search(win("wu_search", case))
    assert (res.total, res.security) == (total, security)


def test_wu_search_error_is_not_json() -> None:
    with pytest.raises(ValueError):
        win_update.parse_wu_search(win("wu_search", "fr_com_error"))


@pytest.mark.parametrize(
    ("case", "display", "release", "name"),
    [
        ("fr_win11", "24H2", "11-24H2", "Windows 11 Professionnel 24H2"),
        ("en_win10", "22H2", "10", "Windows 10 Home 22H2"),
        ("en_win10_ltsc", "21H2", "10-special", "Windows 10 Enterprise LTSC 21H2"),
        ("fr_win11", None, "11", "Windows 11 Professionnel"),
    ],
)
def test_windows_release_key(case: str, display: str | None, release: str, name: str) -> None:
    w = win_os.parse_win32_os(win("win32_os", case))
    assert w is not None
    assert win_os.release_key(w, display) == ("windows", release, name)


def test_display_version_from_registry() -> None:
    assert parse_reg_query(win("reg_display_version", "24h2")) == {"displayversion": "24H2"}


@pytest.mark.parametrize(
    ("probe", "case", "expected"),
    [
        ("powercfg_consolelock", "en_on", (1, 1)),
        ("powercfg_consolelock", "fr_on", (1, 1)),
        ("powercfg_consolelock", "fr_off", (0, 0)),
        ("powercfg_standby", "fr_30min_15min", (1800, 900)),
        ("powercfg_standby", "en_never_on_ac", (0, 900)),
        ("powercfg_standby", "en_4min", (240, 180)),
    ],
)
def test_powercfg_indexes(probe: str, case: str, expected: tuple[int, int]) -> None:
    assert parse_powercfg_indexes(win(probe, case)) == expected


def test_powercfg_garbage() -> None:
    assert parse_powercfg_indexes('Invalid Parameters -- try "/?" for help') is None


@pytest.mark.parametrize(
    ("desktop", "policy", "lock", "sleep", "expected"),
    [
        ("secure_300", None, None, None, (True, 300, "screensaver")),
        ("no_screensaver", None, None, None, (False, 0, "")),
        ("no_screensaver", None, (1, 1), (1800, 900), (True, 1800, "sleep")),
        ("no_screensaver", None, (1, 1), (0, 900), (False, 0, "")),
        ("no_screensaver", None, (0, 0), (240, 180), (False, 0, "")),
        ("secure_300", None, (1, 1), (240, 180), (True, 240, "sleep")),
        ("no_screensaver", "policy_900", None, None, (True, 900, "screensaver")),
    ],
)
def test_screen_lock(
    desktop: str,
    policy: str | None,
    lock: tuple[int, int] | None,
    sleep: tuple[int, int] | None,
    expected: tuple[bool, int, str],
) -> None:
    d = parse_reg_query(win("reg_desktop", desktop))
    p = parse_reg_query(win("reg_desktop", policy)) if policy else None
    res = screen_lock(d, p, lock, sleep)
    assert (res.enabled, res.delay_s, res.how) == expected


@pytest.mark.parametrize(
    ("hklm", "hkcu", "autoplay", "disabled"),
    [
        ("hklm_ff", None, "autoplay_on", True),
        (None, "hkcu_91", "autoplay_on", False),
        (None, "hkcu_91", "autoplay_off", True),
        (None, None, None, False),
    ],
)
def test_autorun_disabled(
    hklm: str | None, hkcu: str | None, autoplay: str | None, disabled: bool
) -> None:
    def values(case: str | None) -> dict[str, str | int]:
        return parse_reg_query(win("reg_autorun", case)) if case else {}

    assert autorun_disabled(values(hklm), values(hkcu), values(autoplay)) is disabled


@pytest.mark.parametrize(
    ("case", "admin"),
    [("fr_admin_filtered", True), ("en_admin_elevated", True), ("en_standard", False)],
)
def test_whoami_admin(case: str, admin: bool) -> None:
    assert is_admin(win("whoami", case)) is admin


def test_whoami_garbage() -> None:
    assert is_admin("ERROR: Access denied") is None


@pytest.mark.parametrize(
    ("case", "required"),
    [
        ("fr_required", True),
        ("fr_not_required", False),
        ("en_required", True),
        ("en_not_found", None),
    ],
)
def test_net_user_password_required(case: str, required: bool | None) -> None:
    assert password_required(win("net_user", case)) is required


def test_installed_names_merges_uninstall_and_store() -> None:
    names = installed_names(win("uninstall", "typical"), win("appx", "typical"))
    assert "KeePassXC" in names and "Microsoft.MicrosoftSolitaireCollection" in names
    assert installed_names(win("uninstall", "bare")) == ["Microsoft Edge"]


def as_read_by_python_on_french_windows(text: str) -> str:
    """What Python sees: console output in cp850 decoded with the ANSI page (cp1252)."""
    best_fit = text.replace("\u2019", "'")  # cp850 has no typographic apostrophe
    return best_fit.encode("cp850").decode("cp1252", errors="replace")


def test_oem_code_page_outputs_are_read() -> None:
    fw = as_read_by_python_on_french_windows(win("netsh_firewall", "fr_all_off"))
    assert "\ufffd" in fw  # the É of État is lost on the way
    assert list(netsh.parse_advfirewall_state(fw).values()) == [False, False, False]
    wlan = as_read_by_python_on_french_windows(win("netsh_wlan_interfaces", "fr_wpa2"))
    (iface,) = netsh.parse_wlan_interfaces(wlan)
    assert iface.connected and netsh.wifi_security(iface.authentication, iface.cipher) == "wpa2"
    prof = as_read_by_python_on_french_windows(win("netsh_wlan_profile", "fr_hidden"))
    assert netsh.parse_wlan_profile_hidden(prof) is True
    bde = as_read_by_python_on_french_windows(win("manage_bde", "fr_encrypted"))
    vol = manage_bde.system_volume(manage_bde.parse_manage_bde(bde))
    assert vol is not None and vol.protected and vol.os_volume
    bde = as_read_by_python_on_french_windows(win("manage_bde", "fr_suspended"))
    vol = manage_bde.system_volume(manage_bde.parse_manage_bde(bde))
    assert vol is not None and vol.state == "suspended"
    user = as_read_by_python_on_french_windows(win("net_user", "fr_not_required"))
    assert password_required(user) is False


def test_suspended_bitlocker_is_its_own_state_in_both_languages() -> None:
    for case in ("en_suspended", "fr_suspended"):
        vol = manage_bde.system_volume(manage_bde.parse_manage_bde(win("manage_bde", case)))
        assert vol is not None and vol.fully_encrypted and vol.suspended
        assert vol.state == "suspended" and not vol.protected
    (vol,) = manage_bde.parse_bitlocker_json(win("bitlocker_ps", "suspended"))
    assert vol.state == "suspended"
    for case in ("en_decrypted", "fr_decrypted"):
        vol = manage_bde.system_volume(manage_bde.parse_manage_bde(win("manage_bde", case)))
        assert vol is not None and vol.state is False


def wjson(probe: str, case: str) -> str:
    return fixture_text("cmd", "windows", probe, f"{case}.json")


def test_firewall_profiles_json() -> None:
    assert win_net.parse_firewall_profiles(wjson("firewall_profiles", "all_on")) == {
        "Domain": True,
        "Private": True,
        "Public": True,
    }
    off = win_net.parse_firewall_profiles(wjson("firewall_profiles", "public_off_numbers"))
    assert off == {"Domain": True, "Private": True, "Public": False}
    assert win_net.parse_firewall_profiles('[{"Name":"Public","Enabled":"NotConfigured"}]') is None
    assert win_net.parse_firewall_profiles("") is None
    with pytest.raises(ValueError):
        win_net.parse_firewall_profiles("Get-NetFirewallProfile : accès refusé")


def test_update_state_dates_and_policy() -> None:
    st = win_update.parse_update_state(wjson("wu_state", "fr_recent"))
    assert st.last_search is not None and st.last_search.isoformat() == "2026-11-28T07:41:12+00:00"
    assert st.reboot_required is False and st.automatic
    off = win_update.parse_update_state(wjson("wu_state", "stale_policy_off"))
    assert off.policy == {"noautoupdate": 1, "auoptions": 2} and not off.automatic
    never = win_update.parse_update_state(wjson("wu_state", "never_service_disabled"))
    assert never.last_search is None and never.last_install is None and not never.automatic
    ps51 = win_update.parse_update_state(
        '{"LastSearchSuccessDate":"/Date(1796024472000)/","LastInstallationSuccessDate":'
        '"0001-01-01T00:00:00.0000000","RebootRequired":true}'
    )
    assert ps51.last_search is not None and ps51.last_search.year == 2026
    assert ps51.last_install is None and ps51.reboot_required is True
    with pytest.raises(ValueError):
        win_update.parse_update_state("")


FRENCH_CONSOLE_CASES = [
    ("netsh_firewall", "fr_all_on", lambda t: list(netsh.parse_advfirewall_state(t).values()),
     [True, True, True]),
    ("netsh_firewall", "fr_all_off", lambda t: list(netsh.parse_advfirewall_state(t).values()),
     [False, False, False]),
    ("manage_bde", "fr_encrypted",
     lambda t: manage_bde.system_volume(manage_bde.parse_manage_bde(t)).state, True),  # type: ignore[union-attr]
    ("manage_bde", "fr_decrypted",
     lambda t: manage_bde.system_volume(manage_bde.parse_manage_bde(t)).state, False),  # type: ignore[union-attr]
    ("manage_bde", "fr_suspended",
     lambda t: manage_bde.system_volume(manage_bde.parse_manage_bde(t)).state, "suspended"),  # type: ignore[union-attr]
    ("net_user", "fr_required", password_required, True),
    ("net_user", "fr_not_required", password_required, False),
    ("reg_wu_au", "fr_not_found", is_not_found, True),
    ("netsh_wlan_profile", "fr_hidden", netsh.parse_wlan_profile_hidden, True),
    ("netsh_wlan_profile", "fr_broadcast", netsh.parse_wlan_profile_hidden, False),
    ("netsh_wlan_interfaces", "fr_open", lambda t: [
        netsh.wifi_security(i.authentication, i.cipher)
        for i in netsh.parse_wlan_interfaces(t) if i.connected], ["open"]),
    ("netsh_wlan_interfaces", "fr_wep", lambda t: [
        netsh.wifi_security(i.authentication, i.cipher)
        for i in netsh.parse_wlan_interfaces(t) if i.connected], ["wep"]),
    ("netsh_wlan_interfaces", "fr_disconnected", lambda t: [
        i.connected for i in netsh.parse_wlan_interfaces(t)], [False]),
]  # fmt: skip


@pytest.mark.parametrize(("probe", "case", "read", "expected"), FRENCH_CONSOLE_CASES)
def test_every_localised_parser_reads_a_french_console(
    probe: str, case: str, read: object, expected: object
) -> None:
    """The same answer from the clean UTF-8 text, from the cp850 bytes Python decodes as
    cp1252 on a French console, and from UTF-8 read as cp1252 (mojibake)."""
    clean = win(probe, case)
    oem = as_read_by_python_on_french_windows(clean)
    utf8_as_ansi = clean.encode("utf-8").decode("cp1252", errors="replace")
    for text in (clean, oem, utf8_as_ansi):
        assert read(text) == expected, (probe, case, text[:80])  # type: ignore[operator]
