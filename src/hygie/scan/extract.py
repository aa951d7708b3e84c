"""The pieces every reader shares: :class:`Part` (a named piece of text, or the code of why
it could not be read), the cooperative :class:`Deadline`, :class:`NotScannable`, text
decoding and OCR of one image. The readers are :mod:`hygie.scan.mime` (e-mail),
:mod:`hygie.scan.archive` (ZIP/office), :mod:`hygie.scan.pdf`, :mod:`hygie.scan.html`,
:mod:`hygie.scan.rtf`; :mod:`hygie.scan.documents` picks one by content.

An unreadable part makes the document "unscannable", never "clean".
"""

from __future__ import annotations

import time
import unicodedata
from dataclasses import dataclass

from hygie.scan.reasons import reason_text
from hygie.scan.result import PlaceKind

#: Nesting of attachments and archive members (mail in a zip in a mail...).
MAX_DEPTH = 5


@dataclass(frozen=True, slots=True)
class Part:
    """A named piece of a document: its text, or the code of why it could not be read
    (:data:`hygie.scan.reasons.REASONS`); ``place`` is a :data:`hygie.scan.result.PlaceKind`."""

    name: str
    text: str | None
    code: str | None = None
    place: PlaceKind = "body"

    @property
    def reason(self) -> str | None:
        return reason_text(self.code) if self.code is not None else None


#: Bytes unpacked from archives over one whole scan (nested archives, gzip): past it the
#: document is unscannable (a 1 KB zip can hold gigabytes).
MAX_TOTAL_UNPACKED = 256 * 1024 * 1024


class Deadline:
    """A cooperative time limit (an instant of :func:`time.monotonic`), checked between
    pages, parts, archive members and chunks of text; and the scan's unpacking budget."""

    def __init__(self, end: float) -> None:
        self.end = end
        self.unpacked = 0

    def charge(self, n: int) -> None:
        """Count ``n`` bytes unpacked; past :data:`MAX_TOTAL_UNPACKED` the scan stops."""
        self.unpacked += n
        if self.unpacked > MAX_TOTAL_UNPACKED:
            raise NotScannable("zip_too_big")

    @classmethod
    def after(cls, timeout_s: float) -> Deadline:
        return cls(time.monotonic() + timeout_s)

    def remaining(self) -> float:
        return self.end - time.monotonic()

    def expired(self) -> bool:
        return time.monotonic() > self.end


class NotScannable(Exception):
    """Raised inside extraction; becomes a part with the reason's code."""

    def __init__(self, code: str) -> None:
        reason_text(code)  # an unknown code fails here, in tests
        super().__init__(code)
        self.code = code


IMAGE_MAGIC = (
    (b"\x89PNG", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF8", "GIF"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"BM", "BMP"),
)
IMAGE_EXT = {".png", ".jpg", ".jpeg", ".gif", ".tif", ".tiff", ".bmp", ".webp", ".heic", ".heif"}
TEXT_EXT = {
    ".txt", ".csv", ".tsv", ".md", ".log", ".json", ".xml", ".hl7", ".ics", ".vcf", ".vcs",
    ".ifb", ".ldif", ".ini", ".cfg", ".yaml", ".yml", "",
}  # fmt: skip
HTML_EXT = {".html", ".htm", ".xhtml"}


def ext_of(filename: str) -> str:
    name = filename.lower().rsplit("/", 1)[-1]
    return "." + name.rsplit(".", 1)[-1] if "." in name else ""


def normalize(text: str) -> str:
    """NFC (PDFs and Macs write "é" as e + combining accent)."""
    return unicodedata.normalize("NFC", text)


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252; binary refused."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if b"\x00" in data[:8192]:
        raise NotScannable("binary")
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise NotScannable("text_encoding") from exc


def join(prefix: str, name: str) -> str:
    """A part's name under its parent's ("pièce jointe a.zip › patients.csv")."""
    return f"{prefix} › {name}" if prefix else name


def ocr_part(name: str, data: bytes, suffix: str, deadline: Deadline) -> Part:
    """An image read by OCR (when available): its text. An image OCR read is judged on what
    it read (a logo with no text is clean); it stays unscannable only when OCR is missing or
    fails."""
    from hygie.scan import ocr

    if not ocr.available():
        return Part(name, None, "ocr_unavailable")
    remaining = deadline.end - time.monotonic()
    if remaining <= 0:
        return Part(name, None, "timeout")
    text = ocr.ocr_image(data, suffix, remaining)
    if text is None:
        return Part(name, None, "ocr_failed")
    return Part(name, normalize(text))
