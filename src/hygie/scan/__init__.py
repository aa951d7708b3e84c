"""``hygie scan``: find patient data in files, folders and e-mails (fail closed).

Public API (typed; what the relay, the dashboard and the CLI import)::

    scan_email(raw, *, deadline=None) -> ScanResult
    scan_bytes(data, name, *, deadline=None) -> ScanResult
    ScanResult(verdict, findings, timed_out, unscannable_code, unscannable_reason, ...)
    ScanFinding(type, label, patient, place, part, masked, confidence)
    REASONS: unscannable code -> French text
    scan_paths(paths, ...) -> ScanReport            # folders, for ``hygie scan``
    document_report(data, name) -> DocumentResult   # one upload, dict-shaped (dashboard)

``deadline`` is an instant of :func:`time.monotonic` (``time.monotonic() + seconds``); the
default is :data:`DEFAULT_TIMEOUT_S` from the call. A scan never raises on hostile input: what
it cannot read makes the verdict ``unscannable``.
"""

from __future__ import annotations

from hygie.scan.engine import DEFAULT_TIMEOUT_S, DocumentResult
from hygie.scan.engine import scan_bytes as document_report
from hygie.scan.engine import scan_document as scan_bytes
from hygie.scan.engine import scan_message as scan_email
from hygie.scan.reasons import REASONS
from hygie.scan.result import PlaceKind, ScanFinding, ScanResult, Unreadable, Verdict
from hygie.scan.service import ScanReport, scan_paths

__all__ = [
    "DEFAULT_TIMEOUT_S",
    "REASONS",
    "DocumentResult",
    "PlaceKind",
    "ScanFinding",
    "ScanReport",
    "ScanResult",
    "Unreadable",
    "Verdict",
    "document_report",
    "scan_bytes",
    "scan_email",
    "scan_paths",
]
