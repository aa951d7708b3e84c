"""Windows Update search result (pure), from the COM searcher through PowerShell:
one object per pending update with ``Title``, ``MsrcSeverity`` and ``CategoryIDs``."""

from __future__ import annotations

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


def automatic_from_policy(values: dict[str, str | int]) -> bool:
    """``HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\WindowsUpdate\\AU`` values.

    No policy means Windows installs updates on its own (Home/Pro default). NoAutoUpdate=1
    turns it off; AUOptions=2 ("notify before download") leaves it to the user.
    """
    if values.get("noautoupdate") == 1:
        return False
    return values.get("auoptions") != 2
