"""Text of a PDF: page text (pypdfium2), and what a page's text layer does not show.

* page text, through pypdfium2 (Apache-2.0/BSD-3; chosen over pypdf by measurement);
* images: OCR of every picture of a page, also on pages that have text (a scanned Carte
  Vitale pasted under a typed letter), each distinct picture once (a logo repeated on every
  page is read once); pages with no text layer are rendered whole and read by OCR;
* the structure, through pypdf (BSD-3): filled form fields (CERFA forms are AcroForms: field
  values, names and alternate names), annotations (comments, free text, pop-ups: contents,
  titles, rich text), document information and XMP metadata, embedded files (the
  ``EmbeddedFiles`` name tree and file-attachment annotations), each read as a document.

An encrypted PDF, a PDF pdfium or pypdf cannot parse, or a picture OCR cannot read makes the
document unscannable.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from typing import Any

from hygie.i18n import _
from hygie.scan.extract import Deadline, NotScannable, Part, join, normalize, ocr_part
from hygie.scan.result import PlaceKind

PDF_MAGIC = b"%PDF-"
#: Pictures smaller than this (pixels, either side) are decoration: rules, bullets, spacers.
MIN_IMAGE_SIDE = 48

Extractor = Any  # see hygie.scan.archive.Extractor (no import: no cycle)


def pdf_parts(
    data: bytes,
    deadline: Deadline,
    prefix: str,
    depth: int,
    place: PlaceKind,
    extract: Extractor,
) -> Iterator[Part]:
    yield from _pages(data, deadline, prefix, place)
    yield from _structure(data, deadline, prefix, depth, place, extract)


def _pages(data: bytes, deadline: Deadline, prefix: str, place: PlaceKind) -> Iterator[Part]:
    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise NotScannable("pdf_encrypted") from exc
        raise NotScannable("pdf_damaged") from exc
    seen: set[str] = set()
    try:
        for i in range(len(doc)):
            name = join(prefix, _("page {n}").format(n=i + 1))
            if deadline.expired():
                yield Part(name, None, "timeout", place)
                return
            page = doc[i]
            try:
                textpage = page.get_textpage()
                text = textpage.get_text_range()
                textpage.close()
                images = [
                    obj for obj in page.get_objects() if obj.type == pdfium.raw.FPDF_PAGEOBJ_IMAGE
                ]
                if not text.strip() and images:
                    p = _ocr_page(page, images, deadline)
                    yield Part(name, p.text, p.code, place)
                    continue
                yield Part(name, normalize(text), None, place)
                for n, obj in enumerate(images, 1):
                    read = _ocr_image_object(obj, deadline, seen)
                    if read is not None:
                        label = join(name, _("image {n}").format(n=n))
                        yield Part(label, read.text, read.code, place)
            finally:
                page.close()
    finally:
        doc.close()


def _ocr_image_object(obj: Any, deadline: Deadline, seen: set[str]) -> Part | None:
    """OCR of one picture of a page; None for decoration and pictures already read."""
    try:
        width, height = obj.get_px_size()
    except Exception:
        width = height = 0
    if min(width, height) < MIN_IMAGE_SIDE:
        return None
    try:
        pil = obj.get_bitmap(render=False).to_pil()  # owned by the page: not closed here
        buf = io.BytesIO()
        pil.convert("L").save(buf, "PNG")
    except Exception:  # an image pdfium cannot decode: not read, so not clean
        return Part("", None, "ocr_failed")
    png = buf.getvalue()
    digest = hashlib.sha256(png).hexdigest()
    if digest in seen:
        return None
    seen.add(digest)
    return ocr_part("", png, ".png", deadline)


def _ocr_page(page: Any, images: list[Any], deadline: Deadline) -> Part:
    from hygie.scan import ocr

    if not ocr.available():
        return Part("", None, "scanned_page_no_ocr")
    # Render at the scanned image's own resolution (no blurry up-sampling), 108-300 dpi.
    scale = 300 / 72
    widths = [obj.get_px_size()[0] for obj in images]
    if widths and page.get_width() > 0:
        scale = min(300 / 72, max(1.5, max(widths) / page.get_width()))
    bitmap = page.render(scale=scale, grayscale=True)
    try:
        image = ocr.pgm(bitmap.width, bitmap.height, bitmap.stride, bytes(bitmap.buffer))
    finally:
        bitmap.close()
    return ocr_part("", image, ".pgm", deadline)


# ------------------------------------------------------------------------- structure (pypdf)


def _s(value: Any) -> str:
    """A PDF object as text (strings, names, arrays of them), resolved."""
    try:
        value = value.get_object() if hasattr(value, "get_object") else value
    except Exception:
        return ""
    if isinstance(value, bytes):
        return value.decode("latin-1", "replace")
    if isinstance(value, list | tuple):
        return " ".join(_s(v) for v in value)
    if isinstance(value, dict):
        return ""
    return str(value) if value is not None else ""


def _structure(
    data: bytes,
    deadline: Deadline,
    prefix: str,
    depth: int,
    place: PlaceKind,
    extract: Extractor,
) -> Iterator[Part]:
    import logging

    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise NotScannable("pdf_encrypted")
        texts: list[str] = []
        for key, value in (reader.metadata or {}).items():
            texts.append(f"{_s(key).lstrip('/')} : {_s(value)}")
        xmp = reader.root_object.get("/Metadata")
        if xmp is not None:
            from hygie.scan.archive import xml_text

            raw = xmp.get_object().get_data()
            texts.append(xml_text(raw) if raw.lstrip().startswith(b"<") else "")
        if texts:
            label = join(prefix, _("propriétés du PDF"))
            yield Part(label, normalize("\n".join(texts)), None, place)
        fields = reader.get_fields() or {}
        values = []
        for name, field in fields.items():
            shown = [_s(field.get(k)) for k in ("/V", "/TU", "/DV")]
            values.append(f"{name} : " + " ".join(v for v in shown if v))
        if values:
            label = join(prefix, _("champs du formulaire"))
            yield Part(label, normalize("\n".join(values)), None, place)
        for i, page in enumerate(reader.pages, 1):
            if deadline.expired():
                raise NotScannable("timeout")
            annots = page.get("/Annots")
            annots = annots.get_object() if annots is not None else []
            notes = []
            for ref in annots or []:
                annot = ref.get_object()
                for k in ("/Contents", "/T", "/RC", "/Subj", "/TU", "/V"):
                    v = _s(annot.get(k))
                    if v:
                        notes.append(v)
                fs = annot.get("/FS")
                if fs is not None:
                    yield from _embedded(fs.get_object(), deadline, prefix, depth, place, extract)
                a = annot.get("/A")
                uri = _s(a.get_object().get("/URI")) if a is not None else ""
                if uri.lower().startswith(("mailto:", "tel:")):
                    notes.append(uri.split(":", 1)[1])
            if notes:
                label = join(prefix, _("annotations de la page {n}").format(n=i))
                yield Part(label, normalize("\n".join(notes)), None, place)
        for name, contents in (reader.attachments or {}).items():
            for content in contents:
                label = join(prefix, _("fichier joint au PDF {name}").format(name=name))
                yield Part(join(label, _("nom")), name, None, "file_name")
                yield from extract(content, name, deadline, label, depth + 1, place)
    except NotScannable:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        raise NotScannable("pdf_damaged") from exc


def _embedded(
    fs: Any, deadline: Deadline, prefix: str, depth: int, place: PlaceKind, extract: Extractor
) -> Iterator[Part]:
    """A file-attachment annotation's file specification."""
    name = _s(fs.get("/UF")) or _s(fs.get("/F")) or "sans-nom"
    ef = fs.get("/EF")
    if ef is None:
        return
    stream = ef.get_object().get("/F")
    if stream is None:
        return
    content = stream.get_object().get_data()
    label = join(prefix, _("fichier joint au PDF {name}").format(name=name))
    yield Part(join(label, _("nom")), name, None, "file_name")
    yield from extract(content, name, deadline, label, depth + 1, place)
