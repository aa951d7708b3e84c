"""Archives and office documents, read member by member whatever they claim to be.

A DOCX, XLSX, PPTX, ODT or ODS is a ZIP of XML parts; so is a plain ``.zip``. Every member
is read (issue #13: a ZIP holding a decoy ``word/document.xml`` *and* ``patients.csv``):

* XML members (document body, headers/footers, comments, footnotes, tracked deletions
  ``w:delText``, field codes ``w:instrText``, document properties ``docProps/*.xml`` and
  ``meta.xml``, shared strings, sheets with their formulas ``<f>`` whether or not a cached
  value is there, sheet names, ODF cell values): every text node, plus the attributes that
  carry text (field instructions, titles and descriptions, sheet/table names, ODF values and
  formulas, ``mailto:`` links);
* pictures (``word/media``, ``Pictures/``…): OCR, like any image;
* anything else (a CSV, a PDF, a nested ZIP, an e-mail): read as its own document.

Not read, on purpose: fonts (``.odttf``/``.ttf``, no text) and thumbnails (a rendering of the
first page, whose text is read anyway). Encrypted members, unknown binary members and too
deep nesting make the document unscannable. gzip and tar are opened the same way; 7z and RAR
are not read (unscannable).
"""

from __future__ import annotations

import gzip
import io
import re
import tarfile
import zipfile
from collections.abc import Callable, Iterator
from xml.etree import ElementTree as ET

from hygie.i18n import _
from hygie.scan.extract import MAX_DEPTH, Deadline, NotScannable, Part, ext_of, join
from hygie.scan.result import PlaceKind

#: Archives larger than this once uncompressed are refused (zip bombs).
MAX_UNZIPPED = 256 * 1024 * 1024

ZIP_MAGIC = b"PK\x03\x04"
GZIP_MAGIC = b"\x1f\x8b"
SEVENZIP_MAGIC = b"7z\xbc\xaf\x27\x1c"
RAR_MAGIC = b"Rar!\x1a\x07"

Extractor = Callable[[bytes, str, Deadline, str, int, PlaceKind], Iterator[Part]]

_SKIP = re.compile(
    r"(?i)(?:^|/)(?:thumbnails?/|docprops/thumbnail\.)|\.(?:odttf|ttf|otf|woff2?|fntdata)$"
)
_XML_EXT = (".xml", ".rels", ".vml")
#: Paragraph-like elements (a line break after them) and cells (a tab).
_PARA = frozenset(
    {"p", "br", "tr", "si", "row", "h", "line-break", "table-row", "cr", "txbxContent"}
)
_CELL = frozenset({"tc", "tab", "c", "table-cell", "f", "v"})
#: Attributes (local names) that carry text the reader sees or that travels with the file.
_TEXT_ATTRS = frozenset(
    {"instr", "title", "descr", "formula", "value", "string-value", "date-value", "text"}
)
#: Elements whose ``name`` attribute is visible text (sheet tabs, ODF tables, named ranges).
_NAMED = frozenset({"sheet", "table", "definedName", "named-range"})


def is_archive(data: bytes) -> bool:
    return data.startswith((ZIP_MAGIC, GZIP_MAGIC)) or _is_tar(data)


def _is_tar(data: bytes) -> bool:
    return len(data) > 262 and data[257:262] == b"ustar"


def xml_text(raw: bytes) -> str:
    """Every text node of an XML document and its text-bearing attributes; no DTD, no
    entity (refused), linear in the input."""
    if b"<!DOCTYPE" in raw[:4096] or b"<!ENTITY" in raw[:65536]:
        raise NotScannable("xml_forbidden")
    out: list[str] = []
    try:
        for event, el in ET.iterparse(io.BytesIO(raw), events=("start", "end")):
            tag = el.tag.rsplit("}", 1)[-1] if isinstance(el.tag, str) else ""
            if event == "start":
                for key, val in el.attrib.items():
                    local = key.rsplit("}", 1)[-1]
                    if (
                        local in _TEXT_ATTRS
                        or (local == "name" and tag in _NAMED)
                        or (local in ("href", "Target") and val[:7].lower() == "mailto:")
                    ):
                        out.append(f"\n{val}\n")
                continue
            if el.text:
                out.append(el.text)
            if tag in _PARA:
                out.append("\n")
            elif tag in _CELL:
                out.append("\t")
            if el.tail:
                out.append(el.tail)
            el.clear()
    except ET.ParseError as exc:
        raise NotScannable("xml_damaged") from exc
    return "".join(out)


