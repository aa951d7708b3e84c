"""Building blocks shared by the recognizers' regular expressions."""

from __future__ import annotations

import re

#: Horizontal blanks. Texts are normalized first (:mod:`hygie.identifiers.normalize`): every
#: Unicode space is a space by then; NBSP and narrow NBSP stay for callers of the raw regexes.
BLANK = "[ \\t\\u00a0\\u202f\\u2009]"
#: Between two digits: nothing, 1-3 separators (blank . - _ | /; every dash is "-" once
#: normalized), or one or two line breaks with blanks (blocks of a table or of HTML).
#: Possessive, so a long run of separated digits never backtracks.
SEP = f"(?:[ \\t\\u00a0\\u202f\\u2009.\\-_|/]{{1,3}}|(?:{BLANK}*\\r?\\n){{1,2}}{BLANK}*)?+"
#: Before a key: "clé"/"cle"/"clef"/"key" (after an optional "," or ";", with ":" or "="),
#: "(" or "/", or a plain SEP.
KEYSEP = (
    f"(?:[,;]?{BLANK}*(?:[Cc][Ll][ÉéEe][Ff]?|[Kk]ey){BLANK}*[:=]?{BLANK}*"
    f"|{BLANK}*[(/]{BLANK}*|{SEP})"
)
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


def words_regex(words: tuple[str, ...], *, ignore_case: bool = True) -> re.Pattern[str]:
    """A regex matching any of ``words`` as whole words (longest first).

    With ``ignore_case=False`` the words must be lower case and so must the searched text
    (faster: callers lower-case small windows themselves)."""
    alts = "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))
    return re.compile(f"(?<![\\w])(?:{alts})(?![\\w])", re.IGNORECASE if ignore_case else 0)


_WORD_RE = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")


class Vocabulary:
    """A set of (multi-)word terms looked up word by word: linear in the text, unlike a
    regex alternation of hundreds of words. Texts given must be lower case."""

    def __init__(self, terms: tuple[str, ...]) -> None:
        self.terms = frozenset(t.lower() for t in terms)
        self.max_words = max((len(t.split()) for t in self.terms), default=1)
        self.first_words = frozenset(t.split()[0] for t in self.terms)

    def _terms(self, lower: str, *, first_only: bool) -> list[str]:
        first_words, terms, max_words = self.first_words, self.terms, self.max_words
        words = _WORD_RE.findall(lower)
        found: list[str] = []
        for i, w in enumerate(words):
            if w not in first_words:
                continue
            for k in range(min(max_words, len(words) - i), 0, -1):
                term = w if k == 1 else " ".join(words[i : i + k])
                if term in terms:
                    found.append(term)
                    if first_only:
                        return found
                    break
        return found

    def finditer(self, lower: str) -> list[tuple[str, int, int]]:
        """(term, start, end) of each distinct term found (first occurrence)."""
        out = []
        for term in dict.fromkeys(self._terms(lower, first_only=False)):
            start = lower.find(term)
            out.append((term, start, start + len(term)))
        return sorted(out, key=lambda t: t[1])

    def search(self, lower: str) -> bool:
        return bool(self._terms(lower, first_only=True))
