"""``fdesetup status`` (pure): is FileVault on and complete?"""

from __future__ import annotations


def parse_fdesetup_status(text: str) -> bool | None:
    """True for ``FileVault is On.`` (not being decrypted), False for Off or still
    encrypting (``Encryption in progress``), None when not understood."""
    t = text.lower()
    if "filevault is on" in t:
        return not ("decryption in progress" in t or "encryption in progress" in t)
    if "filevault is off" in t:
        return False
    return None
