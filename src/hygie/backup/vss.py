"""Consistent copies of open files on Windows: restic's ``--use-fs-snapshot`` (VSS) needs an
elevated hygie; without it, an open practice-software database may be copied mid-write.

Elevation is the platform seam's (:meth:`hygie.platform.os_base.System.is_elevated`: on
Windows ``IsUserAnAdmin``, else the token's integrity level from ``whoami /groups``, High =
S-1-16-12288 or System = S-1-16-16384, the same in every display language).
"""

from __future__ import annotations

from hygie.platform import current, system
from hygie.platform.parsers.whoami import elevated as elevated_from_whoami

__all__ = ["elevated_from_whoami", "is_elevated", "snapshot_flags"]


def is_elevated() -> bool | None:
    return system().is_elevated()


def snapshot_flags() -> tuple[list[str], bool | None]:
    """(restic flags, elevated): VSS on Windows when elevated; nothing elsewhere (None)."""
    if current() != "windows":
        return [], None
    elevated = is_elevated()
    return (["--use-fs-snapshot"] if elevated else []), bool(elevated)
