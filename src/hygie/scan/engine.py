"""Scan one document (bytes + file name) or one e-mail for patient data; fail closed.

The typed entry points are :func:`scan_document` and :func:`scan_message` (exported by
:mod:`hygie.scan` as ``scan_bytes``/``scan_email``), returning a
:class:`hygie.scan.result.ScanResult`:

* ``found``: at least one patient identifier was found (even if another part could not be
  read);
* ``unscannable``: some part could not be fully read (malformed or ambiguous MIME, encrypted
  PDF, image without OCR, time limit, unknown format, decoding error) and nothing was found;
* ``clean``: every part was read and analysed, nothing found.

:class:`DocumentResult` (status ``patient_data``/``not_scannable``/``clean``) is the dict-shaped
form the CLI JSON (schema ``hygie.scan/1``) and the dashboard show.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Literal

from hygie.i18n import _, ngettext
from hygie.identifiers import Finding, analyze, label_fr_of
from hygie.scan.documents import extract_parts
from hygie.scan.extract import Deadline, Part, normalize
from hygie.scan.mime import iter_email_parts
from hygie.scan.reasons import reason_text
from hygie.scan.result import ScanFinding, ScanResult, Unreadable

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


def _masked_name(name: str) -> str:
    from hygie.identifiers import mask_identifiers

    return mask_identifiers(name)


#: Texts longer than this are analysed in chunks (overlapping by CHUNK_OVERLAP characters,
#: more than any context window), with the deadline checked between chunks.
CHUNK = 1_000_000
CHUNK_OVERLAP = 2_000


def _analyze_in_time(text: str, deadline: Deadline | None) -> list[Finding] | None:
    """Findings of ``text``, or None if the deadline passed before it was all analysed."""
    if len(text) <= CHUNK:
        if deadline is not None and deadline.expired():
            return None
        return list(analyze(text))
    seen: set[tuple[str, int, int]] = set()
    out: list[Finding] = []
    for start in range(0, len(text), CHUNK):
        if deadline is not None and deadline.expired():
            return None
        for f in analyze(text[start : start + CHUNK + CHUNK_OVERLAP]):
            key = (f.type, start + f.start, start + f.end)
            if key not in seen:
                seen.add(key)
                out.append(f)
    return out


def verdict_of(
    parts: list[Part], size: int, *, timed_out: bool = False, deadline: Deadline | None = None
) -> ScanResult:
    """The typed verdict on the extracted parts (the one place deciding found/unscannable).
    Parts are analysed one by one while ``deadline`` allows; the rest counts as timed out."""
    findings: list[ScanFinding] = []
    unreadable: list[Unreadable] = []
    names: list[str] = []
    for p in parts:
        part_name = _masked_name(p.name)
        names.append(part_name)
        if p.text is not None:
            found = _analyze_in_time(normalize(p.text), deadline)
            if found is None:
                unreadable.append(Unreadable(part_name, p.place, "timeout", reason_text("timeout")))
                continue
            for f in found:
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
    return verdict_of(parts, len(data), timed_out=expired, deadline=dl)


def scan_message(raw: bytes, *, deadline: float | None = None) -> ScanResult:
    """Scan one RFC 5322 message: headers, every text part and attachment (nested
    multiparts, base64/quoted-printable, attached messages)."""
    dl = _deadline(deadline)
    parts = list(iter_email_parts(raw, dl, extract_parts))
    expired = dl.expired()
    if expired:
        parts.append(Part(_("message"), None, "timeout", "body"))
    return verdict_of(parts, len(raw), timed_out=expired, deadline=dl)


# ------------------------------------------------------------- legacy entry points (dict)

_STATUS: dict[str, Status] = {
    "clean": "clean",
    "found": "patient_data",
    "unscannable": "not_scannable",
}


def legacy_result(name: str, r: ScanResult) -> DocumentResult:
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
        name=name,
        status=_STATUS[r.verdict],
        reason=reason,
        findings=r.findings,
        parts=r.parts,
        unreadable=tuple((u.part, _(u.reason)) for u in r.unreadable),
        size=r.size,
    )


def scan_bytes(data: bytes, filename: str, *, timeout_s: float = 10.0) -> DocumentResult:
    """:func:`scan_document` with a time budget, as the dict-shaped :class:`DocumentResult`
    (one upload in the dashboard; exported as ``hygie.scan.document_report``)."""
    r = scan_document(data, filename, deadline=time.monotonic() + timeout_s)
    return legacy_result(_masked_name(filename), r)
