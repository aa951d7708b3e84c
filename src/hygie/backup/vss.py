"""Consistent copies of open files on Windows: restic's ``--use-fs-snapshot`` (VSS) needs an
elevated hygie; without it, an open practice-software database may be copied mid-write
(M07.open_files says so). Elevation is asked of the platform seam."""

from __future__ import annotations

from hygie.platform import current, system


def snapshot_flags() -> tuple[list[str], bool | None]:
    """(restic flags, elevated): VSS on Windows when elevated; nothing elsewhere (None)."""
    if current() != "windows":
        return [], None
    elevated = bool(system().is_elevated())
    return (["--use-fs-snapshot"] if elevated else []), elevated
