"""Text helpers for parsers of localised command output (pure).

Windows prints labels in the display language (``État`` / ``State``) and sometimes without
accents (old code pages) or with UTF-8 read as cp1252 (``Ã‰tat``). :func:`norm` folds all of
these to the same plain-ASCII lower-case key so parsers compare keys, not raw labels.
"""

from __future__ import annotations

import json
import unicodedata
from typing import Any


def fix_mojibake(text: str) -> str:
    """Undo UTF-8 bytes decoded as cp1252/latin-1 (``Ã©`` -> ``é``) when that is what it is."""
    if "Ã" not in text and "â€" not in text:
        return text
    for enc in ("cp1252", "latin-1"):
        try:
            return text.encode(enc).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
    return text


# cp850 (the French console code page) bytes of é è ê à â ç î ï ë, read as cp1252.
_OEM_MARKERS = frozenset("\u201a\u0160\u02c6\u0192\u2021\u0152\u2039\u2030")


def fix_oem(text: str) -> str:
    """Undo console output (cp850) decoded as cp1252 (``connect‚`` -> ``connecté``).

    Python decodes a child's output with the ANSI code page (cp1252) while ``netsh`` or
    ``manage-bde`` write in the console's OEM code page (cp850 in France). The byte of
    ``É`` (0x90) does not exist in cp1252 and arrives as U+FFFD: it is restored as ``É``,
    the only French letter in that position.
    """
    if not any(c in _OEM_MARKERS for c in text):
        return text
    out = []
    for c in text:
        if c == "\ufffd":
            out.append("É")
            continue
        try:
            b = c.encode("cp1252")
        except UnicodeEncodeError:
            out.append(c)
            continue
        out.append(b.decode("cp850") if b[0] >= 0x80 else c)
    return "".join(out)


def norm(text: str) -> str:
    """Lower-case, accents removed, typographic apostrophes straightened, spaces collapsed.

    Console mojibake (cp850 or UTF-8 read as cp1252) is repaired first; a lone U+FFFD that
    is left (an ``É`` lost on the way) counts as ``e``.
    """
    text = fix_oem(fix_mojibake(text)).replace("\u2019", "'").replace("\u00a0", " ")
    text = text.replace("\ufffd", "e")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.lower().split())


def kv_lines(text: str) -> list[tuple[str, str]]:
    """``Label   : value`` lines as (normalised label, raw value stripped); others skipped."""
    out: list[tuple[str, str]] = []
    for line in text.splitlines():
        if ":" not in line:
            continue
        key, _sep, value = line.partition(":")
        key_n = norm(key)
        if not key_n:
            continue
        out.append((key_n, value.strip()))
    return out


def json_records(text: str) -> list[dict[str, Any]]:
    """PowerShell ``ConvertTo-Json`` output as a list of objects.

    One object is printed bare, several as an array, none as empty output. Raises
    ValueError when the text is not JSON (the probe then says "unknown").
    """
    stripped = text.strip().lstrip("\ufeff")
    if not stripped:
        return []
    data = json.loads(stripped)
    if isinstance(data, dict):
        return [data]
    if isinstance(data, list):
        return [d for d in data if isinstance(d, dict)]
    raise ValueError("not a JSON object or array")
