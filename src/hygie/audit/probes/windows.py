"""Windows probes: commands run through :mod:`hygie.proc`, parsed by pure parsers tested on
recorded outputs (tests/fixtures/cmd/windows/).

Each provider is a thin runner: build an argv (PowerShell through
:func:`hygie.platform.powershell.powershell`: no profile, no prompt, UTF-8 output,
objects as ``ConvertTo-Json`` so nothing depends on the display language; never a shell
string), run it with a timeout, hand the text to a parser, and say "unknown, because ..."
when the command is missing, denied or not understood. Localised text (``netsh``,
``manage-bde``, ``reg``, ``net user``) is only a fallback, read by parsers tested in French,
English and with the cp850/cp1252 damage of a French console. Nothing here reads
``sys.platform``: the registry only offers these providers for ``ctx.platform == "windows"``.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterable

from hygie import proc
from hygie.audit.context import ProbeContext
from hygie.audit.model import Fact
from hygie.audit.probes.commands import command_fact, failure_reason, powershell, unreadable
from hygie.audit.probes.mailclients import thunderbird_webmail
from hygie.audit.registry import provider
from hygie.fileio import private_dir, write_text_atomic
from hygie.i18n import _
from hygie.platform import system
from hygie.platform.eol import support_status
from hygie.platform.parsers import defender, manage_bde, netsh, win_net, win_os, win_update
from hygie.platform.parsers.defender import MP_STATUS_PIPE, MP_STATUS_PS
from hygie.platform.parsers.net_user import password_required
from hygie.platform.parsers.powercfg import parse_powercfg_indexes
from hygie.platform.parsers.reg_query import is_not_found, parse_reg_query
from hygie.platform.parsers.whoami import is_admin
from hygie.platform.parsers.win_settings import autorun_disabled, installed_names, screen_lock
from hygie.platform.software import match_software

WINDOWS = {"windows"}
QUICK_S = 5.0
WU_TIMEOUT_S = 5.0  # the offline search, below the audit's overall deadline
WU_CACHE_TTL = dt.timedelta(hours=24)
WU_STALE_AFTER = dt.timedelta(days=7)  # Windows searches daily; a week without is a sign

# --- the commands (tests replay them by their joined argv) ----------------------------
# One pipeline per fact; the snapshot below runs several of them in one PowerShell start.
BITLOCKER_PIPE = (
    "Get-BitLockerVolume | Select-Object MountPoint,VolumeType,VolumeStatus,"
    "ProtectionStatus,EncryptionPercentage"
)
SECURITY_CENTER_PIPE = (
    "Get-CimInstance -Namespace root/SecurityCenter2 -ClassName AntiVirusProduct"
    " | Select-Object displayName,productState"
)
FIREWALL_PIPE = "Get-NetFirewallProfile | Select-Object Name,@{n='Enabled';e={[string]$_.Enabled}}"
OS_PIPE = "Get-CimInstance Win32_OperatingSystem | Select-Object Caption,Version,BuildNumber"
BITLOCKER_PS = powershell(BITLOCKER_PIPE + " | ConvertTo-Json")
MANAGE_BDE = ["manage-bde", "-status"]
SHELL_BITLOCKER_PS = powershell(
    "(New-Object -ComObject Shell.Application).NameSpace($env:SystemDrive + '\\')"
    ".Self.ExtendedProperty('System.Volume.BitLockerProtection')"
)
SECURITY_CENTER_PS = powershell(SECURITY_CENTER_PIPE + " | ConvertTo-Json")
FIREWALL_PS = powershell(FIREWALL_PIPE + " | ConvertTo-Json -Compress")
SNAPSHOT_SECTIONS = {
    "BitLocker": BITLOCKER_PIPE,
    "MpStatus": MP_STATUS_PIPE,
    "SecurityCenter": SECURITY_CENTER_PIPE,
    "Firewall": FIREWALL_PIPE,
    "OS": OS_PIPE,
}
# Five facts in one PowerShell start (each start costs a weak laptop most of a second);
# a section that fails carries {"Error": message} and its provider falls back alone.
SNAPSHOT_PS = powershell(
    "$ErrorActionPreference='Stop';$o=[ordered]@{};"
    + "".join(
        f"try{{$o.{name}=@({pipe})}}catch{{$o.{name}=@{{Error=$_.Exception.Message}}}};"
        for name, pipe in SNAPSHOT_SECTIONS.items()
    )
    + "[pscustomobject]$o|ConvertTo-Json -Depth 4 -Compress"
)
SNAPSHOT_TIMEOUT_S = 8.0
FIREWALL = ["netsh", "advfirewall", "show", "allprofiles", "state"]
# Windows Update's own record, the pending restart, the service and the policy: no search.
WU_STATE_PS = powershell(
    "$o=[ordered]@{};"
    "try{$r=(New-Object -ComObject Microsoft.Update.AutoUpdate).Results;"
    "$o.LastSearchSuccessDate=$(if($r.LastSearchSuccessDate){"
    "([datetime]$r.LastSearchSuccessDate).ToString('o')});"
    "$o.LastInstallationSuccessDate=$(if($r.LastInstallationSuccessDate){"
    "([datetime]$r.LastInstallationSuccessDate).ToString('o')})}catch{};"
    "try{$o.RebootRequired=[bool](New-Object -ComObject Microsoft.Update.SystemInfo)"
    ".RebootRequired}catch{};"
    "try{$o.ServiceStartType=[string](Get-Service wuauserv -ErrorAction Stop).StartType}catch{};"
    "$p=Get-ItemProperty 'HKLM:\\SOFTWARE\\Policies\\Microsoft\\Windows\\WindowsUpdate\\AU'"
    " -ErrorAction SilentlyContinue;"
    "if($p){$o.NoAutoUpdate=$p.NoAutoUpdate;$o.AUOptions=$p.AUOptions};"
    "[pscustomobject]$o|ConvertTo-Json -Compress"
)
# The pending updates known from Windows' last online scan (Online=$false: no network,
# no slow search; the result is as fresh as LastSearchSuccessDate).
WU_OFFLINE_PS = powershell(
    "$s=(New-Object -ComObject Microsoft.Update.Session).CreateUpdateSearcher();"
    "$s.Online=$false;"
    "$r=$s.Search(\"IsInstalled=0 and IsHidden=0 and Type='Software'\");"
    "@($r.Updates|ForEach-Object{[pscustomobject]@{Title=$_.Title;"
    "MsrcSeverity=$_.MsrcSeverity;CategoryIDs=@($_.Categories|ForEach-Object"
    "{$_.CategoryID})}})|ConvertTo-Json -Depth 3"
)
WU_POLICY = ["reg", "query", r"HKLM\SOFTWARE\Policies\Microsoft\Windows\WindowsUpdate\AU"]
OS_PS = powershell(OS_PIPE + " | ConvertTo-Json")
DISPLAY_VERSION = [
    "reg",
    "query",
    r"HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion",
    "/v",
    "DisplayVersion",
]
DESKTOP = ["reg", "query", r"HKCU\Control Panel\Desktop"]
DESKTOP_POLICY = [
    "reg",
    "query",
    r"HKCU\Software\Policies\Microsoft\Windows\Control Panel\Desktop",
]
CONSOLE_LOCK = ["powercfg", "/query", "SCHEME_CURRENT", "SUB_NONE", "CONSOLELOCK"]
SLEEP_AFTER = ["powercfg", "/query", "SCHEME_CURRENT", "SUB_SLEEP", "STANDBYIDLE"]
WLAN_INTERFACES = ["netsh", "wlan", "show", "interfaces"]
EXPLORER_POLICY = r"Software\Microsoft\Windows\CurrentVersion\Policies\Explorer"
AUTORUN_HKLM = ["reg", "query", "HKLM\\" + EXPLORER_POLICY]
AUTORUN_HKCU = ["reg", "query", "HKCU\\" + EXPLORER_POLICY]
AUTOPLAY = [
    "reg",
    "query",
    r"HKCU\Software\Microsoft\Windows\CurrentVersion\Explorer\AutoplayHandlers",
]
WHOAMI = ["whoami", "/groups", "/fo", "csv", "/nh"]
UNINSTALL_PS = powershell(
    "Get-ItemProperty -Path "
    "'HKLM:\\Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\*',"
    "'HKLM:\\Software\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\*',"
    "'HKCU:\\Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\*'"
    " -ErrorAction SilentlyContinue | Where-Object DisplayName"
    " | Select-Object DisplayName | ConvertTo-Json"
)
APPX_PS = powershell("Get-AppxPackage | Select-Object Name | ConvertTo-Json")


def wlan_profile(profile: str) -> list[str]:
    return ["netsh", "wlan", "show", "profile", f"name={profile}"]


def net_user(user: str) -> list[str]:
    return ["net", "user", user]


def _reg_read(args: list[str]) -> tuple[dict[str, str | int] | None, proc.Completed]:
    """Values of a registry key ({} when the key is absent; None when reg failed), and
    what reg did (for the reason)."""
    cp = proc.run(args, timeout=QUICK_S, c_locale=False)
    if cp.ok:
        return parse_reg_query(cp.stdout), cp
    if cp.returncode is not None and is_not_found(cp.stdout + "\n" + cp.stderr):
        return {}, cp
    return None, cp


def _reg(args: list[str]) -> dict[str, str | int] | None:
    return _reg_read(args)[0]


def _reg_reason(cp: proc.Completed, what: str) -> str:
    return unreadable(what) if cp.ok or cp.returncode == 0 else failure_reason(cp, what)


_snapshots: dict[int, tuple[ProbeContext, dict[str, object] | None]] = {}
_snapshot_lock = threading.Lock()


def _snapshot(ctx: ProbeContext) -> dict[str, object] | None:
    """The snapshot of this audit (run once, shared by the providers); None when it failed."""
    with _snapshot_lock:  # providers run in threads: the first one runs it, others wait
        found = _snapshots.get(id(ctx))
        if found is not None and found[0] is ctx:
            return found[1]
        data: dict[str, object] | None = None
        cp = proc.run(SNAPSHOT_PS, timeout=SNAPSHOT_TIMEOUT_S, c_locale=False)
        if cp.ok:
            try:
                parsed = json.loads(cp.stdout.strip().lstrip("\ufeff") or "null")
            except ValueError:
                parsed = None
            data = parsed if isinstance(parsed, dict) else None
        if len(_snapshots) > 8:
            _snapshots.clear()
        _snapshots[id(ctx)] = (ctx, data)
        return data


def _section(ctx: ProbeContext, name: str, argv: list[str]) -> proc.Completed | None:
    """One snapshot section as the command ``argv`` would have answered it (its JSON, or
    its error as a failed command); None when the snapshot did not run or lacks it."""
    data = _snapshot(ctx)
    if data is None or name not in data:
        return None
    value = data[name]
    only = value[0] if isinstance(value, list) and len(value) == 1 else value
    if isinstance(only, dict) and set(only) == {"Error"}:
        return proc.Completed(tuple(argv), 1, "", str(only["Error"]))
    return proc.Completed(tuple(argv), 0, json.dumps(value))


def _run_or_section(
    ctx: ProbeContext, name: str, argv: list[str], timeout: float = QUICK_S
) -> proc.Completed:
    """The snapshot's section, else the section's own command (one more PowerShell start)."""
    found = _section(ctx, name, argv)
    if found is not None:
        return found
    return proc.run(argv, timeout=timeout, c_locale=False)


# --- M13 disk encryption --------------------------------------------------------------
@provider("windows.bitlocker", facts=["disk.system_encrypted"], platforms=WINDOWS)
def bitlocker(ctx: ProbeContext) -> Iterable[Fact]:
    """Get-BitLockerVolume, else manage-bde (both need admin rights), else the shell
    property Explorer uses for its padlock (readable by anyone)."""
    key = "disk.system_encrypted"
    what = _("état de BitLocker")
    cp = _run_or_section(ctx, "BitLocker", BITLOCKER_PS)
    if cp.ok:
        try:
            vol = manage_bde.system_volume(manage_bde.parse_bitlocker_json(cp.stdout))
        except ValueError:
            vol = None
        if vol is not None:
            yield Fact.known(key, vol.state, "Get-BitLockerVolume")
            return
    bde = proc.run(MANAGE_BDE, timeout=QUICK_S, c_locale=False)
    if bde.ok:
        vol = manage_bde.system_volume(manage_bde.parse_manage_bde(bde.stdout))
        if vol is not None:
            yield Fact.known(key, vol.state, "manage-bde -status")
            return
    shell = proc.run(SHELL_BITLOCKER_PS, timeout=QUICK_S, c_locale=False)
    state = manage_bde.parse_shell_bitlocker(shell.stdout) if shell.ok else None
    if state is not None:
        yield Fact.known(key, state, "System.Volume.BitLockerProtection")
        return
    reason = failure_reason(bde, what) if not bde.ok else unreadable(what)
    yield Fact.unknown(key, reason, "manage-bde -status")


# --- M03 antivirus and firewall -------------------------------------------------------
@provider(
    "windows.antivirus",
    facts=["antivirus.products", "antivirus.signature_age_days", "antivirus.realtime"],
    platforms=WINDOWS,
)
def antivirus(ctx: ProbeContext) -> Iterable[Fact]:
    what = _("état de l'antivirus")
    wsc = _run_or_section(ctx, "SecurityCenter", SECURITY_CENTER_PS)
    mp = _run_or_section(ctx, "MpStatus", MP_STATUS_PS)
    products: list[defender.AvProduct] | None = None
    status: defender.MpStatus | None = None
    if wsc.ok:
        try:
            products = defender.parse_security_center(wsc.stdout)
        except ValueError:
            products = None
    if mp.ok:
        try:
            status = defender.parse_mp_status(mp.stdout)
        except ValueError:
            status = None
    if products is None and status is None:
        reason = failure_reason(wsc, what) if not wsc.ok else unreadable(what)
        for k in ("antivirus.products", "antivirus.signature_age_days", "antivirus.realtime"):
            yield Fact.unknown(k, reason, "SecurityCenter2")
        return
    names: list[str] = []
    if products is not None:
        # Only engines that are switched on count: a registered but disabled one protects
        # nothing (Defender goes passive when another engine takes over).
        for p in products:
            if p.enabled or (p.is_defender and status is not None and status.realtime):
                fam = match_software([p.name], "antivirus")
                names.append(fam[0] if fam else p.name)
        yield Fact.known("antivirus.products", sorted(set(names)), "SecurityCenter2")
    elif status is not None and status.antivirus_enabled:
        yield Fact.known("antivirus.products", ["Microsoft Defender"], "Get-MpComputerStatus")
    else:
        # Defender is off and Security Center cannot be read: another engine may be there.
        reason = failure_reason(wsc, what) if not wsc.ok else unreadable(what)
        yield Fact.unknown("antivirus.products", reason, "SecurityCenter2")

    active = [p for p in products or [] if p.enabled]
    third_party = [p for p in active if not p.is_defender]
    defender_active = (status is not None and status.antivirus_enabled is True) or any(
        p.is_defender for p in active
    )
    # Real-time protection: Defender's own switch, or a third-party engine that WSC says is on.
    if third_party:
        yield Fact.known("antivirus.realtime", True, "SecurityCenter2")
    elif status is not None and status.realtime is not None:
        yield Fact.known("antivirus.realtime", status.realtime, "Get-MpComputerStatus")
    elif products is not None:
        yield Fact.known("antivirus.realtime", bool(active), "SecurityCenter2")
    else:
        yield Fact.unknown("antivirus.realtime", unreadable(what), "Get-MpComputerStatus")

    # Signature age: exact from Defender; a third-party engine only says "up to date" or not.
    if third_party:
        p = third_party[0]
        if p.up_to_date:
            reason = _(
                "Windows indique que les signatures de {name} sont à jour, sans en donner l'âge"
            ).format(name=p.name)
        else:
            reason = _("Windows indique que les signatures de {name} ne sont pas à jour").format(
                name=p.name
            )
        yield Fact.unknown("antivirus.signature_age_days", reason, "SecurityCenter2")
    elif defender_active and status is not None and status.signature_age_days is not None:
        yield Fact.known(
            "antivirus.signature_age_days", status.signature_age_days, "Get-MpComputerStatus"
        )
    else:
        reason = failure_reason(mp, what) if not mp.ok else unreadable(what)
        yield Fact.unknown("antivirus.signature_age_days", reason, "Get-MpComputerStatus")


@provider("windows.firewall", facts=["firewall.enabled"], platforms=WINDOWS)
def firewall(ctx: ProbeContext) -> Iterable[Fact]:
    """Get-NetFirewallProfile (language-independent), else netsh's localised text."""
    what = _("état du pare-feu")
    ps = _run_or_section(ctx, "Firewall", FIREWALL_PS)
    if ps.ok:
        try:
            states = win_net.parse_firewall_profiles(ps.stdout)
        except ValueError:
            states = None
        if states:
            yield Fact.known("firewall.enabled", all(states.values()), "Get-NetFirewallProfile")
            return
    cp = proc.run(FIREWALL, timeout=QUICK_S, c_locale=False)
    if not cp.ok:
        yield Fact.unknown("firewall.enabled", failure_reason(cp, what), "netsh advfirewall")
        return
    profiles = netsh.parse_advfirewall_state(cp.stdout)
    if not profiles:
        yield Fact.unknown("firewall.enabled", unreadable(what), "netsh advfirewall")
        return
    yield Fact.known("firewall.enabled", all(profiles.values()), "netsh advfirewall")


