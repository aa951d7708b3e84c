"""Windows Update search result (pure), from the COM searcher through PowerShell:
one object per pending update with ``Title``, ``MsrcSeverity`` and ``CategoryIDs``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from hygie.platform.parsers._text import json_records, norm

# Update classification GUIDs (same in every language).
SECURITY_UPDATES = "0fa1201d-4330-4fa8-8ae9-b877473b6441"
CRITICAL_UPDATES = "e6cf1350-c01b-414d-a61f-263d14d133b4"
DEFINITION_UPDATES = "e0789628-ce08-4437-be74-2495b842f43b"


@dataclass(frozen=True)
class PendingUpdates:
    total: int
    security: int
    titles: tuple[str, ...]


def _ids(value: object) -> set[str]:
    if isinstance(value, str):
        return {value.lower()}
    if isinstance(value, list):
        return {str(v).lower() for v in value}
    return set()


def parse_wu_search(text: str) -> PendingUpdates:
    """Count pending updates and those that fix security holes (MSRC severity or class)."""
    total = 0
    security = 0
    titles = []
    for rec in json_records(text):
        total += 1
        titles.append(str(rec.get("Title", "")))
        ids = _ids(rec.get("CategoryIDs"))
        severity = norm(str(rec.get("MsrcSeverity") or ""))
        if severity or ids & {SECURITY_UPDATES, CRITICAL_UPDATES, DEFINITION_UPDATES}:
            security += 1
    return PendingUpdates(total, security, tuple(titles))


@dataclass(frozen=True)
class UpdateState:
    """Windows Update's own record (``Microsoft.Update.AutoUpdate`` ``.Results``, in UTC),
    the pending restart (``Microsoft.Update.SystemInfo.RebootRequired``), the update
    service's start type and the AU policy values."""

    last_search: dt.datetime | None
    last_install: dt.datetime | None
    reboot_required: bool | None
    service_start: str
    policy: dict[str, str | int]

    @property
    def automatic(self) -> bool:
        if self.service_start.lower() == "disabled":
            return False
        return automatic_from_policy(self.policy)

    def key(self) -> list[str | bool | None]:
        """What changes when Windows searched or installed again (the cache key)."""
        return [
            self.last_search.isoformat() if self.last_search else None,
            self.last_install.isoformat() if self.last_install else None,
            self.reboot_required,
        ]


def _utc(value: object) -> dt.datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if text.startswith("/Date("):  # PowerShell 5.1's own DateTime serialisation
        try:
            ms = int(text[6:].split(")")[0].split("+")[0].split("-")[0])
        except ValueError:
            return None
        return dt.datetime.fromtimestamp(ms / 1000, dt.UTC)
    if "." in text:  # .NET "o" format has 7 fractional digits; Python takes 6
        head, _sep, frac = text.partition(".")
        digits = "".join(c for c in frac if c.isdigit())
        rest = frac[len(digits) :]
        text = f"{head}.{digits[:6]}{rest}"
    try:
        when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.year < 1980:  # "never": COM gives an empty or a zero date
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def parse_update_state(text: str) -> UpdateState:
    """:data:`hygie.audit.probes.windows.WU_STATE_PS` output. Raises ValueError if not JSON."""
    recs = json_records(text)
    if not recs:
        raise ValueError("empty")
    r = recs[0]
    policy: dict[str, str | int] = {}
    for name in ("NoAutoUpdate", "AUOptions"):
        v = r.get(name)
        if isinstance(v, int) and not isinstance(v, bool):
            policy[name.lower()] = v
    reboot = r.get("RebootRequired")
    return UpdateState(
        last_search=_utc(r.get("LastSearchSuccessDate")),
        last_install=_utc(r.get("LastInstallationSuccessDate")),
        reboot_required=reboot if isinstance(reboot, bool) else None,
        service_start=str(r.get("ServiceStartType") or ""),
        policy=policy,
    )


def automatic_from_policy(values: dict[str, str | int]) -> bool:
    """``HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\WindowsUpdate\\AU`` values.

    No policy means Windows installs updates on its own (Home/Pro default). NoAutoUpdate=1
    turns it off; AUOptions=2 ("notify before download") leaves it to the user.
    """
    if values.get("noautoupdate") == 1:
        return False
    return values.get("auoptions") != 2
