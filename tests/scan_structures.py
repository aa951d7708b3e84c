"""Documents that hide text outside their visible body (issue #13): office properties,
comments, tracked deletions, fields, headers/footers, sheet names, formulas, PDF forms,
annotations, metadata, embedded files, archives. Each builder takes the text to hide and
returns (bytes, file name); used by tests/unit/scan/test_places.py and bench/scan.py."""

from __future__ import annotations

from collections.abc import Callable

from tests.scan_docs import (
    make_docx,
    make_docx_comment,
    make_docx_field,
    make_docx_header_footer,
    make_docx_property,
    make_docx_tracked_deletion,
    make_ods,
    make_pdf,
    make_pdf_annotation,
    make_pdf_attachment,
    make_pdf_form,
    make_pdf_metadata,
    make_rtf,
    make_xlsx_comment,
    make_xlsx_formula,
    make_xlsx_sheet_name,
    make_zip,
)

DECOY = (
    b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    b"<w:body><w:p><w:r><w:t>Bonjour</w:t></w:r></w:p></w:body></w:document>"
)

Builder = Callable[[str], tuple[bytes, str]]

DOCUMENTS: dict[str, Builder] = {
    "docx property": lambda v: (make_docx_property(f"Assuré {v}"), "cr.docx"),
    "docx comment": lambda v: (make_docx_comment(f"sécu {v}"), "cr.docx"),
    "docx tracked deletion": lambda v: (make_docx_tracked_deletion(f"NIR {v}"), "cr.docx"),
    "docx field": lambda v: (make_docx_field(f"MERGEFIELD NIR_{v.replace(' ', '')}"), "cr.docx"),
    "docx header": lambda v: (make_docx_header_footer(f"Assuré {v}", "page"), "cr.docx"),
    "docx footer": lambda v: (make_docx_header_footer("CR", f"Assuré {v}"), "cr.docx"),
    "xlsx sheet name": lambda v: (make_xlsx_sheet_name(f"NIR {v.replace(' ', '')}"), "t.xlsx"),
    "xlsx formula without cached value": lambda v: (
        make_xlsx_formula(f'="NIR {v}"'),
        "t.xlsx",
    ),
    "xlsx comment": lambda v: (make_xlsx_comment(f"sécu {v}"), "t.xlsx"),
    "ods cell": lambda v: (make_ods([["Assuré", v]]), "t.ods"),
    "pdf form field": lambda v: (make_pdf_form("Formulaire CERFA", v), "cerfa.pdf"),
    "pdf annotation": lambda v: (make_pdf_annotation("Compte rendu", f"sécu {v}"), "cr.pdf"),
    "pdf metadata": lambda v: (make_pdf_metadata("Compte rendu", f"Assuré {v}"), "cr.pdf"),
    "pdf embedded file": lambda v: (
        make_pdf_attachment("Compte rendu", "liste.csv", f"nom;nir\nX;{v}".encode()),
        "cr.pdf",
    ),
    "rtf file": lambda v: (make_rtf(f"Assuré : {v}"), "courrier.rtf"),
    "zip with a decoy word/document.xml": lambda v: (
        make_zip({"word/document.xml": DECOY, "patients.csv": f"nir\n{v}".encode()}),
        "archive.zip",
    ),
    "zip member name": lambda v: (
        make_zip({f"carte_{v.replace(' ', '')}.txt": b"Bonjour"}),
        "archive.zip",
    ),
    "nested zip": lambda v: (
        make_zip({"in.zip": make_zip({"a.txt": f"NIR {v}".encode()})}),
        "a.zip",
    ),
    "pdf inside a zip": lambda v: (make_zip({"cr.pdf": make_pdf([f"NIR {v}"])}), "a.zip"),
    "file name": lambda v: (b"Bonjour", f"scan_{v.replace(' ', '')}.txt"),
    "docx table": lambda v: (make_docx(["CR"], [["NIR", v]]), "t.docx"),
}
