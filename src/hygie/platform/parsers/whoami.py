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


def is_admin(text: str) -> bool | None:
    """True/False, or None when the output lists no group at all (not understood)."""
    sids = groups_sids(text)
    if not sids:
        return None
    return ADMINISTRATORS_SID in sids
