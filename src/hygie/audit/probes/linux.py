"""Linux probes: each reads the machine (through :mod:`hygie.proc` or files under
``ctx.root`` / ``ctx.home``), hands the raw text to a pure parser in
:mod:`hygie.platform.parsers`, and returns facts. Nothing here needs root; a permission
error, a missing tool or a timeout is "unknown, because ...", never a crash.

Providers run concurrently (see :mod:`hygie.audit.runner`), so each one is independent.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from hygie import proc
from hygie.audit.context import ProbeContext
from hygie.audit.model import Fact
from hygie.audit.probes.mailclients import thunderbird_webmail
from hygie.audit.registry import ProviderFn, provider
from hygie.i18n import N_, _
from hygie.platform.eol import support_status
from hygie.platform.parsers import apt as apt_parser
from hygie.platform.parsers import clamav as clamav_parser
from hygie.platform.parsers import desktop as desktop_parser
from hygie.platform.parsers import dnf as dnf_parser
from hygie.platform.parsers import firewall as fw_parser
from hygie.platform.parsers import lsblk as lsblk_parser
from hygie.platform.parsers import nmcli as nm_parser
from hygie.platform.parsers import passwd as passwd_parser
from hygie.platform.parsers import systemctl as sd_parser
from hygie.platform.parsers.applications import desktop_entry_names
from hygie.platform.parsers.os_release import parse_os_release, release_key
from hygie.platform.software import match_software

LINUX = {"linux"}
ADMIN_GROUPS = {"sudo", "wheel", "admin", "root"}
SHORT = 2.0  # seconds: local queries (systemctl, gsettings, nmcli, lsblk, passwd)


def _read(ctx: ProbeContext, path: str) -> str | None:
    try:
        return ctx.fs(path).read_text(encoding="utf-8", errors="replace")
    except (FileNotFoundError, NotADirectoryError):
        return None
    except PermissionError:
        raise


def _read_home(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return None


def _exists(ctx: ProbeContext, *paths: str) -> bool:
    return any(ctx.fs(p).exists() for p in paths)


def _failed(res: proc.Completed) -> str:
    """French reason for a command that did not answer."""
    name = res.args[0] if res.args else "?"
    if res.missing:
        return _("la commande {cmd} est absente").format(cmd=name)
    if res.timed_out:
        return _("la commande {cmd} n'a pas répondu à temps").format(cmd=name)
    return _("la commande {cmd} a échoué ({detail})").format(cmd=name, detail=res.why())


def _user_env(ctx: ProbeContext) -> dict[str, str]:
    """C locale, and the desktop user's folders when hygie runs for someone else (sudo)."""
    env = proc.c_locale_env()
    if Path(env.get("HOME", "")) != ctx.home:
        env["HOME"] = str(ctx.home)
        env["XDG_CONFIG_HOME"] = str(ctx.home / ".config")
    return env


def _systemctl_states(units: list[str], verb: str = "is-active") -> dict[str, str] | None:
    """Unit states, or None when systemd cannot be asked (container, other init system)."""
    if verb == "is-active":
        res = proc.run(["systemctl", verb, *units], timeout=SHORT)
        if res.missing or res.timed_out or sd_parser.systemd_unavailable(res.stderr):
            return None
        return sd_parser.parse_unit_states(res.stdout, units)
    out: dict[str, str] = {}
    for unit in units:  # is-enabled prints nothing on stdout for a unit that does not exist
        res = proc.run(["systemctl", verb, unit], timeout=SHORT)
        if res.missing or res.timed_out or sd_parser.systemd_unavailable(res.stderr):
            return None
        out[unit] = res.stdout.strip() or "not-found"
    return out


