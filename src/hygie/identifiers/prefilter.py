"""Pre-filters: skip a pattern on a text that cannot hold a match of it.

Two kinds, both answered on the text's UTF-8 bytes mapped to a few classes (one encode, one
``bytes.translate``, one search of a short literal) instead of a pattern's own regex scan:

* digit runs (``Pattern.digit_run``), for the numeric patterns (below);
* word pairs (``Pattern.word_pair``), for names: every match holds a lower-case letter, a
  blank and a capital in a row ("chez Anne Petit": "z A"). Read in the bytes: a byte
  ``a``-``z`` or ``0xA0``-``0xBF`` (the last byte of "à".."ÿ", and of many others) reads
  lower case; ``A``-``Z``, or a first byte other than ``0xC3`` (any non-Latin-1 character),
  or ``0xC3`` followed by ``0x80``-``0x9F`` ("À".."ß") reads upper case; a space or a tab
  is a blank (a normalized text holds no other). A match's bytes always hold such a triple,
  so a text without one holds no match ("matériel à commander" has none: "à" reads lower
  case).

Each :class:`~hygie.identifiers.model.Pattern` may declare ``digit_run = n``: every match of
its regex, in a normalized text (:mod:`hygie.identifiers.normalize`), holds ``n`` ASCII
digits in a row once the characters of :data:`RUN_SEPARATORS` are taken out; with
``digit_run_letters`` those letters count as digits too (a NIR holds 13: its digits, or a
Corsican department's ``2A``/``2B``, with only separators between them).

:class:`TextProbe` answers "does the text hold such a run anywhere?" with C-speed passes
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
import re

#: The characters that never break a run (the separators the numeric patterns allow between
#: digits, as they are in a normalized text).
RUN_SEPARATORS = " \t\r\n.-_|/"
_DELETE = RUN_SEPARATORS.encode("ascii")


class LowerText:
    """A text's lower case with the text's offsets, made on first use (most texts with no
    match never need it)."""

    __slots__ = ("_lower", "_text")

    def __init__(self, text: str) -> None:
        self._text = text
        self._lower: str | None = None

    @property
    def text(self) -> str:
        if self._lower is None:
            lower = self._text.lower()
            if len(lower) != len(self._text):  # "İ" lengthens when lowered: keep offsets
                lower = "".join(ch.lower()[0] for ch in self._text)
            self._lower = lower
        return self._lower


@functools.cache
def _table(letters: str) -> bytes:
    """``bytes.translate`` table: digits and ``letters`` to "0", anything else to "x"."""
    if not letters.isascii():
        raise ValueError("digit_run_letters must be ASCII")
    digits = "0123456789" + letters
    return bytes(ord("0") if chr(i) in digits else ord("x") for i in range(256))


def _pair_table() -> bytes:
    """``bytes.translate`` table of the word-pair pre-filter (see the module docstring)."""
    out = bytearray(b"x" * 256)
    for i in range(256):
        if ord("a") <= i <= ord("z") or 0xA0 <= i <= 0xBF:
            out[i] = ord("l")
        elif 0x80 <= i <= 0x9F:
            out[i] = ord("h")  # after 0xC3: a Latin-1 capital
        elif i == 0xC3:
            out[i] = ord("c")
        elif ord("A") <= i <= ord("Z") or i >= 0xC0:
            out[i] = ord("U")
        elif i in (ord(" "), ord("\t")):
            out[i] = ord(" ")
    return bytes(out)


_PAIR_TABLE = _pair_table()
#: Lower case, blank, capital, in the bytes read through :data:`_PAIR_TABLE` (one regex
#: search: two ``in`` searches cost twice as much, "l" and " " being most of a text).
_PAIR = re.compile(b"l (?:U|ch)")


#: The only non-ASCII characters whose lower case holds an ASCII letter ("İ" -> "i̇", the
#: Kelvin sign -> "k"): with either in a text, words are looked for in its str lower case.
_LOWER_TO_ASCII = ("\u0130", "\u212a")


class TextProbe:
    """What the pre-filters look for in one normalized text, computed on first use."""

    __slots__ = ("_lower", "_pairs", "_raw", "_reduced", "_text")

    def __init__(self, text: str) -> None:
        self._text = text
        self._raw: bytes | None = None
        self._reduced: dict[str, bytes] = {}
        self._pairs: bool | None = None
        self._lower: bytes | None = None

    def has_word(self, word: str, lower: LowerText) -> bool:
        """``word`` (lower case) is in ``lower``'s text, looked for in the text's bytes put
        in ASCII lower case (a C pass) rather than in a lower-cased copy of the text. The
        same answer: a non-ASCII character's lower case is never ASCII, but for
        :data:`_LOWER_TO_ASCII` (then, and for a non-ASCII word, ``lower`` answers)."""
        if not word.isascii() or any(ch in self._text for ch in _LOWER_TO_ASCII):
            return word in lower.text
        if self._lower is None:
            self._lower = self._bytes().lower()
        return word.encode("ascii") in self._lower

    def _bytes(self) -> bytes:
        if self._raw is None:
            # surrogatepass: a lone surrogate (from a lenient decoder) encodes to 3 bytes
            # (a first byte and two last bytes, like any other non-ASCII character).
            self._raw = self._text.encode("utf-8", "surrogatepass")
        return self._raw

    def has_word_pair(self) -> bool:
        """A lower-case letter, a blank and an upper-case letter in a row (bytes sense)."""
        if self._pairs is None:
            reduced = self._bytes().translate(_PAIR_TABLE)
            self._pairs = _PAIR.search(reduced) is not None
        return self._pairs

    def has(self, n: int, letters: str = "") -> bool:
        """The text holds ``n`` digits in a row, separators aside (``letters`` counting as
        digits)."""
        if n <= 0:
            return True
        reduced = self._reduced.get(letters)
        if reduced is None:
            for wider, seen in self._reduced.items():  # more letters, no run: none either
                if set(letters) <= set(wider) and b"0" * n not in seen:
                    return False
            # Every byte of a non-ASCII character (>= 0x80) becomes "x".
            reduced = self._reduced[letters] = self._bytes().translate(_table(letters), _DELETE)
        return b"0" * n in reduced
