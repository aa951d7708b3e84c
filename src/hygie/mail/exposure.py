"""Exposure audit for M04: patient data already sent outside MSSanté, counted, never kept.

Sources: the Sent folders of this device's Thunderbird profiles (``profiles.ini`` → profile →
``ImapMail/*/Sent*`` and ``Mail/*/Sent*`` mbox files, French names too), or the folders and
``.eml``/``.mbox`` files the user names. For each message of the period (12 months by
default) sent to at least one non-MSSanté recipient, the scanner says whether it holds patient
data. Only COUNTS come out (and are recorded for ``hygie audit``): no address, no subject, no
identifier, no file name.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import fnmatch
import logging
import mailbox
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.parser import BytesHeaderParser
from email.policy import compat32
from pathlib import Path
from typing import Any

from hygie.i18n import _, ngettext
from hygie.mail.addresses import classify_address
from hygie.mail.errors import ExposureSourceError
from hygie.mail.relay.decide import Scanner
from hygie.platform import ALL_PLATFORMS, current, system
from hygie.platform.mailclients import profile_dirs
from hygie.platform.parsers.thunderbird import webmail_domains_from_prefs
from hygie.scan import scan_email

log = logging.getLogger("hygie.mail.exposure")

SENT_PATTERNS = (
    "sent*",
    "envoy*",
    "messages envoy*",
    "éléments envoy*",
    "elements envoy*",
    "sent mail*",
    "sent items*",
)


def thunderbird_roots(home: Path, platform: str | None = None) -> list[Path]:
    """Where Thunderbird keeps ``profiles.ini`` on each OS (the platform seam knows)."""
    plat = platform or current()
    if plat.startswith("win"):
        plat = "windows"
    return system(plat if plat in ALL_PLATFORMS else None).thunderbird_roots(home)


def thunderbird_profiles(home: Path, platform: str | None = None) -> list[Path]:
    out: list[Path] = []
    for root in thunderbird_roots(home, platform):
        try:
            listed = profile_dirs(root)
        except OSError:
            continue
        for p in listed:
            if p.is_dir() and p not in out:
                out.append(p)
    return out


def _is_sent_name(name: str) -> bool:
    n = name.lower()
    return any(fnmatch.fnmatch(n, pat) for pat in SENT_PATTERNS)


def sent_mboxes(profile: Path) -> list[Path]:
    """Sent-folder mbox files of one profile (``.msf`` indexes and ``.sbd`` folders skipped)."""
    out: list[Path] = []
    for top in ("ImapMail", "Mail"):
        base = profile / top
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*")):
            if path.is_file() and path.suffix.lower() != ".msf" and _is_sent_name(path.name):
                out.append(path)
    return out


def webmail_account_count(profiles: list[Path]) -> int:
    n = 0
    for p in profiles:
        try:
            text = (p / "prefs.js").read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        n += len(webmail_domains_from_prefs(text))
    return n


def _looks_like_mbox(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return fh.read(5) == b"From "
    except OSError:
        return False


def files_in(paths: list[Path]) -> list[Path]:
    """The .eml/.mbox files (and extension-less mbox files) under the paths given."""
    out: list[Path] = []
    for p in paths:
        if not p.exists():
            raise ExposureSourceError(path=str(p), detail=_("introuvable"))
        candidates = sorted(x for x in p.rglob("*") if x.is_file()) if p.is_dir() else [p]
        for f in candidates:
            suffix = f.suffix.lower()
            if suffix in (".eml", ".mbox") or (suffix in ("", ".txt") and _looks_like_mbox(f)):
                out.append(f)
    return out


def iter_messages(path: Path) -> Iterator[bytes]:
    """Raw messages of an .eml file or an mbox file."""
    if path.suffix.lower() == ".eml" and not _looks_like_mbox(path):
        yield path.read_bytes()
        return
    box = mailbox.mbox(str(path), create=False)
    try:
        for key in box.iterkeys():
            try:
                yield box.get_bytes(key)
            except (OSError, KeyError):
                continue
    finally:
        box.close()


@dataclass(frozen=True)
class ExposureResult:
    """Counts only (safe to record and to print)."""

    scanned_at: str
    months: int
    sources: int
    unreadable_sources: int
    thunderbird_profiles: int
    messages_seen: int
    messages_in_period: int
    messages_to_non_mssante: int
    sent_patient_data_non_mssante: int
    not_scannable: int
    webmail_accounts: int | None
    finding_types: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "scanned_at": self.scanned_at,
            "months": self.months,
            "sources": self.sources,
            "unreadable_sources": self.unreadable_sources,
            "thunderbird_profiles": self.thunderbird_profiles,
            "messages_seen": self.messages_seen,
            "messages_in_period": self.messages_in_period,
            "messages_to_non_mssante": self.messages_to_non_mssante,
            "sent_patient_data_non_mssante": self.sent_patient_data_non_mssante,
            "not_scannable": self.not_scannable,
            "webmail_accounts": self.webmail_accounts,
            "finding_types": dict(self.finding_types),
        }


def _recipients(headers: Any) -> list[str]:
    values: list[str] = []
    for h in ("To", "Cc", "Bcc"):
        values.extend(str(v) for v in headers.get_all(h, []) or [])
    return [addr for _n, addr in email.utils.getaddresses(values) if addr]


def _date(headers: Any) -> dt.datetime | None:
    value = headers.get("Date")
    if not value:
        return None
    try:
        d = email.utils.parsedate_to_datetime(str(value))
    except (TypeError, ValueError, IndexError):
        return None
    if d.tzinfo is None:
        d = d.replace(tzinfo=dt.UTC)
    return d


def count_exposure(
    files: list[Path],
    *,
    scanner: Scanner,
    since: dt.datetime,
    progress: Callable[[int], None] | None = None,
    scan_timeout_s: float = 10.0,
) -> dict[str, Any]:
    """Walk the messages; pure counting (the caller records)."""
    c: dict[str, Any] = {
        "sources": 0,
        "unreadable_sources": 0,
        "messages_seen": 0,
        "messages_in_period": 0,
        "messages_to_non_mssante": 0,
        "sent_patient_data_non_mssante": 0,
        "not_scannable": 0,
        "finding_types": {},
    }
    parser = BytesHeaderParser(policy=compat32)
    for f in files:
        try:
            f.stat()
            messages = iter_messages(f)
            c["sources"] += 1
            for raw in messages:
                c["messages_seen"] += 1
                if progress and c["messages_seen"] % 25 == 0:
                    progress(c["messages_seen"])
                headers = parser.parsebytes(raw)
                when = _date(headers)
                if when is not None and when < since:
                    continue
                c["messages_in_period"] += 1
                rcpts = _recipients(headers)
                if not rcpts or all(classify_address(r).is_mssante for r in rcpts):
                    continue
                c["messages_to_non_mssante"] += 1
                try:
                    result = scanner(raw, deadline=time.monotonic() + scan_timeout_s)
                except Exception as exc:  # counted as not scanned, never as clean
                    log.warning("scanner error %s (message not scanned)", type(exc).__name__)
                    c["not_scannable"] += 1
                    continue
                if result.verdict == "found":
                    c["sent_patient_data_non_mssante"] += 1
                    for finding in result.patient_findings:
                        t = finding.type
                        c["finding_types"][t] = c["finding_types"].get(t, 0) + 1
                elif result.verdict != "clean":
                    c["not_scannable"] += 1
        except (OSError, mailbox.Error, UnicodeError, ValueError):
            c["unreadable_sources"] += 1
    if progress:
        progress(c["messages_seen"])
    return c


def run_exposure(
    paths: list[Path],
    *,
    months: int = 12,
    record: bool = True,
    home: Path | None = None,
    now: dt.datetime | None = None,
    scanner: Scanner | None = None,
    progress: Callable[[int], None] | None = None,
) -> ExposureResult:
    """Count exposure in the paths given, else in this device's Thunderbird Sent folders."""
    if scanner is None:
        scanner = scan_email
    now = now or dt.datetime.now(dt.UTC)
    since = now - dt.timedelta(days=round(months * 30.44))
    profiles: list[Path] = []
    webmail: int | None = None
    if paths:
        files = files_in(paths)
    else:
        profiles = thunderbird_profiles(home or Path.home())
        files = [m for p in profiles for m in sent_mboxes(p)]
        webmail = webmail_account_count(profiles)
    counts = count_exposure(files, scanner=scanner, since=since, progress=progress)
    result = ExposureResult(
        scanned_at=now.isoformat(timespec="seconds"),
        months=months,
        thunderbird_profiles=len(profiles),
        webmail_accounts=webmail,
        **counts,
    )
    if record:
        from hygie.mail.store import save_exposure

        save_exposure({**result.to_dict(), "from_profiles": not paths})
    return result