def guarded(*keys: str) -> Callable[[ProviderFn], ProviderFn]:
    """Turn an unexpected read error (permission, a folder where a file was expected...)
    into "unknown, because ..." for every fact of the provider, with the path in question."""

    def deco(fn: ProviderFn) -> ProviderFn:
        @functools.wraps(fn)
        def wrapper(ctx: ProbeContext) -> list[Fact]:
            try:
                return list(fn(ctx))
            except PermissionError as exc:
                reason = _("accès refusé à {path}").format(path=exc.filename or "?")
            except OSError as exc:
                reason = _("lecture impossible de {path} ({err})").format(
                    path=exc.filename or "?", err=exc.strerror or type(exc).__name__
                )
            return [Fact.unknown(k, reason, fn.__name__) for k in keys]

        return wrapper

    return deco


# --- M05 operating system -------------------------------------------------------------
@provider("linux.os_release", facts=["os.support"], platforms=LINUX)
@guarded("os.support")
def os_support(ctx: ProbeContext) -> Iterable[Fact]:
    text = _read(ctx, "/etc/os-release") or _read(ctx, "/usr/lib/os-release")
    if text is None:
        yield Fact.unknown("os.support", _("fichier /etc/os-release absent"), "os-release")
        return
    family, release, name = release_key(parse_os_release(text))
    yield Fact.known(
        "os.support", support_status(family, release, name, ctx.now.date()), "os-release"
    )


# --- M08 daily user is not admin ------------------------------------------------------
def admin_groups_of(user: str, groups_text: str | None = None) -> list[str]:
    """Admin groups a user belongs to (from /etc/group text, or the live group database)."""
    if user == "root":
        return ["root"]
    found: list[str] = []
    if groups_text is not None:
        for line in groups_text.splitlines():
            parts = line.split(":")
            if len(parts) >= 4 and parts[0] in ADMIN_GROUPS and user in parts[3].split(","):
                found.append(parts[0])
        return found
    from hygie.platform import system

    live = system("linux").admin_groups_of(user, frozenset(ADMIN_GROUPS))
    return found if live is None else live


@provider("linux.user_groups", facts=["user.is_admin"], platforms=LINUX)
@guarded("user.is_admin")
def user_is_admin(ctx: ProbeContext) -> Iterable[Fact]:
    groups_text = _read(ctx, "/etc/group")
    groups = admin_groups_of(ctx.user, groups_text)
    yield Fact.known("user.is_admin", bool(groups), "/etc/group")


# --- M05 pending updates --------------------------------------------------------------
APT_CACHE_TTL = dt.timedelta(hours=24)
APT_STATE_PATHS = (
    "/var/lib/dpkg/status",
    "/var/lib/apt/lists",
    "/etc/apt/sources.list",
    "/etc/apt/sources.list.d",
    "/etc/apt/preferences.d",
)


def _apt_state_key(ctx: ProbeContext) -> list[list[int]]:
    """What ``apt list --upgradable`` depends on: installed packages and downloaded lists.

    Both are replaced by renaming, so their (and their folder's) modification times change
    whenever the answer may change."""
    key = []
    for p in APT_STATE_PATHS:
        try:
            st = ctx.fs(p).stat()
            key.append([st.st_mtime_ns, st.st_size])
        except OSError:
            key.append([0, 0])
    return key


def _apt_list_files(ctx: ProbeContext) -> list[tuple[str, float]]:
    out: list[tuple[str, float]] = []
    try:
        entries = list(ctx.fs("/var/lib/apt/lists").iterdir())
    except OSError:
        entries = []
    stamp = ctx.fs("/var/lib/apt/periodic/update-success-stamp")
    for p in [*entries, stamp]:
        if p.name in ("lock", "partial", "auxfiles"):
            continue
        try:
            out.append((p.name, p.stat().st_mtime))
        except OSError:
            continue
    return out


