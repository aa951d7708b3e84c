"""The one masker: how hygie shows an identifier (first and last two characters at most).

* :func:`mask_digits`: numbers (NIR, RPPS…) keep their first and last two alphanumerics;
* :func:`mask_all`: dates and names keep nothing but their separators;
* :func:`hygie.identifiers.redaction.mask_identifiers` (built on these): a free text (a file
  name, a part's name) with every patient identifier found in it masked.
"""

from __future__ import annotations

import re

MASK_CHAR = "•"


def mask_digits(raw: str, keep: int = 2) -> str:
    """Keep the first and last ``keep`` (at most 2) alphanumerics, mask the others.

    Separators are kept so the reader recognises the layout; line breaks become spaces.
    """
    keep = min(keep, 2)
    positions = [i for i, ch in enumerate(raw) if ch.isalnum()]
    shown = (
        set(positions[:keep] + positions[-keep:]) if keep and len(positions) > 2 * keep else set()
    )
    out = []
    for i, ch in enumerate(raw):
        if ch in "\r\n\t":
            out.append(" ")
        elif ch.isalnum():
            out.append(ch if i in shown else MASK_CHAR)
        else:
            out.append(ch)
    return re.sub(r" {2,}", " ", "".join(out)).strip()


def mask_all(raw: str) -> str:
    """Mask every letter and digit (dates, names)."""
    return re.sub(r"\s+", " ", "".join(MASK_CHAR if ch.isalnum() else ch for ch in raw)).strip()