def render_lines(r: ExposureResult) -> list[str]:
    lines = [
        ngettext(
            "{n} message examiné ({p} sur les {m} derniers mois) dans {s} source(s).",
            "{n} messages examinés ({p} sur les {m} derniers mois) dans {s} source(s).",
            r.messages_seen,
        ).format(n=r.messages_seen, p=r.messages_in_period, m=r.months, s=r.sources)
    ]
    if r.sent_patient_data_non_mssante:
        lines.append(
            "[red]✘[/] "
            + ngettext(
                "{n} message avec des données de patients est parti hors MSSanté.",
                "{n} messages avec des données de patients sont partis hors MSSanté.",
                r.sent_patient_data_non_mssante,
            ).format(n=r.sent_patient_data_non_mssante)
        )
    else:
        lines.append("[green]✔[/] " + _("Aucun message avec des données de patients hors MSSanté."))
    if r.not_scannable:
        lines.append(
            _("{n} message(s) n'ont pas pu être lus (chiffrés ou illisibles).").format(
                n=r.not_scannable
            )
        )
    if r.unreadable_sources:
        lines.append(_("{n} fichier(s) illisible(s).").format(n=r.unreadable_sources))
    if r.webmail_accounts:
        lines.append(
            _("{n} compte(s) de messagerie gratuite configuré(s) dans Thunderbird.").format(
                n=r.webmail_accounts
            )
        )
    return lines
