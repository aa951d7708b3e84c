"""scan_bytes on every supported format, generated at test time in memory/tmp_path."""

from __future__ import annotations

import io
import zipfile

import pytest
from tests.id_helpers import with_key
from tests.scan_docs import (
    make_docx,
    make_email,
    make_encrypted_pdf,
    make_ods,
    make_odt,
    make_pdf,
    make_xlsx,
)

from hygie.scan import scan_bytes

NIR = with_key("2500375116001")
POSITIVE = f"Patiente : Mme Durand, NIR {NIR[:7]} {NIR[7:]}, pansement et insuline."
NEGATIVE = "Compte rendu de la réunion du cabinet : planning, congés, commande de gants."


def _csv(text: str) -> bytes:
    return ("nom;nir;acte\nDURAND;" + text + ";pansement\n").encode("cp1252")


CASES = [
    ("note.txt", lambda t: t.encode("utf-8")),
    ("note-latin1.txt", lambda t: t.encode("cp1252")),
    ("note-bom.txt", lambda t: b"\xef\xbb\xbf" + t.encode("utf-8")),
    ("note-utf16.txt", lambda t: t.encode("utf-16")),
    ("page.html", lambda t: f"<html><body><p>{t}</p></body></html>".encode()),
    ("export.csv", _csv),
    ("lettre.pdf", lambda t: make_pdf(["Page de garde", t])),
    ("lettre.docx", lambda t: make_docx(["Objet : suivi", t])),
    ("tableau.docx", lambda t: make_docx(["Tournée"], table=[["Nom", "Note"], ["DURAND", t]])),
    ("lettre.odt", lambda t: make_odt(["Objet : suivi", t])),
    ("classeur.xlsx", lambda t: make_xlsx([["Nom", "Note"], ["DURAND", t]])),
    ("classeur.ods", lambda t: make_ods([["Nom", "Note"], ["DURAND", t]])),
    ("message.eml", lambda t: make_email(t)),
]


@pytest.mark.parametrize(("name", "make"), CASES, ids=[c[0] for c in CASES])
def test_positive_and_negative(name: str, make: object) -> None:
    pos = scan_bytes(make(POSITIVE), name)  # type: ignore[operator]
    neg = scan_bytes(make(NEGATIVE), name)  # type: ignore[operator]
    assert pos.verdict == "found", pos
    assert "FR_NIR" in pos.counts()
    assert neg.verdict == "clean", neg
    assert NIR not in repr(pos.to_dict())


def test_numeric_cells_in_spreadsheets() -> None:
    rows = [["Nom", "NIR"], ["DURAND", int(NIR)]]
    assert scan_bytes(make_xlsx(rows), "a.xlsx").verdict == "found"
    assert scan_bytes(make_ods(rows), "a.ods").verdict == "found"


def test_pdf_part_names_are_pages() -> None:
    r = scan_bytes(make_pdf(["rien", POSITIVE]), "x.pdf")
    assert {f.part for f in r.findings if f.patient} == {"page 2"}


def test_encrypted_pdf_is_not_scannable(tmp_path: object) -> None:
    r = scan_bytes(make_encrypted_pdf(POSITIVE), "secret.pdf")
    assert r.verdict == "unscannable"
    assert "chiffré" in (r.unscannable_reason or "")


@pytest.mark.parametrize(
    ("name", "data", "why"),
    [
        ("photo.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 64, "image"),
        ("scan.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image"),
        ("x.heic", b"\x00\x00\x00\x18ftypheic" + b"\x00" * 32, "image"),
        ("vieux.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "ancien format"),
        ("binaire.bin", bytes(range(256)) * 4, "format"),
        ("casse.pdf", b"%PDF-1.4\nnot really a pdf", "PDF"),
        ("casse.docx", b"PK\x03\x04garbage", "ZIP"),
        ("vide.txt", b"", ""),
    ],
)
def test_not_scannable(name: str, data: bytes, why: str) -> None:
    r = scan_bytes(data, name)
    if name == "vide.txt":
        assert r.verdict == "clean"  # an empty text file was fully read
        return
    assert r.verdict == "unscannable", r
    assert why in (r.unscannable_reason or "")


def _zip(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, d in files.items():
            zf.writestr(n, d)
    return buf.getvalue()


def test_plain_zip_archive_members_are_read() -> None:
    assert scan_bytes(_zip({"a.txt": POSITIVE.encode()}), "archive.zip").verdict == "found"
    assert scan_bytes(_zip({"a.txt": NEGATIVE.encode()}), "archive.zip").verdict == "clean"


def test_zip_bomb_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("hygie.scan.archive.MAX_UNZIPPED", 1024 * 1024)
    bomb = _zip({"word/document.xml": b"<a>" + b" " * (2 * 1024 * 1024) + b"</a>"})
    r = scan_bytes(bomb, "bombe.docx")
    assert r.verdict == "unscannable"
    assert "volumineux" in (r.unscannable_reason or "")


def test_xml_entities_are_refused() -> None:
    doc = b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>'
    r = scan_bytes(_zip({"word/document.xml": doc}), "entites.docx")
    assert r.verdict == "unscannable"


def test_mbox(tmp_path: object) -> None:
    m1 = make_email(NEGATIVE)
    m2 = make_email(POSITIVE, subject="Dossier")
    mbox = (
        b"From a@b Sat Jan  1 00:00:00 2026\n" + m1 + b"\nFrom a@b Sat Jan  1 00:00:00 2026\n" + m2
    )
    r = scan_bytes(mbox, "Sent.mbox")
    assert r.verdict == "found"
    assert any(f.part.startswith("message 2") for f in r.findings if f.patient)
    assert not any(f.part.startswith("message 1") for f in r.findings if f.patient)


def test_timeout_is_not_scannable() -> None:
    r = scan_bytes(make_pdf([NEGATIVE] * 3), "x.pdf", deadline=0.0)
    assert r.verdict == "unscannable"
    assert "délai" in (r.unscannable_reason or "")
