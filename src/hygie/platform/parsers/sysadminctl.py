"""macOS screen lock (pure): ``sysadminctl -screenLock status`` (printed on stderr),
``defaults -currentHost read com.apple.screensaver idleTime`` and ``pmset -g``."""

from __future__ import annotations

import re
from dataclasses import dataclass

_DELAY = re.compile(r"screenLock delay is (\d+) seconds?", re.IGNORECASE)


@dataclass(frozen=True)
class LockSetting:
    on: bool
    delay_s: int  # time between screen saver / display sleep and the password prompt


def parse_screenlock_status(text: str) -> LockSetting | None:
    t = text.lower()
    if "screenlock is off" in t:
        return LockSetting(False, 0)
    if "screenlock delay is immediate" in t:
        return LockSetting(True, 0)
    m = _DELAY.search(text)
    if m:
        return LockSetting(True, int(m.group(1)))
    return None


def parse_idle_time(text: str) -> int | None:
    v = text.strip()
    return int(v) if v.isdigit() else None


def parse_pmset_displaysleep(text: str) -> int | None:
    """Display sleep in seconds from ``pmset -g`` (``displaysleep 10`` minutes; 0 = never)."""
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0] == "displaysleep" and parts[1].isdigit():
            return int(parts[1]) * 60
    return None


def lock_after(
    setting: LockSetting, idle_s: int | None, displaysleep_s: int | None
) -> tuple[bool, int]:
    """(enabled, seconds of inactivity before the password is needed)."""
    triggers = [t for t in (idle_s, displaysleep_s) if t]
    if not setting.on or not triggers:
        return False, 0
    return True, min(triggers) + setting.delay_s
