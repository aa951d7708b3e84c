"""Mask patient identifiers in a short text hygie is about to print or answer.

Used on what the relay answers (part and file names in an SMTP reply, an upstream's refusal
text) and on what ``hygie mail quarantine`` shows (subject, file names). Two passes:

1. the recognizers (:func:`hygie.identifiers.analyze`): each finding's span is replaced by its
   masked form (a NIR keeps its first and last two digits, a name or a date is fully masked);
2. belt and braces: any remaining run of seven digits or more — separators, format characters
   and letters glued around it allowed — keeps its first and last two digits only. A NIR
   without its key, glued into ``scan_185057800608491.pdf`` or split by zero-width spaces is
   masked even where no recognizer fires; a date or a phone number is masked too, which is
   the safe side for a reply or a listing.
"""

from __future__ import annotations

import re

from hygie.identifiers import analyze

MASK_CHAR = "•"
_SEP = r"[\s.\-/_\u00a0\u00ad\u00b7\u200b-\u200f\u2010-\u2015\u2060\u2212\u202f\u3000\ufeff]"
_DIGIT_RUN = re.compile(rf"\d(?:{_SEP}{{0,3}}\d){{6,}}")


def _mask_run(m: re.Match[str]) -> str:
    run = m.group(0)
    digits = [i for i, c in enumerate(run) if c.isdigit()]
    keep = set(digits[:2] + digits[-2:])
    return "".join(c if i in keep or not c.isdigit() else MASK_CHAR for i, c in enumerate(run))


def mask_identifiers(text: str) -> str:
    """``text`` with every identifier masked (see the module docstring)."""
    if not text:
        return text
    out = text
    try:
        findings = sorted(analyze(text), key=lambda f: f.start, reverse=True)
    except Exception:  # the digit pass below still runs: never print in clear on a failure
        findings = []
    last = len(text) + 1
    for f in findings:
        if 0 <= f.start < f.end <= min(last, len(out)):
            out = out[: f.start] + f.masked + out[f.end :]
            last = f.start
    return _DIGIT_RUN.sub(_mask_run, out)
