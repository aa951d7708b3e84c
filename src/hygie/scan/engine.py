"""Scan one document (bytes + file name) or one e-mail for patient data; fail closed.

``DocumentResult.status``:

* ``patient_data``: at least one patient identifier was found (even if another part could
  not be read);
* ``not_scannable``: some part could not be fully read (malformed MIME, encrypted PDF,
  image, time limit, unknown format, decoding error) and nothing was found elsewhere;
* ``clean``: every part was read and analysed, nothing found.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from hygie.i18n import N_, _, ngettext
from hygie.identifiers import Finding, analyze, is_patient_data, label_of
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
    split_mbox,
)

Status = Literal["clean", "patient_data", "not_scannable"]


@dataclass(frozen=True)
class DocumentResult:
    """The verdict on one document. Findings carry masked values only."""

    name: str
    status: Status
    reason: str
    findings: tuple[Finding, ...] = ()
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
    data: bytes, filename: str, deadline: Deadline, prefix: str = "", depth: int = 0
) -> Iterator[Part]:
    """The readable parts of a document, by content first (magic bytes), then extension."""
    ext = _ext(filename)
    label = prefix or _("contenu")
    try:
        if deadline.expired():
            raise NotScannable(N_("délai d'analyse dépassé"))
        if data.startswith(_PDF_MAGIC) or (ext == ".pdf" and _PDF_MAGIC in data[:1024]):
            for p in extract_pdf(data, deadline):
                yield Part(f"{prefix} › {p.name}" if prefix else p.name, p.text, p.reason)
            return
        if ext in IMAGE_EXT or any(data.startswith(magic) for magic, _kind in IMAGE_MAGIC):
            raise NotScannable(N_("image : lecture optique non disponible"))
        if data.startswith(_OLE_MAGIC):
            raise NotScannable(N_("ancien format Office ou document chiffré (non lisible)"))
        if data.startswith(_ZIP_MAGIC):
            yield Part(label, normalize(_extract_zip_document(data, ext)))
            return
        if ext == ".mbox" or (data.startswith(b"From ") and ext not in (".txt", ".csv")):
            messages = split_mbox(data)
            if not messages:
                raise NotScannable(N_("boîte mbox vide ou illisible"))
            for i, raw in enumerate(messages, 1):
                name = _("message {n}").format(n=i)
                yield from iter_email_parts(
                    raw, deadline, f"{prefix} › {name}" if prefix else name, depth
                )
            return
        if ext in (".eml", ".msg") or (ext not in TEXT_EXT | HTML_EXT and _looks_like_email(data)):
            if data.startswith(_OLE_MAGIC):
                raise NotScannable(N_("message Outlook (.msg) : format non lisible"))
            yield from iter_email_parts(data, deadline, prefix, depth)
            return
        if ext in TEXT_EXT or ext in HTML_EXT or _is_probably_text(data):
            text = decode_text(data)
            if ext in HTML_EXT or text.lstrip()[:15].lower().startswith(
                ("<!doctype html", "<html")
            ):
                text = html_to_text(text)
            yield Part(label, normalize(text))
            return
        raise NotScannable(N_("format de fichier inconnu"))
    except NotScannable as exc:
        yield Part(label, None, exc.reason)


def _extract_zip_document(data: bytes, ext: str) -> str:
    from hygie.scan.extract import _open_zip

    names = set(_open_zip(data).namelist())
    if "word/document.xml" in names:
        return extract_docx(data)
    if "xl/workbook.xml" in names:
        return extract_xlsx(data)
    if "content.xml" in names and "mimetype" in names:
        return extract_odf(data)
    raise NotScannable(N_("archive ZIP : contenu non analysé (décompressez-la d'abord)"))


def _is_probably_text(data: bytes) -> bool:
    sample = data[:4096]
    if b"\x00" in sample:
        return False
    try:
        sample.decode("utf-8")
        return True
    except UnicodeDecodeError as exc:
        return exc.start >= len(sample) - 4  # cut in the middle of a character


def _verdict(name: str, parts: list[Part], size: int) -> DocumentResult:
    findings: list[Finding] = []
    unreadable: list[tuple[str, str]] = []
    names: list[str] = []
    for p in parts:
        names.append(p.name)
        if p.text is None:
            unreadable.append((p.name, p.reason or N_("partie illisible")))
            continue
        findings.extend(f.with_part(p.name) for f in analyze(p.text))
    if is_patient_data(findings):
        kinds = sorted({label_of(f.type) for f in findings if f.patient})
        where = sorted({f.context_part for f in findings if f.patient})
        reason = _("données de patient trouvées ({kinds}) dans : {where}").format(
            kinds=", ".join(kinds), where=", ".join(where)
        )
        status: Status = "patient_data"
    elif unreadable or not parts:
        if not parts:
            unreadable.append((name, N_("document vide")))
        first = unreadable[0]
        reason = _("non analysable : {part} — {why}").format(part=first[0], why=_(first[1]))
        if len(unreadable) > 1:
            n = len(unreadable) - 1
            reason += " " + ngettext("(et {n} autre partie)", "(et {n} autres parties)", n).format(
                n=n
            )
        status = "not_scannable"
    else:
        reason = _("aucune donnée de patient trouvée")
        status = "clean"
    return DocumentResult(
        name=name,
        status=status,
        reason=reason,
        findings=tuple(findings),
        parts=tuple(names),
        unreadable=tuple((p, _(r)) for p, r in unreadable),
        size=size,
    )


def scan_bytes(data: bytes, filename: str, *, timeout_s: float = 10.0) -> DocumentResult:
    """Scan one document given as bytes; ``filename`` helps tell the format."""
    deadline = Deadline(timeout_s)
    parts = list(extract_parts(data, filename, deadline))
    if deadline.expired():
        parts.append(Part(filename, None, N_("délai d'analyse dépassé")))
    return _verdict(filename, parts, len(data))


def scan_email(raw: bytes, *, timeout_s: float = 10.0, name: str = "") -> DocumentResult:
    """Scan one RFC 5322 message: subject, every text part and attachment (nested
    multiparts, base64/quoted-printable, attached messages)."""
    deadline = Deadline(timeout_s)
    parts = list(iter_email_parts(raw, deadline))
    if deadline.expired():
        parts.append(Part(name or _("message"), None, N_("délai d'analyse dépassé")))
    return _verdict(name or _("message"), parts, len(raw))


def scan_text(text: str, *, name: str = "texte") -> DocumentResult:
    """Scan text already in memory (what the relay or the dashboard may hold)."""
    return _verdict(name, [Part(_("contenu"), normalize(text))], len(text.encode("utf-8")))
