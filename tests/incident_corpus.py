"""A labelled corpus for ``hygie incident check`` (issue #14): ransomware-like folders and
normal folders full of high-entropy formats, built with real libraries where one exists.

Ransomware-like (each 200 files, from a practice's documents):

* ``hex_names``: renamed to random hex names without extension, random content;
* ``random_ext``: each renamed with a different random extension, random content;
* ``enc_bak_dat``: renamed to ``.enc`` / ``.bak`` / ``.dat`` (a third each), random content;
* ``kept_head``: names and first 64 bytes kept, everything after encrypted (pdf, docx, xlsx,
  odt, txt, csv, jpg, png; the OLE ``.doc`` has no recognisable end and is expected missed);
* ``appended``: the classic ``lettre.docx.kr4ck`` (one new extension, random content).

Normal (each 60-200 files, all changed "now"):

* ``signed_p7m``: PDFs signed in CMS/PKCS#7 DER (``.pdf.p7m``, the ``cryptography`` library);
* ``jfif_photos``: JPEG photos of noise saved as ``.jfif`` and ``.jpg`` (Pillow), one in ten
  a "motion photo" with a video appended after its end;
* ``ofx_exports``: bank exports in OFX 1 (SGML) and OFX 2 (XML);
* ``office_docs``: docx/xlsx/odt with a photo inside (zipfile, deflate), PNG, PDF;
* ``encrypted_pdf``: PDFs encrypted with AES-256 (pypdf);
* ``archives_vaults``: 7z archives and KeePass databases (signature and header as written by
  7-Zip and KeePassXC, then a random body: their real bodies are compressed/encrypted);
* ``edited``: the practice's documents edited in place (tests/incident_helpers.py).
"""

from __future__ import annotations

import io
import os
import random
import zipfile
from collections.abc import Callable
from pathlib import Path

from incident_helpers import edit_documents, make_documents

N = 200


def _rand_hex(rnd: random.Random, n: int) -> str:
    return "".join(rnd.choice("0123456789abcdef") for _ in range(n))


def jpeg_bytes(seed: int, size: int = 160) -> bytes:
    from PIL import Image

    rnd = random.Random(seed)
    img = Image.frombytes("RGB", (size, size), rnd.randbytes(size**3))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=92)
    return buf.getvalue()


def png_bytes(seed: int, size: int = 96) -> bytes:
    from PIL import Image

    rnd = random.Random(seed)
    img = Image.frombytes("RGB", (size, size), rnd.randbytes(size**3))
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def office_zip(kind: str, seed: int) -> bytes:
    main = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml", "odt": "content.xml"}[kind]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        if kind == "odt":
            z.writestr("mimetype", "application/vnd.oasis.opendocument.text", zipfile.ZIP_STORED)
        z.writestr(main, "<doc>" + "Soins du jour, pansement. " * 200 + "</doc>")
        z.writestr("media/photo.jpg", jpeg_bytes(seed, 96), zipfile.ZIP_STORED)
    return buf.getvalue()


def pdf_bytes(text: str) -> bytes:
    from pypdf import PdfWriter

    w = PdfWriter()
    w.add_blank_page(595, 842)
    w.add_metadata({"/Title": text})
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue() + b"%" + (text * 50).encode()[:4000] + b"\n%%EOF\n"


def encrypted_pdf_bytes(text: str) -> bytes:
    from pypdf import PdfWriter

    w = PdfWriter()
    page = w.add_blank_page(595, 842)
    page.merge_page(page)
    w.add_metadata({"/Title": text, "/Subject": text * 40})
    w.encrypt("mot-de-passe", algorithm="AES-256")
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


def cms_signed(data: bytes) -> bytes:
    """A real CMS SignedData (DER, content attached) as a .p7m signing tool writes it."""
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import pkcs7
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "IDE Test")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    return (
        pkcs7.PKCS7SignatureBuilder()
        .set_data(data)
        .add_signer(cert, key, hashes.SHA256())
        .sign(serialization.Encoding.DER, [pkcs7.PKCS7Options.Binary])
    )


def ofx(i: int, sgml: bool) -> str:
    rows = "".join(
        f"<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>202611{d:02d}<TRNAMT>-{d * 3}.40"
        f"<FITID>{i}{d:04d}<NAME>PHARMACIE {d}</STMTTRN>\n"
        for d in range(1, 28)
    )
    if sgml:
        return (
            "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\nSECURITY:NONE\nENCODING:USASCII\n\n"
            f"<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><BANKTRANLIST>\n{rows}"
            "</BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>\n"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<?OFX OFXHEADER="200" VERSION="220"?>\n'
        f"<OFX><BANKTRANLIST>{rows}</BANKTRANLIST></OFX>\n"
    )


# -- ransomware-like --------------------------------------------------------------------------
def _docs(folder: Path, n: int = N) -> list[Path]:
    return make_documents(folder, n)


