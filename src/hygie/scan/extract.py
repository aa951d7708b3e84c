"""Text out of a document: plain text, CSV, HTML, e-mail (.eml, .mbox), PDF, DOCX, ODT,
XLSX, ODS. Each document becomes :class:`Part` s (a name and its text), or a part with a
reason why it could not be read: an unreadable part makes the document "not scannable",
never "clean".

Office formats are read straight from their ZIP/XML (stdlib, no macro, no external entity);
PDF through pypdfium2 (Apache-2.0/BSD-3; chosen over pypdf by measurement, see
docs/explanation/scan-confidence.md).
"""

from __future__ import annotations

import base64
import binascii
import email
import email.policy
import html
import io
import re
import time
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage, Message
from xml.etree import ElementTree as ET

from hygie.i18n import _
from hygie.scan.reasons import reason_text
from hygie.scan.result import PlaceKind

#: Office archives larger than this once uncompressed are refused (zip bombs).
MAX_UNZIPPED = 256 * 1024 * 1024
#: Nesting of attachments (mail in a mail in a mail...).
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


class Deadline:
    """A cooperative time limit (an instant of :func:`time.monotonic`): checked between
    pages, parts and files."""

    def __init__(self, end: float) -> None:
        self.end = end

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
TEXT_EXT = {".txt", ".csv", ".tsv", ".md", ".log", ".json", ".xml", ".hl7", ".rtf", ""}
HTML_EXT = {".html", ".htm", ".xhtml"}


def _ext(filename: str) -> str:
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


_TAG_RE = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)?[^<>]*>")
_HTML_BLOCK = frozenset(
    {
        "br",
        "p",
        "div",
        "tr",
        "li",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "table",
        "ul",
        "ol",
        "blockquote",
        "pre",
        "hr",
    }
)
_HTML_CELL = frozenset({"td", "th"})


def html_to_text(markup: str) -> str:
    """Visible text of an HTML fragment (tags dropped, entities decoded, cells tab-separated).

    One linear pass (``[^<>]*`` never crosses another ``<``; script/style bodies are skipped
    with ``str.find``): hostile markup cannot make it quadratic."""
    lower = markup.lower()
    out: list[str] = []
    pos, n = 0, len(markup)
    while pos < n:
        i = markup.find("<", pos)
        if i < 0:
            out.append(markup[pos:])
            break
        out.append(markup[pos:i])
        m = _TAG_RE.match(markup, i)
        if m is None:
            out.append("<")
            pos = i + 1
            continue
        pos = m.end()
        name = (m.group(2) or "").lower()
        if m.group(1):
            if name in _HTML_BLOCK:
                out.append("\n")
            elif name in _HTML_CELL:
                out.append("\t")
        elif name in ("script", "style", "head", "title"):
            j = lower.find("</" + name, pos)
            pos = n if j < 0 else j
        elif name in _HTML_BLOCK:
            out.append("\n")
    return html.unescape("".join(out))


# ---------------------------------------------------------------- office documents (ZIP/XML)


def _open_zip(data: bytes) -> zipfile.ZipFile:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise NotScannable("zip_damaged") from exc
    total = 0
    for info in zf.infolist():
        if info.flag_bits & 0x1:
            raise NotScannable("password")
        total += info.file_size
    if total > MAX_UNZIPPED:
        raise NotScannable("zip_too_big")
    return zf


def _xml_text(
    raw: bytes, *, para: set[str], cell: set[str], value_attrs: tuple[str, ...] = ()
) -> str:
    """All text nodes; a newline after paragraph-like elements, a tab after cells."""
    if b"<!DOCTYPE" in raw[:4096] or b"<!ENTITY" in raw[:65536]:
        raise NotScannable("xml_forbidden")
    out: list[str] = []
    try:
        for event, el in ET.iterparse(io.BytesIO(raw), events=("start", "end")):
            tag = el.tag.rsplit("}", 1)[-1]
            if event == "start":
                for attr in value_attrs:
                    for key, val in el.attrib.items():
                        if key.rsplit("}", 1)[-1] == attr:
                            out.append(val + "\t")
                continue
            if el.text and tag in ("t", "v", "p", "h", "span", "s", "a", "tab"):
                out.append(el.text)
            if tag in para:
                out.append("\n")
            elif tag in cell:
                out.append("\t")
            if el.tail:
                out.append(el.tail)
            el.clear()
    except ET.ParseError as exc:
        raise NotScannable("xml_damaged") from exc
    return "".join(out)


def extract_docx(data: bytes) -> str:
    zf = _open_zip(data)
    names = [
        n
        for n in zf.namelist()
        if re.fullmatch(r"word/(document|header\d*|footer\d*|footnotes|endnotes|comments)\.xml", n)
    ]
    if "word/document.xml" not in names:
        raise NotScannable("docx_incomplete")
    return "\n".join(
        _xml_text(zf.read(n), para={"p", "br", "tr"}, cell={"tc", "tab"}) for n in sorted(names)
    )