# --- M05 updates ----------------------------------------------------------------------
WU_CACHE = "windows-update-pending.json"


def _cached_pending(
    ctx: ProbeContext, state: win_update.UpdateState
) -> win_update.PendingUpdates | None:
    try:
        saved = json.loads((ctx.paths.cache_dir / WU_CACHE).read_text(encoding="utf-8"))
        at = dt.datetime.fromisoformat(saved["at"])
        if saved["key"] == state.key() and dt.timedelta(0) <= ctx.now - at <= WU_CACHE_TTL:
            return win_update.PendingUpdates(int(saved["total"]), int(saved["security"]), ())
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return None


def _save_pending(
    ctx: ProbeContext, state: win_update.UpdateState, counts: win_update.PendingUpdates
) -> None:
    body = {
        "key": state.key(),
        "at": ctx.now.isoformat(),
        "total": counts.total,
        "security": counts.security,
    }
    try:
        private_dir(ctx.paths.cache_dir)
        write_text_atomic(ctx.paths.cache_dir / WU_CACHE, json.dumps(body) + "\n")
    except OSError:
        pass  # a cache that cannot be written costs time, not truth


def _days(delta: dt.timedelta) -> int:
    return max(0, delta.days)


@provider(
    "windows.updates",
    facts=["updates.pending", "updates.security_pending", "updates.automatic"],
    platforms=WINDOWS,
    timeout_s=WU_TIMEOUT_S + QUICK_S,
)
def updates(ctx: ProbeContext) -> Iterable[Fact]:
    """Windows Update's state without an online search: its last successful search and
    install (UTC), a pending restart, the service and the AU policy; the pending updates
    from the last scan (offline search, cached while Windows has not searched or
    installed again). Counts from a scan older than a week are not trusted as "up to date"."""
    what = _("mises à jour en attente")
    source = "Windows Update"
    state_cp = proc.run(WU_STATE_PS, timeout=QUICK_S, c_locale=False)
    state: win_update.UpdateState | None = None
    if state_cp.ok:
        try:
            state = win_update.parse_update_state(state_cp.stdout)
        except ValueError:
            state = None
    if state is None:
        policy, reg_cp = _reg_read(WU_POLICY)
        if policy is None:
            reason = _reg_reason(reg_cp, _("réglage des mises à jour automatiques"))
            yield Fact.unknown("updates.automatic", reason, "reg")
        else:
            yield Fact.known(
                "updates.automatic", win_update.automatic_from_policy(policy), "WindowsUpdate\\AU"
            )
        reason = failure_reason(state_cp, what) if not state_cp.ok else unreadable(what)
        yield Fact.unknown("updates.pending", reason, source)
        yield Fact.unknown("updates.security_pending", reason, source)
        return
    yield Fact.known("updates.automatic", state.automatic, "Windows Update (service, AU)")
    counts = _cached_pending(ctx, state)
    if counts is None:
        cp = proc.run(WU_OFFLINE_PS, timeout=WU_TIMEOUT_S, c_locale=False)
        if not cp.ok:
            reason = failure_reason(cp, what)
            yield Fact.unknown("updates.pending", reason, source)
            yield Fact.unknown("updates.security_pending", reason, source)
            return
        try:
            counts = win_update.parse_wu_search(cp.stdout)
        except ValueError:
            yield Fact.unknown("updates.pending", unreadable(what), source)
            yield Fact.unknown("updates.security_pending", unreadable(what), source)
            return
        _save_pending(ctx, state, counts)
    total = counts.total
    if state.reboot_required:  # installed, not active until the restart
        total = max(total, 1)
    stale = state.last_search is None or ctx.now - state.last_search > WU_STALE_AFTER
    if stale and counts.security == 0:
        if state.last_search is None:
            reason = _("Windows n'a jamais réussi à chercher ses mises à jour")
        else:
            reason = _("Windows n'a pas cherché ses mises à jour depuis {n} jours").format(
                n=_days(ctx.now - state.last_search)
            )
        yield Fact.unknown("updates.pending", reason, source)
        yield Fact.unknown("updates.security_pending", reason, source)
        return
    yield Fact.known("updates.pending", total, source)
    yield Fact.known("updates.security_pending", counts.security, source)


