"""The Linux providers, run against recorded outputs (ReplayRunner) and a fake root tree."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from pathlib import Path

import pytest

from hygie import proc
from hygie.audit import registry, runner
from hygie.audit.context import ProbeContext
from hygie.audit.model import Fact, FactState
from hygie.audit.probes import linux
from hygie.paths import get_paths
from tests.helpers import ReplayRunner, fixture_text

NOW = dt.datetime(2026, 11, 29, 10, 0, tzinfo=dt.UTC)
USER = "infirmiere"
DESKTOP_VARS = ("XDG_CURRENT_DESKTOP", "XDG_SESSION_DESKTOP", "DESKTOP_SESSION")
Outputs = Mapping[str, tuple[str, int, str] | str | None]


def fx(probe: str, case: str) -> str:
    return fixture_text("cmd", "linux", probe, f"{case}.txt")


@pytest.fixture(autouse=True)
def no_desktop_session(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in DESKTOP_VARS:
        monkeypatch.delenv(var, raising=False)


class Machine:
    """A fake root and home in tmp_path."""

    def __init__(self, tmp_path: Path) -> None:
        self.root = tmp_path / "root"
        self.home = tmp_path / "home" / USER
        self.root.mkdir()
        self.home.mkdir(parents=True)

    def file(self, path: str, text: str = "") -> Path:
        p = self.root / path.lstrip("/")
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
        return p

    def home_file(self, rel: str, text: str = "") -> Path:
        p = self.home / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
        return p

    def ctx(self) -> ProbeContext:
        return ProbeContext(
            platform="linux",
            paths=get_paths(),
            root=self.root,
            home=self.home,
            user=USER,
            now=NOW,
        )


@pytest.fixture
def machine(tmp_path: Path) -> Machine:
    return Machine(tmp_path)


def run(fn: registry.ProviderFn, m: Machine, outputs: Outputs) -> dict[str, Fact]:
    rr = ReplayRunner(outputs)
    with proc.use_runner(rr):
        return {f.key: f for f in fn(m.ctx())}


# --- updates --------------------------------------------------------------------------
LISTS = "/var/lib/apt/lists/deb.debian.org_debian-security_dists_bookworm-security_"


def apt_lists(m: Machine, days_old: int = 0) -> None:
    """Package lists as ``apt update`` leaves them, downloaded ``days_old`` days ago."""
    ts = (NOW - dt.timedelta(days=days_old)).timestamp()
    for name in ("InRelease", "main_binary-amd64_Packages.lz4"):
        os.utime(m.file(LISTS + name, "x"), (ts, ts))
    m.file("/var/lib/apt/lists/lock")


def test_apt_updates_counted_and_cached(machine: Machine) -> None:
    machine.file("/var/lib/dpkg/status", "Package: bash\n")
    apt_lists(machine)
    outputs = {"apt": fx("apt_upgradable", "debian12_pending")}
    rr = ReplayRunner(outputs)
    with proc.use_runner(rr):
        first = {f.key: f for f in linux.pending_updates(machine.ctx())}
        second = {f.key: f for f in linux.pending_updates(machine.ctx())}
    assert first["updates.pending"].value == 126
    assert first["updates.security_pending"].value == 83
    assert second == first
    assert [c for c in rr.calls if c[0] == "apt"] == [("apt", "list", "--upgradable")]
    # installing a package rewrites dpkg's status: the cached answer is not used any more
    status = machine.root / "var/lib/dpkg/status"
    os.utime(status, ns=(1, 1))
    with proc.use_runner(rr):
        list(linux.pending_updates(machine.ctx()))
    assert len([c for c in rr.calls if c[0] == "apt"]) == 2


def test_apt_lists_never_downloaded(machine: Machine) -> None:
    facts = run(linux.pending_updates, machine, {"apt": fx("apt_upgradable", "up_to_date")})
    assert facts["updates.pending"].state is FactState.UNKNOWN
    assert "apt update" in facts["updates.security_pending"].reason


@pytest.mark.parametrize(
    ("case", "pending", "security"),
    [("up_to_date", 0, None), ("ubuntu2404_security", 5, 3)],
)
def test_apt_stale_lists(machine: Machine, case: str, pending: int, security: int | None) -> None:
    apt_lists(machine, days_old=40)
    facts = run(linux.pending_updates, machine, {"apt": fx("apt_upgradable", case)})
    assert facts["updates.pending"].value == pending
    fact = facts["updates.security_pending"]
    assert fact.value == security
    if security is None:  # nothing found in 40-day-old lists is not "up to date"
        assert fact.state is FactState.UNKNOWN and "40 jours" in fact.reason


def test_apt_failure_is_unknown(machine: Machine) -> None:
    facts = run(linux.pending_updates, machine, {"apt": ("", 100, "E: Could not open lock file")})
    assert facts["updates.pending"].state is FactState.UNKNOWN
    assert "apt" in facts["updates.security_pending"].reason


def test_dnf_updates(machine: Machine) -> None:
    facts = run(
        linux.pending_updates,
        machine,
        {
            "dnf": ("", 1, "unexpected dnf call"),
            "dnf -q -C check-update": (fx("dnf", "check_update_pending"), 100, ""),
            "dnf -q -C check-update --security": (fx("dnf", "check_update_security"), 100, ""),
        },
    )
    assert facts["updates.pending"].value == 3
    assert facts["updates.security_pending"].value == 1


def test_no_package_manager(machine: Machine) -> None:
    facts = run(linux.pending_updates, machine, {})
    assert facts["updates.pending"].state is FactState.UNKNOWN
    assert "apt" in facts["updates.pending"].reason


@pytest.mark.parametrize(
    ("config", "binary", "timer", "expected"),
    [
        ("unattended_enabled", True, "enabled", True),
        ("unattended_enabled", True, None, True),  # no systemd to ask: config decides
        ("unattended_enabled", True, "disabled", False),
        ("unattended_enabled", False, "enabled", False),  # unattended-upgrades missing
        ("debian12_default", True, "enabled", False),
    ],
)
def test_apt_automatic_updates(
    machine: Machine, config: str, binary: bool, timer: str | None, expected: bool
) -> None:
    if binary:
        machine.file("/usr/bin/unattended-upgrade")
    outputs: dict[str, tuple[str, int, str] | str | None] = {"apt-config": fx("apt_config", config)}
    if timer is None:
        outputs["systemctl"] = ("", 1, fx("systemctl", "no_systemd"))
    else:
        outputs["systemctl"] = (timer + "\n", 0 if timer == "enabled" else 1, "")
    facts = run(linux.automatic_updates, machine, outputs)
    assert facts["updates.automatic"].value is expected


def test_dnf_automatic(machine: Machine) -> None:
    machine.file("/etc/dnf/automatic.conf", "[commands]\napply_updates = yes\n")
    outputs = {
        "dnf": "",
        "systemctl is-enabled dnf-automatic.timer": ("enabled\n", 0, ""),
        "systemctl is-enabled dnf-automatic-install.timer": ("disabled\n", 1, ""),
        "systemctl is-enabled dnf5-automatic.timer": (
            "",
            1,
            "Failed to get unit file state for dnf5-automatic.timer: No such file or directory",
        ),
    }
    assert run(linux.automatic_updates, machine, outputs)["updates.automatic"].value is True
    machine.file("/etc/dnf/automatic.conf", "[commands]\napply_updates = no\n")
    assert run(linux.automatic_updates, machine, outputs)["updates.automatic"].value is False


# --- disk -----------------------------------------------------------------------------
LSBLK = "lsblk -J -o NAME,TYPE,FSTYPE,MOUNTPOINTS"
LSBLK_OLD = "lsblk -J -o NAME,TYPE,FSTYPE,MOUNTPOINT"


@pytest.mark.parametrize(
    ("outputs", "state", "value"),
    [
        ({LSBLK: fx("lsblk", "luks_lvm")}, FactState.KNOWN, True),
        ({LSBLK: fx("lsblk", "debian12_vm_plain")}, FactState.KNOWN, False),
        ({LSBLK: fx("lsblk", "luks_root_plain_home")}, FactState.KNOWN, False),
        (
            {
                LSBLK: ("", 1, fx("lsblk", "old_lsblk_error")),
                LSBLK_OLD: fx("lsblk", "old_mountpoint_luks"),
            },
            FactState.KNOWN,
            True,
        ),
        ({LSBLK: fx("lsblk", "container_no_root")}, FactState.UNKNOWN, None),
        ({LSBLK: fx("lsblk", "garbage")}, FactState.UNKNOWN, None),
        ({}, FactState.UNKNOWN, None),
    ],
)
def test_disk_encryption(
    machine: Machine, outputs: Outputs, state: FactState, value: bool | None
) -> None:
    fact = run(linux.disk_encryption, machine, outputs)["disk.system_encrypted"]
    assert (fact.state, fact.value) == (state, value)
    assert fact.is_known or fact.reason


# --- firewall -------------------------------------------------------------------------
SYSTEMCTL_FW = "systemctl is-active ufw firewalld nftables"


def test_ufw_enabled_and_running(machine: Machine) -> None:
    machine.file("/etc/ufw/ufw.conf", fx("firewall", "ufw_enabled"))
    facts = run(linux.firewall, machine, {SYSTEMCTL_FW: ("active\ninactive\ninactive\n", 3, "")})
    assert facts["firewall.enabled"].value is True
    assert facts["firewall.enabled"].source == "ufw"


def test_ufw_disabled_without_nft_is_off(machine: Machine) -> None:
    machine.file("/etc/ufw/ufw.conf", fx("firewall", "ufw_disabled"))
    facts = run(linux.firewall, machine, {SYSTEMCTL_FW: ("inactive\ninactive\ninactive\n", 3, "")})
    assert facts["firewall.enabled"].state is FactState.KNOWN
    assert facts["firewall.enabled"].value is False


def test_nft_permission_denied_is_unknown(machine: Machine) -> None:
    machine.file("/etc/ufw/ufw.conf", fx("firewall", "ufw_disabled"))
    facts = run(
        linux.firewall,
        machine,
        {
            SYSTEMCTL_FW: ("inactive\ninactive\ninactive\n", 3, ""),
            "nft": ("", 1, fx("firewall", "nft_permission_denied")),
        },
    )
    fact = facts["firewall.enabled"]
    assert fact.state is FactState.UNKNOWN
    assert "administrateur" in fact.reason
    assert fact.askable


def test_nftables_service_with_rules(machine: Machine) -> None:
    machine.file("/etc/nftables.conf", fx("firewall", "nftables_drop_input"))
    facts = run(linux.firewall, machine, {SYSTEMCTL_FW: ("inactive\ninactive\nactive\n", 3, "")})
    assert facts["firewall.enabled"].value is True
    assert facts["firewall.enabled"].source == "nftables"


def test_nft_ruleset_as_root(machine: Machine) -> None:
    outputs = {
        SYSTEMCTL_FW: ("inactive\ninactive\ninactive\n", 3, ""),
        "nft": fx("firewall", "nft_ruleset_docker_only"),
    }
    assert run(linux.firewall, machine, outputs)["firewall.enabled"].value is False


def test_firewalld_running(machine: Machine) -> None:
    outputs = {
        SYSTEMCTL_FW: ("inactive\nactive\ninactive\n", 3, ""),
        "firewall-cmd": fx("firewall", "firewalld_running"),
    }
    facts = run(linux.firewall, machine, outputs)
    assert facts["firewall.enabled"].value is True


def test_no_systemd_no_firewall_no_nft_is_unknown(machine: Machine) -> None:
    outputs = {"systemctl": ("", 1, fx("systemctl", "no_systemd"))}
    fact = run(linux.firewall, machine, outputs)["firewall.enabled"]
    assert fact.state is FactState.UNKNOWN
    assert fact.reason


# --- screen lock and media (desktop) ----------------------------------------------------
GS = "gsettings list-recursively "


def test_no_desktop_is_not_applicable(machine: Machine) -> None:
    facts = run(linux.screenlock, machine, {"gsettings": "should not be called"})
    facts.update(run(linux.media_autorun, machine, {}))
    for key in ("screenlock.enabled", "screenlock.delay_s", "media.autorun_disabled"):
        assert facts[key].state is FactState.NOT_APPLICABLE
        assert facts[key].reason == "pas de bureau graphique"


@pytest.mark.parametrize(
    ("screensaver", "session", "enabled", "delay"),
    [
        ("screensaver_default", "session_default", True, 300),
        ("screensaver_default", "session_15min", True, 900),
        ("screensaver_lock_off", "session_default", False, 300),
    ],
)
def test_gnome_screenlock(
    machine: Machine,
    monkeypatch: pytest.MonkeyPatch,
    screensaver: str,
    session: str,
    enabled: bool,
    delay: int,
) -> None:
    monkeypatch.setenv("XDG_CURRENT_DESKTOP", "ubuntu:GNOME")
    outputs = {
        GS + "org.gnome.desktop.screensaver": fx("gsettings", screensaver),
        GS + "org.gnome.desktop.session": fx("gsettings", session),
    }
    facts = run(linux.screenlock, machine, outputs)
    assert facts["screenlock.enabled"].value is enabled
    assert facts["screenlock.delay_s"].value == delay


def test_gnome_installed_but_settings_unreadable(machine: Machine) -> None:
    machine.file("/usr/bin/gnome-shell")  # outside the session (cron, ssh): installed shell
    outputs = {"gsettings": ("true\n", 0, fx("gsettings", "memory_backend_stderr"))}
    facts = run(linux.screenlock, machine, outputs)
    assert facts["screenlock.enabled"].state is FactState.UNKNOWN
    assert facts["screenlock.enabled"].askable
    outputs = {"gsettings": ("", 1, fx("gsettings", "no_schema_stderr"))}
    facts = run(linux.media_autorun, machine, outputs)
    assert facts["media.autorun_disabled"].state is FactState.UNKNOWN
    assert "gsettings" in facts["media.autorun_disabled"].reason


def test_kde_screenlock_and_media(machine: Machine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CURRENT_DESKTOP", "KDE")
    machine.home_file(".config/kscreenlockerrc", fx("kde", "kscreenlockerrc_custom_10min"))
    machine.home_file(".config/kded_device_automounterrc", fx("kde", "automounter_on_plug"))
    facts = run(linux.screenlock, machine, {})
    facts.update(run(linux.media_autorun, machine, {}))
    assert facts["screenlock.enabled"].value is True
    assert facts["screenlock.delay_s"].value == 630
    assert facts["media.autorun_disabled"].value is False


def test_gnome_media(machine: Machine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CURRENT_DESKTOP", "GNOME")
    outputs = {GS + "org.gnome.desktop.media-handling": fx("gsettings", "media_hardened")}
    assert run(linux.media_autorun, machine, outputs)["media.autorun_disabled"].value is True


def test_other_desktop_is_askable_unknown(
    machine: Machine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CURRENT_DESKTOP", "XFCE")
    fact = run(linux.screenlock, machine, {})["screenlock.enabled"]
    assert fact.state is FactState.UNKNOWN and fact.askable
    assert "xfce" in fact.reason


# --- Wi-Fi ----------------------------------------------------------------------------
NM_DEV = "nmcli -t -f ACTIVE,SSID,SECURITY dev wifi list --rescan no"
NM_ACTIVE = "nmcli -t -f UUID,TYPE,DEVICE connection show --active"
NM_CON = (
    "nmcli -t -f 802-11-wireless.hidden,802-11-wireless-security.key-mgmt connection show "
    "3f1c9a7e-2b4d-4e61-9c2a-7d5e8b0f1a23"
)


def with_wifi(m: Machine) -> None:
    (m.root / "sys/class/net/wlp2s0/wireless").mkdir(parents=True)
    (m.root / "sys/class/net/lo").mkdir(parents=True)


def test_no_wifi_interface(machine: Machine) -> None:
    (machine.root / "sys/class/net/eth0").mkdir(parents=True)
    facts = run(linux.wifi, machine, {})
    assert facts["wifi.security"].state is FactState.NOT_APPLICABLE
    assert facts["wifi.hidden"].reason


def test_wifi_without_nmcli_is_unknown(machine: Machine) -> None:
    with_wifi(machine)
    fact = run(linux.wifi, machine, {})["wifi.security"]
    assert fact.state is FactState.UNKNOWN
    assert "nmcli" in fact.reason


@pytest.mark.parametrize(
    ("dev", "con", "security", "hidden"),
    [
        ("dev_wifi_wpa3", "con_fields_sae", "wpa3", False),
        ("dev_wifi_transition", "con_fields_psk", "wpa2", False),
        ("dev_wifi_open", "con_fields_open", "open", False),
        ("dev_wifi_wep", "con_fields_wep", "wep", False),
        ("dev_wifi_hidden", "con_fields_hidden_psk", "wpa2", True),
    ],
)
def test_wifi_connected(machine: Machine, dev: str, con: str, security: str, hidden: bool) -> None:
    with_wifi(machine)
    outputs = {
        NM_DEV: fx("nmcli", dev),
        NM_ACTIVE: fx("nmcli", "con_active_wifi"),
        NM_CON: fx("nmcli", con),
    }
    facts = run(linux.wifi, machine, outputs)
    assert facts["wifi.security"].value == security
    assert facts["wifi.hidden"].value is hidden


def test_wifi_not_connected(machine: Machine) -> None:
    with_wifi(machine)
    facts = run(linux.wifi, machine, {NM_DEV: fx("nmcli", "dev_wifi_not_connected")})
    assert facts["wifi.security"].state is FactState.NOT_APPLICABLE
    assert facts["wifi.hidden"].state is FactState.NOT_APPLICABLE


def test_wifi_radio_off_error(machine: Machine) -> None:
    with_wifi(machine)
    facts = run(linux.wifi, machine, {NM_DEV: ("", 10, fx("nmcli", "dev_wifi_disabled_error"))})
    assert facts["wifi.security"].state is FactState.UNKNOWN
    assert "nmcli" in facts["wifi.security"].reason


# --- software -------------------------------------------------------------------------
def test_software_inventory(machine: Machine) -> None:
    machine.file(
        "/usr/share/applications/org.keepassxc.KeePassXC.desktop",
        fx("desktop_entries", "org.keepassxc.KeePassXC.desktop"),
    )
    machine.file(
        "/var/lib/snapd/desktop/applications/telegram-desktop_telegram-desktop.desktop",
        "[Desktop Entry]\nName=Telegram Desktop\n",
    )
    machine.home_file(
        ".local/share/applications/steam.desktop", fx("desktop_entries", "steam.desktop")
    )
    (machine.root / "var/lib/flatpak/app/com.spotify.Client").mkdir(parents=True)
    machine.file("/var/lib/dpkg/status")
    facts = run(linux.software, machine, {"dpkg-query": "ii  clamav\nrc  discord\nii  bash\n"})
    assert facts["password_manager.installed"].value == ["KeePassXC"]
    assert facts["apps.personal"].value == ["Spotify", "Steam", "Telegram"]
    assert facts["antivirus.products"].value == ["ClamAV"]


def test_software_none(machine: Machine) -> None:
    facts = run(linux.software, machine, {})
    assert facts["password_manager.installed"].value == []
    assert facts["antivirus.products"].value == []


# --- antivirus ------------------------------------------------------------------------
def test_clamav_signatures_and_realtime(machine: Machine) -> None:
    machine.file("/var/lib/clamav/daily.cld", fx("clamav", "daily_cvd"))
    machine.file("/var/lib/clamav/main.cvd", fx("clamav", "main_cvd"))
    machine.file("/var/lib/clamav/bytecode.cvd", fx("clamav", "not_a_cvd"))
    machine.file("/proc/1/comm", "systemd\n")
    machine.file("/proc/812/comm", "clamonacc\n")
    machine.file("/proc/self/comm", "python\n")
    facts = run(linux.antivirus, machine, {})
    assert facts["antivirus.signature_age_days"].value == 2
    assert facts["antivirus.realtime"].value is True


def test_clamav_without_database(machine: Machine) -> None:
    machine.file("/usr/bin/clamscan")
    facts = run(linux.antivirus, machine, {})
    assert facts["antivirus.signature_age_days"].state is FactState.UNKNOWN
    assert "freshclam" in facts["antivirus.signature_age_days"].reason
    assert facts["antivirus.realtime"].state is FactState.NOT_APPLICABLE


def test_no_antivirus(machine: Machine) -> None:
    facts = run(linux.antivirus, machine, {})
    assert facts["antivirus.signature_age_days"].state is FactState.NOT_APPLICABLE
    assert facts["antivirus.signature_age_days"].reason == "aucun antivirus"


# --- account --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("output", "state", "value"),
    [
        (fx("passwd", "user_password"), FactState.KNOWN, True),
        (fx("passwd", "user_no_password"), FactState.KNOWN, False),
        (("", 1, fx("passwd", "other_user_denied")), FactState.UNKNOWN, None),
        ("infirmiere L 2026-09-14 0 99999 7 -1\n", FactState.UNKNOWN, None),
        (None, FactState.UNKNOWN, None),
    ],
)
def test_account_password(
    machine: Machine, output: tuple[str, int, str] | str | None, state: FactState, value: object
) -> None:
    fact = run(linux.account_password, machine, {"passwd": output})["account.password_set"]
    assert (fact.state, fact.value) == (state, value)
    assert fact.is_known or fact.reason


def test_autologin_means_no_password(machine: Machine) -> None:
    machine.file("/etc/gdm3/daemon.conf", fx("autologin", "gdm3_daemon_autologin"))
    facts = run(linux.account_password, machine, {"passwd": fx("passwd", "user_password")})
    assert facts["account.password_set"].value is False
    assert facts["account.password_set"].source == "/etc/gdm3/daemon.conf"


# --- Thunderbird ----------------------------------------------------------------------
def test_thunderbird_webmail_domains(machine: Machine) -> None:
    machine.home_file(".thunderbird/profiles.ini", fx("thunderbird", "profiles"))
    machine.home_file(
        ".thunderbird/q8xk2m1c.default-release/prefs.js",
        fx("thunderbird", "prefs_gmail_orange_mssante"),
    )
    machine.home_file(
        "snap/thunderbird/common/.thunderbird/profiles.ini",
        "[Profile0]\nIsRelative=1\nPath=x.default\n",
    )
    machine.home_file(
        "snap/thunderbird/common/.thunderbird/x.default/prefs.js",
        fx("thunderbird", "prefs_identities_only"),
    )
    fact = run(linux.thunderbird, machine, {})["mail.webmail_accounts"]
    assert fact.value == ["gmail.com", "laposte.net", "orange.fr"]


def test_no_thunderbird_is_known_empty(machine: Machine) -> None:
    fact = run(linux.thunderbird, machine, {})["mail.webmail_accounts"]
    assert fact.state is FactState.KNOWN and fact.value == []


# --- os-release and groups ------------------------------------------------------------
def test_os_support_debian12(machine: Machine) -> None:
    machine.file("/etc/os-release", fx("os_release", "debian12"))
    info = run(linux.os_support, machine, {})["os.support"].value
    assert isinstance(info, dict) and info["supported"] is True and info["eol"] == "2028-06-30"


def test_os_release_missing(machine: Machine) -> None:
    assert run(linux.os_support, machine, {})["os.support"].state is FactState.UNKNOWN


def test_admin_group(machine: Machine) -> None:
    machine.file("/etc/group", "root:x:0:\nsudo:x:27:infirmiere,admin2\nusers:x:100:\n")
    assert run(linux.user_is_admin, machine, {})["user.is_admin"].value is True
    machine.file("/etc/group", "sudo:x:27:admin2\n")
    assert run(linux.user_is_admin, machine, {})["user.is_admin"].value is False


# --- all together: a bare machine where every command is missing ------------------------
def test_bare_machine_every_fact_answered_with_reason(machine: Machine) -> None:
    providers = registry.providers_for("linux")
    wanted = {k for p in providers for k in p.facts}
    with proc.use_runner(ReplayRunner({})):
        collection = runner.collect_facts(machine.ctx(), wanted)
    assert set(collection.facts) == wanted
    for fact in collection.facts.values():
        assert fact.is_known or fact.reason, fact
        assert "erreur de la sonde" not in fact.reason, fact


# --- texts ----------------------------------------------------------------------------
def test_every_linux_text_has_english() -> None:
    import ast

    from hygie.i18n import known_translations

    catalog = known_translations("en")
    tree = ast.parse(Path(linux.__file__).read_text(encoding="utf-8"))
    texts = [
        n.args[0].value
        for n in ast.walk(tree)
        if isinstance(n, ast.Call)
        and isinstance(n.func, ast.Name)
        and n.func.id in ("_", "N_")
        and isinstance(n.args[0], ast.Constant)
    ]
    assert len(texts) > 20
    assert [t for t in texts if not catalog.get(t)] == []


def test_reasons_follow_the_language(machine: Machine) -> None:
    from hygie.i18n import set_language

    set_language("en")
    fact = run(linux.screenlock, machine, {})["screenlock.enabled"]
    assert fact.reason == "no graphical desktop"


def test_read_error_is_unknown_with_the_path(machine: Machine) -> None:
    (machine.root / "etc/os-release").mkdir(parents=True)  # a folder where a file should be
    fact = run(linux.os_support, machine, {})["os.support"]
    assert fact.state is FactState.UNKNOWN
    assert "os-release" in fact.reason
    (machine.home / ".thunderbird/profiles.ini").mkdir(parents=True)
    (machine.root / "etc/gdm3/daemon.conf").mkdir(parents=True)
    # one rule on every OS: a profiles.ini that cannot be read is unknown, never "no webmail"
    tb = run(linux.thunderbird, machine, {})["mail.webmail_accounts"]
    assert tb.state is FactState.UNKNOWN and tb.reason == "profils Thunderbird illisibles"
    fact = run(linux.account_password, machine, {"passwd": fx("passwd", "user_password")})[
        "account.password_set"
    ]
    assert fact.state is FactState.UNKNOWN and "daemon.conf" in fact.reason


def test_reasons_in_english_through_the_concurrent_runner(machine: Machine) -> None:
    from hygie.i18n import set_language

    set_language("en")
    with proc.use_runner(ReplayRunner({})):
        collection = runner.collect_facts(machine.ctx(), {"screenlock.enabled", "wifi.security"})
    assert collection.facts["screenlock.enabled"].reason == "no graphical desktop"
    assert collection.facts["wifi.security"].reason == "no Wi-Fi interface"


def test_context_under_sudo_reads_the_callers_home(monkeypatch: pytest.MonkeyPatch) -> None:
    import pwd

    me = pwd.getpwuid(os.getuid())
    monkeypatch.setenv("SUDO_USER", me.pw_name)
    monkeypatch.setenv("HOME", "/nonexistent-home-of-root")
    ctx = ProbeContext(platform="linux")
    assert (ctx.user, ctx.home) == (me.pw_name, Path(me.pw_dir))