def hex_names(folder: Path, rnd: random.Random) -> int:
    for p in _docs(folder):
        data = os.urandom(max(p.stat().st_size, 1024))
        p.unlink()
        (folder / _rand_hex(rnd, 32)).write_bytes(data)
    return N


def random_ext(folder: Path, rnd: random.Random) -> int:
    for p in _docs(folder):
        data = os.urandom(max(p.stat().st_size, 1024))
        p.unlink()
        p.with_name(p.name + "." + _rand_hex(rnd, rnd.randint(4, 8))).write_bytes(data)
    return N


def enc_bak_dat(folder: Path, rnd: random.Random) -> int:
    for i, p in enumerate(_docs(folder)):
        data = os.urandom(max(p.stat().st_size, 1024))
        p.unlink()
        p.with_suffix((".enc", ".bak", ".dat")[i % 3]).write_bytes(data)
    return N


KEPT_KINDS = ("pdf", "docx", "xlsx", "odt", "txt", "csv", "jpg", "png")


def _plain(kind: str, i: int) -> bytes:
    if kind == "pdf":
        return pdf_bytes(f"Facture {i}")
    if kind in ("docx", "xlsx", "odt"):
        return office_zip(kind, i)
    if kind == "txt":
        return ("Transmissions : pansement refait.\n" * 200).encode()
    if kind == "csv":
        return ("heure;soin\n" + "08:00;pansement\n" * 300).encode()
    return jpeg_bytes(i) if kind == "jpg" else png_bytes(i)


def kept_head(folder: Path, rnd: random.Random) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(N):
        kind = KEPT_KINDS[i % len(KEPT_KINDS)]
        data = _plain(kind, i)
        (folder / f"doc-{i:03d}.{kind}").write_bytes(data[:64] + os.urandom(len(data) - 64))
    return N


def appended(folder: Path, rnd: random.Random) -> int:
    for p in _docs(folder):
        data = os.urandom(max(p.stat().st_size, 1024))
        p.unlink()
        p.with_name(p.name + ".kr4ck").write_bytes(data)
    return N


RANSOMWARE: dict[str, Callable[[Path, random.Random], int]] = {
    "hex_names": hex_names,
    "random_ext": random_ext,
    "enc_bak_dat": enc_bak_dat,
    "kept_head": kept_head,
    "appended": appended,
}


# -- normal ----------------------------------------------------------------------------------
def signed_p7m(folder: Path, rnd: random.Random) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(60):
        (folder / f"ordonnance-{i:03d}.pdf.p7m").write_bytes(cms_signed(pdf_bytes(f"O{i}")))
    return 60


def jfif_photos(folder: Path, rnd: random.Random) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(80):
        data = jpeg_bytes(i)
        if i % 10 == 0:  # a "motion photo": a phone appends a video after the JPEG's end
            data += b"\x00\x00\x00\x18ftypmp42" + os.urandom(30_000)
        (folder / f"plaie-{i:03d}.{'jfif' if i % 2 else 'jpg'}").write_bytes(data)
    return 80


def ofx_exports(folder: Path, rnd: random.Random) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(60):
        (folder / f"releve-{i:03d}.ofx").write_text(ofx(i, sgml=i % 2 == 0), encoding="ascii")
    return 60


def office_docs(folder: Path, rnd: random.Random) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(90):
        kind = ("docx", "xlsx", "odt")[i % 3]
        (folder / f"courrier-{i:03d}.{kind}").write_bytes(office_zip(kind, i))
    for i in range(30):
        (folder / f"schema-{i:03d}.png").write_bytes(png_bytes(i))
        (folder / f"facture-{i:03d}.pdf").write_bytes(pdf_bytes(f"F{i}"))
    return 150


def encrypted_pdf(folder: Path, rnd: random.Random) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(40):
        (folder / f"bilan-{i:03d}.pdf").write_bytes(encrypted_pdf_bytes(f"Bilan {i} "))
    return 40


def archives_vaults(folder: Path, rnd: random.Random) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(30):
        body = os.urandom(20_000 + i * 100)
        (folder / f"archive-{i:03d}.7z").write_bytes(b"7z\xbc\xaf\x27\x1c\x00\x04" + body)
        kdbx = b"\x03\xd9\xa2\x9a\x67\xfb\x4b\xb5\x00\x00\x04\x00" + os.urandom(8000)
        (folder / f"coffre-{i:03d}.kdbx").write_bytes(kdbx)
    return 60


def edited(folder: Path, rnd: random.Random) -> int:
    files = make_documents(folder, 120)
    edit_documents(files)
    return 122


NORMAL: dict[str, Callable[[Path, random.Random], int]] = {
    "signed_p7m": signed_p7m,
    "jfif_photos": jfif_photos,
    "ofx_exports": ofx_exports,
    "office_docs": office_docs,
    "encrypted_pdf": encrypted_pdf,
    "archives_vaults": archives_vaults,
    "edited": edited,
}
