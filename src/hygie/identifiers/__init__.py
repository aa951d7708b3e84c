"""Patient-identifier recognizers (NIR/INS, NIA, MSSanté patient addresses, birth dates,
patient names) and health signals (RPPS, ADELI, FINESS, health vocabulary).

Public API (stable, used by ``hygie.scan`` and ``hygie.mail``)::

    analyze(text) -> tuple[Finding, ...]
    is_patient_data(findings) -> bool
    label_of(type) / label_fr_of(type) / is_patient_type(type) / patient_types()
    mask_digits(raw) / mask_all(raw) / mask_digit_runs(text)    # the one masker (hygie.masking)
    mask_identifiers(text)                           # every identifier found, masked
    nir_is_valid(digits) -> bool                     # NIR/NIA key and sanity
"""

from __future__ import annotations

from hygie.identifiers.analyzer import analyze, is_patient_data
from hygie.identifiers.checksums import nir_is_valid
from hygie.identifiers.model import Finding, Pattern, Recognizer
from hygie.identifiers.redaction import mask_identifiers
from hygie.identifiers.registry import (
    is_patient_type,
    label_fr_of,
    label_of,
    patient_types,
    recognizers,
    strong_types,
)
from hygie.masking import mask_all, mask_digit_runs, mask_digits

__all__ = [
    "Finding",
    "Pattern",
    "Recognizer",
    "analyze",
    "is_patient_data",
    "is_patient_type",
    "label_fr_of",
    "label_of",
    "mask_all",
    "mask_digit_runs",
    "mask_digits",
    "mask_identifiers",
    "nir_is_valid",
    "patient_types",
    "recognizers",
    "strong_types",
]