def _apt_pending(ctx: ProbeContext) -> apt_parser.PendingUpdates | str:
    """Pending updates from apt (cached while dpkg and the package lists are unchanged:
    ``apt list`` costs most of the audit's second). Returns a French reason on failure."""
    cache = ctx.paths.cache_dir / "linux-apt-upgradable.json"
    key = _apt_state_key(ctx)
    try:
        saved = json.loads(cache.read_text(encoding="utf-8"))
        at = dt.datetime.fromisoformat(saved["at"])
        if saved["key"] == key and dt.timedelta(0) <= ctx.now - at <= APT_CACHE_TTL:
            return apt_parser.PendingUpdates(int(saved["pending"]), int(saved["security"]))
    except (OSError, ValueError, KeyError, TypeError):
        pass
    res = proc.run(["apt", "list", "--upgradable"], timeout=5.0)
    if not res.ok:
        return _failed(res)
    counts = apt_parser.parse_apt_upgradable(res.stdout)
    try:
        cache.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = cache.with_suffix(".tmp")
        tmp.write_text(
            json.dumps(
                {
                    "key": key,
                    "at": ctx.now.isoformat(),
                    "pending": counts.pending,
                    "security": counts.security,
                }
            ),
            encoding="utf-8",
        )
        tmp.replace(cache)
    except OSError:
        pass
    return counts


@provider(
    "linux.updates",
    facts=["updates.pending", "updates.security_pending"],
    platforms=LINUX,
    timeout_s=6.0,
)
@guarded("updates.pending", "updates.security_pending")
def pending_updates(ctx: ProbeContext) -> Iterable[Fact]:
    keys = ("updates.pending", "updates.security_pending")
    if _exists(ctx, "/usr/bin/apt") or proc.which("apt"):
        got = _apt_pending(ctx)
        if isinstance(got, str):
            yield from (Fact.unknown(k, got, "apt") for k in keys)
            return
        age = apt_parser.lists_age_days(_apt_list_files(ctx), ctx.now.timestamp())
        if age is None:
            reason = _("la liste des paquets n'a jamais été téléchargée (apt update)")
            yield from (Fact.unknown(k, reason, "apt") for k in keys)
            return
        yield Fact.known("updates.pending", got.pending, "apt list --upgradable")
        if got.security == 0 and age > apt_parser.LISTS_MAX_AGE_DAYS:
            # nothing found, but from lists too old to know about recent security fixes
            yield Fact.unknown(
                "updates.security_pending",
                _(
                    "la liste des paquets date de {n} jours : mises à jour récentes inconnues"
                ).format(n=age),
                "apt",
            )
            return
        yield Fact.known("updates.security_pending", got.security, "apt list --upgradable")
        return
    dnf = "dnf5" if proc.which("dnf5") and not proc.which("dnf") else "dnf"
    if proc.which(dnf):
        # -C: from the local metadata cache only (no network, no slow refresh)
        res = proc.run([dnf, "-q", "-C", "check-update"], timeout=5.0)
        pending = dnf_parser.count_dnf_updates(res.stdout, res.returncode)
        if pending is None:
            yield from (Fact.unknown(k, _failed(res), dnf) for k in keys)
            return
        yield Fact.known("updates.pending", pending, f"{dnf} check-update")
        sec = proc.run([dnf, "-q", "-C", "check-update", "--security"], timeout=5.0)
        security = dnf_parser.count_dnf_updates(sec.stdout, sec.returncode)
        if security is None:
            yield Fact.unknown("updates.security_pending", _failed(sec), dnf)
        else:
            yield Fact.known("updates.security_pending", security, f"{dnf} check-update --security")
        return
    reason = _("ni apt ni dnf : gestionnaire de paquets non pris en charge")
    yield from (Fact.unknown(k, reason, "") for k in keys)


# --- M05 automatic updates ------------------------------------------------------------
def _dnf_automatic_applies(ctx: ProbeContext) -> bool:
    text = _read(ctx, "/etc/dnf/automatic.conf") or ""
    for line in text.splitlines():
        k, sep, v = line.partition("=")
        if sep and k.strip() == "apply_updates":
            return v.strip().lower() in ("yes", "true", "1", "on")
    return False


