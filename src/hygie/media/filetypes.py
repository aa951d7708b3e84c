"""What a file is, by its content (magic bytes), and whether the station lets it through.

Allowed by default: PDF, images (PNG, JPEG, GIF, TIFF, BMP, WebP, HEIC), plain office
documents (OOXML and OpenDocument without macros, OLE ``.doc/.xls/.ppt`` without a VBA
project, RTF without embedded objects) and plain text. Refused: executables (PE, ELF,
Mach-O), scripts (``#!``, or text whose name is a script's), Windows shortcuts (``.lnk``),
macro-enabled Office files (``vbaProject.bin`` in OOXML, a VBA storage in OLE, ``Basic/`` in
OpenDocument), installers, archives, HTML/SVG (they run scripts), and anything not
recognised. A dangerous extension is refused whatever the content says. The content is read
from an open descriptor with ``pread``: nothing is ever opened by another program.

Identification of unknown content for the report uses ``puremagic`` (pure Python).
"""

from __future__ import annotations

import io
import os
import zipfile
from dataclasses import dataclass
from typing import Any

from hygie.hashing import pread
from hygie.i18n import N_, _

HEAD = 8192
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
LNK_MAGIC = b"L\x00\x00\x00\x01\x14\x02\x00"
MAX_OLE_READ = 64 * 1024 * 1024

DANGEROUS_EXTS = frozenset(
    [
        "exe",
        "com",
        "scr",
        "pif",
        "cpl",
        "msi",
        "msp",
        "msc",
        "dll",
        "sys",
        "drv",
        "ocx",
        "bat",
        "cmd",
        "ps1",
        "psm1",
        "psd1",
        "vbs",
        "vbe",
        "js",
        "jse",
        "wsf",
        "wsh",
        "wsc",
        "hta",
        "lnk",
        "url",
        "scf",
        "inf",
        "reg",
        "jar",
        "apk",
        "app",
        "dmg",
        "pkg",
        "deb",
        "rpm",
        "sh",
        "bash",
        "zsh",
        "csh",
        "ksh",
        "run",
        "bin",
        "elf",
        "py",
        "pyw",
        "pl",
        "rb",
        "php",
        "desktop",
        "appimage",
        "iso",
        "img",
        "vhd",
        "vhdx",
        "library-ms",
        "settingcontent-ms",
        "docm",
        "dotm",
        "xlsm",
        "xltm",
        "xlam",
        "pptm",
        "potm",
        "ppam",
        "ppsm",
        "sldm",
        "chm",
        "gadget",
        "application",
    ]
)

VBA_NAMES = (
    "_VBA_PROJECT".encode("utf-16-le"),
    "Macros".encode("utf-16-le"),
    "VBA\x00".encode("utf-16-le")[:-2] + b"\x00\x00",
)
MSI_CLSID = b"\x84\x10\x0c\x00\x00\x00\x00\x00\xc0\x00\x00\x00\x00\x00\x00\x46"


@dataclass(frozen=True)
class TypeInfo:
    kind: str  # pdf, image, office, text, executable, script, shortcut, office_macro, ...
    label: str  # what it is, for the report
    allowed: bool
    reason: str = ""  # why it is refused (stable code)

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.kind, "type_label": self.label, "type_allowed": self.allowed}


def _ok(kind: str, label: str) -> TypeInfo:
    return TypeInfo(kind, _(label), True)


def _no(kind: str, label: str, reason: str | None = None) -> TypeInfo:
    return TypeInfo(kind, _(label), False, reason or kind)


def extension(name: str) -> str:
    base = os.path.basename(name).rstrip(". ")
    return base.rsplit(".", 1)[-1].lower() if "." in base else ""


class FdReader(io.RawIOBase):
    """A read-only, seekable view of an open descriptor (pread; never moves its offset)."""

    def __init__(self, fd: int, size: int | None = None) -> None:
        self.fd = fd
        self.pos = 0
        self.size = os.fstat(fd).st_size if size is None else size

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.pos

    def seek(self, offset: int, whence: int = 0) -> int:
        base = {0: 0, 1: self.pos, 2: self.size}[whence]
        self.pos = max(0, base + offset)
        return self.pos

    def readinto(self, b: Any) -> int:
        data = pread(self.fd, len(b), self.pos)
        n = len(data)
        b[:n] = data
        self.pos += n
        return n


def classify(fd: int, name: str) -> TypeInfo:
    info = _classify_content(fd, name)
    ext = extension(name)
    if info.allowed and ext in DANGEROUS_EXTS:
        return TypeInfo(info.kind, f"{info.label} (.{ext})", False, "dangerous_extension")
    return info


