"""Decisions from Windows registry / power values (pure): screen lock, AutoPlay, and the
names of installed programs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from hygie.platform.parsers._text import json_records

REMOVABLE_DRIVE_BIT = 0x04  # NoDriveTypeAutoRun: DRIVE_REMOVABLE


@dataclass(frozen=True)
class ScreenLock:
    enabled: bool
    delay_s: int
    how: str  # "screensaver", "sleep" or ""


def _int(value: object) -> int | None:
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def screen_lock(
    desktop: Mapping[str, str | int],
    policy: Mapping[str, str | int] | None = None,
    console_lock: tuple[int, int] | None = None,
    sleep_after: tuple[int, int] | None = None,
) -> ScreenLock:
    """Does the session lock itself, and after how long?

    * a password-protected screen saver (``ScreenSaveActive=1``, ``ScreenSaverIsSecure=1``,
      ``ScreenSaveTimeOut`` seconds; the policy key wins over the user's choice), or
    * going to sleep (``STANDBYIDLE`` seconds on mains and battery) with "require a password
      on wake-up" (``CONSOLELOCK`` = 1 on both).

    The shorter of the two counts. "Never" on one power source means no lock from sleep.
    """
    merged = {**desktop, **(policy or {})}
    candidates: list[tuple[int, str]] = []
    active = _int(merged.get("screensaveactive")) == 1
    secure = _int(merged.get("screensaverissecure")) == 1
    timeout = _int(merged.get("screensavetimeout")) or 0
    if active and secure and timeout > 0:
        candidates.append((timeout, "screensaver"))
    if (
        console_lock is not None
        and sleep_after is not None
        and min(console_lock) >= 1
        and min(sleep_after) > 0
    ):
        candidates.append((max(sleep_after), "sleep"))
    if not candidates:
        return ScreenLock(False, 0, "")
    delay, how = min(candidates)
    return ScreenLock(True, delay, how)


def autorun_disabled(
    hklm_explorer: Mapping[str, str | int],
    hkcu_explorer: Mapping[str, str | int],
    autoplay_handlers: Mapping[str, str | int],
) -> bool:
    """True when AutoPlay is off for USB keys (user switch or machine/user policy)."""
    if _int(autoplay_handlers.get("disableautoplay")) == 1:
        return True
    for values in (hklm_explorer, hkcu_explorer):
        mask = _int(values.get("nodrivetypeautorun"))
        if mask is not None and mask & REMOVABLE_DRIVE_BIT:
            return True
    return False


def installed_names(uninstall_json: str, appx_json: str = "") -> list[str]:
    """Program names from the Uninstall keys (``DisplayName``) and Store apps (``Name``)."""
    names = [str(r.get("DisplayName") or "") for r in json_records(uninstall_json)]
    if appx_json.strip():
        names += [str(r.get("Name") or "") for r in json_records(appx_json)]
    return sorted({n.strip() for n in names if n.strip()})
