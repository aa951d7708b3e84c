"""Walking media safely and classifying files by content."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest

from hygie.media.filetypes import LNK_MAGIC, OLE_MAGIC, classify
from hygie.media.history import hash_name
from hygie.media.walk import safe_name, walk


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("plain.txt", "plain.txt"),
        ("été.pdf", "été.pdf"),
        ("a\nb", "a\\x0ab"),
        ("bell\x07", "bell\\x07"),
        (os.fsdecode(b"bad\xff"), "bad\\xff"),
        ("rtl\u202etxt.exe", "rtl\\u202etxt.exe"),
        ("back\\slash", "back\\\\slash"),
    ],
)
def test_safe_name(name: str, shown: str) -> None:
    assert safe_name(name) == shown


def test_walk_kinds(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "f.txt").write_text("x")
    (tmp_path / "l").symlink_to("/etc/hostname")
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    os.mkfifo(tmp_path / "p")
    kinds = {e.rel: (e.kind, e.detail) for e in walk([str(tmp_path)])}
    assert kinds["d/f.txt"] == ("file", "")
    assert kinds["l"][0] == "link" and "outside" in kinds["l"][1]
    assert kinds["loop"][0] == "link" and "looping" in kinds["loop"][1]
    assert kinds["p"][0] == "special"
    missing = list(walk([str(tmp_path / "nope")]))
    assert missing[0].kind == "unreadable_dir"


CT = "[Content_Types].xml"
ODT = b"application/vnd.oasis.opendocument.text"


def _zip(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for k, v in entries.items():
            zf.writestr(k, v)
    return buf.getvalue()


CASES: list[tuple[str, bytes, str, bool]] = [
    ("a.pdf", b"%PDF-1.7\n", "pdf", True),
    ("a.png", b"\x89PNG\r\n\x1a\n....", "image", True),
    ("a.jpg", b"\xff\xd8\xff\xe0....", "image", True),
    ("a.gif", b"GIF89a....", "image", True),
    ("a.txt", b"bonjour\n", "text", True),
    ("a.csv", "nom;prénom\n".encode(), "text", True),
    ("a.docx", _zip({CT: b"<Types/>", "word/document.xml": b"<d/>"}), "office", True),
    ("a.docx", _zip({CT: b"<Types/>", "word/vbaProject.bin": b"x"}), "office_macro", False),
    ("a.xlsx", _zip({CT: b"macroEnabled"}), "office_macro", False),
    ("a.odt", _zip({"mimetype": ODT, "content.xml": b"x"}), "office", True),
    ("a.odt", _zip({"mimetype": ODT, "Basic/Standard/M.xml": b"x"}), "office_macro", False),
    ("a.zip", _zip({"x.txt": b"x"}), "archive", False),
    ("a.doc", OLE_MAGIC + b"\0" * 100 + "WordDocument".encode("utf-16-le"), "office", True),
    ("a.doc", OLE_MAGIC + b"\0" * 100 + "_VBA_PROJECT".encode("utf-16-le"), "office_macro", False),
    ("a.pdf", b"MZ\x90\x00", "executable", False),
    ("a", b"\x7fELF\x02\x01", "executable", False),
    ("a.txt", b"#!/bin/sh\nrm -rf ~\n", "script", False),
    ("photo.jpg.lnk", LNK_MAGIC + b"\0" * 60, "shortcut", False),
    ("a.bat", b"echo hi\r\n", "script", False),
    ("a.ps1", b"Write-Host hi\n", "script", False),
    ("a.html", b"<html><script>alert(1)</script>", "script", False),
    ("a.svg", b"<?xml version='1.0'?><svg></svg>", "script", False),
    ("a.rtf", b"{\\rtf1 hello}", "office", True),
    ("a.rtf", b"{\\rtf1 {\\object\\objemb x}}", "office_object", False),
    ("a.7z", b"7z\xbc\xaf\x27\x1c....", "archive", False),
    ("a.bin", b"\x00\x01\x02\x03\x00garbage", "unknown", False),
    ("a.pdf.exe", b"%PDF-1.4\n", "pdf", False),  # allowed content, dangerous extension
]  # fmt: skip


@pytest.mark.parametrize(("name", "content", "kind", "allowed"), CASES)
def test_classify_by_content(
    tmp_path: Path, name: str, content: bytes, kind: str, allowed: bool
) -> None:
    p = tmp_path / name
    p.write_bytes(content)
    fd = os.open(p, os.O_RDONLY)
    try:
        info = classify(fd, name)
        assert os.lseek(fd, 0, os.SEEK_CUR) == 0  # pread only: the offset never moves
    finally:
        os.close(fd)
    assert (info.kind, info.allowed) == (kind, allowed)
    assert info.label


def test_name_hash_is_keyed() -> None:
    a = hash_name("CR Dupont 1 85 12 75 123 456.pdf", b"k1" * 16)
    b = hash_name("CR Dupont 1 85 12 75 123 456.pdf", b"k2" * 16)
    assert a != b and len(a) == 32 and "Dupont" not in a
    assert hash_name(os.fsdecode(b"bad\xff"), b"k" * 32)
