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

import functools
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


@dataclass(frozen=True, slots=True)
class Normalized:
    """A normalized text and, when characters were removed, the original offset of each of
    its characters (``None``: offsets are the same)."""

    text: str
    origin: tuple[int, ...] | None = None

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span of ``text[start:end]``."""
        if self.origin is None:
            return start, end
        o = self.origin
        if start >= len(o):
            last = o[-1] + 1 if o else 0
            return last, last
        return o[start], (o[end - 1] + 1 if end > start else o[start])


def normalize(text: str) -> Normalized:
    """The matching form of ``text`` (see the module docstring)."""
    if text.isascii():
        return Normalized(text)
    table = {ord(ch): _map_char(ch) for ch in set(text) if not ch.isascii()}
    table = {k: v for k, v in table.items() if v != chr(k)}
    if not table:
        return Normalized(text)
    out = text.translate(table)
    if len(out) == len(text) and all(len(v) == 1 for v in table.values()):
        return Normalized(out)
    origin: list[int] = []
    for i, ch in enumerate(text):
        rep = table.get(ord(ch), ch)
        origin.extend([i] * len(rep))
    return Normalized(out, tuple(origin))