@provider("linux.auto_updates", facts=["updates.automatic"], platforms=LINUX)
@guarded("updates.automatic")
def automatic_updates(ctx: ProbeContext) -> Iterable[Fact]:
    key = "updates.automatic"
    if _exists(ctx, "/usr/bin/apt-config") or proc.which("apt-config"):
        res = proc.run(["apt-config", "dump"], timeout=SHORT)
        if not res.ok:
            yield Fact.unknown(key, _failed(res), "apt-config")
            return
        enabled = apt_parser.unattended_upgrade_enabled(apt_parser.parse_apt_config(res.stdout))
        installed = _exists(ctx, "/usr/bin/unattended-upgrade", "/usr/bin/unattended-upgrades")
        if not (enabled and installed):
            yield Fact.known(key, False, "apt-config dump")
            return
        states = _systemctl_states(["apt-daily-upgrade.timer"], "is-enabled")
        if states is not None and not sd_parser.is_enabled(states.get("apt-daily-upgrade.timer")):
            yield Fact.known(key, False, "systemctl is-enabled apt-daily-upgrade.timer")
            return
        yield Fact.known(key, True, "apt-config dump")
        return
    if proc.which("dnf") or proc.which("dnf5"):
        units = [
            "dnf-automatic.timer",
            "dnf-automatic-install.timer",
            "dnf5-automatic.timer",
        ]
        states = _systemctl_states(units, "is-enabled")
        if states is None:
            yield Fact.unknown(key, _("systemd ne répond pas : minuteries inconnues"), "systemctl")
            return
        if sd_parser.is_enabled(states.get("dnf-automatic-install.timer")):
            yield Fact.known(key, True, "dnf-automatic-install.timer")
            return
        timer = any(sd_parser.is_enabled(states.get(u)) for u in units)
        yield Fact.known(key, timer and _dnf_automatic_applies(ctx), "dnf-automatic")
        return
    yield Fact.unknown(
        key, _("ni apt ni dnf : gestionnaire de paquets non pris en charge"), "", askable=True
    )


# --- M13 disk encryption --------------------------------------------------------------
@provider("linux.disk", facts=["disk.system_encrypted"], platforms=LINUX)
@guarded("disk.system_encrypted")
def disk_encryption(ctx: ProbeContext) -> Iterable[Fact]:
    key = "disk.system_encrypted"
    res = proc.run(["lsblk", "-J", "-o", "NAME,TYPE,FSTYPE,MOUNTPOINTS"], timeout=SHORT)
    if not res.ok and not res.missing and "MOUNTPOINTS" in (res.stderr or ""):
        # util-linux < 2.37 knows only MOUNTPOINT (one mount per device)
        res = proc.run(["lsblk", "-J", "-o", "NAME,TYPE,FSTYPE,MOUNTPOINT"], timeout=SHORT)
    if not res.ok:
        yield Fact.unknown(key, _failed(res), "lsblk")
        return
    try:
        devices = lsblk_parser.parse_lsblk(res.stdout)
    except lsblk_parser.LsblkError:
        yield Fact.unknown(key, _("réponse de lsblk illisible"), "lsblk")
        return
    root = lsblk_parser.mount_encryption(devices, "/")
    if root is None:
        yield Fact.unknown(key, _("le disque qui porte le système (/) n'a pas été trouvé"), "lsblk")
        return
    home = lsblk_parser.mount_encryption(devices, "/home")
    encrypted = root and (home is None or home)
    yield Fact.known(key, encrypted, "lsblk")