def extract_xlsx(data: bytes) -> str:
    zf = _open_zip(data)
    names = zf.namelist()
    parts = []
    if "xl/sharedStrings.xml" in names:
        parts.append(_xml_text(zf.read("xl/sharedStrings.xml"), para={"si"}, cell=set()))
    sheets = sorted(n for n in names if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n))
    if not sheets:
        raise NotScannable("xlsx_incomplete")
    for n in sheets:
        parts.append(_xml_text(zf.read(n), para={"row"}, cell={"c"}))
    return "\n".join(parts)


def extract_odf(data: bytes) -> str:
    zf = _open_zip(data)
    names = zf.namelist()
    if "content.xml" not in names:
        raise NotScannable("odf_incomplete")
    if "META-INF/manifest.xml" in names and b"encryption-data" in zf.read("META-INF/manifest.xml"):
        raise NotScannable("password")
    out = [
        _xml_text(
            zf.read("content.xml"),
            para={"p", "h", "table-row", "line-break"},
            cell={"table-cell", "tab"},
            value_attrs=("value", "date-value"),
        )
    ]
    if "styles.xml" in names:
        out.append(_xml_text(zf.read("styles.xml"), para={"p", "h"}, cell=set()))
    return "\n".join(out)


# ------------------------------------------------------------------------------------ PDF


def extract_pdf(data: bytes, deadline: Deadline) -> list[Part]:
    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        msg = str(exc).lower()
        if "password" in msg:
            raise NotScannable("pdf_encrypted") from exc
        raise NotScannable("pdf_damaged") from exc
    parts: list[Part] = []
    try:
        n = len(doc)
        empty_pages = 0
        for i in range(n):
            if deadline.expired():
                raise NotScannable("timeout")
            page = doc[i]
            textpage = page.get_textpage()
            text = textpage.get_text_range()
            textpage.close()
            has_image = any(obj.type == pdfium.raw.FPDF_PAGEOBJ_IMAGE for obj in page.get_objects())
            page.close()
            if not text.strip() and has_image:
                empty_pages += 1
                parts.append(_ocr_page(doc, i, deadline))
                continue
            parts.append(Part(_("page {n}").format(n=i + 1), normalize(text)))
    finally:
        doc.close()
    return parts


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


def _ocr_page(doc: object, index: int, deadline: Deadline) -> Part:
    from hygie.scan import ocr

    name = _("page {n}").format(n=index + 1)
    if not ocr.available():
        return Part(name, None, "scanned_page_no_ocr")
    import pypdfium2 as pdfium

    page = doc[index]  # type: ignore[index]
    # Render at the scanned image's own resolution (no blurry up-sampling), 108-300 dpi.
    scale = 300 / 72
    widths = [
        obj.get_px_size()[0]
        for obj in page.get_objects()
        if obj.type == pdfium.raw.FPDF_PAGEOBJ_IMAGE
    ]
    if widths and page.get_width() > 0:
        scale = min(300 / 72, max(1.5, max(widths) / page.get_width()))
    bitmap = page.render(scale=scale, grayscale=True)
    try:
        image = ocr.pgm(bitmap.width, bitmap.height, bitmap.stride, bytes(bitmap.buffer))
    finally:
        bitmap.close()
        page.close()
    return ocr_part(name, image, ".pgm", deadline)


# ---------------------------------------------------------------------------------- e-mail

#: Defects of the stdlib parser that mean the MIME structure was not fully understood.
_BENIGN_DEFECTS = {"MissingHeaderBodySeparatorDefect"}


def _defects(msg: Message) -> list[str]:
    return [type(d).__name__ for d in msg.defects if type(d).__name__ not in _BENIGN_DEFECTS]