@provider("windows.os", facts=["os.support"], platforms=WINDOWS)
def os_support(ctx: ProbeContext) -> Iterable[Fact]:
    what = _("version de Windows")
    cp = _run_or_section(ctx, "OS", OS_PS)
    if not cp.ok:
        yield Fact.unknown("os.support", failure_reason(cp, what), "Win32_OperatingSystem")
        return
    try:
        win = win_os.parse_win32_os(cp.stdout)
    except ValueError:
        win = None
    if win is None:
        yield Fact.unknown("os.support", unreadable(what), "Win32_OperatingSystem")
        return
    dv = _reg(DISPLAY_VERSION) or {}
    display = dv.get("displayversion")
    family, release, name = win_os.release_key(win, display if isinstance(display, str) else None)
    yield Fact.known(
        "os.support", support_status(family, release, name, ctx.now.date()), "Win32_OperatingSystem"
    )


# --- M02 session lock -----------------------------------------------------------------
@provider(
    "windows.screenlock", facts=["screenlock.enabled", "screenlock.delay_s"], platforms=WINDOWS
)
def screenlock(ctx: ProbeContext) -> Iterable[Fact]:
    desktop, desktop_cp = _reg_read(DESKTOP)
    if desktop is None:
        reason = _reg_reason(desktop_cp, _("réglages de l'écran de veille"))
        yield Fact.unknown("screenlock.enabled", reason, "reg")
        yield Fact.unknown("screenlock.delay_s", reason, "reg")
        return
    policy = _reg(DESKTOP_POLICY) or {}
    lock = sleep = None
    cp = proc.run(CONSOLE_LOCK, timeout=QUICK_S, c_locale=False)
    if cp.ok:
        lock = parse_powercfg_indexes(cp.stdout)
    cp = proc.run(SLEEP_AFTER, timeout=QUICK_S, c_locale=False)
    if cp.ok:
        sleep = parse_powercfg_indexes(cp.stdout)
    result = screen_lock(desktop, policy, lock, sleep)
    source = "Control Panel\\Desktop + powercfg"
    yield Fact.known("screenlock.enabled", result.enabled, source)
    yield Fact.known("screenlock.delay_s", result.delay_s, source)


