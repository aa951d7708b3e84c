"""Text of an RTF document (what many practice programs export, and some mail bodies):
striprtf (BSD-3-Clause, pinned) decodes control words, ``\\'xx`` and ``\\uN`` escapes; hidden
text (``\\v``) is kept. Pictures inside RTF are not read (see scan-confidence.md)."""

from __future__ import annotations

from hygie.scan.extract import NotScannable

RTF_MAGIC = b"{\\rtf"


def rtf_to_text(data: bytes) -> str:
    from striprtf.striprtf import rtf_to_text as _strip

    try:
        raw = data.decode("cp1252")
    except UnicodeDecodeError as exc:  # cp1252 leaves 5 bytes undefined
        raise NotScannable("rtf_damaged") from exc
    try:
        return str(_strip(raw, encoding="cp1252", errors="replace"))  # type: ignore[no-untyped-call]
    except Exception as exc:  # striprtf raises plain errors on broken groups
        raise NotScannable("rtf_damaged") from exc
