"""Built-in recognizers: one module per identifier, each exporting ``RECOGNIZER``."""

from __future__ import annotations

from hygie.identifiers.recognizers import (
    birth_date,
    fr_adeli,
    fr_finess,
    fr_nir,
    fr_rpps,
    mssante_patient,
    patient_name,
)

__all__ = [
    "birth_date",
    "fr_adeli",
    "fr_finess",
    "fr_nir",
    "fr_rpps",
    "mssante_patient",
    "patient_name",
]
