"""Pick the reader of a document by its content first (magic bytes), then its name.

Every reader receives :func:`extract_parts` itself to read what it contains (an attachment,
an archive member, a file embedded in a PDF): no reader imports another's dispatcher.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterator
from pathlib import Path

from hygie.i18n import _
from hygie.scan.archive import RAR_MAGIC, SEVENZIP_MAGIC, archive_parts, is_archive
from hygie.scan.extract import (
    HTML_EXT,
    IMAGE_EXT,
    IMAGE_MAGIC,
    TEXT_EXT,
    Deadline,
    NotScannable,
    Part,
    decode_text,
    ext_of,
    join,
    ocr_part,
)
from hygie.scan.html import html_to_text
from hygie.scan.mime import iter_email_parts, split_mbox
from hygie.scan.pdf import PDF_MAGIC, pdf_parts
from hygie.scan.result import PlaceKind
from hygie.scan.rtf import RTF_MAGIC, rtf_to_text

log = logging.getLogger(__name__)

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_EMAIL_STARTS = (
    b"received:",
    b"return-path:",
    b"from:",
    b"message-id:",
    b"mime-version:",
    b"date:",
    b"to:",
    b"subject:",
    b"delivered-to:",
    b"x-",
)


def looks_like_email(data: bytes) -> bool:
    head = data[:2048].lower()
    return (
        head.startswith(_EMAIL_STARTS)
        and b"\n" in head
        and (
            b"\nsubject:" in head or b"\nfrom:" in head or head.startswith((b"from:", b"subject:"))
        )
    )


def is_probably_text(data: bytes) -> bool:
    sample = data[:4096]
    if b"\x00" in sample:
        return False
    try:
        sample.decode("utf-8")
        return True
    except UnicodeDecodeError as exc:
        return exc.start >= len(sample) - 4  # cut in the middle of a character


def extract_parts(
    data: bytes,
    filename: str,
    deadline: Deadline,
    prefix: str = "",
    depth: int = 0,
    place: PlaceKind = "attachment",
) -> Iterator[Part]:
    """The readable parts of a document; unreadable pieces as parts with a reason code."""
    ext = ext_of(filename)
    label = prefix or _("contenu")
    try:
        if deadline.expired():
            raise NotScannable("timeout")
        if data.startswith(PDF_MAGIC) or (ext == ".pdf" and PDF_MAGIC in data[:1024]):
            yield from pdf_parts(data, deadline, prefix, depth, place, extract_parts)
            return
        if any(data.startswith(magic) for magic, _kind in IMAGE_MAGIC) or (
            ext in IMAGE_EXT and not is_archive(data)
        ):
            p = ocr_part(label, data, ext if ext in IMAGE_EXT else ".img", deadline)
            yield Part(p.name, p.text, p.code, place)
            return
        if data.startswith(OLE_MAGIC):
            raise NotScannable("outlook_msg" if ext == ".msg" else "legacy_office")
        if is_archive(data):
            yield from archive_parts(data, filename, deadline, prefix, depth, place, extract_parts)
            return
        if data.startswith((SEVENZIP_MAGIC, RAR_MAGIC)):
            raise NotScannable("archive_unsupported")
        if data.lstrip()[:5] == RTF_MAGIC:
            yield Part(label, rtf_to_text(data.lstrip()), None, place)
            return
        if ext == ".mbox" or (data.startswith(b"From ") and ext not in (".txt", ".csv")):
            messages = split_mbox(data)
            if not messages:
                raise NotScannable("mbox_empty")
            for i, raw in enumerate(messages, 1):
                name = join(prefix, _("message {n}").format(n=i))
                yield from iter_email_parts(raw, deadline, extract_parts, name, depth)
            return
        if ext in (".eml", ".msg") or (ext not in TEXT_EXT | HTML_EXT and looks_like_email(data)):
            yield from iter_email_parts(data, deadline, extract_parts, prefix, depth)
            return
        if ext in TEXT_EXT or ext in HTML_EXT or is_probably_text(data):
            text = decode_text(data)
            head = text.lstrip()[:15].lower()
            if ext in HTML_EXT or head.startswith(("<!doctype html", "<html")):
                text = html_to_text(text)
            yield Part(label, text, None, place)
            return
        raise NotScannable("unknown_format")
    except NotScannable as exc:
        yield Part(label, None, exc.code, place)
    except RecursionError:
        yield Part(label, None, "too_deep", place)
    except Exception as exc:  # a third-party parser failing on hostile input: fail closed
        _log_error(exc)
        yield Part(label, None, "scan_error", place)


def _log_error(exc: BaseException) -> None:
    """Log where a reader failed: the exception type and the code locations only (a parser's
    message may quote the document, which may hold patient data)."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = " < ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in reversed(frames))
    log.error(
        "scan: %s while reading a part (not read, so not clean): %s", type(exc).__name__, where
    )
