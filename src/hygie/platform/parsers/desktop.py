"""Desktop session settings: GNOME (gsettings) and KDE Plasma (kscreenlockerrc,
kded_device_automounterrc), and which desktop is in use (pure)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from hygie.platform.parsers.ini import read_ini

GNOME_LIKE = ("gnome", "unity", "ubuntu", "budgie", "pantheon", "pop")
KDE_LIKE = ("kde", "plasma")

JSONScalar = bool | int | float | str | None


def detect_desktop(env: Mapping[str, str], installed: Mapping[str, bool]) -> str | None:
    """ "gnome", "kde", another desktop's lower-case name, or None when there is none.

    The session's own variables win (XDG_CURRENT_DESKTOP, then XDG_SESSION_DESKTOP and
    DESKTOP_SESSION); outside a session (ssh, cron, sudo) the installed shells decide
    (``installed`` maps "gnome"/"kde" to whether their shell binary exists).
    """
    for var in ("XDG_CURRENT_DESKTOP", "XDG_SESSION_DESKTOP", "DESKTOP_SESSION"):
        raw = env.get(var, "").strip().lower()
        if not raw:
            continue
        parts = [p for p in re.split(r"[:;]", raw) if p]
        if any(p.startswith(KDE_LIKE) for p in parts):
            return "kde"
        if any(p.startswith(GNOME_LIKE) for p in parts):
            return "gnome"
        return parts[0] if parts else None
    if installed.get("gnome"):
        return "gnome"
    if installed.get("kde"):
        return "kde"
    return None


def parse_gvariant(text: str) -> JSONScalar:
    """One GVariant value as printed by gsettings: ``true``, ``uint32 300``, ``'x'``, ``5``."""
    t = text.strip()
    if t in ("true", "false"):
        return t == "true"
    m = re.fullmatch(r"(?:u?int(?:16|32|64)|byte)?\s*(-?\d+)", t)
    if m:
        return int(m.group(1))
    if len(t) >= 2 and t[0] == t[-1] and t[0] in "'\"":
        return t[1:-1]
    return t


def parse_gsettings_list(text: str) -> dict[str, JSONScalar]:
    """``gsettings list-recursively SCHEMA`` lines ``schema key value`` -> {"schema key": v}."""
    out: dict[str, JSONScalar] = {}
    for line in text.splitlines():
        parts = line.strip().split(None, 2)
        if len(parts) == 3:
            out[f"{parts[0]} {parts[1]}"] = parse_gvariant(parts[2])
    return out


MEMORY_BACKEND_MARKER = "memory' GSettings backend"


def gsettings_is_memory_backend(stderr: str) -> bool:
    """gsettings warns when it falls back to defaults held in memory (no dconf)."""
    return MEMORY_BACKEND_MARKER in stderr


@dataclass(frozen=True)
class ScreenLock:
    enabled: bool
    delay_s: int


SCREENSAVER = "org.gnome.desktop.screensaver"
SESSION = "org.gnome.desktop.session"
MEDIA = "org.gnome.desktop.media-handling"


def _int(value: JSONScalar, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def gnome_screenlock(settings: Mapping[str, JSONScalar]) -> ScreenLock:
    """GNOME locks when the screen blanks after ``idle-delay`` seconds (0 = never) if
    ``lock-enabled``, then waits ``lock-delay`` more seconds before asking the password."""
    lock_enabled = settings.get(f"{SCREENSAVER} lock-enabled", True) is True
    idle = _int(settings.get(f"{SESSION} idle-delay"), 300)
    lock_delay = _int(settings.get(f"{SCREENSAVER} lock-delay"), 0)
    if not lock_enabled or idle <= 0:
        return ScreenLock(False, 0 if idle <= 0 else idle + lock_delay)
    return ScreenLock(True, idle + lock_delay)


def gnome_autorun_disabled(settings: Mapping[str, JSONScalar]) -> bool:
    """Nothing runs or opens by itself: ``autorun-never`` true and ``automount-open`` false."""
    never = settings.get(f"{MEDIA} autorun-never", False) is True
    opens = settings.get(f"{MEDIA} automount-open", True) is True
    return never and not opens


def _kbool(value: str | None, default: bool) -> bool:
    if value is None:
        return default
    return value.strip().lower() in ("true", "1", "yes", "on")


def kde_screenlock(text: str | None) -> ScreenLock:
    """~/.config/kscreenlockerrc ``[Daemon]``: Autolock (default true), Timeout in minutes
    (default 5, 0 = never), LockGrace in seconds (default 5). Absent file = defaults."""
    daemon = read_ini(text or "")
    sec = daemon["Daemon"] if daemon.has_section("Daemon") else {}
    autolock = _kbool(sec.get("Autolock"), True)
    try:
        minutes = int(str(sec.get("Timeout", "5")).strip())
    except ValueError:
        minutes = 5
    try:
        grace = int(str(sec.get("LockGrace", "5")).strip())
    except ValueError:
        grace = 5
    if not autolock or minutes <= 0:
        return ScreenLock(False, 0 if minutes <= 0 else minutes * 60)
    return ScreenLock(True, minutes * 60 + max(grace, 0))


def kde_autorun_disabled(automounter_text: str | None) -> bool:
    """KDE never runs anything from a plugged device; it can mount it by itself when
    ``AutomountEnabled`` and ``AutomountOnPlugin`` are both on (both off by default)."""
    cp = read_ini(automounter_text or "")
    sec = cp["General"] if cp.has_section("General") else {}
    enabled = _kbool(sec.get("AutomountEnabled"), False)
    on_plug = _kbool(sec.get("AutomountOnPlugin"), False)
    return not (enabled and on_plug)
