"""Consistent copies of open files on Windows: restic's ``--use-fs-snapshot`` (VSS) needs an
elevated hygie; without it, an open practice-software database may be copied mid-write.

``is_elevated`` is written here, minimal, until the platform seam offers it (issue #10):
the token's integrity level is read from ``whoami /groups`` (High = S-1-16-12288,
System = S-1-16-16384), a column that is the same in every display language.
"""

from __future__ import annotations

from hygie import proc
from hygie.platform import current
from hygie.platform.parsers.whoami import groups_sids

HIGH_INTEGRITY_SIDS = frozenset({"S-1-16-12288", "S-1-16-16384"})


def elevated_from_whoami(text: str) -> bool | None:
    """Pure: True when the token is elevated, None when the output is not understood."""
    sids = groups_sids(text)
    if not sids:
        return None
    return bool(HIGH_INTEGRITY_SIDS.intersection(sids))


def is_elevated() -> bool | None:
    cp = proc.run(["whoami", "/groups", "/fo", "csv", "/nh"], timeout=10)
    return elevated_from_whoami(cp.stdout) if cp.ok else None


def snapshot_flags() -> tuple[list[str], bool | None]:
    """(restic flags, elevated): VSS on Windows when elevated; nothing elsewhere (None)."""
    if current() != "windows":
        return [], None
    elevated = is_elevated()
    return (["--use-fs-snapshot"] if elevated else []), bool(elevated)
