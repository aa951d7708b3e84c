"""macOS providers run on replayed command outputs, then the whole audit of a Mac
(tests/fixtures/cmd/darwin/)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path

import pytest

from hygie import proc
from hygie.audit.context import ProbeContext
from hygie.audit.model import Fact, FactState, Status
from hygie.audit.probes import darwin as d
from hygie.audit.runner import run_audit
from tests.helpers import ReplayRunner, fixture_text, measure_ids
from tests.machines import mac_machine_outputs

Spec = tuple[str, int, str] | str | None
NOW = dt.datetime(2026, 11, 29, 9, 0, tzinfo=dt.UTC)


def fx(probe: str, case: str) -> str:
    return fixture_text("cmd", "darwin", probe, f"{case}.txt")


def key(argv: list[str]) -> str:
    return " ".join(argv)


def mac_machine() -> dict[str, Spec]:
    """A MacBook on macOS 15 in a practice (tests/machines.py)."""
    return {key(list(argv)): spec for argv, spec in mac_machine_outputs().items()}


def make_ctx(tmp_path: Path, apps: str | None = "typical") -> ProbeContext:
    root = tmp_path / "root"
    home = tmp_path / "home"
    home.mkdir(parents=True)
    if apps is not None:
        folder = root / "Applications"
        folder.mkdir(parents=True)
        for name in fx("applications", apps).splitlines():
            (folder / name).mkdir()
    return ProbeContext(platform="darwin", root=root, home=home, user="claire", now=NOW)


def facts_of(fn: object, outputs: Mapping[str, Spec], c: ProbeContext) -> dict[str, Fact]:
    with proc.use_runner(ReplayRunner(outputs)):
        return {f.key: f for f in fn(c)}  # type: ignore[operator]


@pytest.mark.parametrize(
    ("spec", "state", "value"),
    [
        (fx("fdesetup", "on"), FactState.KNOWN, True),
        (fx("fdesetup", "off"), FactState.KNOWN, False),
        (fx("fdesetup", "encrypting"), FactState.KNOWN, False),
        (None, FactState.UNKNOWN, None),
        ("garbage\n", FactState.UNKNOWN, None),
    ],
)
def test_filevault(tmp_path: Path, spec: Spec, state: FactState, value: object) -> None:
    f = facts_of(d.filevault, {**mac_machine(), key(d.FDESETUP): spec}, make_ctx(tmp_path))
    assert (f["disk.system_encrypted"].state, f["disk.system_encrypted"].value) == (state, value)
    if state is FactState.UNKNOWN:
        assert f["disk.system_encrypted"].reason.startswith("état de FileVault")


@pytest.mark.parametrize(
    ("history", "apps", "products", "age"),
    [
        ("recent", "typical", ["XProtect"], 2),
        ("old", "clean", ["XProtect"], 108),
    ],
)
def test_antivirus(tmp_path: Path, history: str, apps: str, products: list[str], age: int) -> None:
    over = {key(d.INSTALL_HISTORY): fx("install_history", history)}
    f = facts_of(d.antivirus, {**mac_machine(), **over}, make_ctx(tmp_path, apps))
    assert f["antivirus.products"].value == products
    assert f["antivirus.signature_age_days"].value == age
    assert f["antivirus.realtime"].state is FactState.NOT_APPLICABLE


def test_antivirus_third_party_app_and_no_history(tmp_path: Path) -> None:
    c = make_ctx(tmp_path, "clean")
    (c.fs("/Applications") / "Bitdefender.app").mkdir()
    f = facts_of(d.antivirus, {**mac_machine(), key(d.INSTALL_HISTORY): None}, c)
    assert f["antivirus.products"].value == ["Bitdefender"]
    assert f["antivirus.signature_age_days"].state is FactState.UNKNOWN
    assert "introuvable" in f["antivirus.signature_age_days"].reason


def test_antivirus_bundle_without_history(tmp_path: Path) -> None:
    c = make_ctx(tmp_path, "clean")
    c.fs(d.XPROTECT_BUNDLE).mkdir(parents=True)
    f = facts_of(d.antivirus, {**mac_machine(), key(d.INSTALL_HISTORY): ("", 1, "")}, c)
    assert f["antivirus.products"].value == ["XProtect"]
    assert f["antivirus.signature_age_days"].state is FactState.UNKNOWN


@pytest.mark.parametrize(
    ("spec", "value"),
    [
        (fx("socketfilterfw", "enabled"), True),
        (fx("socketfilterfw", "block_all"), True),
        (fx("socketfilterfw", "disabled"), False),
        (None, None),
    ],
)
def test_firewall(tmp_path: Path, spec: Spec, value: bool | None) -> None:
    f = facts_of(d.firewall, {**mac_machine(), key(d.SOCKETFILTERFW): spec}, make_ctx(tmp_path))
    assert f["firewall.enabled"].value is value


@pytest.mark.parametrize(
    ("su", "prefs", "pending", "security", "automatic"),
    [
        (("", 0, fx("softwareupdate", "none_stderr")), fx("su_prefs", "auto_on"), 0, 0, True),
        (fx("softwareupdate", "pending_security"), fx("su_prefs", "auto_off"), 3, 2, False),
        (fx("softwareupdate", "pending_other"), fx("su_prefs", "auto_on"), 1, 0, True),
        (
            ("", 1, fx("softwareupdate", "offline_stderr")),
            ("", 1, fx("su_prefs", "not_exist_stderr")),
            None,
            None,
            False,
        ),
    ],
)
def test_updates(
    tmp_path: Path,
    su: Spec,
    prefs: Spec,
    pending: int | None,
    security: int | None,
    automatic: bool,
) -> None:
    over = {key(d.SOFTWAREUPDATE): su, key(d.SU_PREFS): prefs}
    f = facts_of(d.updates, {**mac_machine(), **over}, make_ctx(tmp_path))
    assert f["updates.pending"].value == pending
    assert f["updates.security_pending"].value == security
    assert f["updates.automatic"].value is automatic


@pytest.mark.parametrize(
    ("case", "release", "supported"),
    [("sequoia", "15", True), ("tahoe", "26", True), ("monterey", "12", False)],
)
def test_os_support(tmp_path: Path, case: str, release: str, supported: bool) -> None:
    f = facts_of(
        d.os_support, {**mac_machine(), key(d.SW_VERS): fx("sw_vers", case)}, make_ctx(tmp_path)
    )
    info = f["os.support"].value
    assert isinstance(info, dict)
    assert (info["family"], info["release"], info["supported"]) == ("macos", release, supported)


@pytest.mark.parametrize(
    ("lock", "idle", "pmset", "enabled", "delay"),
    [
        ("immediate_stderr", fx("screensaver_idle", "300"), fx("pmset", "display_10"), True, 300),
        (
            "delay_5s_stderr",
            ("", 1, fx("screensaver_idle", "not_exist_stderr")),
            fx("pmset", "display_10"),
            True,
            605,
        ),
        ("off_stderr", fx("screensaver_idle", "300"), fx("pmset", "display_10"), False, 0),
        (
            "immediate_stderr",
            ("", 1, fx("screensaver_idle", "not_exist_stderr")),
            fx("pmset", "display_never"),
            False,
            0,
        ),
    ],
)
def test_screenlock(
    tmp_path: Path, lock: str, idle: Spec, pmset: Spec, enabled: bool, delay: int
) -> None:
    over = {
        key(d.SCREENLOCK): ("", 0, fx("sysadminctl", lock)),
        key(d.IDLE_TIME): idle,
        key(d.PMSET): pmset,
    }
    f = facts_of(d.screenlock, {**mac_machine(), **over}, make_ctx(tmp_path))
    assert f["screenlock.enabled"].value is enabled
    assert f["screenlock.delay_s"].value == delay


def test_screenlock_without_sysadminctl(tmp_path: Path) -> None:
    f = facts_of(d.screenlock, {**mac_machine(), key(d.SCREENLOCK): None}, make_ctx(tmp_path))
    assert f["screenlock.enabled"].state is FactState.UNKNOWN
    assert "sysadminctl" in f["screenlock.enabled"].reason


@pytest.mark.parametrize(
    ("case", "state", "value"),
    [
        ("wpa2", FactState.KNOWN, "wpa2"),
        ("wpa3", FactState.KNOWN, "wpa3"),
        ("open", FactState.KNOWN, "open"),
        ("off", FactState.NOT_APPLICABLE, None),
    ],
)
def test_wifi(tmp_path: Path, case: str, state: FactState, value: str | None) -> None:
    f = facts_of(d.wifi, {**mac_machine(), key(d.AIRPORT): fx("airport", case)}, make_ctx(tmp_path))
    assert (f["wifi.security"].state, f["wifi.security"].value) == (state, value)


def test_autorun_not_applicable(tmp_path: Path) -> None:
    f = facts_of(d.autorun, {}, make_ctx(tmp_path))
    assert f["media.autorun_disabled"].state is FactState.NOT_APPLICABLE


@pytest.mark.parametrize(("case", "value"), [("admin", True), ("standard", False), (None, None)])
def test_user_admin(tmp_path: Path, case: str | None, value: bool | None) -> None:
    spec = fx("id_groups", case) if case else None
    over = {key(d.id_groups("claire")): spec}
    f = facts_of(d.user_admin, {**mac_machine(), **over}, make_ctx(tmp_path))
    assert f["user.is_admin"].value is value


@pytest.mark.parametrize(
    ("apps", "managers", "personal"),
    [("typical", ["1Password"], ["Discord", "Spotify"]), ("clean", ["Bitwarden"], [])],
)
def test_software(tmp_path: Path, apps: str, managers: list[str], personal: list[str]) -> None:
    f = facts_of(d.software, {}, make_ctx(tmp_path, apps))
    assert f["password_manager.installed"].value == managers
    assert f["apps.personal"].value == personal


def test_software_user_applications_folder(tmp_path: Path) -> None:
    c = make_ctx(tmp_path, None)
    (c.home / "Applications" / "Steam.app").mkdir(parents=True)
    f = facts_of(d.software, {}, c)
    assert f["apps.personal"].value == ["Steam"]


def test_software_no_folder_is_unknown(tmp_path: Path) -> None:
    f = facts_of(d.software, {}, make_ctx(tmp_path, None))
    assert f["apps.personal"].state is FactState.UNKNOWN


# --- the whole audit ------------------------------------------------------------------
def test_full_audit_of_a_mac(tmp_path: Path) -> None:
    runner = ReplayRunner(mac_machine())
    with proc.use_runner(runner):
        audit = run_audit(make_ctx(tmp_path), record=False)
    statuses = {m.measure_id: m.status for m in audit.measures}
    assert sorted(statuses) == measure_ids()
    assert all(isinstance(s, Status) for s in statuses.values())
    checks = {c.check_id: c for m in audit.measures for c in m.checks}
    assert audit.measure("M13").status is Status.OK
    assert audit.measure("M03").status is Status.FAIL  # firewall off
    assert checks["M03.antivirus"].status is Status.OK
    assert checks["M03.signatures"].status is Status.OK
    assert checks["M03.realtime"].status is Status.NOT_APPLICABLE
    assert checks["M05.pending_updates"].status is Status.OK
    assert checks["M05.automatic_updates"].status is Status.OK
    assert checks["M05.os_supported"].status is Status.OK
    assert checks["M02.lock_enabled"].status is Status.OK
    assert checks["M02.lock_delay"].status is Status.OK
    assert checks["M06.autorun_disabled"].status is Status.NOT_APPLICABLE
    assert checks["M09.wifi_security"].status is Status.OK
    assert checks["M08.personal_apps"].status is Status.WARN
    assert checks["M08.daily_user_not_admin"].status is Status.WARN
    assert checks["M01.password_manager"].status is Status.OK
    assert checks["M04.webmail_accounts"].status is Status.OK  # no Thunderbird here
    # Left to the questionnaire on macOS.
    for cid in ("M01.account_password", "M09.hidden_ssid"):
        assert checks[cid].status is Status.UNKNOWN
        assert "questionnaire" in checks[cid].evidence


def test_full_audit_of_a_mac_with_nothing_available(tmp_path: Path) -> None:
    with proc.use_runner(ReplayRunner({})):
        audit = run_audit(make_ctx(tmp_path, None), record=False)
    for mid in ("M03", "M05", "M13", "M09", "M02"):
        assert audit.measure(mid).status in (Status.UNKNOWN, Status.NOT_APPLICABLE), mid


# --- M04 Thunderbird ------------------------------------------------------------------
def test_thunderbird_profiles_in_library(tmp_path: Path) -> None:
    c = make_ctx(tmp_path)
    base = c.home / "Library" / "Thunderbird"
    profile = base / "Profiles" / "q8xk2m1c.default-release"
    profile.mkdir(parents=True)
    (base / "profiles.ini").write_text(fx("thunderbird", "profiles"), encoding="utf-8")
    prefs = fixture_text("cmd", "linux", "thunderbird", "prefs_two_gmail_hostname_only.txt")
    (profile / "prefs.js").write_text(prefs, encoding="utf-8")
    f = facts_of(d.thunderbird, {}, c)
    assert f["mail.webmail_accounts"].state is FactState.KNOWN
    assert f["mail.webmail_accounts"].value == ["gmail.com", "gmail.com"]


def test_unreadable_thunderbird_profile_is_unknown(tmp_path: Path) -> None:
    c = make_ctx(tmp_path)
    base = c.home / "Library" / "Thunderbird"
    base.mkdir(parents=True)
    (base / "profiles.ini").mkdir()  # a folder where a file should be: reading fails
    f = facts_of(d.thunderbird, {}, c)
    assert f["mail.webmail_accounts"].state is FactState.UNKNOWN
    assert f["mail.webmail_accounts"].reason == "profils Thunderbird illisibles"


def test_unreadable_install_history_never_means_no_antivirus(tmp_path: Path) -> None:
    """XProtect ships with every macOS: without a readable history (or its bundle) hygie
    cannot say "no antivirus"."""
    c = make_ctx(tmp_path, apps="typical")
    f = facts_of(d.antivirus, {**mac_machine(), key(d.INSTALL_HISTORY): "{garbage"}, c)
    assert f["antivirus.products"].state is FactState.UNKNOWN
    assert (
        f["antivirus.products"].reason
        == "mises à jour de XProtect : réponse de la commande non reconnue"
    )
    f = facts_of(d.antivirus, {**mac_machine(), key(d.INSTALL_HISTORY): None}, c)
    assert f["antivirus.products"].state is FactState.UNKNOWN


def test_software_update_prefs_that_are_not_a_dictionary_are_unknown(tmp_path: Path) -> None:
    f = facts_of(d.updates, {**mac_machine(), key(d.SU_PREFS): "garbage\n"}, make_ctx(tmp_path))
    assert f["updates.automatic"].state is FactState.UNKNOWN
    f = facts_of(d.updates, mac_machine(), make_ctx(tmp_path / "b"))
    assert f["updates.automatic"].state is FactState.KNOWN