# --- M03 firewall ---------------------------------------------------------------------
@provider("linux.firewall", facts=["firewall.enabled"], platforms=LINUX)
@guarded("firewall.enabled")
def firewall(ctx: ProbeContext) -> Iterable[Fact]:
    key = "firewall.enabled"
    states = _systemctl_states(["ufw", "firewalld", "nftables"])
    doubts: list[str] = []
    ufw_text = _read(ctx, "/etc/ufw/ufw.conf")
    if ufw_text is not None and fw_parser.parse_ufw_conf(ufw_text):
        if states is None:
            doubts.append(_("ufw est configuré mais systemd ne dit pas s'il tourne"))
        elif sd_parser.is_active(states.get("ufw")):
            yield Fact.known(key, True, "ufw")
            return
    if proc.which("firewall-cmd"):
        res = proc.run(["firewall-cmd", "--state"], timeout=SHORT)
        if fw_parser.parse_firewalld_state(res.stdout, res.returncode):
            yield Fact.known(key, True, "firewalld")
            return
    elif states is not None and sd_parser.is_active(states.get("firewalld")):
        yield Fact.known(key, True, "firewalld")
        return
    nft_conf = _read(ctx, "/etc/nftables.conf")
    if (
        states is not None
        and sd_parser.is_active(states.get("nftables"))
        and nft_conf is not None
        and fw_parser.nft_filters_input(nft_conf)
    ):
        yield Fact.known(key, True, "nftables")
        return
    # Last word: the rules the kernel applies right now (needs root).
    nft = "nft" if proc.which("nft") or not _exists(ctx, "/usr/sbin/nft") else "/usr/sbin/nft"
    res = proc.run([nft, "list", "ruleset"], timeout=SHORT)
    if res.ok:
        yield Fact.known(key, fw_parser.nft_filters_input(res.stdout), "nft list ruleset")
        return
    if not res.missing:
        if fw_parser.permission_denied(res.stderr):
            reason = _(
                "les règles du pare-feu ne sont lisibles qu'avec les droits d'administrateur"
            )
        else:
            reason = _failed(res)
        yield Fact.unknown(key, reason, "nft", askable=True)
        return
    if doubts:
        yield Fact.unknown(key, doubts[0], "ufw", askable=True)
        return
    if states is None and not any(
        _exists(ctx, p) for p in ("/etc/ufw/ufw.conf", "/etc/firewalld", "/etc/nftables.conf")
    ):
        yield Fact.unknown(
            key,
            _("aucun pare-feu connu (ufw, firewalld, nftables) et nft absent"),
            "",
            askable=True,
        )
        return
    yield Fact.known(key, False, "ufw/firewalld/nftables")


# --- M02 screen lock / M06 autorun: desktop settings ----------------------------------
NO_DESKTOP = N_("pas de bureau graphique")


def _desktop(ctx: ProbeContext, env: Mapping[str, str] | None = None) -> str | None:
    installed = {
        "gnome": _exists(ctx, "/usr/bin/gnome-shell"),
        "kde": _exists(ctx, "/usr/bin/plasmashell", "/usr/bin/startplasma-x11"),
    }
    return desktop_parser.detect_desktop(os.environ if env is None else env, installed)


def _gsettings(ctx: ProbeContext, schemas: list[str]) -> dict[str, desktop_parser.JSONScalar] | str:
    """Settings of GNOME schemas for the desktop user, or a French reason."""
    out: dict[str, desktop_parser.JSONScalar] = {}
    env = _user_env(ctx)
    for schema in schemas:
        res = proc.run(["gsettings", "list-recursively", schema], timeout=SHORT, env=env)
        if not res.ok:
            return _failed(res)
        if desktop_parser.gsettings_is_memory_backend(res.stderr):
            return _("les réglages GNOME ne sont pas lisibles hors de la session (pas de dconf)")
        out.update(desktop_parser.parse_gsettings_list(res.stdout))
    return out


@provider("linux.screenlock", facts=["screenlock.enabled", "screenlock.delay_s"], platforms=LINUX)
@guarded("screenlock.enabled", "screenlock.delay_s")
def screenlock(ctx: ProbeContext) -> Iterable[Fact]:
    keys = ("screenlock.enabled", "screenlock.delay_s")
    desk = _desktop(ctx)
    if desk is None:
        yield from (Fact.not_applicable(k, _(NO_DESKTOP), "") for k in keys)
        return
    if desk == "gnome":
        got = _gsettings(ctx, [desktop_parser.SCREENSAVER, desktop_parser.SESSION])
        if isinstance(got, str):
            yield from (Fact.unknown(k, got, "gsettings", askable=True) for k in keys)
            return
        lock = desktop_parser.gnome_screenlock(got)
        source = "gsettings"
    elif desk == "kde":
        lock = desktop_parser.kde_screenlock(_read_home(ctx.home / ".config/kscreenlockerrc"))
        source = "kscreenlockerrc"
    else:
        reason = _("bureau {name} : réglage du verrouillage non lu par hygie").format(name=desk)
        yield from (Fact.unknown(k, reason, desk, askable=True) for k in keys)
        return
    yield Fact.known("screenlock.enabled", lock.enabled, source)
    yield Fact.known("screenlock.delay_s", lock.delay_s, source)


