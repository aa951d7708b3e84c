"""The one masker: how hygie shows an identifier (first and last two characters at most).

* :func:`mask_digits`: numbers (NIR, RPPS…) keep their first and last two alphanumerics;
* :func:`mask_all`: dates and names keep nothing but their separators;
* :func:`mask_digit_runs`: a free text with every run of eleven digits or more (spaces, dots
  or dashes allowed; a NIR, a patient number, any long identifier, checksum or not) masked —
  the log file's and the incident's names' rule, where no recognizer runs;
* :func:`hygie.identifiers.mask_identifiers` (built on these): a free text (a file name, a
  part's name) with every patient identifier the recognizers find in it masked.

Core (no import of hygie): the log filter masks every record with it; ``hygie.identifiers``
exports the same functions for the capabilities.
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


# Eleven digits or more, spaces, dots or dashes allowed between them.
_DIGIT_RUN = re.compile(r"\d(?:[ .\-]?\d){10,}")


def mask_digit_runs(text: str) -> str:
    """``text`` with every run of eleven digits or more masked by :func:`mask_digits`."""
    return _DIGIT_RUN.sub(lambda m: mask_digits(m.group(0)), text)
