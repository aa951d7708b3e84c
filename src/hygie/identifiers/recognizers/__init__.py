"""Built-in recognizers: one module per identifier, each exporting ``RECOGNIZER``.

:data:`ALL` is the one list the analyzer runs (order matters only for ties): adding a
recognizer is a module here, one line in :data:`ALL`, its table test
``tests/unit/identifiers/test_<module>.py`` and its label in the .po files.
"""

from __future__ import annotations

from hygie.identifiers.model import Recognizer
from hygie.identifiers.recognizers import (
    birth_date,
    fr_adeli,
    fr_finess,
    fr_nir,
    fr_nir_nokey,
    fr_rpps,
    mssante_patient,
    patient_list,
    patient_name,
    patient_name_care,
)

ALL: tuple[Recognizer, ...] = (
    mssante_patient.RECOGNIZER,
    fr_nir.RECOGNIZER,
    fr_nir_nokey.RECOGNIZER,
    fr_rpps.RECOGNIZER,
    fr_adeli.RECOGNIZER,
    fr_finess.RECOGNIZER,
    birth_date.RECOGNIZER,
    patient_name.RECOGNIZER,
    patient_name_care.RECOGNIZER,
    patient_list.RECOGNIZER,
)

__all__ = ["ALL"]