def _zip_members(data: bytes, budget: Deadline) -> Iterator[tuple[str, bytes]]:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise NotScannable("zip_damaged") from exc
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise NotScannable("password")
        total += info.file_size
    if total > MAX_UNZIPPED:
        raise NotScannable("zip_too_big")
    names = {i.filename for i in infos}
    if "META-INF/manifest.xml" in names and b"encryption-data" in zf.read("META-INF/manifest.xml"):
        raise NotScannable("password")  # an ODF document with a password
    # One member in memory at a time, each charged to the scan's unpacking budget.
    for info in infos:
        if info.is_dir():
            continue
        try:
            # Read at most what the directory declared (a lying header cannot inflate more).
            with zf.open(info) as fh:
                content = fh.read(info.file_size + 1)
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError) as exc:
            raise NotScannable("zip_damaged") from exc
        if len(content) > info.file_size:
            raise NotScannable("zip_damaged")
        budget.charge(len(content))
        yield info.filename, content


def _tar_members(data: bytes, budget: Deadline) -> list[tuple[str, bytes]]:
    try:
        with tarfile.open(fileobj=io.BytesIO(data)) as tf:
            members = []
            total = 0
            for m in tf.getmembers():
                if not m.isfile():
                    continue  # links and devices inside an archive are not files to read
                total += m.size
                if total > MAX_UNZIPPED:
                    raise NotScannable("zip_too_big")
                fh = tf.extractfile(m)
                if fh is None:
                    raise NotScannable("zip_damaged")
                budget.charge(m.size)
                members.append((m.name, fh.read()))
            return members
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise NotScannable("zip_damaged") from exc


def _gunzip(data: bytes, budget: Deadline) -> bytes:
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as fh:
            out = fh.read(MAX_UNZIPPED + 1)
    except (OSError, EOFError) as exc:
        raise NotScannable("zip_damaged") from exc
    if len(out) > MAX_UNZIPPED:
        raise NotScannable("zip_too_big")
    budget.charge(len(out))
    return out


def archive_parts(
    data: bytes,
    filename: str,
    deadline: Deadline,
    prefix: str,
    depth: int,
    place: PlaceKind,
    extract: Extractor,
) -> Iterator[Part]:
    """Every member of a ZIP (office documents included), tar or gzip file."""
    label = prefix or _("contenu")
    if depth > MAX_DEPTH:
        yield Part(label, None, "too_deep", place)
        return
    if data.startswith(GZIP_MAGIC):
        inner = _gunzip(data, deadline)
        name = filename[:-3] if filename.lower().endswith(".gz") else filename + ".contenu"
        yield from extract(inner, name, deadline, prefix, depth + 1, place)
        return
    members = _tar_members(data, deadline) if _is_tar(data) else _zip_members(data, deadline)
    empty = True
    for name, content in members:
        empty = False
        if deadline.expired():
            yield Part(label, None, "timeout", place)
            return
        if _SKIP.search(name):
            continue
        member_label = join(label, name)
        # A member's name travels with the archive: scan it too.
        yield Part(join(member_label, _("nom")), name, None, "file_name")
        if ext_of(name) in _XML_EXT and not content.startswith(ZIP_MAGIC):
            try:
                yield Part(member_label, xml_text(content), None, place)
            except NotScannable as exc:
                yield Part(member_label, None, exc.code, place)
            continue
        yield from extract(content, name, deadline, member_label, depth + 1, place)
    if empty:
        yield Part(label, None, "empty", place)
