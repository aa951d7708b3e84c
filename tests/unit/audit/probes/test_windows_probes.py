"""Windows providers run on replayed command outputs, then the whole audit of a French
Windows 11 machine (tests/fixtures/cmd/windows/)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path

import pytest

from hygie import proc
from hygie.audit.context import ProbeContext
from hygie.audit.model import Fact, FactState, Status
from hygie.audit.probes import windows as w
from hygie.audit.runner import run_audit
from tests.helpers import ReplayRunner, fixture_text, measure_ids
from tests.machines import windows_fr_machine

Spec = tuple[str, int, str] | str | None
NOW = dt.datetime(2026, 11, 29, 9, 0, tzinfo=dt.UTC)
NOT_FOUND_FR = ("", 1, fixture_text("cmd", "windows", "reg_wu_au", "fr_not_found.txt"))


def fx(probe: str, case: str) -> str:
    return fixture_text("cmd", "windows", probe, f"{case}.txt")


def key(argv: list[str]) -> str:
    return " ".join(argv)


def french_machine() -> dict[str, Spec]:
    """A French Windows 11 25H2 laptop as a nurse would have it (tests/machines.py), each
    command on its own: the snapshot that runs several at once is tested separately."""
    return {
        key(list(argv)): spec
        for argv, spec in windows_fr_machine().items()
        if list(argv) != w.SNAPSHOT_PS
    }


def snapshot_machine() -> dict[str, Spec]:
    return {key(list(argv)): spec for argv, spec in windows_fr_machine().items()}


def ctx(tmp_path: Path) -> ProbeContext:
    return ProbeContext(
        platform="windows", root=tmp_path, home=tmp_path / "home", user="infirmiere", now=NOW
    )


def facts_of(fn: object, outputs: Mapping[str, Spec], c: ProbeContext) -> dict[str, Fact]:
    runner = ReplayRunner(outputs)
    with proc.use_runner(runner):
        return {f.key: f for f in fn(c)}  # type: ignore[operator]


def test_every_command_is_an_argv_never_a_shell_string() -> None:
    for argv in (w.BITLOCKER_PS, w.WU_OFFLINE_PS, w.FIREWALL, w.wlan_profile("Mon Wi-Fi")):
        assert isinstance(argv, list) and len(argv) > 1
    assert w.BITLOCKER_PS[:6] == [
        "powershell", "-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-Command"
    ]  # fmt: skip
    assert w.BITLOCKER_PS[-1].startswith("[Console]::OutputEncoding=[Text.Encoding]::UTF8;")
    assert "ConvertTo-Json" in w.BITLOCKER_PS[-1]
    assert w.wlan_profile("Mon Wi-Fi")[-1] == "name=Mon Wi-Fi"


@pytest.mark.parametrize(
    ("overrides", "state", "value"),
    [
        ({}, FactState.KNOWN, True),
        ({key(w.MANAGE_BDE): fx("manage_bde", "fr_decrypted")}, FactState.KNOWN, False),
        # encrypted but protection suspended: its own state, never "not encrypted"
        ({key(w.MANAGE_BDE): fx("manage_bde", "en_suspended")}, FactState.KNOWN, "suspended"),
        ({key(w.MANAGE_BDE): fx("manage_bde", "fr_suspended")}, FactState.KNOWN, "suspended"),
        ({key(w.BITLOCKER_PS): fx("bitlocker_ps", "suspended")}, FactState.KNOWN, "suspended"),
        ({key(w.BITLOCKER_PS): fx("bitlocker_ps", "encrypted")}, FactState.KNOWN, True),
        (
            {key(w.MANAGE_BDE): (fx("manage_bde", "fr_access_denied"), 2147942405, "")},
            FactState.UNKNOWN,
            None,
        ),
        ({key(w.MANAGE_BDE): None}, FactState.UNKNOWN, None),
    ],
)
def test_bitlocker(
    tmp_path: Path, overrides: dict[str, Spec], state: FactState, value: object
) -> None:
    f = facts_of(w.bitlocker, {**french_machine(), **overrides}, ctx(tmp_path))
    fact = f["disk.system_encrypted"]
    assert (fact.state, fact.value) == (state, value)
    if state is FactState.UNKNOWN:
        assert fact.reason.startswith("état de BitLocker")


@pytest.mark.parametrize(
    ("shell", "state", "value"),
    [
        ("on", FactState.KNOWN, True),
        ("off", FactState.KNOWN, False),
        ("ambiguous_5", FactState.UNKNOWN, None),
    ],
)
def test_bitlocker_without_admin_rights_reads_the_shell_property(
    tmp_path: Path, shell: str, state: FactState, value: object
) -> None:
    over: dict[str, Spec] = {
        key(w.MANAGE_BDE): (fx("manage_bde", "en_access_denied"), 1, ""),
        key(w.SHELL_BITLOCKER_PS): fx("shell_bitlocker", shell),
    }
    fact = facts_of(w.bitlocker, {**french_machine(), **over}, ctx(tmp_path))[
        "disk.system_encrypted"
    ]
    assert (fact.state, fact.value) == (state, value)
    if state is FactState.UNKNOWN:
        assert "administrateurs" in fact.reason


def test_bitlocker_access_denied_says_admin_rights(tmp_path: Path) -> None:
    over = {key(w.MANAGE_BDE): (fx("manage_bde", "fr_access_denied"), 1, "")}
    f = facts_of(w.bitlocker, {**french_machine(), **over}, ctx(tmp_path))
    assert "administrateurs" in f["disk.system_encrypted"].reason


def test_missing_manage_bde_is_unknown_with_french_reason(tmp_path: Path) -> None:
    over = {key(w.MANAGE_BDE): None, key(w.BITLOCKER_PS): None}
    f = facts_of(w.bitlocker, {**french_machine(), **over}, ctx(tmp_path))
    assert f["disk.system_encrypted"].state is FactState.UNKNOWN
    assert "introuvable" in f["disk.system_encrypted"].reason


@pytest.mark.parametrize(
    ("wsc", "mp", "products", "realtime", "age"),
    [
        ("defender_only", "enabled", ["Microsoft Defender"], True, 1),
        ("defender_only", "realtime_off_old", ["Microsoft Defender"], False, 23),
        ("third_party", "passive", ["ESET"], True, None),
        ("defender_off", "passive", [], False, None),
    ],
)
def test_antivirus(
    tmp_path: Path, wsc: str, mp: str, products: list[str], realtime: bool, age: int | None
) -> None:
    over = {
        key(w.SECURITY_CENTER_PS): fx("security_center", wsc),
        key(w.MP_STATUS_PS): fx("mp_status", mp),
    }
    f = facts_of(w.antivirus, {**french_machine(), **over}, ctx(tmp_path))
    assert f["antivirus.products"].value == products
    assert f["antivirus.realtime"].value is realtime
    assert f["antivirus.signature_age_days"].value == age
    if age is None:
        assert f["antivirus.signature_age_days"].state is FactState.UNKNOWN


def test_antivirus_third_party_age_reason_names_it(tmp_path: Path) -> None:
    over = {
        key(w.SECURITY_CENTER_PS): fx("security_center", "third_party"),
        key(w.MP_STATUS_PS): fx("mp_status", "passive"),
    }
    f = facts_of(w.antivirus, {**french_machine(), **over}, ctx(tmp_path))
    assert "ESET Security" in f["antivirus.signature_age_days"].reason


def test_antivirus_all_commands_fail(tmp_path: Path) -> None:
    over: dict[str, Spec] = {
        key(w.SECURITY_CENTER_PS): None,
        key(w.MP_STATUS_PS): ("", 1, fx("mp_status", "fr_service_error")),
    }
    f = facts_of(w.antivirus, {**french_machine(), **over}, ctx(tmp_path))
    assert {k: v.state for k, v in f.items()} == {
        "antivirus.products": FactState.UNKNOWN,
        "antivirus.signature_age_days": FactState.UNKNOWN,
        "antivirus.realtime": FactState.UNKNOWN,
    }


def wjson(probe: str, case: str) -> str:
    return fixture_text("cmd", "windows", probe, f"{case}.json")


@pytest.mark.parametrize(
    ("ps", "spec", "state", "value", "source"),
    [
        (wjson("firewall_profiles", "all_on"), None, FactState.KNOWN, True,
         "Get-NetFirewallProfile"),
        (wjson("firewall_profiles", "public_off_numbers"), None, FactState.KNOWN, False,
         "Get-NetFirewallProfile"),
        # PowerShell missing or broken: netsh's localised text, French and English
        (None, fx("netsh_firewall", "fr_all_on"), FactState.KNOWN, True, "netsh advfirewall"),
        ("Get-NetFirewallProfile : accès refusé", fx("netsh_firewall", "en_public_off"),
         FactState.KNOWN, False, "netsh advfirewall"),
        (None, fx("netsh_firewall", "fr_all_off"), FactState.KNOWN, False, "netsh advfirewall"),
        (None, (fx("netsh_firewall", "en_service_stopped"), 1, ""), FactState.UNKNOWN, None,
         "netsh advfirewall"),
        (None, fx("netsh_firewall", "en_service_stopped"), FactState.UNKNOWN, None,
         "netsh advfirewall"),
    ],
)  # fmt: skip
def test_firewall(
    tmp_path: Path, ps: Spec, spec: Spec, state: FactState, value: object, source: str
) -> None:
    over = {key(w.FIREWALL_PS): ps, key(w.FIREWALL): spec}
    f = facts_of(w.firewall, {**french_machine(), **over}, ctx(tmp_path))
    fact = f["firewall.enabled"]
    assert (fact.state, fact.value, fact.source) == (state, value, source)


@pytest.mark.parametrize(
    ("state_case", "search", "pending", "security", "automatic"),
    [
        ("fr_recent", fx("wu_search", "fr_security_and_driver"), 3, 2, True),
        ("fr_recent", fx("wu_search", "none"), 0, 0, True),
        ("fr_recent", fx("wu_search", "en_one_optional"), 1, 0, True),
        ("reboot_pending", fx("wu_search", "none"), 1, 0, True),  # restart to finish
        # no search for 88 days and policy off: "0 pending" proves nothing -> unknown
        ("stale_policy_off", fx("wu_search", "none"), None, None, False),
        # ...but a security update known to be missing is a finding whatever the age
        ("stale_policy_off", fx("wu_search", "fr_security_and_driver"), 3, 2, False),
        ("never_service_disabled", fx("wu_search", "none"), None, None, False),
        ("fr_recent", ("", 1, fx("wu_search", "fr_com_error")), None, None, True),
    ],
)
def test_updates(
    tmp_path: Path,
    state_case: str,
    search: Spec,
    pending: int | None,
    security: int | None,
    automatic: bool,
) -> None:
    over = {key(w.WU_STATE_PS): wjson("wu_state", state_case), key(w.WU_OFFLINE_PS): search}
    f = facts_of(w.updates, {**french_machine(), **over}, ctx(tmp_path))
    assert f["updates.pending"].value == pending
    assert f["updates.security_pending"].value == security
    assert f["updates.automatic"].value is automatic
    if pending is None:
        assert f["updates.pending"].state is FactState.UNKNOWN


def test_updates_stale_reason_says_how_long(tmp_path: Path) -> None:
    over = {key(w.WU_STATE_PS): wjson("wu_state", "stale_policy_off"),
            key(w.WU_OFFLINE_PS): fx("wu_search", "none")}  # fmt: skip
    f = facts_of(w.updates, {**french_machine(), **over}, ctx(tmp_path))
    assert f["updates.pending"].reason == (
        "Windows n'a pas cherché ses mises à jour depuis 87 jours"
    )


def test_updates_offline_search_is_cached_until_windows_searches_again(tmp_path: Path) -> None:
    c = ctx(tmp_path)
    runner = ReplayRunner(french_machine())
    with proc.use_runner(runner):
        first = {x.key: x for x in w.updates(c)}
        again = {x.key: x for x in w.updates(c)}
    assert runner.calls.count(tuple(w.WU_OFFLINE_PS)) == 1
    assert first["updates.security_pending"].value == again["updates.security_pending"].value == 2
    newer = {**french_machine(), key(w.WU_STATE_PS): wjson("wu_state", "reboot_pending")}
    runner = ReplayRunner(newer)
    with proc.use_runner(runner):
        list(w.updates(c))
    assert runner.calls.count(tuple(w.WU_OFFLINE_PS)) == 1  # Windows installed: searched again


def test_updates_without_the_state_falls_back_to_policy_and_stays_unknown(tmp_path: Path) -> None:
    over = {key(w.WU_STATE_PS): None, key(w.WU_POLICY): fx("reg_wu_au", "no_auto_update")}
    f = facts_of(w.updates, {**french_machine(), **over}, ctx(tmp_path))
    assert f["updates.automatic"].value is False
    assert f["updates.pending"].state is FactState.UNKNOWN
    assert "introuvable" in f["updates.pending"].reason


def test_updates_search_timeout_is_unknown(tmp_path: Path) -> None:
    def runner(args, timeout, env, stdin):  # type: ignore[no-untyped-def]
        if list(args) == w.WU_OFFLINE_PS:
            return proc.Completed(tuple(args), None, timed_out=True, duration_s=timeout)
        return ReplayRunner(french_machine())(args, timeout, env, stdin)

    with proc.use_runner(runner):
        f = {x.key: x for x in w.updates(ctx(tmp_path))}
    assert f["updates.pending"].state is FactState.UNKNOWN
    assert "n'a pas répondu à temps" in f["updates.pending"].reason


@pytest.mark.parametrize(
    ("os_case", "display", "release", "supported"),
    [
        ("fr_win11_25h2", "25h2", "11-25H2", True),
        ("fr_win11", "24h2", "11-24H2", False),  # Home/Pro support ended 2026-10-13
        ("en_win10", "22h2", "10", False),
        ("en_win10_ltsc", "22h2", "10-special", None),
    ],
)
def test_os_support(
    tmp_path: Path, os_case: str, display: str, release: str, supported: bool | None
) -> None:
    over = {
        key(w.OS_PS): fx("win32_os", os_case),
        key(w.DISPLAY_VERSION): fx("reg_display_version", display),
    }
    f = facts_of(w.os_support, {**french_machine(), **over}, ctx(tmp_path))
    info = f["os.support"].value
    assert isinstance(info, dict)
    assert (info["family"], info["release"], info["supported"]) == ("windows", release, supported)


@pytest.mark.parametrize(
    ("overrides", "enabled", "delay"),
    [
        ({}, True, 1800),
        ({key(w.DESKTOP): fx("reg_desktop", "secure_300")}, True, 300),
        ({key(w.CONSOLE_LOCK): fx("powercfg_consolelock", "fr_off")}, False, 0),
        ({key(w.DESKTOP_POLICY): fx("reg_desktop", "policy_900")}, True, 900),
        ({key(w.CONSOLE_LOCK): None, key(w.SLEEP_AFTER): None}, False, 0),
    ],
)
def test_screenlock(tmp_path: Path, overrides: dict[str, Spec], enabled: bool, delay: int) -> None:
    f = facts_of(w.screenlock, {**french_machine(), **overrides}, ctx(tmp_path))
    assert f["screenlock.enabled"].value is enabled
    assert f["screenlock.delay_s"].value == delay


def test_screenlock_reg_missing_is_unknown(tmp_path: Path) -> None:
    f = facts_of(w.screenlock, {**french_machine(), key(w.DESKTOP): None}, ctx(tmp_path))
    assert f["screenlock.enabled"].state is FactState.UNKNOWN


@pytest.mark.parametrize(
    ("iface", "profile", "security", "hidden"),
    [
        ("fr_wpa2", "fr_broadcast", "wpa2", False),
        ("fr_wpa2", "fr_hidden", "wpa2", True),
        ("fr_open", "fr_broadcast", "open", False),
        ("fr_wep", "fr_broadcast", "wep", False),
    ],
)
def test_wifi(tmp_path: Path, iface: str, profile: str, security: str, hidden: bool) -> None:
    over = {
        key(w.WLAN_INTERFACES): fx("netsh_wlan_interfaces", iface),
        key(w.wlan_profile("Livebox-7A2C")): fx("netsh_wlan_profile", profile),
    }
    f = facts_of(w.wifi, {**french_machine(), **over}, ctx(tmp_path))
    assert f["wifi.security"].value == security
    assert f["wifi.hidden"].value is hidden


def test_wifi_english_profile_lookup(tmp_path: Path) -> None:
    over = {
        key(w.WLAN_INTERFACES): fx("netsh_wlan_interfaces", "en_wpa3"),
        key(w.wlan_profile("CabinetInfirmier")): fx("netsh_wlan_profile", "en_hidden"),
    }
    f = facts_of(w.wifi, {**french_machine(), **over}, ctx(tmp_path))
    assert (f["wifi.security"].value, f["wifi.hidden"].value) == ("wpa3", True)


@pytest.mark.parametrize(
    ("spec", "state"),
    [
        (fx("netsh_wlan_interfaces", "fr_disconnected"), FactState.NOT_APPLICABLE),
        ((fx("netsh_wlan_interfaces", "fr_no_service"), 1, ""), FactState.NOT_APPLICABLE),
        (None, FactState.UNKNOWN),
    ],
)
def test_wifi_not_connected(tmp_path: Path, spec: Spec, state: FactState) -> None:
    f = facts_of(w.wifi, {**french_machine(), key(w.WLAN_INTERFACES): spec}, ctx(tmp_path))
    assert f["wifi.security"].state is state and f["wifi.hidden"].state is state


def test_wifi_profile_missing_leaves_hidden_unknown(tmp_path: Path) -> None:
    over: dict[str, Spec] = {
        key(w.wlan_profile("Livebox-7A2C")): (fx("netsh_wlan_profile", "en_not_found"), 1, "")
    }
    f = facts_of(w.wifi, {**french_machine(), **over}, ctx(tmp_path))
    assert f["wifi.security"].value == "wpa2"
    assert f["wifi.hidden"].state is FactState.UNKNOWN


@pytest.mark.parametrize(
    ("overrides", "state", "value"),
    [
        ({}, FactState.KNOWN, False),
        ({key(w.AUTOPLAY): fx("reg_autorun", "autoplay_off")}, FactState.KNOWN, True),
        ({key(w.AUTORUN_HKLM): fx("reg_autorun", "hklm_ff")}, FactState.KNOWN, True),
        (
            {key(w.AUTORUN_HKLM): None, key(w.AUTORUN_HKCU): None, key(w.AUTOPLAY): None},
            FactState.UNKNOWN,
            None,
        ),
    ],
)
def test_autorun(
    tmp_path: Path, overrides: dict[str, Spec], state: FactState, value: object
) -> None:
    f = facts_of(w.autorun, {**french_machine(), **overrides}, ctx(tmp_path))
    fact = f["media.autorun_disabled"]
    assert (fact.state, fact.value) == (state, value)


@pytest.mark.parametrize(
    ("case", "value"),
    [("fr_admin_filtered", True), ("en_standard", False), (None, None)],
)
def test_user_admin(tmp_path: Path, case: str | None, value: bool | None) -> None:
    spec = fx("whoami", case) if case else None
    f = facts_of(w.user_admin, {**french_machine(), key(w.WHOAMI): spec}, ctx(tmp_path))
    assert f["user.is_admin"].value is value


@pytest.mark.parametrize(
    ("spec", "value"),
    [
        (fx("net_user", "fr_required"), True),
        (fx("net_user", "fr_not_required"), False),
        ((fx("net_user", "en_not_found"), 2, ""), None),
    ],
)
def test_account_password(tmp_path: Path, spec: Spec, value: bool | None) -> None:
    over = {key(w.net_user("infirmiere")): spec}
    f = facts_of(w.account_password, {**french_machine(), **over}, ctx(tmp_path))
    assert f["account.password_set"].value is value


def test_software(tmp_path: Path) -> None:
    f = facts_of(w.software, french_machine(), ctx(tmp_path))
    assert f["password_manager.installed"].value == ["KeePassXC"]
    assert f["apps.personal"].value == ["Solitaire", "Steam"]
    assert f["apps.personal"].source == "Uninstall + Get-AppxPackage"


def test_software_without_store_apps(tmp_path: Path) -> None:
    over = {key(w.APPX_PS): None, key(w.UNINSTALL_PS): fx("uninstall", "bare")}
    f = facts_of(w.software, {**french_machine(), **over}, ctx(tmp_path))
    assert f["password_manager.installed"].value == []
    assert f["apps.personal"].value == []


def test_software_powershell_missing(tmp_path: Path) -> None:
    f = facts_of(w.software, {}, ctx(tmp_path))
    assert f["apps.personal"].state is FactState.UNKNOWN


# --- the whole audit ------------------------------------------------------------------
def test_full_audit_of_a_french_windows_machine(tmp_path: Path) -> None:
    c = ctx(tmp_path)
    base = c.home / "AppData" / "Roaming" / "Thunderbird"
    (base / "Profiles" / "q8xk2m1c.default-release").mkdir(parents=True)
    (base / "profiles.ini").write_text(fx("thunderbird", "profiles"), encoding="utf-8")
    (base / "Profiles" / "q8xk2m1c.default-release" / "prefs.js").write_text(
        fixture_text("cmd", "linux", "thunderbird", "prefs_gmail_orange_mssante.txt"),
        encoding="utf-8",
    )
    runner = ReplayRunner(french_machine())
    with proc.use_runner(runner):
        audit = run_audit(c, record=False)
    statuses = {m.measure_id: m.status for m in audit.measures}
    assert sorted(statuses) == measure_ids()
    assert all(isinstance(s, Status) for s in statuses.values())
    facts = {f.key: f for f in audit.facts}
    # Probed facts follow the fixtures.
    assert facts["disk.system_encrypted"].value is True
    assert facts["firewall.enabled"].value is True
    assert facts["wifi.security"].value == "wpa2"
    assert facts["user.is_admin"].value is True
    assert facts["updates.security_pending"].value == 2
    assert audit.measure("M13").status is Status.OK
    assert audit.measure("M05").status is Status.FAIL  # 2 security updates pending
    assert audit.measure("M06").status is Status.FAIL  # AutoPlay on for USB keys
    checks = {c.check_id: c for m in audit.measures for c in m.checks}
    assert checks["M03.antivirus"].status is Status.OK
    assert checks["M03.firewall"].status is Status.OK
    assert checks["M03.signatures"].status is Status.OK
    assert checks["M02.lock_enabled"].status is Status.OK
    assert checks["M02.lock_delay"].status is Status.WARN  # 30 min
    assert checks["M09.wifi_security"].status is Status.OK
    assert checks["M09.hidden_ssid"].status is Status.WARN
    assert checks["M08.personal_apps"].status is Status.WARN
    assert checks["M08.daily_user_not_admin"].status is Status.WARN
    assert checks["M01.account_password"].status is Status.OK
    assert checks["M01.password_manager"].status is Status.OK
    assert checks["M05.os_supported"].status is Status.OK
    assert checks["M04.webmail_accounts"].status is Status.WARN  # gmail.com, orange.fr
    # Facts only a person can tell stay questions.
    assert checks["M12.contacts_ready"].status is Status.UNKNOWN
    assert runner.calls, "the audit ran the replayed commands"
    assert all(isinstance(c, tuple) for c in runner.calls)


def test_full_audit_with_no_command_available_never_passes(tmp_path: Path) -> None:
    with proc.use_runner(ReplayRunner({})):
        audit = run_audit(ctx(tmp_path), record=False)
    probed = ["M03", "M05", "M13", "M09"]
    for mid in probed:
        assert audit.measure(mid).status in (Status.UNKNOWN, Status.NOT_APPLICABLE), mid
    facts = {f.key: f for f in audit.facts}
    assert facts["disk.system_encrypted"].state is FactState.UNKNOWN
    assert "introuvable" in facts["disk.system_encrypted"].reason


def test_reasons_are_french_and_translated(tmp_path: Path) -> None:
    from hygie.i18n import set_language

    outputs = {**french_machine(), key(w.MANAGE_BDE): None, key(w.BITLOCKER_PS): None}
    fr = facts_of(w.bitlocker, outputs, ctx(tmp_path))["disk.system_encrypted"].reason
    assert fr == "état de BitLocker : la commande manage-bde est introuvable sur cet ordinateur"
    set_language("en")
    en = facts_of(w.bitlocker, outputs, ctx(tmp_path))["disk.system_encrypted"].reason
    assert en == "BitLocker state: the command manage-bde is not available on this computer"


@pytest.mark.parametrize(
    ("mp", "state", "value"),
    [
        ("enabled", FactState.KNOWN, ["Microsoft Defender"]),
        ("passive", FactState.UNKNOWN, None),
    ],
)
def test_antivirus_without_security_center(
    tmp_path: Path, mp: str, state: FactState, value: object
) -> None:
    over = {key(w.SECURITY_CENTER_PS): None, key(w.MP_STATUS_PS): fx("mp_status", mp)}
    f = facts_of(w.antivirus, {**french_machine(), **over}, ctx(tmp_path))
    assert (f["antivirus.products"].state, f["antivirus.products"].value) == (state, value)


# --- M04 Thunderbird ------------------------------------------------------------------
def test_thunderbird_profiles_in_appdata(tmp_path: Path) -> None:
    c = ctx(tmp_path)
    base = c.home / "AppData" / "Roaming" / "Thunderbird"
    profile = base / "Profiles" / "q8xk2m1c.default-release"
    profile.mkdir(parents=True)
    (base / "profiles.ini").write_text(fx("thunderbird", "profiles"), encoding="utf-8")
    prefs = fixture_text("cmd", "linux", "thunderbird", "prefs_gmail_orange_mssante.txt")
    (profile / "prefs.js").write_text(prefs, encoding="utf-8")
    f = facts_of(w.thunderbird, {}, c)
    assert f["mail.webmail_accounts"].value == ["gmail.com", "orange.fr"]


def test_no_thunderbird_means_no_webmail_account(tmp_path: Path) -> None:
    f = facts_of(w.thunderbird, {}, ctx(tmp_path))
    assert f["mail.webmail_accounts"].state is FactState.KNOWN
    assert f["mail.webmail_accounts"].value == []


def test_one_powershell_start_serves_five_facts(tmp_path: Path) -> None:
    """The snapshot answers BitLocker, Defender, Security Center, firewall and version in one
    start; a failed section (BitLocker without admin rights) falls back on its own."""
    c = ctx(tmp_path)
    runner = ReplayRunner(snapshot_machine())
    with proc.use_runner(runner):
        facts = {}
        for fn in (w.bitlocker, w.antivirus, w.firewall, w.os_support):
            facts.update({f.key: f for f in fn(c)})
    assert runner.calls.count(tuple(w.SNAPSHOT_PS)) == 1
    for single in (w.MP_STATUS_PS, w.SECURITY_CENTER_PS, w.FIREWALL_PS, w.OS_PS, w.BITLOCKER_PS):
        assert tuple(single) not in runner.calls
    assert tuple(w.MANAGE_BDE) in runner.calls  # the denied section's own fallback
    assert facts["disk.system_encrypted"].value is True
    assert facts["firewall.enabled"].source == "Get-NetFirewallProfile"
    assert facts["antivirus.realtime"].value is True


def test_snapshot_sections_in_error_fall_back_alone(tmp_path: Path) -> None:
    over = {
        key(w.SNAPSHOT_PS): wjson("snapshot", "admin_suspended_fw_error"),
        key(w.FIREWALL_PS): None,
    }
    runner = ReplayRunner({**snapshot_machine(), **over})
    c = ctx(tmp_path)
    with proc.use_runner(runner):
        enc = {f.key: f for f in w.bitlocker(c)}["disk.system_encrypted"]
        fw = {f.key: f for f in w.firewall(c)}["firewall.enabled"]
    assert enc.value == "suspended" and enc.source == "Get-BitLockerVolume"
    assert (fw.value, fw.source) == (True, "netsh advfirewall")  # the French netsh fallback
    broken = {**snapshot_machine(), key(w.SNAPSHOT_PS): "Get-Date : not JSON"}
    with proc.use_runner(ReplayRunner(broken)):
        fact = {f.key: f for f in w.os_support(ctx(tmp_path))}["os.support"]
    assert fact.state is FactState.KNOWN  # its own command answered