def _classify_content(fd: int, name: str) -> TypeInfo:
    head = pread(fd, HEAD, 0)
    if not head:
        return _ok("empty", N_("fichier vide"))
    if head[:2] == b"MZ":
        return _no("executable", N_("programme Windows (PE)"))
    if head[:4] == b"\x7fELF":
        return _no("executable", N_("programme Linux (ELF)"))
    if head[:4] in (
        b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe",
        b"\xca\xfe\xba\xbe",
    ):  # fmt: skip
        return _no("executable", N_("programme macOS (Mach-O) ou classe Java"))
    if head[:2] == b"#!":
        return _no("script", N_("script (#!)"))
    if head[:8] == LNK_MAGIC:
        return _no("shortcut", N_("raccourci Windows (.lnk)"))
    if b"%PDF-" in head[:1024]:
        return _ok("pdf", N_("document PDF"))
    image = _image(head)
    if image:
        return _ok("image", image)
    if head[:4] == b"PK\x03\x04":
        return _zip(fd)
    if head[:8] == OLE_MAGIC:
        return _ole(fd)
    if head[:5] == b"{\\rtf":
        data = pread(fd, MAX_OLE_READ, 0)
        if b"\\object" in data or b"\\objdata" in data:
            return _no("office_object", N_("document RTF avec objet incorporé"))
        return _ok("office", N_("document RTF"))
    archive = _archive(head)
    if archive:
        return _no("archive", archive)
    return _text_or_unknown(fd, head, name)


def _image(head: bytes) -> str:
    if head[:8] == b"\x89PNG\r\n\x1a\n":
        return N_("image PNG")
    if head[:3] == b"\xff\xd8\xff":
        return N_("image JPEG")
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return N_("image GIF")
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return N_("image TIFF")
    if head[:2] == b"BM" and len(head) > 14:
        return N_("image BMP")
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return N_("image WebP")
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"avif"):
        return N_("image HEIC/AVIF")
    return ""


def _archive(head: bytes) -> str:
    if head[:6] == b"7z\xbc\xaf\x27\x1c":
        return N_("archive 7-Zip")
    if head[:4] == b"Rar!":
        return N_("archive RAR")
    if head[:2] == b"\x1f\x8b":
        return N_("archive gzip")
    if head[:3] == b"BZh":
        return N_("archive bzip2")
    if head[:6] == b"\xfd7zXZ\x00":
        return N_("archive xz")
    if head[:4] == b"MSCF":
        return N_("archive CAB")
    if len(head) > 262 and head[257:262] == b"ustar":
        return N_("archive tar")
    if head[:4] == b"\x28\xb5\x2f\xfd":
        return N_("archive zstd")
    return ""


def _zip(fd: int) -> TypeInfo:
    try:
        with zipfile.ZipFile(io.BufferedReader(FdReader(fd))) as zf:
            names = zf.namelist()
            lower = [n.lower() for n in names]
            if "[content_types].xml" in lower:
                ct = zf.read(names[lower.index("[content_types].xml")])[:1_000_000]
                if any(n.endswith("vbaproject.bin") for n in lower) or b"macroEnabled" in ct:
                    return _no("office_macro", N_("document Office avec macros"))
                if any("activex" in n or n.endswith(".bin") for n in lower):
                    return _no("office_object", N_("document Office avec objets incorporés"))
                return _ok("office", N_("document Office (OOXML)"))
            if "mimetype" in lower:
                mt = zf.read(names[lower.index("mimetype")])[:200]
                if mt.startswith(b"application/vnd.oasis.opendocument"):
                    if any(n.startswith(("basic/", "scripts/")) for n in lower):
                        return _no("office_macro", N_("document OpenDocument avec macros"))
                    return _ok("office", N_("document OpenDocument"))
            return _no("archive", N_("archive ZIP"))
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, EOFError, RuntimeError):
        return _no("unknown", N_("archive ZIP illisible"))


def _ole(fd: int) -> TypeInfo:
    data = pread(fd, MAX_OLE_READ, 0)
    if MSI_CLSID in data[:1_000_000] or MSI_CLSID in data:
        return _no("installer", N_("programme d'installation (MSI)"))
    if any(n in data for n in VBA_NAMES[:2]):
        return _no("office_macro", N_("document Office avec macros"))
    return _ok("office", N_("document Office (OLE)"))


TEXT_OK_EXTS = frozenset({"txt", "csv", "tsv", "md", "log", "json", "xml", ""})


def _text_or_unknown(fd: int, head: bytes, name: str) -> TypeInfo:
    if b"\x00" in head:
        return TypeInfo("unknown", _puremagic_label(head), False, "unknown")
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:
            try:
                text = head.decode("cp1252")
            except UnicodeDecodeError:
                return TypeInfo("unknown", _puremagic_label(head), False, "unknown")
        else:
            text = head[: exc.start].decode("utf-8", "replace")
    low = text.lower().lstrip("\ufeff \t\r\n")
    if low.startswith(("<!doctype html", "<html", "<?xml")) or "<script" in low or "<svg" in low:
        if "<svg" in low:
            return _no("script", N_("image SVG (peut contenir des scripts)"))
        if "<html" in low or "<script" in low:
            return _no("script", N_("page HTML (peut contenir des scripts)"))
    ext = extension(name)
    if ext not in TEXT_OK_EXTS:
        label = _("texte au nom de script ou inconnu (.{ext})").format(ext=ext)
        return TypeInfo("script", label, False, "script")
    return _ok("text", N_("texte"))


def _puremagic_label(head: bytes) -> str:
    try:
        import puremagic

        found = puremagic.magic_string(head)
        if found:
            return _("inconnu ({name})").format(name=found[0].name)
    except Exception:
        pass
    return _("contenu non reconnu")