@provider("linux.media", facts=["media.autorun_disabled"], platforms=LINUX)
@guarded("media.autorun_disabled")
def media_autorun(ctx: ProbeContext) -> Iterable[Fact]:
    key = "media.autorun_disabled"
    desk = _desktop(ctx)
    if desk is None:
        yield Fact.not_applicable(key, _(NO_DESKTOP), "")
        return
    if desk == "gnome":
        got = _gsettings(ctx, [desktop_parser.MEDIA])
        if isinstance(got, str):
            yield Fact.unknown(key, got, "gsettings", askable=True)
            return
        yield Fact.known(key, desktop_parser.gnome_autorun_disabled(got), "gsettings")
        return
    if desk == "kde":
        text = _read_home(ctx.home / ".config/kded_device_automounterrc")
        yield Fact.known(
            key, desktop_parser.kde_autorun_disabled(text), "kded_device_automounterrc"
        )
        return
    reason = _("bureau {name} : réglage des clés USB non lu par hygie").format(name=desk)
    yield Fact.unknown(key, reason, desk, askable=True)


# --- M09 Wi-Fi ------------------------------------------------------------------------
def _wifi_interfaces(ctx: ProbeContext) -> list[str]:
    base = ctx.fs("/sys/class/net")
    try:
        return sorted(d.name for d in base.iterdir() if (d / "wireless").exists())
    except OSError:
        return []


@provider("linux.wifi", facts=["wifi.security", "wifi.hidden"], platforms=LINUX)
@guarded("wifi.security", "wifi.hidden")
def wifi(ctx: ProbeContext) -> Iterable[Fact]:
    keys = ("wifi.security", "wifi.hidden")
    if not _wifi_interfaces(ctx):
        yield from (
            Fact.not_applicable(k, _("pas d'interface Wi-Fi"), "/sys/class/net") for k in keys
        )
        return
    res = proc.run(
        ["nmcli", "-t", "-f", "ACTIVE,SSID,SECURITY", "dev", "wifi", "list", "--rescan", "no"],
        timeout=SHORT,
    )
    if not res.ok:
        reason = (
            _("NetworkManager (nmcli) absent : sécurité du Wi-Fi non lue")
            if res.missing
            else _failed(res)
        )
        yield from (Fact.unknown(k, reason, "nmcli") for k in keys)
        return
    ap = nm_parser.active_ap(nm_parser.parse_dev_wifi(res.stdout))
    if ap is None:
        yield from (Fact.not_applicable(k, _("pas connecté en Wi-Fi"), "nmcli") for k in keys)
        return
    fields: dict[str, str] = {}
    act = proc.run(
        ["nmcli", "-t", "-f", "UUID,TYPE,DEVICE", "connection", "show", "--active"],
        timeout=SHORT,
    )
    uuid = nm_parser.active_wifi_uuid(act.stdout) if act.ok else None
    if uuid:
        con = proc.run(
            [
                "nmcli",
                "-t",
                "-f",
                "802-11-wireless.hidden,802-11-wireless-security.key-mgmt",
                "connection",
                "show",
                uuid,
            ],
            timeout=SHORT,
        )
        if con.ok:
            fields = nm_parser.parse_connection_fields(con.stdout)
    security = nm_parser.wifi_security(ap.security, fields.get("802-11-wireless-security.key-mgmt"))
    yield Fact.known("wifi.security", security, "nmcli")
    hidden = nm_parser.connection_hidden(fields)
    if ap.ssid == "":
        hidden = True
    if hidden is None:
        yield Fact.unknown("wifi.hidden", _("réglage de la connexion Wi-Fi illisible"), "nmcli")
    else:
        yield Fact.known("wifi.hidden", hidden, "nmcli")


