"""Documents generated at test time for the scanner: PDF (a minimal writer of our own, no
dependency), DOCX (python-docx), ODT/ODS (odfpy), XLSX (openpyxl), e-mails (stdlib)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from email.message import EmailMessage


def _pdf_escape(line: str) -> bytes:
    raw = line.encode("cp1252", errors="replace")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def make_pdf(pages: Sequence[str]) -> bytes:
    """A valid PDF with one page per string (Helvetica, WinAnsiEncoding, 60 lines a page)."""
    objects: list[bytes] = []
    n_pages = len(pages)
    # 1 catalog, 2 pages, 3 font, then (page, content) pairs
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(n_pages))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {n_pages} >>".encode())
    objects.append(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    )
    for i, text in enumerate(pages):
        lines = text.split("\n")
        body = (
            b"BT /F1 10 Tf 40 800 Td 12 TL "
            + b" ".join(b"(" + _pdf_escape(ln) + b") Tj T*" for ln in lines)
            + b" ET"
        )
        page = (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {5 + 2 * i} 0 R >>"
        ).encode()
        objects.append(page)
        objects.append(b"<< /Length %d >>\nstream\n" % len(body) + body + b"\nendstream")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, obj in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % n + obj + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def make_encrypted_pdf(text: str, password: str = "secret") -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf([text]))))
    writer.encrypt(user_password=password, owner_password=password, algorithm="AES-128")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def make_docx(paragraphs: Sequence[str], table: Sequence[Sequence[str]] = ()) -> bytes:
    import docx

    d = docx.Document()
    for p in paragraphs:
        d.add_paragraph(p)
    if table:
        t = d.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, cell in enumerate(row):
                t.cell(r, c).text = cell
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def make_odt(paragraphs: Sequence[str]) -> bytes:
    from odf.opendocument import OpenDocumentText
    from odf.text import P

    doc = OpenDocumentText()
    for p in paragraphs:
        doc.text.addElement(P(text=p))
    buf = io.BytesIO()
    doc.write(buf)
    return buf.getvalue()


def make_ods(rows: Sequence[Sequence[object]]) -> bytes:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    table = Table(name="Feuille1")
    for row in rows:
        tr = TableRow()
        for cell in row:
            if isinstance(cell, int | float):
                tc = TableCell(valuetype="float", value=cell)
            else:
                tc = TableCell(valuetype="string")
            tc.addElement(P(text=str(cell)))
            tr.addElement(tc)
        table.addElement(tr)
    doc.spreadsheet.addElement(table)
    buf = io.BytesIO()
    doc.write(buf)
    return buf.getvalue()


def make_xlsx(rows: Sequence[Sequence[object]]) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    for row in rows:
        ws.append(list(row))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def make_email(
    body: str,
    *,
    subject: str = "Suivi",
    attachments: Sequence[tuple[str, bytes, str]] = (),
    html: str | None = None,
    cte: str | None = None,
) -> bytes:
    msg = EmailMessage()
    msg["From"] = "idel@example.org"
    msg["To"] = "confrere@example.org"
    msg["Subject"] = subject
    msg.set_content(body, cte=cte) if cte else msg.set_content(body)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    for name, data, mime in attachments:
        maintype, subtype = mime.split("/", 1)
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return msg.as_bytes()


# ------------------------------------------------ structures beyond the visible text (#13)

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def make_png(lines: Sequence[str]) -> bytes:
    """A picture of text lines, as a phone photo or a scanner would give (Pillow)."""
    from PIL import Image, ImageDraw, ImageFont

    img = Image.new("L", (1400, 110 * len(lines) + 40), 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(FONT, 40)
    for i, line in enumerate(lines):
        draw.text((30, 30 + 110 * i), line, font=font, fill=0)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def _pdf_writer(text: str):  # type: ignore[no-untyped-def]
    from pypdf import PdfReader, PdfWriter

    return PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf([text]))))


def _written(writer) -> bytes:  # type: ignore[no-untyped-def]
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def make_pdf_form(text: str, field_value: str) -> bytes:
    """A PDF with an AcroForm text field filled with ``field_value`` (a CERFA-like form)."""
    from pypdf.generic import (
        ArrayObject,
        DictionaryObject,
        NameObject,
        NumberObject,
        TextStringObject,
    )

    w = _pdf_writer(text)
    field = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Widget"),
            NameObject("/FT"): NameObject("/Tx"),
            NameObject("/T"): TextStringObject("numero_assure"),
            NameObject("/V"): TextStringObject(field_value),
            NameObject("/Rect"): ArrayObject([NumberObject(n) for n in (40, 700, 300, 720)]),
        }
    )
    ref = w._add_object(field)
    w.pages[0][NameObject("/Annots")] = ArrayObject([ref])
    w._root_object[NameObject("/AcroForm")] = DictionaryObject(
        {NameObject("/Fields"): ArrayObject([ref])}
    )
    return _written(w)


def make_pdf_annotation(text: str, note: str) -> bytes:
    from pypdf.annotations import FreeText

    w = _pdf_writer(text)
    w.add_annotation(0, FreeText(text=note, rect=(50, 550, 300, 600)))
    return _written(w)


def make_pdf_metadata(text: str, subject: str) -> bytes:
    w = _pdf_writer(text)
    w.add_metadata({"/Subject": subject, "/Title": "Compte rendu"})
    return _written(w)


def make_pdf_attachment(text: str, name: str, data: bytes) -> bytes:
    w = _pdf_writer(text)
    w.add_attachment(name, data)
    return _written(w)


def make_pdf_text_and_image(text: str, png: bytes) -> bytes:
    """A page with a text layer *and* a picture (a typed letter with a card pasted under)."""
    import zlib

    from PIL import Image

    img = Image.open(io.BytesIO(png)).convert("L")
    w, h = img.size
    pdf = make_pdf([text])
    # Rebuild by hand: catalog, pages, font, page, content, image.
    content = (
        b"BT /F1 10 Tf 40 800 Td (" + _pdf_escape(text) + b") Tj ET "
        b"q 500 0 0 %d 40 300 cm /Im1 Do Q" % int(500 * h / w)
    )
    image = zlib.compress(img.tobytes())
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 3 0 R >> /XObject << /Im1 6 0 R >> >> /Contents 5 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
        b"/BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n"
        % (w, h, len(image))
        + image
        + b"\nendstream",
    ]
    del pdf
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, obj in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % n + obj + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _docx_with_body_xml(
    extra_body_xml: str, paragraphs: Sequence[str] = ("Compte rendu",)
) -> bytes:
    """A DOCX whose body gets raw WordprocessingML appended (tracked changes, fields)."""
    import zipfile

    base = make_docx(list(paragraphs))
    src = zipfile.ZipFile(io.BytesIO(base))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "word/document.xml":
                data = data.replace(b"<w:sectPr", extra_body_xml.encode() + b"<w:sectPr", 1)
            dst.writestr(info, data)
    return out.getvalue()


def make_docx_tracked_deletion(deleted: str) -> bytes:
    return _docx_with_body_xml(
        f'<w:p><w:del w:id="1" w:author="IDEL" w:date="2026-01-01T00:00:00Z"><w:r>'
        f"<w:delText>{deleted}</w:delText></w:r></w:del></w:p>"
    )


def make_docx_field(instruction: str) -> bytes:
    return _docx_with_body_xml(
        f'<w:p><w:fldSimple w:instr="{instruction}"><w:r><w:t>champ</w:t></w:r></w:fldSimple></w:p>'
    )


def make_docx_property(subject: str) -> bytes:
    import docx

    d = docx.Document()
    d.add_paragraph("Compte rendu de passage")
    d.core_properties.subject = subject
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def make_docx_comment(comment: str) -> bytes:
    import docx

    d = docx.Document()
    p = d.add_paragraph("Compte rendu de passage")
    d.add_comment(p.runs, text=comment, author="IDEL")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def make_docx_header_footer(header: str, footer: str) -> bytes:
    import docx

    d = docx.Document()
    d.add_paragraph("Compte rendu de passage")
    d.sections[0].header.paragraphs[0].text = header
    d.sections[0].footer.paragraphs[0].text = footer
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def make_docx_picture(png: bytes) -> bytes:
    import docx

    d = docx.Document()
    d.add_paragraph("Voir la carte ci-dessous")
    d.add_picture(io.BytesIO(png))
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def make_xlsx_sheet_name(title: str) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = title
    ws.append(["Acte", "Date"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def make_xlsx_formula(formula: str) -> bytes:
    """A cell holding only a formula (openpyxl writes no cached value)."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws["A1"] = formula
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def make_xlsx_comment(comment: str) -> bytes:
    import openpyxl
    from openpyxl.comments import Comment

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws["A1"] = "Acte"
    ws["A1"].comment = Comment(comment, "IDEL")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def make_zip(files: dict[str, bytes]) -> bytes:
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, d in files.items():
            zf.writestr(n, d)
    return buf.getvalue()


def make_rtf(text: str) -> bytes:
    """A small RTF document (what practice software exports), accents as \\'xx escapes."""
    body = "".join(f"\\'{b:02x}" if b > 127 else chr(b) for b in text.encode("cp1252"))
    body = body.replace("\n", "\\par\n")
    return (
        b"{\\rtf1\\ansi\\ansicpg1252\\deff0{\\fonttbl{\\f0 Arial;}}\\f0\\fs20 "
        + body.encode("ascii")
        + b"\\par}"
    )