# --- M09 Wi-Fi ------------------------------------------------------------------------
@provider("windows.wifi", facts=["wifi.security", "wifi.hidden"], platforms=WINDOWS)
def wifi(ctx: ProbeContext) -> Iterable[Fact]:
    what = _("état du Wi-Fi")
    cp = proc.run(WLAN_INTERFACES, timeout=QUICK_S, c_locale=False)
    if not cp.ok:
        text = (cp.stdout + cp.stderr).lower()
        if cp.returncode is not None and "wlansvc" in text:
            reason = _("pas de Wi-Fi sur cet ordinateur (service WLAN arrêté)")
            yield Fact.not_applicable("wifi.security", reason, "netsh wlan")
            yield Fact.not_applicable("wifi.hidden", reason, "netsh wlan")
            return
        yield Fact.unknown("wifi.security", failure_reason(cp, what), "netsh wlan")
        yield Fact.unknown("wifi.hidden", failure_reason(cp, what), "netsh wlan")
        return
    connected = [i for i in netsh.parse_wlan_interfaces(cp.stdout) if i.connected]
    if not connected:
        reason = _("aucun réseau Wi-Fi connecté en ce moment")
        yield Fact.not_applicable("wifi.security", reason, "netsh wlan")
        yield Fact.not_applicable("wifi.hidden", reason, "netsh wlan")
        return
    iface = connected[0]
    yield Fact.known(
        "wifi.security", netsh.wifi_security(iface.authentication, iface.cipher), "netsh wlan"
    )
    profile = iface.profile or iface.ssid
    pcp = proc.run(wlan_profile(profile), timeout=QUICK_S, c_locale=False)
    hidden = netsh.parse_wlan_profile_hidden(pcp.stdout) if pcp.ok else None
    if hidden is None:
        reason = failure_reason(pcp, what) if not pcp.ok else unreadable(what)
        yield Fact.unknown("wifi.hidden", reason, "netsh wlan show profile")
    else:
        yield Fact.known("wifi.hidden", hidden, "netsh wlan show profile")


