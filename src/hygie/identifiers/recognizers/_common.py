"""Building blocks shared by the recognizers' regular expressions."""

from __future__ import annotations

import re

#: Horizontal blanks seen in real documents: space, tab, NBSP (U+00A0), narrow NBSP (U+202F),
#: thin space (U+2009).
BLANK = "[ \\t\\u00a0\\u202f\\u2009]"
#: Between two digits: nothing, 1-3 separators (blank . - _ |), or a line break with blanks.
#: Possessive, so a long run of separated digits never backtracks.
SEP = f"(?:[ \\t\\u00a0\\u202f\\u2009.\\-_|]{{1,3}}|{BLANK}*\\r?\\n{BLANK}*)?+"
#: Before a key: the word "clé"/"cle"/"key" (with ":" or "="), "(" or "/", or a plain SEP.
KEYSEP = f"(?:{BLANK}*(?:[Cc][Ll][ÉéEe]|[Kk]ey){BLANK}*[:=]?{BLANK}*|{BLANK}*[(/]{BLANK}*|{SEP})"
#: A digit not glued to a preceding letter or digit (put right after the first digit class).
NOT_AFTER_WORD = "(?<![0-9A-Za-z_])"


def digits_with_sep(n: int) -> str:
    """``n`` digits, each pair possibly separated by SEP."""
    return "\\d" + f"(?:{SEP}\\d)" * (n - 1) if n > 1 else "\\d"


def only_alnum(raw: str) -> str:
    """Digits and upper-case ASCII letters only (drops separators, the word "clé"...)."""
    return "".join(ch for ch in raw.upper() if ch.isascii() and ch.isalnum())


def only_digits(raw: str) -> str:
    return "".join(ch for ch in raw if "0" <= ch <= "9")


def words_regex(words: tuple[str, ...]) -> re.Pattern[str]:
    """A case-insensitive regex matching any of ``words`` as whole words (longest first)."""
    alts = "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))
    return re.compile(f"(?<![\\w])(?:{alts})(?![\\w])", re.IGNORECASE)
