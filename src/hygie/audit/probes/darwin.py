"""macOS probes: commands run through :mod:`hygie.proc`, parsed by pure parsers tested on
recorded outputs (tests/fixtures/cmd/darwin/).

Each provider runs a command with a timeout (or lists an applications folder through
``ctx.fs``/``ctx.home``), hands the raw text to a parser, and says "unknown, because ..."
when the command is missing, denied or not understood. The daily account's password and
whether the Wi-Fi name is hidden stay questions on macOS (no probe without admin rights).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from hygie import proc
from hygie.audit.context import ProbeContext
from hygie.audit.model import Fact
from hygie.audit.probes.commands import command_fact, failure_reason, unreadable
from hygie.audit.probes.mailclients import thunderbird_webmail
from hygie.audit.registry import provider
from hygie.i18n import _
from hygie.platform import system
from hygie.platform.eol import support_status
from hygie.platform.parsers import softwareupdate, sw_vers, sysadminctl, system_profiler
from hygie.platform.parsers.fdesetup import parse_fdesetup_status
from hygie.platform.parsers.macos_misc import app_names, is_admin_groups
from hygie.platform.parsers.socketfilterfw import parse_global_state
from hygie.platform.software import match_software

DARWIN = {"darwin"}
QUICK_S = 5.0
SLOW_S = 7.0  # softwareupdate asks Apple's servers; stay below the audit's deadline

FDESETUP = ["fdesetup", "status"]
SOCKETFILTERFW = ["/usr/libexec/ApplicationFirewall/socketfilterfw", "--getglobalstate"]
SOFTWAREUPDATE = ["softwareupdate", "-l"]
SU_PREFS = ["defaults", "read", "/Library/Preferences/com.apple.SoftwareUpdate"]
SW_VERS = ["sw_vers"]
SCREENLOCK = ["sysadminctl", "-screenLock", "status"]
IDLE_TIME = ["defaults", "-currentHost", "read", "com.apple.screensaver", "idleTime"]
PMSET = ["pmset", "-g"]
AIRPORT = ["system_profiler", "SPAirPortDataType"]
INSTALL_HISTORY = ["system_profiler", "SPInstallHistoryDataType", "-json"]
XPROTECT_BUNDLE = "/Library/Apple/System/Library/CoreServices/XProtect.bundle"


def id_groups(user: str) -> list[str]:
    return ["id", "-Gn", user] if user else ["id", "-Gn"]


def _list_apps(folder: Path) -> list[str]:
    try:
        return [p.name for p in folder.iterdir()]
    except OSError:
        return []


def installed_apps(ctx: ProbeContext) -> list[str] | None:
    """App names in /Applications and ~/Applications; None when neither can be read."""
    system = ctx.fs("/Applications")
    user = ctx.home / "Applications"
    if not system.is_dir() and not user.is_dir():
        return None
    return app_names([*_list_apps(system), *_list_apps(user)])


# --- M13 disk encryption --------------------------------------------------------------
@provider("darwin.filevault", facts=["disk.system_encrypted"], platforms=DARWIN)
def filevault(ctx: ProbeContext) -> Iterable[Fact]:
    what = _("état de FileVault")
    yield command_fact(
        "disk.system_encrypted",
        FDESETUP,
        parse_fdesetup_status,
        what,
        "fdesetup status",
        timeout=QUICK_S,
        with_stderr=True,
    )


# --- M03 antivirus and firewall -------------------------------------------------------
@provider(
    "darwin.antivirus",
    facts=["antivirus.products", "antivirus.signature_age_days", "antivirus.realtime"],
    platforms=DARWIN,
)
def antivirus(ctx: ProbeContext) -> Iterable[Fact]:
    what = _("mises à jour de XProtect")
    cp = proc.run(INSTALL_HISTORY, timeout=SLOW_S)
    last = None
    history_read = False
    if cp.ok:
        try:
            last = system_profiler.xprotect_last_update(cp.stdout)
            history_read = True
        except (ValueError, AttributeError):
            last = None
    bundle = ctx.fs(XPROTECT_BUNDLE).exists()
    apps = installed_apps(ctx)
    products = ["XProtect"] if last is not None or bundle else []
    products += match_software(apps or [], "antivirus")
    # "no antivirus" needs proof: XProtect ships with every macOS, so its absence is only
    # known from an install history that was read (an unreadable one proves nothing).
    if products or history_read:
        yield Fact.known("antivirus.products", sorted(set(products)), "XProtect + /Applications")
    else:
        reason = failure_reason(cp, what) if not cp.ok else unreadable(what)
        yield Fact.unknown("antivirus.products", reason, "XProtect")
    if last is None:
        reason = failure_reason(cp, what) if not cp.ok else unreadable(what)
        yield Fact.unknown("antivirus.signature_age_days", reason, "SPInstallHistoryDataType")
    else:
        age = max(0, (ctx.now - last).days)
        yield Fact.known("antivirus.signature_age_days", age, "SPInstallHistoryDataType")
    yield Fact.not_applicable(
        "antivirus.realtime",
        _("sur macOS, XProtect analyse les fichiers à l'ouverture : pas de réglage à vérifier"),
        "macOS",
    )


@provider("darwin.firewall", facts=["firewall.enabled"], platforms=DARWIN)
def firewall(ctx: ProbeContext) -> Iterable[Fact]:
    what = _("état du pare-feu")
    yield command_fact(
        "firewall.enabled",
        SOCKETFILTERFW,
        parse_global_state,
        what,
        "socketfilterfw",
        timeout=QUICK_S,
    )


# --- M05 updates ----------------------------------------------------------------------
@provider(
    "darwin.updates",
    facts=["updates.pending", "updates.security_pending", "updates.automatic"],
    platforms=DARWIN,
)
def updates(ctx: ProbeContext) -> Iterable[Fact]:
    prefs = proc.run(SU_PREFS, timeout=QUICK_S)
    if prefs.ok and not prefs.stdout.lstrip().startswith("{"):  # not a defaults dictionary
        yield Fact.unknown(
            "updates.automatic",
            unreadable(_("réglage des mises à jour automatiques")),
            "com.apple.SoftwareUpdate",
        )
    elif prefs.ok:
        auto = softwareupdate.automatic_updates(softwareupdate.parse_defaults_dict(prefs.stdout))
        yield Fact.known("updates.automatic", auto, "com.apple.SoftwareUpdate")
    elif prefs.returncode is not None and "does not exist" in prefs.stderr:
        yield Fact.known("updates.automatic", False, "com.apple.SoftwareUpdate")
    else:
        yield Fact.unknown(
            "updates.automatic",
            failure_reason(prefs, _("réglage des mises à jour automatiques")),
            "com.apple.SoftwareUpdate",
        )
    what = _("mises à jour en attente")
    cp = proc.run(SOFTWAREUPDATE, timeout=SLOW_S)
    pending = softwareupdate.parse_softwareupdate_list(cp.stdout + "\n" + cp.stderr)
    if not cp.ok or pending is None:
        reason = failure_reason(cp, what) if not cp.ok else unreadable(what)
        yield Fact.unknown("updates.pending", reason, "softwareupdate -l")
        yield Fact.unknown("updates.security_pending", reason, "softwareupdate -l")
        return
    yield Fact.known("updates.pending", pending.total, "softwareupdate -l")
    yield Fact.known("updates.security_pending", pending.security, "softwareupdate -l")


@provider("darwin.os", facts=["os.support"], platforms=DARWIN)
def os_support(ctx: ProbeContext) -> Iterable[Fact]:
    what = _("version de macOS")
    cp = proc.run(SW_VERS, timeout=QUICK_S)
    key = sw_vers.release_key(sw_vers.parse_sw_vers(cp.stdout)) if cp.ok else None
    if key is None:
        reason = failure_reason(cp, what) if not cp.ok else unreadable(what)
        yield Fact.unknown("os.support", reason, "sw_vers")
        return
    family, release, name = key
    yield Fact.known("os.support", support_status(family, release, name, ctx.now.date()), "sw_vers")


# --- M02 session lock -----------------------------------------------------------------
@provider("darwin.screenlock", facts=["screenlock.enabled", "screenlock.delay_s"], platforms=DARWIN)
def screenlock(ctx: ProbeContext) -> Iterable[Fact]:
    what = _("verrouillage de l'écran")
    cp = proc.run(SCREENLOCK, timeout=QUICK_S)
    # sysadminctl prints its answer on stderr.
    setting = sysadminctl.parse_screenlock_status(cp.stderr + "\n" + cp.stdout) if cp.ok else None
    if setting is None:
        reason = failure_reason(cp, what) if not cp.ok else unreadable(what)
        yield Fact.unknown("screenlock.enabled", reason, "sysadminctl")
        yield Fact.unknown("screenlock.delay_s", reason, "sysadminctl")
        return
    idle = proc.run(IDLE_TIME, timeout=QUICK_S)
    pm = proc.run(PMSET, timeout=QUICK_S)
    idle_s = sysadminctl.parse_idle_time(idle.stdout) if idle.ok else None
    display_s = sysadminctl.parse_pmset_displaysleep(pm.stdout) if pm.ok else None
    if setting.on and idle_s is None and display_s is None:
        reason = failure_reason(pm, what) if not pm.ok else unreadable(what)
        yield Fact.unknown("screenlock.enabled", reason, "pmset")
        yield Fact.unknown("screenlock.delay_s", reason, "pmset")
        return
    enabled, delay = sysadminctl.lock_after(setting, idle_s, display_s)
    source = "sysadminctl + screensaver + pmset"
    yield Fact.known("screenlock.enabled", enabled, source)
    yield Fact.known("screenlock.delay_s", delay, source)


# --- M09 Wi-Fi ------------------------------------------------------------------------
@provider("darwin.wifi", facts=["wifi.security"], platforms=DARWIN)
def wifi(ctx: ProbeContext) -> Iterable[Fact]:
    what = _("état du Wi-Fi")
    cp = proc.run(AIRPORT, timeout=SLOW_S)
    if not cp.ok:
        yield Fact.unknown("wifi.security", failure_reason(cp, what), "system_profiler")
        return
    connected, label = system_profiler.airport_current(cp.stdout)
    if not connected or label is None:
        yield Fact.not_applicable(
            "wifi.security", _("aucun réseau Wi-Fi connecté en ce moment"), "system_profiler"
        )
        return
    yield Fact.known("wifi.security", system_profiler.airport_security(label), "system_profiler")


# --- M06 USB keys ---------------------------------------------------------------------
@provider("darwin.autorun", facts=["media.autorun_disabled"], platforms=DARWIN)
def autorun(ctx: ProbeContext) -> Iterable[Fact]:
    yield Fact.not_applicable(
        "media.autorun_disabled",
        _("macOS ne lance jamais de programme tout seul depuis une clé USB"),
        "macOS",
    )


# --- M08 and M01: account and software ------------------------------------------------
@provider("darwin.user", facts=["user.is_admin"], platforms=DARWIN)
def user_admin(ctx: ProbeContext) -> Iterable[Fact]:
    what = _("groupes du compte")
    yield command_fact(
        "user.is_admin", id_groups(ctx.user), is_admin_groups, what, "id -Gn", timeout=QUICK_S
    )


@provider(
    "darwin.software", facts=["password_manager.installed", "apps.personal"], platforms=DARWIN
)
def software(ctx: ProbeContext) -> Iterable[Fact]:
    names = installed_apps(ctx)
    if names is None:
        reason = _("dossier Applications illisible")
        yield Fact.unknown("password_manager.installed", reason, "/Applications")
        yield Fact.unknown("apps.personal", reason, "/Applications")
        return
    yield Fact.known(
        "password_manager.installed", match_software(names, "password_managers"), "/Applications"
    )
    yield Fact.known("apps.personal", match_software(names, "personal_apps"), "/Applications")


# --- M04 mail accounts ----------------------------------------------------------------
@provider("darwin.thunderbird", facts=["mail.webmail_accounts"], platforms=DARWIN)
def thunderbird(ctx: ProbeContext) -> Iterable[Fact]:
    """Thunderbird keeps its profiles under ~/Library/Thunderbird (``profiles.ini``)."""
    yield thunderbird_webmail(system("darwin").thunderbird_roots(ctx.home))