# --- M01/M03/M08 installed software ---------------------------------------------------
SYSTEM_APP_DIRS = (
    "/usr/share/applications",
    "/usr/local/share/applications",
    "/var/lib/flatpak/exports/share/applications",
    "/var/lib/snapd/desktop/applications",
)
USER_APP_DIRS = (
    ".local/share/applications",
    ".local/share/flatpak/exports/share/applications",
)
CLAMAV_BINARIES = (
    "/usr/bin/clamscan",
    "/usr/bin/clamdscan",
    "/usr/sbin/clamd",
    "/usr/bin/freshclam",
    "/usr/bin/clamtk",
)


def _desktop_names(folder: Path) -> list[str]:
    names: list[str] = []
    try:
        entries = sorted(folder.iterdir())
    except OSError:
        return names
    for f in entries:
        if f.suffix != ".desktop":
            continue
        try:
            text = f.read_text(encoding="utf-8", errors="replace")
        except OSError:
            text = ""
        names.extend(desktop_entry_names(f.name, text))
    return names


def _dir_names(folder: Path) -> list[str]:
    try:
        return [d.name for d in folder.iterdir()]
    except OSError:
        return []


def installed_software(ctx: ProbeContext) -> tuple[list[str], list[str]]:
    """Names of installed programs (.desktop entries, flatpaks, snaps, Debian packages) and
    the sources that could not be read."""
    names: list[str] = []
    for d in SYSTEM_APP_DIRS:
        names.extend(_desktop_names(ctx.fs(d)))
    for d in USER_APP_DIRS:
        names.extend(_desktop_names(ctx.home / d))
    for d in ("/var/lib/flatpak/app", "/snap"):
        names.extend(_dir_names(ctx.fs(d)))
    names.extend(_dir_names(ctx.home / ".local/share/flatpak/app"))
    names.extend(Path(b).name for b in CLAMAV_BINARIES if ctx.fs(b).exists())
    problems: list[str] = []
    if _exists(ctx, "/var/lib/dpkg/status"):
        res = proc.run(["dpkg-query", "-W", "-f=${db:Status-Abbrev} ${Package}\n"], timeout=3.0)
        if res.ok:
            names.extend(apt_parser.parse_dpkg_packages(res.stdout))
        else:
            problems.append(_failed(res))
    return names, problems


@provider(
    "linux.software",
    facts=["password_manager.installed", "apps.personal", "antivirus.products"],
    platforms=LINUX,
)
@guarded("password_manager.installed", "apps.personal", "antivirus.products")
def software(ctx: ProbeContext) -> Iterable[Fact]:
    names, problems = installed_software(ctx)
    if problems and not names:
        for k in ("password_manager.installed", "apps.personal", "antivirus.products"):
            yield Fact.unknown(k, problems[0], "dpkg-query")
        return
    source = "applications, dpkg"
    yield Fact.known(
        "password_manager.installed", match_software(names, "password_managers"), source
    )
    yield Fact.known("apps.personal", match_software(names, "personal_apps"), source)
    yield Fact.known("antivirus.products", match_software(names, "antivirus"), source)


# --- M03 antivirus signatures and real-time scanning ----------------------------------
CLAMAV_DB_DIR = "/var/lib/clamav"
CLAMAV_DATABASES = tuple(
    f"{name}.{ext}" for name in ("daily", "main", "bytecode") for ext in ("cvd", "cld")
)


def _running_commands(ctx: ProbeContext) -> list[str]:
    comms: list[str] = []
    try:
        pids = [d for d in ctx.fs("/proc").iterdir() if d.name.isdigit()]
    except OSError:
        return comms
    for d in pids:
        try:
            comms.append((d / "comm").read_text(encoding="utf-8", errors="replace"))
        except OSError:
            continue
    return comms


