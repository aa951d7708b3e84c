"""The typed API of ``hygie.scan`` (issue #15): what the relay and the dashboard rely on."""

from __future__ import annotations

import dataclasses
import time

import pytest
from tests.id_helpers import with_key
from tests.scan_docs import make_email, make_pdf

import hygie.scan
from hygie.identifiers import is_patient_type, patient_types, recognizers
from hygie.scan import REASONS, ScanResult, scan_bytes, scan_email

NIR = with_key("2850375116001")
CARE = "Pansement ce matin, insuline 10 UI."


def test_public_surface() -> None:
    assert set(hygie.scan.__all__) >= {
        "scan_email",
        "scan_bytes",
        "ScanResult",
        "ScanFinding",
        "REASONS",
        "DEFAULT_TIMEOUT_S",
    }


def test_result_is_frozen_with_explicit_fields() -> None:
    r = scan_bytes(b"bonjour", "a.txt")
    assert isinstance(r, ScanResult)
    names = {f.name for f in dataclasses.fields(r)}
    assert {
        "verdict",
        "findings",
        "timed_out",
        "unscannable_code",
        "unscannable_reason",
    } <= names
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.verdict = "found"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("raw", "place"),
    [
        (make_email("Bonjour", subject=f"NIR {NIR}"), "header"),
        (make_email(f"Assuré NIR {NIR}"), "body"),
        (
            make_email(
                "Voir PJ", attachments=[("cr.pdf", make_pdf([f"NIR {NIR}"]), "application/pdf")]
            ),
            "attachment",
        ),
    ],
)
def test_findings_carry_their_place_and_never_the_clear_value(raw: bytes, place: str) -> None:
    r = scan_email(raw)
    assert r.verdict == "found", r
    assert {f.place for f in r.patient_findings} == {place}
    assert all(f.patient and f.type == "FR_NIR" for f in r.patient_findings)
    assert NIR not in repr(r) and NIR not in repr(r.to_dict())
    assert r.unscannable_code is None and r.unscannable_reason is None and not r.timed_out


def test_unscannable_has_a_stable_code_and_a_french_text() -> None:
    r = scan_bytes(b"%PDF-1.4\ncasse", "x.pdf")
    assert r.verdict == "unscannable"
    assert r.unscannable_code == "pdf_damaged"
    assert r.unscannable_reason == REASONS["pdf_damaged"]
    assert not r.timed_out


def test_deadline_in_the_past_times_out() -> None:
    r = scan_email(make_email(CARE), deadline=time.monotonic() - 1)
    assert r.verdict == "unscannable"
    assert r.timed_out and r.unscannable_code == "timeout"


def test_clean() -> None:
    r = scan_email(make_email(CARE))
    assert r.verdict == "clean" and not r.findings and not r.unreadable


def test_patient_types_are_derived_from_the_recognizers() -> None:
    declared = {t for rec in recognizers() if rec.patient for t, _label in rec.produces}
    assert patient_types() == frozenset(declared)
    assert is_patient_type("FR_NIA") and not is_patient_type("FR_RPPS")
    assert not is_patient_type("HEALTH_CONTEXT")


def test_every_unscannable_reason_is_documented() -> None:
    from pathlib import Path

    doc = (
        Path(__file__).resolve().parents[3] / "docs" / "explanation" / "scan-confidence.md"
    ).read_text(encoding="utf-8")
    missing = [code for code in REASONS if f"`{code}`" not in doc]
    assert not missing, missing
