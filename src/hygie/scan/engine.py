"""Scan one document (bytes + file name) or one e-mail for patient data; fail closed.

The typed entry points are :func:`scan_document` and :func:`scan_message` (exported by
:mod:`hygie.scan` as ``scan_bytes``/``scan_email``), returning a
:class:`hygie.scan.result.ScanResult`:

* ``found``: at least one patient identifier was found (even if another part could not be
  read);
* ``unscannable``: some part could not be fully read (malformed or ambiguous MIME, encrypted
  PDF, image without OCR, time limit, unknown format, decoding error) and nothing was found;
* ``clean``: every part was read and analysed, nothing found.

The legacy ``scan_bytes``/``scan_email`` of this module return a :class:`DocumentResult`
(status ``patient_data``/``not_scannable``/``clean``) for the CLI JSON and the dashboard.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from hygie.i18n import _, ngettext
from hygie.identifiers import analyze, label_fr_of
from hygie.scan.extract import (
    HTML_EXT,
    IMAGE_EXT,
    IMAGE_MAGIC,
    TEXT_EXT,
    Deadline,
    NotScannable,
    Part,
    _ext,
    decode_text,
    extract_docx,
    extract_odf,
    extract_pdf,
    extract_xlsx,
    html_to_text,
    iter_email_parts,
    normalize,
    ocr_part,
    split_mbox,
)
from hygie.scan.reasons import reason_text
from hygie.scan.result import PlaceKind, ScanFinding, ScanResult, Unreadable

#: Time budget of a scan when no deadline is given (seconds).
DEFAULT_TIMEOUT_S = 10.0

Status = Literal["clean", "patient_data", "not_scannable"]


@dataclass(frozen=True)
class DocumentResult:
    """The verdict on one document. Findings carry masked values only."""

    name: str
    status: Status
    reason: str
    findings: tuple[ScanFinding, ...] = ()
    parts: tuple[str, ...] = ()
    unreadable: tuple[tuple[str, str], ...] = ()
    size: int = 0

    @property
    def patient_data(self) -> bool:
        return self.status == "patient_data"

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for f in self.findings:
            out[f.type] = out.get(f.type, 0) + 1
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": self.status,
            "reason": self.reason,
            "size": self.size,
            "parts": list(self.parts),
            "unreadable": [{"part": p, "reason": r} for p, r in self.unreadable],
            "counts": self.counts(),
            "findings": [f.to_dict() for f in self.findings],
        }


_PDF_MAGIC = b"%PDF-"
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _looks_like_email(data: bytes) -> bool:
    head = data[:2048].lower()
    return (
        head.startswith(
            (
                b"received:",
                b"return-path:",
                b"from:",
                b"message-id:",
                b"mime-version:",
                b"date:",
                b"to:",
                b"subject:",
                b"delivered-to:",
                b"x-",
            )
        )
        and b"\n" in head
        and (
            b"\nsubject:" in head or b"\nfrom:" in head or head.startswith((b"from:", b"subject:"))
        )
    )


def extract_parts(
    data: bytes,
    filename: str,
    deadline: Deadline,
    prefix: str = "",
    depth: int = 0,
    place: PlaceKind = "attachment",
) -> Iterator[Part]:
    """The readable parts of a document, by content first (magic bytes), then extension."""
    ext = _ext(filename)
    label = prefix or _("contenu")
    try:
        if deadline.expired():
            raise NotScannable("timeout")
        if data.startswith(_PDF_MAGIC) or (ext == ".pdf" and _PDF_MAGIC in data[:1024]):
            for p in extract_pdf(data, deadline):
                yield Part(f"{prefix} › {p.name}" if prefix else p.name, p.text, p.code, place)
            return
        if ext in IMAGE_EXT or any(data.startswith(magic) for magic, _kind in IMAGE_MAGIC):
            p = ocr_part(label, data, ext if ext in IMAGE_EXT else ".img", deadline)
            yield Part(p.name, p.text, p.code, place)
            return
        if data.startswith(_OLE_MAGIC):
            raise NotScannable("legacy_office")
        if data.startswith(_ZIP_MAGIC):
            yield Part(label, normalize(_extract_zip_document(data, ext)), place=place)
            return
        if ext == ".mbox" or (data.startswith(b"From ") and ext not in (".txt", ".csv")):
            messages = split_mbox(data)
            if not messages:
                raise NotScannable("mbox_empty")
            for i, raw in enumerate(messages, 1):
                name = _("message {n}").format(n=i)
                yield from iter_email_parts(
                    raw, deadline, f"{prefix} › {name}" if prefix else name, depth
                )
            return
        if ext in (".eml", ".msg") or (ext not in TEXT_EXT | HTML_EXT and _looks_like_email(data)):
            if data.startswith(_OLE_MAGIC):
                raise NotScannable("outlook_msg")
            yield from iter_email_parts(data, deadline, prefix, depth)
            return
        if ext in TEXT_EXT or ext in HTML_EXT or _is_probably_text(data):
            text = decode_text(data)
            if ext in HTML_EXT or text.lstrip()[:15].lower().startswith(
                ("<!doctype html", "<html")
            ):
                text = html_to_text(text)
            yield Part(label, normalize(text), place=place)
            return
        raise NotScannable("unknown_format")
    except NotScannable as exc:
        yield Part(label, None, exc.code, place)


def _extract_zip_document(data: bytes, ext: str) -> str:
    from hygie.scan.extract import _open_zip

    names = set(_open_zip(data).namelist())
    if "word/document.xml" in names:
        return extract_docx(data)
    if "xl/workbook.xml" in names:
        return extract_xlsx(data)
    if "content.xml" in names and "mimetype" in names:
        return extract_odf(data)
    raise NotScannable("archive_unsupported")


def _is_probably_text(data: bytes) -> bool:
    sample = data[:4096]
    if b"\x00" in sample:
        return False
    try:
        sample.decode("utf-8")
        return True
    except UnicodeDecodeError as exc:
        return exc.start >= len(sample) - 4  # cut in the middle of a character


def _masked_name(name: str) -> str:
    from hygie.identifiers import mask_identifiers

    return mask_identifiers(name)


def verdict_of(parts: list[Part], size: int, *, timed_out: bool = False) -> ScanResult:
    """The typed verdict on the extracted parts (the one place deciding found/unscannable)."""
    findings: list[ScanFinding] = []
    unreadable: list[Unreadable] = []
    names: list[str] = []
    for p in parts:
        part_name = _masked_name(p.name)
        names.append(part_name)
        if p.text is not None:
            for f in analyze(p.text):
                findings.append(
                    ScanFinding(
                        type=f.type,
                        label=label_fr_of(f.type),
                        patient=f.patient,
                        place=p.place,
                        part=part_name,
                        masked=f.masked,
                        confidence=f.confidence,
                    )
                )
        if p.text is None or p.code is not None:
            code = p.code or "part_unreadable"
            unreadable.append(Unreadable(part_name, p.place, code, reason_text(code)))
    if not parts:
        unreadable.append(Unreadable(_("document"), "document", "empty", reason_text("empty")))
    timed_out = timed_out or any(u.code == "timeout" for u in unreadable)
    if any(f.patient for f in findings):
        return ScanResult(
            "found", tuple(findings), timed_out, None, None, tuple(unreadable), tuple(names), size
        )
    if unreadable:
        first = next((u for u in unreadable if u.code == "timeout"), unreadable[0])
        return ScanResult(
            "unscannable",
            tuple(findings),
            timed_out,
            first.code,
            first.reason,
            tuple(unreadable),
            tuple(names),
            size,
        )
    return ScanResult("clean", tuple(findings), False, None, None, (), tuple(names), size)


def _deadline(deadline: float | None) -> Deadline:
    return Deadline.after(DEFAULT_TIMEOUT_S) if deadline is None else Deadline(deadline)


def scan_document(data: bytes, name: str, *, deadline: float | None = None) -> ScanResult:
    """Scan one document given as bytes; ``name`` (its file name) helps tell the format and
    is scanned too. ``deadline`` is an instant of :func:`time.monotonic` (default: 10 s from
    now)."""
    dl = _deadline(deadline)
    parts = [Part(_("nom du fichier"), normalize(name), place="file_name")]
    parts.extend(extract_parts(data, name, dl, place="document"))
    expired = dl.expired()
    if expired:
        parts.append(Part(name, None, "timeout", "document"))
    return verdict_of(parts, len(data), timed_out=expired)


def scan_message(raw: bytes, *, deadline: float | None = None) -> ScanResult:
    """Scan one RFC 5322 message: headers, every text part and attachment (nested
    multiparts, base64/quoted-printable, attached messages)."""
    dl = _deadline(deadline)
    parts = list(iter_email_parts(raw, dl))
    expired = dl.expired()
    if expired:
        parts.append(Part(_("message"), None, "timeout", "body"))
    return verdict_of(parts, len(raw), timed_out=expired)


# ------------------------------------------------------------- legacy entry points (dict)

_STATUS: dict[str, Status] = {
    "clean": "clean",
    "found": "patient_data",
    "unscannable": "not_scannable",
}


def _legacy(name: str, r: ScanResult) -> DocumentResult:
    """The dict-shaped result the CLI JSON (schema hygie.scan/1) and the dashboard show."""
    if r.verdict == "found":
        kinds = sorted({_(f.label) for f in r.findings if f.patient})
        where = sorted({f.part for f in r.findings if f.patient})
        reason = _("données de patient trouvées ({kinds}) dans : {where}").format(
            kinds=", ".join(kinds), where=", ".join(where)
        )
    elif r.verdict == "unscannable":
        first = next(u for u in r.unreadable if u.code == r.unscannable_code)
        reason = _("non analysable : {part} — {why}").format(part=first.part, why=_(first.reason))
        if len(r.unreadable) > 1:
            n = len(r.unreadable) - 1
            reason += " " + ngettext("(et {n} autre partie)", "(et {n} autres parties)", n).format(
                n=n
            )
    else:
        reason = _("aucune donnée de patient trouvée")
    return DocumentResult(
        name=_masked_name(name),
        status=_STATUS[r.verdict],
        reason=reason,
        findings=r.findings,
        parts=r.parts,
        unreadable=tuple((u.part, _(u.reason)) for u in r.unreadable),
        size=r.size,
    )


def scan_bytes(data: bytes, filename: str, *, timeout_s: float = 10.0) -> DocumentResult:
    """Legacy: :func:`scan_document` with a time budget, as a :class:`DocumentResult`."""
    r = scan_document(data, filename, deadline=time.monotonic() + timeout_s)
    return _legacy(filename, r)


def scan_email(raw: bytes, *, timeout_s: float = 10.0, name: str = "") -> DocumentResult:
    """Legacy: :func:`scan_message` with a time budget, as a :class:`DocumentResult`."""
    r = scan_message(raw, deadline=time.monotonic() + timeout_s)
    return _legacy(name or _("message"), r)


def scan_text(text: str, *, name: str = "texte") -> DocumentResult:
    """Scan text already in memory (what the relay or the dashboard may hold)."""
    r = verdict_of([Part(_("contenu"), normalize(text), place="document")], len(text.encode()))
    return _legacy(name, r)
