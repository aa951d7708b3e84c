"""The one masker: how hygie shows an identifier (first and last two characters at most).

* :func:`mask_digits`: numbers (NIR, RPPS…) keep their first and last two alphanumerics;
* :func:`mask_all`: dates and names keep nothing but their separators;
* :func:`mask_identifiers`: a free text (a file name, a part's name) with every patient
  identifier found in it, and every run of 9 digits or more, masked — what hygie prints
  wherever it echoes a name it did not choose.
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


#: 9 digits or more, possibly separated (a NIR, an INS, a phone number…): never echoed.
_LONG_NUMBER = re.compile(r"\d(?:[\s._\-/]?\d){8,}")


def mask_identifiers(text: str) -> str:
    """``text`` with every patient identifier and every long number masked."""
    from hygie.identifiers.analyzer import analyze

    spans = [(f.start, f.end) for f in analyze(text) if f.patient]
    spans.extend(m.span() for m in _LONG_NUMBER.finditer(text))
    if not spans:
        return text
    out: list[str] = []
    pos = 0
    for start, end in sorted(spans):
        if end <= pos:
            continue
        start = max(start, pos)
        out.append(text[pos:start])
        out.append(mask_digits(text[start:end]))
        pos = end
    out.append(text[pos:])
    return "".join(out)
