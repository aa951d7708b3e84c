"""The audit's probe of mail clients' configured accounts on every OS (Thunderbird profiles).

Only the account DOMAINS that are free webmails come out (``gmail.com``), never addresses.
Where the profiles are is the platform seam's
:meth:`hygie.platform.os_base.System.thunderbird_roots`; the walk of ``profiles.ini`` is
:func:`hygie.platform.mailclients.profile_dirs` (the one Thunderbird walk), the reading of
``prefs.js`` the pure :mod:`hygie.platform.parsers.thunderbird`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from hygie.audit.model import Fact
from hygie.i18n import _
from hygie.platform.mailclients import profile_dirs, read_text_or_none
from hygie.platform.parsers.thunderbird import webmail_domains_from_prefs

KEY = "mail.webmail_accounts"


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
                prefs = read_text_or_none(profile / "prefs.js")
                if prefs:
                    domains.extend(webmail_domains_from_prefs(prefs))
    except OSError:
        return Fact.unknown(KEY, _("profils Thunderbird illisibles"), "thunderbird")
    return Fact.known(KEY, sorted(domains), "thunderbird prefs.js")
