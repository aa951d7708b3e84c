"""``whoami /groups /fo csv /nh`` (pure): is the account in BUILTIN\\Administrators?

The SID column is the same in every language. With UAC the group is present but marked
"Group used for deny only" / "Groupe utilisé pour refus uniquement" until elevation: the
account is still an administrator account, which is what matters for M08.
"""

from __future__ import annotations

import csv
import io

ADMINISTRATORS_SID = "S-1-5-32-544"


def groups_sids(text: str) -> list[str]:
    out = []
    for row in csv.reader(io.StringIO(text)):
        for field in row:
            f = field.strip()
            if f.startswith("S-1-"):
                out.append(f)
    return out


# Mandatory integrity levels: High = an elevated administrator, System = the SYSTEM account
# (a scheduled task run as SYSTEM). Medium (S-1-16-8192) is a normal, non-elevated token.
ELEVATED_INTEGRITY_SIDS = frozenset({"S-1-16-12288", "S-1-16-16384"})


def elevated(text: str) -> bool | None:
    """True when the token is elevated, None when the output lists no group at all."""
    sids = groups_sids(text)
    if not sids:
        return None
    return bool(ELEVATED_INTEGRITY_SIDS.intersection(sids))


def is_admin(text: str) -> bool | None:
    """True/False, or None when the output lists no group at all (not understood)."""
    sids = groups_sids(text)
    if not sids:
        return None
    return ADMINISTRATORS_SID in sids
