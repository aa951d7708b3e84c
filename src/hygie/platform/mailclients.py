"""Mail clients' configured accounts on every OS (Thunderbird profiles).

Only the account DOMAINS that are free webmails come out (``gmail.com``), never addresses.
The pure reading of ``profiles.ini`` and ``prefs.js`` lives in
:mod:`hygie.platform.parsers.thunderbird`, and where the profiles are is the platform seam's
:meth:`hygie.platform.os_base.System.thunderbird_roots`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from hygie.audit.model import Fact
from hygie.i18n import _
from hygie.platform.parsers.thunderbird import thunderbird_profile_dirs, webmail_domains_from_prefs

KEY = "mail.webmail_accounts"


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except (FileNotFoundError, NotADirectoryError):
        return None


def profile_dirs(base: Path) -> list[Path]:
    """The profile folders ``base/profiles.ini`` lists ([] when there is none).

    Raises OSError when ``profiles.ini`` exists but cannot be read (the caller decides:
    unknown for the audit, skipped for a mail exposure scan)."""
    ini = _read(base / "profiles.ini")
    return [] if ini is None else thunderbird_profile_dirs(ini, base)


def thunderbird_webmail(bases: Iterable[Path]) -> Fact:
    """Webmail domains of the accounts in every Thunderbird profile under ``bases``.

    No Thunderbird is a known empty list (nothing configured here); an unreadable profile
    is unknown, never "no webmail".
    """
    domains: list[str] = []
    seen: set[Path] = set()
    try:
        for base in bases:
            for profile in profile_dirs(base):
                if profile in seen:
                    continue
                seen.add(profile)
                prefs = _read(profile / "prefs.js")
                if prefs:
                    domains.extend(webmail_domains_from_prefs(prefs))
    except OSError:
        return Fact.unknown(KEY, _("profils Thunderbird illisibles"), "thunderbird")
    return Fact.known(KEY, sorted(domains), "thunderbird prefs.js")
