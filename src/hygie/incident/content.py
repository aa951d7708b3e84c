"""What a file is, told by its content, not its name (``hygie incident check``, triage).

A ransomware renames files at will (random hex names, a different random extension per file,
``.enc``/``.bak``/``.dat``) or keeps names and first bytes and encrypts what follows, so the
name says nothing. :func:`classify` reads three bounded samples (2 KiB at the start, the
middle and the end) and answers one of:

* ``known``: a format recognised by its signature, whose structure holds where hygie can
  check it (``%%EOF`` at the end of a PDF, the end-of-central-directory of a zip-based
  document, a PNG's chunks and ``IEND``, a JPEG's segments and stuffed entropy-coded data), or
  text;
  high-entropy formats are recognised here and never count as a sign: CMS/PKCS#7 (``.p7m``
  signed documents), JPEG/JFIF, 7z, KeePass, encrypted PDF, OFX bank exports (text or SGML),
  zip-based documents (docx, odt, xlsx...), gzip/xz/bzip2/zstd, audio and video containers,
  OpenPGP armour, certificates;
* ``broken``: the signature is there but the rest is random (names and first bytes kept,
  encrypted after them);
* ``random``: no known signature, not text, and a sample entropy close to 8 bits per byte;
* ``other``: none of the above (an unknown but structured binary) or too small to tell.

Nothing is opened for writing; at most 6 KiB are read per file.
"""

from __future__ import annotations

import collections
import math
import os
from dataclasses import dataclass

SAMPLE = 2048
MIN_BYTES = 512
RANDOM_ENTROPY = 7.2  # bits per byte: compressed or encrypted
TEXT_RANDOM_ENTROPY = 6.0  # a text sample above this is not text any more

KNOWN, BROKEN, RANDOM, OTHER = "known", "broken", "random", "other"

