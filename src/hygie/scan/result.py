"""The typed result of a scan: what :func:`hygie.scan.scan_email` and
:func:`hygie.scan.scan_bytes` return (frozen; never a clear identifier)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from hygie.i18n import _

#: ``clean``: every part read, nothing found; ``found``: patient data found (even if another
#: part could not be read); ``unscannable``: some part could not be fully read, nothing found.
Verdict = Literal["clean", "found", "unscannable"]

#: Where a finding or an unreadable piece sits: a header (Subject, display name, X-…), a
#: body part of a message, an attachment (or a member/page of it), a file name, a document
#: given directly (``hygie scan FILE``).
PlaceKind = Literal["header", "body", "attachment", "file_name", "document"]


@dataclass(frozen=True, slots=True)
class ScanFinding:
    """One identifier found. ``masked`` shows at most the first and last two characters;
    ``part`` names the place in French with any identifier in it masked too."""

    type: str
    label: str
    patient: bool
    place: PlaceKind
    part: str
    masked: str
    confidence: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "label": _(self.label),
            "patient": self.patient,
            "place": self.place,
            "part": self.part,
            "masked": self.masked,
            "confidence": round(self.confidence, 2),
        }


@dataclass(frozen=True, slots=True)
class Unreadable:
    """A piece that could not be fully read: its name, place, stable code and French text."""

    part: str
    place: PlaceKind
    code: str
    reason: str


@dataclass(frozen=True, slots=True)
class ScanResult:
    """The verdict on one message or document.

    ``unscannable_code``/``unscannable_reason`` are the first unreadable piece's stable code
    (see :data:`hygie.scan.reasons.REASONS`) and French text; both ``None`` unless the
    verdict is ``unscannable``. ``timed_out`` is true when the deadline cut the scan short
    (the verdict is then ``unscannable``, or ``found`` if something was already found).
    """

    verdict: Verdict
    findings: tuple[ScanFinding, ...]
    timed_out: bool
    unscannable_code: str | None
    unscannable_reason: str | None
    unreadable: tuple[Unreadable, ...] = ()
    parts: tuple[str, ...] = ()
    size: int = 0

    @property
    def patient_findings(self) -> tuple[ScanFinding, ...]:
        return tuple(f for f in self.findings if f.patient)

    def counts(self) -> dict[str, int]:
        """Number of findings per type."""
        out: dict[str, int] = {}
        for f in self.findings:
            out[f.type] = out.get(f.type, 0) + 1
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (French texts translated to the current language)."""
        return {
            "verdict": self.verdict,
            "timed_out": self.timed_out,
            "unscannable_code": self.unscannable_code,
            "unscannable_reason": _(self.unscannable_reason) if self.unscannable_reason else None,
            "size": self.size,
            "parts": list(self.parts),
            "unreadable": [
                {"part": u.part, "place": u.place, "code": u.code, "reason": _(u.reason)}
                for u in self.unreadable
            ],
            "counts": self.counts(),
            "findings": [f.to_dict() for f in self.findings],
        }
