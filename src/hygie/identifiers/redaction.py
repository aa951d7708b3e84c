"""Mask the identifiers inside a free text hygie did not write (a file name, a part's name, a
header): what hygie prints wherever it echoes such a text."""

from __future__ import annotations

import re

from hygie.identifiers.analyzer import analyze
from hygie.masking import mask_digits

#: 9 digits or more, possibly separated (a NIR, an INS, a phone number…): never echoed.
_LONG_NUMBER = re.compile(r"\d(?:[\s._\-/]?\d){8,}")


def mask_identifiers(text: str) -> str:
    """``text`` with every patient identifier and every long number masked."""
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