# --- M06 USB keys ---------------------------------------------------------------------
@provider("windows.autorun", facts=["media.autorun_disabled"], platforms=WINDOWS)
def autorun(ctx: ProbeContext) -> Iterable[Fact]:
    hklm, hkcu, (autoplay, cp) = _reg(AUTORUN_HKLM), _reg(AUTORUN_HKCU), _reg_read(AUTOPLAY)
    if hklm is None and hkcu is None and autoplay is None:
        reason = _reg_reason(cp, _("réglage de l'exécution automatique"))
        yield Fact.unknown("media.autorun_disabled", reason, "reg")
        return
    yield Fact.known(
        "media.autorun_disabled",
        autorun_disabled(hklm or {}, hkcu or {}, autoplay or {}),
        "AutoplayHandlers / NoDriveTypeAutoRun",
    )


# --- M08 and M01: accounts and software -----------------------------------------------
@provider("windows.user", facts=["user.is_admin"], platforms=WINDOWS)
def user_admin(ctx: ProbeContext) -> Iterable[Fact]:
    what = _("groupes du compte")
    yield command_fact(
        "user.is_admin", WHOAMI, is_admin, what, "whoami /groups", timeout=QUICK_S, c_locale=False
    )


@provider("windows.account", facts=["account.password_set"], platforms=WINDOWS)
def account_password(ctx: ProbeContext) -> Iterable[Fact]:
    what = _("mot de passe du compte")
    if not ctx.user:
        yield Fact.unknown("account.password_set", unreadable(what), "net user")
        return
    yield command_fact(
        "account.password_set",
        net_user(ctx.user),
        password_required,
        what,
        "net user",
        timeout=QUICK_S,
        c_locale=False,
    )


