"""The digit-run pre-filter: skip a numeric pattern on a text that cannot hold a match.

Each :class:`~hygie.identifiers.model.Pattern` may declare ``digit_run = n``: every match of
its regex, in a normalized text (:mod:`hygie.identifiers.normalize`), holds ``n`` ASCII
digits in a row once the characters of :data:`RUN_SEPARATORS` are taken out; with
``digit_run_letters`` those letters count as digits too (a NIR holds 13: its digits, or a
Corsican department's ``2A``/``2B``, with only separators between them).

:class:`DigitRuns` answers "does the text hold such a run anywhere?" with C-speed passes
over the text's bytes (one encode, one ``bytes.translate``, one substring search) instead of
the regex engine's character-by-character scan. When the answer is no, the regex cannot
match, so skipping it changes nothing.

The declared values are not trusted: ``tests/unit/identifiers/test_prefilter.py`` computes,
from each regex's parse tree, a lower bound of the run every match holds and checks every
declared value is at most that bound (a regex changed without its declaration fails there);
a hypothesis property checks that the analysis with the pre-filter finds exactly what the
analysis without it finds.

Why it is sound: the reduction works character by character (a digit or a declared letter
becomes ``0``, a separator disappears, anything else, every byte of a non-ASCII character
included, becomes ``x``), so the reduced form of a match is a substring of the reduced text;
and a normalized text holds no other digits (Unicode digits became ASCII) and no other
spaces or dashes (every space separator is ``" "``, every dash ``-``).
"""

from __future__ import annotations

import functools

#: The characters that never break a run (the separators the numeric patterns allow between
#: digits, as they are in a normalized text).
RUN_SEPARATORS = " \t\r\n.-_|/"
_DELETE = RUN_SEPARATORS.encode("ascii")


@functools.cache
def _table(letters: str) -> bytes:
    """``bytes.translate`` table: digits and ``letters`` to "0", anything else to "x"."""
    if not letters.isascii():
        raise ValueError("digit_run_letters must be ASCII")
    digits = "0123456789" + letters
    return bytes(ord("0") if chr(i) in digits else ord("x") for i in range(256))


class DigitRuns:
    """The digit runs of one normalized text, computed on first use."""

    __slots__ = ("_raw", "_reduced", "_text")

    def __init__(self, text: str) -> None:
        self._text = text
        self._raw: bytes | None = None
        self._reduced: dict[str, bytes] = {}

    def has(self, n: int, letters: str = "") -> bool:
        """The text holds ``n`` digits in a row, separators aside (``letters`` counting as
        digits)."""
        if n <= 0:
            return True
        reduced = self._reduced.get(letters)
        if reduced is None:
            if self._raw is None:
                # surrogatepass: a lone surrogate (from a lenient decoder) encodes to 3 bytes,
                # each >= 0x80, so each becomes "x" like any other non-ASCII character.
                self._raw = self._text.encode("utf-8", "surrogatepass")
            reduced = self._reduced[letters] = self._raw.translate(_table(letters), _DELETE)
        return b"0" * n in reduced
