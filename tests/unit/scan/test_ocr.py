"""Optional OCR with the real Debian tesseract (French data): images, scanned PDF pages,
pictures on PDF pages that also have text, pictures inside office documents.

An image OCR read is judged on what it read (a logo is clean); it is unscannable only when
OCR is unavailable or fails. Skipped when tesseract-ocr-fra is not installed
(scripts/test-packages.txt installs it).
"""

from __future__ import annotations

import io

import pytest
from tests.id_helpers import with_key

from hygie.scan import ocr, scan_bytes

pytestmark = pytest.mark.skipif(not ocr.available(), reason="tesseract-ocr-fra not installed")

NIR = with_key("2691299350123")
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def _png(lines: list[str]) -> bytes:
    from PIL import Image, ImageDraw, ImageFont

    img = Image.new("L", (1400, 110 * len(lines) + 40), 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(FONT, 40)
    for i, line in enumerate(lines):
        draw.text((30, 30 + 110 * i), line, font=font, fill=0)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


SPACED = " ".join([NIR[0], NIR[1:3], NIR[3:5], NIR[5:7], NIR[7:10], NIR[10:13], NIR[13:]])


def test_image_with_a_nir_is_patient_data() -> None:
    r = scan_bytes(_png(["Carte Vitale de Mme Durand", f"NIR : {SPACED}"]), "carte.png")
    assert r.verdict == "found", r
    assert r.counts().get("FR_NIR") == 1
    assert NIR not in repr(r.to_dict())


def test_image_read_by_ocr_without_identifier_is_clean() -> None:
    # A logo or a planning that OCR read: judged on what it read (issue #13, false refusals).
    r = scan_bytes(_png(["Planning de la semaine", "Réunion jeudi"]), "planning.png")
    assert r.verdict == "clean", r


def test_blank_image_read_by_ocr_is_clean() -> None:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (120, 40), "white").save(buf, "PNG")
    assert scan_bytes(buf.getvalue(), "logo.png").verdict == "clean"


def test_image_ocr_cannot_read_stays_unscannable() -> None:
    r = scan_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "casse.png")
    assert r.verdict == "unscannable"
    assert r.unscannable_code == "ocr_failed"


def test_scanned_pdf_page_is_read_by_ocr() -> None:
    from PIL import Image

    # A PDF holding only a picture of the page, as a scanner writes it (Pillow's PDF writer).
    img = Image.open(io.BytesIO(_png(["Patient : Mme Durand", "Sécurité sociale", SPACED])))
    buf = io.BytesIO()
    img.save(buf, "PDF", resolution=150.0)
    r = scan_bytes(buf.getvalue(), "scan.pdf")
    assert r.verdict == "found", r
    assert {f.part for f in r.findings if f.type == "FR_NIR"} == {"page 1"}


def test_ocr_can_be_switched_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HYGIE_SCAN_OCR", "off")
    r = scan_bytes(_png([f"NIR : {SPACED}"]), "carte.png")
    assert r.verdict == "unscannable"
    assert "non disponible" in (r.unscannable_reason or "")


def test_picture_on_a_pdf_page_with_text_is_read() -> None:
    from tests.scan_docs import make_pdf_text_and_image

    card = _png(["Carte Vitale", f"NIR {SPACED}"])
    r = scan_bytes(make_pdf_text_and_image("Lettre de liaison", card), "lettre.pdf")
    assert r.verdict == "found", r
    assert {f.part for f in r.patient_findings} == {"page 1 › image 1"}


def test_logo_on_a_pdf_page_with_text_is_clean() -> None:
    from tests.scan_docs import make_pdf_text_and_image

    logo = _png(["Cabinet infirmier des Tilleuls"])
    r = scan_bytes(make_pdf_text_and_image("Facture de mars", logo), "facture.pdf")
    assert r.verdict == "clean", r


def test_picture_inside_a_docx_is_read() -> None:
    from tests.scan_docs import make_docx_picture

    r = scan_bytes(make_docx_picture(_png(["Carte Vitale", f"NIR {SPACED}"])), "carte.docx")
    assert r.verdict == "found", r
    assert any("media" in f.part for f in r.patient_findings)