@provider(
    "windows.software", facts=["password_manager.installed", "apps.personal"], platforms=WINDOWS
)
def software(ctx: ProbeContext) -> Iterable[Fact]:
    what = _("liste des programmes installés")
    cp = proc.run(UNINSTALL_PS, timeout=QUICK_S, c_locale=False)
    appx = proc.run(APPX_PS, timeout=QUICK_S, c_locale=False)
    try:
        names = installed_names(cp.stdout, appx.stdout if appx.ok else "") if cp.ok else None
    except ValueError:
        names = None
    if names is None:
        reason = failure_reason(cp, what) if not cp.ok else unreadable(what)
        yield Fact.unknown("password_manager.installed", reason, "Uninstall")
        yield Fact.unknown("apps.personal", reason, "Uninstall")
        return
    source = "Uninstall + Get-AppxPackage" if appx.ok else "Uninstall"
    yield Fact.known(
        "password_manager.installed", match_software(names, "password_managers"), source
    )
    yield Fact.known("apps.personal", match_software(names, "personal_apps"), source)


# --- M04 mail accounts ----------------------------------------------------------------
@provider("windows.thunderbird", facts=["mail.webmail_accounts"], platforms=WINDOWS)
def thunderbird(ctx: ProbeContext) -> Iterable[Fact]:
    """Thunderbird keeps its profiles under %APPDATA%\\Thunderbird (``profiles.ini``)."""
    yield thunderbird_webmail(system("windows").thunderbird_roots(ctx.home))