def parse_email(raw: bytes) -> EmailMessage:
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def _decode_part(part: Message) -> bytes:
    cte = str(part.get("Content-Transfer-Encoding", "7bit")).strip().lower()
    if cte == "base64":
        # The stdlib decodes leniently (it skips bad characters); hygie does not.
        encoded = part.get_payload(decode=False)
        if not isinstance(encoded, str):
            raise NotScannable("part_unreadable")
        compact = "".join(encoded.split())
        try:
            return base64.b64decode(compact, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise NotScannable("base64_damaged") from exc
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        raise NotScannable("part_unreadable")
    return payload


def _charset_decode(data: bytes, charset: str | None) -> str:
    if b"\x00" in data:
        raise NotScannable("binary_in_text")
    if charset:
        try:
            return data.decode(charset)
        except (LookupError, UnicodeDecodeError):
            pass
    return decode_text(data)


def iter_email_parts(
    raw: bytes, deadline: Deadline, prefix: str = "", depth: int = 0
) -> Iterator[Part]:
    """Every text part and attachment of a message, depth-first; names in French."""
    if depth > MAX_DEPTH:
        yield Part(prefix or _("message"), None, "too_deep")
        return
    try:
        msg = parse_email(raw)
    except Exception:  # the stdlib parser raises various errors on hostile input
        yield Part(prefix or _("message"), None, "mime_malformed")
        return
    yield from _message_parts(msg, deadline, prefix, depth)


def _message_parts(msg: Message, deadline: Deadline, prefix: str, depth: int) -> Iterator[Part]:
    if depth > MAX_DEPTH:
        yield Part(prefix or _("message"), None, "too_deep")
        return
    if _defects(msg):
        yield Part(prefix or _("message"), None, "mime_structure")
        return
    subject = str(msg.get("Subject", "") or "")
    if subject:
        yield Part(_join(prefix, _("objet du message")), normalize(subject), place="header")
    state = {"body": False}
    yield from _entity_parts(msg, deadline, prefix, depth, state)


def _entity_parts(
    part: Message, deadline: Deadline, prefix: str, depth: int, state: dict[str, bool]
) -> Iterator[Part]:
    from hygie.scan.engine import extract_parts  # attachments are documents themselves

    if deadline.expired():
        yield Part(prefix or _("message"), None, "timeout")
        return
    if _defects(part):
        yield Part(prefix or _("message"), None, "mime_structure")
        return
    ctype = part.get_content_type()
    if ctype in ENCRYPTED_TYPES:
        # Encrypted content (PGP/MIME, S/MIME) cannot be read: never call it clean.
        yield Part(prefix or _("message"), None, "encrypted")
        return
    if part.is_multipart():
        children = part.get_payload()
        if not isinstance(children, list):
            yield Part(prefix or _("message"), None, "mime_structure")
            return
        if not all(isinstance(c, Message) for c in children):
            yield Part(prefix or _("message"), None, "mime_structure")
            return
        if ctype == "message/rfc822":
            for child in children:
                assert isinstance(child, Message)
                yield from _message_parts(
                    child, deadline, _join(prefix, _("message joint")), depth + 1
                )
            return
        for child in children:
            assert isinstance(child, Message)
            yield from _entity_parts(child, deadline, prefix, depth, state)
        return
    filename = part.get_filename()
    disposition = part.get_content_disposition()
    try:
        data = _decode_part(part)
    except NotScannable as exc:
        yield Part(_join(prefix, filename or ctype), None, exc.code)
        return
    if ctype.startswith("message/"):
        yield from iter_email_parts(data, deadline, _join(prefix, _("message joint")), depth + 1)
        return
    if filename or disposition == "attachment":
        name = _join(prefix, _("pièce jointe {name}").format(name=filename or ctype))
        yield from extract_parts(
            data, filename or _guess_name(ctype), deadline, name, depth + 1, "attachment"
        )
        return
    if ctype in ("text/plain", "text/html", "text/enriched", "text/csv"):
        label = (
            _("corps du message")
            if not state["body"]
            else _("corps du message ({type})").format(type=ctype)
        )
        state["body"] = True
        try:
            text = _charset_decode(data, part.get_content_charset())
        except NotScannable as exc:
            yield Part(_join(prefix, label), None, exc.code)
            return
        if PGP_ARMOR in text:
            yield Part(_join(prefix, label), None, "encrypted")
            return
        if ctype == "text/html":
            text = html_to_text(text)
        yield Part(_join(prefix, label), normalize(text))
        return
    # Inline non-text part without a name (an inline image...): a document too.
    yield from extract_parts(
        data, _guess_name(ctype), deadline, _join(prefix, ctype), depth + 1, "attachment"
    )


ENCRYPTED_TYPES = frozenset(
    {
        "multipart/encrypted",
        "application/pgp-encrypted",
        "application/pkcs7-mime",
        "application/x-pkcs7-mime",
    }
)
PGP_ARMOR = "-----BEGIN PGP MESSAGE-----"


def _guess_name(ctype: str) -> str:
    ext = {
        "application/pdf": ".pdf",
        "image/png": ".png",
        "image/jpeg": ".jpg",
        "image/gif": ".gif",
        "text/plain": ".txt",
        "text/html": ".html",
        "text/csv": ".csv",
    }.get(ctype, ".bin")
    return "sans-nom" + ext


def _join(prefix: str, name: str) -> str:
    return f"{prefix} › {name}" if prefix else name


_MBOX_SPLIT = re.compile(rb"(?:\A|\n)From [^\n]*\n")


def split_mbox(data: bytes) -> list[bytes]:
    """Messages of an mbox file (mboxrd/mboxo: "From " lines; ">From " unescaped)."""
    chunks = [c for c in _MBOX_SPLIT.split(data) if c.strip()]
    return [re.sub(rb"\n>(>*From )", rb"\n\1", c) for c in chunks]
