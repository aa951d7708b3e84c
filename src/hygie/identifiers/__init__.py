"""Patient-identifier recognizers (NIR/INS, NIA, MSSanté patient addresses, birth dates,
patient names) and health signals (RPPS, ADELI, FINESS, health vocabulary).

Public API (stable, used by ``hygie.scan`` and ``hygie.mail``)::

    analyze(text) -> tuple[Finding, ...]
    is_patient_data(findings) -> bool
    checksums.nir_is_valid(digits) -> bool
"""

from __future__ import annotations

from hygie.identifiers.analyzer import analyze, is_patient_data
from hygie.identifiers.model import Finding, Pattern, Recognizer
from hygie.identifiers.registry import label_of, recognizers

__all__ = [
    "Finding",
    "Pattern",
    "Recognizer",
    "analyze",
    "is_patient_data",
    "label_of",
    "recognizers",
]