@provider(
    "linux.antivirus",
    facts=["antivirus.signature_age_days", "antivirus.realtime"],
    platforms=LINUX,
)
@guarded("antivirus.signature_age_days", "antivirus.realtime")
def antivirus(ctx: ProbeContext) -> Iterable[Fact]:
    headers: list[clamav_parser.CvdHeader] = []
    unreadable = False
    for name in CLAMAV_DATABASES:
        try:
            with ctx.fs(f"{CLAMAV_DB_DIR}/{name}").open("rb") as fh:
                head = clamav_parser.parse_cvd_header(fh.read(clamav_parser.HEADER_SIZE))
        except FileNotFoundError:
            continue
        except OSError:
            unreadable = True
            continue
        if head is not None:
            headers.append(head)
    clamav = bool(headers) or _exists(ctx, *CLAMAV_BINARIES)
    age_key = "antivirus.signature_age_days"
    if headers:
        yield Fact.known(age_key, clamav_parser.signature_age_days(headers, ctx.now), CLAMAV_DB_DIR)
    elif clamav:
        reason = (
            _("base de signatures ClamAV illisible")
            if unreadable
            else _("ClamAV est installé mais sa base de signatures est absente (freshclam)")
        )
        yield Fact.unknown(age_key, reason, CLAMAV_DB_DIR)
    else:
        others = match_software(installed_software(ctx)[0], "antivirus")
        if others:
            yield Fact.unknown(
                age_key,
                _("âge des signatures de {names} non lu par hygie").format(names=", ".join(others)),
                "",
            )
        else:
            yield Fact.not_applicable(age_key, _("aucun antivirus"), "")
    if clamav_parser.process_running(_running_commands(ctx), "clamonacc"):
        yield Fact.known("antivirus.realtime", True, "clamonacc")
    else:
        yield Fact.not_applicable(
            "antivirus.realtime",
            _("pas d'analyse en temps réel sous Linux (ClamAV clamonacc n'est pas lancé)"),
            "",
        )


# --- M01 the session has a password ---------------------------------------------------
DM_CONFIGS = (
    ("/etc/gdm3/daemon.conf", passwd_parser.gdm_autologin_user),
    ("/etc/gdm3/custom.conf", passwd_parser.gdm_autologin_user),
    ("/etc/gdm/custom.conf", passwd_parser.gdm_autologin_user),
    ("/etc/lightdm/lightdm.conf", passwd_parser.lightdm_autologin_user),
    ("/etc/sddm.conf", passwd_parser.sddm_autologin_user),
    ("/etc/sddm.conf.d/autologin.conf", passwd_parser.sddm_autologin_user),
)


@provider("linux.account", facts=["account.password_set"], platforms=LINUX)
@guarded("account.password_set")
def account_password(ctx: ProbeContext) -> Iterable[Fact]:
    key = "account.password_set"
    for path, parse in DM_CONFIGS:
        try:
            text = _read(ctx, path)
        except PermissionError:
            continue
        if text is not None and parse(text) == ctx.user:
            yield Fact.known(key, False, path)  # the session opens without a password
            return
    res = proc.run(["passwd", "-S", ctx.user], timeout=SHORT)
    if not res.ok:
        if fw_parser.permission_denied(res.stderr) or "may not view" in res.stderr:
            reason = _("l'état du mot de passe de {user} n'est lisible qu'en administrateur")
            yield Fact.unknown(key, reason.format(user=ctx.user), "passwd -S")
        else:
            yield Fact.unknown(key, _failed(res), "passwd -S")
        return
    status = passwd_parser.parse_passwd_status(res.stdout, ctx.user)
    if status == "P":
        yield Fact.known(key, True, "passwd -S")
    elif status == "NP":
        yield Fact.known(key, False, "passwd -S")
    elif status == "L":
        yield Fact.unknown(
            key,
            _("le mot de passe du compte {user} est verrouillé").format(user=ctx.user),
            "passwd -S",
        )
    else:
        yield Fact.unknown(key, _("réponse de passwd -S illisible"), "passwd -S")


# --- M04 mail accounts on this computer -----------------------------------------------
@provider("linux.thunderbird", facts=["mail.webmail_accounts"], platforms=LINUX)
@guarded("mail.webmail_accounts")
def thunderbird(ctx: ProbeContext) -> Iterable[Fact]:
    from hygie.platform import system

    yield thunderbird_webmail(system("linux").thunderbird_roots(ctx.home))
