"""SMTP reply text: ASCII (RFC 5321), French first, one enhanced status code (RFC 3463)."""

from __future__ import annotations

import re
import unicodedata

_ENHANCED = re.compile(r"^\s*[245]\.\d{1,3}\.\d{1,3}\s*")


def ascii_reply(text: str) -> str:
    """SMTP replies are ASCII (RFC 5321): drop accents, keep the French readable."""
    t = unicodedata.normalize("NFKD", text)
    t = "".join(c for c in t if not unicodedata.combining(c))
    t = (
        t.replace("« ", '"')
        .replace(" »", '"')
        .replace("\u00a0", " ")
        .replace("«", '"')
        .replace("»", '"')
        .replace("’", "'")
        .replace("…", "...")
    )
    return "".join(c if 32 <= ord(c) < 127 else "?" for c in t)


def smtp_reply(code: int, enhanced: str, text: str) -> str:
    return f"{code} {enhanced} {ascii_reply(text)}"


def upstream_text(resp: bytes | str) -> str:
    """The upstream's reply text, one line, ASCII, without its own enhanced status code."""
    text = resp.decode("utf-8", "replace") if isinstance(resp, bytes) else str(resp)
    return _ENHANCED.sub("", ascii_reply(" ".join(text.split())))[:200]


def upstream_enhanced(resp: bytes | str, default: str) -> str:
    """The upstream's own enhanced status code when it gave one of the right class."""
    text = resp.decode("utf-8", "replace") if isinstance(resp, bytes) else str(resp)
    m = _ENHANCED.match(text)
    code = m.group(0).strip() if m else ""
    return code if code[:1] == default[:1] else default
