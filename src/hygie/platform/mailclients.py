"""Mail clients' profiles on every OS: the one walk of Thunderbird's ``profiles.ini``.

Where the profiles are is :meth:`hygie.platform.os_base.System.thunderbird_roots`; the pure
reading of ``profiles.ini`` and ``prefs.js`` lives in :mod:`hygie.platform.parsers.thunderbird`.
The audit's probe (:mod:`hygie.audit.probes.mailclients`) and the mail exposure scan both
walk the profiles with :func:`profile_dirs`.
"""

from __future__ import annotations

from pathlib import Path

from hygie.platform.parsers.thunderbird import thunderbird_profile_dirs


def read_text_or_none(path: Path) -> str | None:
    """The file's text (undecodable bytes replaced), or None when it does not exist."""
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except (FileNotFoundError, NotADirectoryError):
        return None


def profile_dirs(base: Path) -> list[Path]:
    """The profile folders ``base/profiles.ini`` lists ([] when there is none).

    Raises OSError when ``profiles.ini`` exists but cannot be read (the caller decides:
    unknown for the audit, skipped for a mail exposure scan)."""
    ini = read_text_or_none(base / "profiles.ini")
    return [] if ini is None else thunderbird_profile_dirs(ini, base)
