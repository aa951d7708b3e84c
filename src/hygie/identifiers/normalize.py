"""Normalize a text once before matching, keeping a map back to the original offsets.

What a hurried writer, a word processor or a hostile sender puts between the digits of an
identifier must not hide it (issue #13):

* every Unicode decimal digit (fullwidth, Arabic-Indic, mathematical…) becomes its ASCII
  digit (:func:`unicodedata.decimal`);
* format characters (category Cf: zero-width space, soft hyphen, word joiner, BOM, bidi
  marks) are removed;
* every space separator (Zs: NBSP, narrow NBSP, figure, en/em, ideographic spaces…) becomes a
  space; every dash (Pd: en dash, non-breaking hyphen…) and the minus sign become ``-``;
  middle dots and bullets become ``.``; fullwidth solidus becomes ``/``.

The result has the same length as the input unless format characters were removed; then
:class:`Normalized` maps each offset back, so findings mask the original text.
"""

from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from dataclasses import dataclass

_DOTS = frozenset("\u00b7\u2022\u2219\u22c5\u30fb\u2027\u0387")
_SLASHES = frozenset("\uff0f\u2044\u2215")


@functools.lru_cache(maxsize=4096)
def _map_char(ch: str) -> str:
    """The replacement of one non-ASCII character ("" to remove it)."""
    cat = unicodedata.category(ch)
    if cat == "Nd":
        return str(unicodedata.decimal(ch))
    if cat == "Cf":
        return ""
    if cat == "Zs":
        return " "
    if cat == "Pd" or ch == "\u2212":
        return "-"
    if ch in _DOTS:
        return "."
    if ch in _SLASHES:
        return "/"
    if ch in "\u2028\u2029":
        return "\n"
    return ch


#: Characters that may need mapping: everything outside ASCII and the Latin letters with
#: diacritics (which map to themselves); found by one regex scan, not a Python loop.
_CANDIDATE = re.compile("[^\\x00-\\x7f\\u00c0-\\u00d6\\u00d8-\\u00f6\\u00f8-\\u024f]")


@dataclass(frozen=True, slots=True)
class Normalized:
    """A normalized text and, when characters were removed, how to find original offsets:
    from output index ``cuts[k]`` on, add ``shifts[k]`` (``cuts`` empty: same offsets)."""

    text: str
    cuts: tuple[int, ...] = ()
    shifts: tuple[int, ...] = ()

    @property
    def origin(self) -> tuple[int, ...] | None:
        """None when offsets are those of the original text."""
        return None if not self.cuts else self.cuts

    def _orig(self, i: int) -> int:
        k = bisect.bisect_right(self.cuts, i) - 1
        return i + (self.shifts[k] if k >= 0 else 0)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span of ``text[start:end]``."""
        if not self.cuts:
            return start, end
        if end <= start:
            o = self._orig(start)
            return o, o
        return self._orig(start), self._orig(end - 1) + 1


#: The Latin-1 characters :func:`normalize` changes (NBSP, soft hyphen, middle dot): a text
#: of Latin-1 characters holding none of them is its own normalized form.
_LATIN1_CHANGED = tuple(ch for ch in map(chr, range(0x80, 0x100)) if _map_char(ch) != ch)


def _unchanged(text: str) -> bool:
    """``text`` is already normalized, found without the regex scan: ASCII, or Latin-1
    (most French text: "é", "à", "ç") with none of :data:`_LATIN1_CHANGED` (each looked
    for with a C-speed substring search)."""
    if text.isascii():
        return True
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return not any(ch in text for ch in _LATIN1_CHANGED)


def normalize(text: str) -> Normalized:
    """The matching form of ``text`` (see the module docstring)."""
    if _unchanged(text):
        return Normalized(text)
    return _normalize_scan(text)


def _normalize_scan(text: str) -> Normalized:
    """:func:`normalize` without the fast path (what the tests compare it with)."""
    pieces: list[str] = []
    cuts: list[int] = []
    shifts: list[int] = []
    pos = removed = 0
    for m in _CANDIDATE.finditer(text):
        ch = m.group()
        rep = _map_char(ch)
        if rep == ch:
            continue
        i = m.start()
        pieces.append(text[pos:i])
        pieces.append(rep)
        pos = i + 1
        if not rep:
            removed += 1
            cuts.append(i - removed + 1)
            shifts.append(removed)
    if not pieces:
        return Normalized(text)
    pieces.append(text[pos:])
    return Normalized("".join(pieces), tuple(cuts), tuple(shifts))
