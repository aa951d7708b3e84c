"""``net user NAME`` (pure, French or English): does the account require a password?"""

from __future__ import annotations

from hygie.platform.parsers._text import norm

REQUIRED_LABELS = ("password required", "mot de passe exige")
YES = {"yes", "oui"}
NO = {"no", "non"}


def password_required(text: str) -> bool | None:
    """True / False from the "Password required" line, None when absent."""
    for line in text.splitlines():
        n = norm(line)
        for label in REQUIRED_LABELS:
            if n.startswith(label):
                value = n[len(label) :].strip()
                if value in YES:
                    return True
                if value in NO:
                    return False
    return None