# (name, offset, signature). Order matters only for readability.
SIGNATURES: tuple[tuple[str, int, bytes], ...] = (
    ("pdf", 0, b"%PDF"),
    ("zip", 0, b"PK\x03\x04"),
    ("zip", 0, b"PK\x05\x06"),
    ("zip", 0, b"PK\x07\x08"),
    ("ole", 0, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"),
    ("png", 0, b"\x89PNG\r\n\x1a\n"),
    ("jpeg", 0, b"\xff\xd8\xff"),
    ("gif", 0, b"GIF87a"),
    ("gif", 0, b"GIF89a"),
    ("bmp", 0, b"BM"),
    ("tiff", 0, b"II*\x00"),
    ("tiff", 0, b"MM\x00*"),
    ("rtf", 0, b"{\\rtf"),
    ("7z", 0, b"7z\xbc\xaf\x27\x1c"),
    ("gzip", 0, b"\x1f\x8b"),
    ("xz", 0, b"\xfd7zXZ\x00"),
    ("bzip2", 0, b"BZh"),
    ("zstd", 0, b"\x28\xb5\x2f\xfd"),
    ("rar", 0, b"Rar!\x1a\x07"),
    ("riff", 0, b"RIFF"),  # webp, wav, avi
    ("sqlite", 0, b"SQLite format 3\x00"),
    ("keepass", 0, b"\x03\xd9\xa2\x9a\x67\xfb\x4b\xb5"),  # .kdbx
    ("keepass", 0, b"\x03\xd9\xa2\x9a\x65\xfb\x4b\xb5"),  # .kdb
    ("mp4", 4, b"ftyp"),  # mp4, mov, m4a, heic, avif
    ("mp3", 0, b"ID3"),
    ("ogg", 0, b"OggS"),
    ("flac", 0, b"fLaC"),
    ("matroska", 0, b"\x1a\x45\xdf\xa3"),
    ("exe", 0, b"MZ"),
    ("elf", 0, b"\x7fELF"),
    ("macho", 0, b"\xcf\xfa\xed\xfe"),
    ("woff", 0, b"wOFF"),
    ("woff2", 0, b"wOF2"),
    ("otf", 0, b"OTTO"),
    ("ttf", 0, b"\x00\x01\x00\x00"),
    ("cab", 0, b"MSCF"),
    ("pst", 0, b"!BDN"),
    ("regf", 0, b"regf"),  # Windows registry hives (NTUSER.DAT)
    ("pem", 0, b"-----BEGIN"),
    ("pgp_armor", 0, b"-----BEGIN PGP"),
)
# CMS / PKCS#7 (signed ``.p7m``, ``.p7s``), PKCS#12 and X.509 in DER: a SEQUENCE (0x30) with a
# definite or indefinite length, then (for CMS) the OID 1.2.840.113549.1.7.x.
_PKCS7_OID = b"\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07"


@dataclass(frozen=True)
class Content:
    verdict: str  # known | broken | random | other
    format: str  # "pdf", "zip", "text", "cms", "" ...
    entropy: float  # highest entropy of the samples read


def shannon_entropy(data: bytes) -> float:
    """Bits per byte (0..8)."""
    n = len(data)
    if not n:
        return 0.0
    counts = collections.Counter(data).values()
    return -sum(c / n * math.log2(c / n) for c in counts)


def signature(head: bytes) -> str:
    """The format named by the first bytes, or ""."""
    for name, offset, sig in SIGNATURES:
        if head[offset : offset + len(sig)] == sig:
            return name
    if _is_der(head):
        return "cms" if _PKCS7_OID in head[:32] else "der"
    # OpenPGP binary: old-format tags 1/2/6/11 (0x84..0x8b, 0x88...) or new-format 0xc1/0xc2…
    # are too weak to tell from random bytes; they are left to the entropy rule.
    return ""


def _is_der(head: bytes) -> bool:
    if len(head) < 4 or head[0] != 0x30:
        return False
    b = head[1]
    if b == 0x80:  # indefinite length (BER, common in CMS)
        return head[2] in (0x06, 0x30, 0x02)
    if b in (0x81, 0x82, 0x83, 0x84):
        n = b - 0x80
        return len(head) > 2 + n and head[2 + n] in (0x06, 0x30, 0x02, 0xA0)
    return False


def is_text(data: bytes) -> bool:
    """UTF-8 or Latin-1 text (OFX, CSV, HL7, XML...): few control bytes, low entropy."""
    if not data:
        return False
    if data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        data = data[3:] if data.startswith(b"\xef\xbb\xbf") else data[2:].replace(b"\x00", b"")
    controls = sum(1 for c in data if c < 32 and c not in (9, 10, 12, 13))
    if controls > len(data) // 100:
        return False
    return shannon_entropy(data) < TEXT_RANDOM_ENTROPY


def _read(path: str, size: int) -> tuple[bytes, bytes, bytes]:
    """Up to SAMPLE bytes at the start, the middle and the end."""
    with open(path, "rb") as fh:
        head = fh.read(SAMPLE)
        middle = tail = b""
        if size > 3 * SAMPLE:
            fh.seek(size // 2)
            middle = fh.read(SAMPLE)
        if size > SAMPLE:
            fh.seek(max(size - SAMPLE, len(head)))
            tail = fh.read(SAMPLE)
        elif len(head) >= 2 * 256:  # a small file: its second half is its end
            tail = head[len(head) // 2 :]
        return head, middle, tail


def _stuffing_errors(data: bytes) -> int:
    """In a JPEG's entropy-coded data every 0xFF is followed by 0x00, a fill 0xFF or an
    RSTn/EOI marker; random bytes break that rule about once every 260 bytes."""
    return sum(
        1
        for i in range(len(data) - 1)
        if data[i] == 0xFF and data[i + 1] not in (0x00, 0xFF) and not 0xD0 <= data[i + 1] <= 0xD9
    )


def _jpeg_head_ok(head: bytes) -> bool:
    """Walk the JPEG segments in the first bytes (each ``FF xx`` + length) up to the start of
    scan; a file encrypted after its first bytes breaks the walk. The end is not used: motion
    photos and some phones append a video or a trailer after ``FFD9``."""
    i = 2
    while i + 4 <= len(head):
        if head[i] != 0xFF:
            return False
        marker = head[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            i += 2
            continue
        length = (head[i + 2] << 8) | head[i + 3]
        if length < 2:
            return False
        if marker == 0xDA:  # start of scan: entropy-coded data follows
            return _stuffing_errors(head[i + 2 + length :]) < 2
        if i + 2 + length > len(head):
            # only application segments (EXIF, ICC, XMP: APPn) and comments are that long
            return 0xE0 <= marker <= 0xEF or marker == 0xFE
        i += 2 + length
    return True


def _png_head_ok(head: bytes) -> bool:
    """Walk the PNG chunks in the first bytes (length, four ASCII letters, data, CRC)."""
    i = 8
    while i + 8 <= len(head):
        length = int.from_bytes(head[i : i + 4], "big")
        kind = head[i + 4 : i + 8]
        if length > 0x7FFFFFFF or not all(65 <= c <= 90 or 97 <= c <= 122 for c in kind):
            return False
        i += 12 + length
    return True


# Formats with a recognisable end (or body): when it is missing and the end is random, the
# file was encrypted after its first bytes.
def _end_ok(fmt: str, tail: bytes) -> bool | None:
    if not tail:
        return None
    if fmt == "pdf":
        return b"%%EOF" in tail[-1024:]
    if fmt == "zip":
        return b"PK\x05\x06" in tail
    if fmt == "png":
        return b"IEND" in tail[-64:]
    if fmt == "gif":
        return tail.rstrip(b"\x00").endswith(b";")
    return None


# OpenPGP binary files start with a packet tag (RFC 4880 §4.2): a public-key or symmetric
# encrypted session key, a signature, a compressed or literal packet. One byte is too weak to
# recognise a file by content alone, so it is believed only with an OpenPGP extension.
_OPENPGP_EXT = {".gpg", ".pgp", ".sig"}
_OPENPGP_FIRST = {0x84, 0x85, 0x88, 0x89, 0x8C, 0x8D, 0xA3, 0xC1, 0xC2, 0xC3, 0xC4, 0xC8, 0xCB}


def classify(path: str, size: int, ext: str = "") -> Content:
    """Tell what ``path`` (``size`` bytes) is from its content."""
    head, middle, tail = _read(path, size)
    ent = max(shannon_entropy(s) for s in (head, middle, tail))
    fmt = signature(head)
    if not fmt and ext in _OPENPGP_EXT and head and head[0] in _OPENPGP_FIRST:
        fmt = "openpgp"
    if fmt == "jpeg" and not _jpeg_head_ok(head):
        return Content(BROKEN, fmt, ent)
    if fmt == "png" and not _png_head_ok(head):
        return Content(BROKEN, fmt, ent)
    if fmt:
        end = _end_ok(fmt, tail)
        if end is False and shannon_entropy(tail) >= RANDOM_ENTROPY:
            return Content(BROKEN, fmt, ent)
        # text formats: their body must stay text
        if fmt in ("rtf", "pem", "pgp_armor") and any(
            s and not is_text(s) and shannon_entropy(s) >= RANDOM_ENTROPY for s in (middle, tail)
        ):
            return Content(BROKEN, fmt, ent)
        return Content(KNOWN, fmt, ent)
    if size < MIN_BYTES:
        return Content(OTHER, "", ent)
    if is_text(head[:1024]):
        later = [s for s in (middle, tail) if s]
        if any(not is_text(s) and shannon_entropy(s) >= RANDOM_ENTROPY for s in later):
            return Content(BROKEN, "text", ent)
        return Content(KNOWN, "text", ent)
    samples = [s for s in (head, middle, tail) if len(s) >= 256]
    if samples and min(shannon_entropy(s) for s in samples) >= RANDOM_ENTROPY:
        return Content(RANDOM, "", ent)
    return Content(OTHER, "", ent)


def classify_safe(path: str, size: int, ext: str = "") -> Content | None:
    """:func:`classify`, or None when the file cannot be read."""
    try:
        return classify(path, size, ext)
    except OSError:
        return None


def extension(name: str) -> str:
    return os.path.splitext(name)[1].lower()
