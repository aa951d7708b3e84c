"""The recognizers hygie runs, their labels and which types are patient data."""

from __future__ import annotations

import functools

from hygie.i18n import _
from hygie.identifiers.model import Recognizer

#: Types that identify a patient by themselves.
STRONG_TYPES = frozenset({"FR_NIR", "FR_NIA", "MSSANTE_PATIENT"})
#: Types that are patient data (strong or contextual).
PATIENT_TYPES = STRONG_TYPES | {"BIRTH_DATE", "PATIENT_NAME"}
#: Professional / establishment numbers and the vocabulary: a health signal, not a patient.
SIGNAL_TYPES = frozenset({"FR_RPPS", "FR_ADELI", "FR_FINESS", "HEALTH_CONTEXT"})


@functools.cache
def recognizers() -> tuple[Recognizer, ...]:
    from hygie.identifiers.recognizers import (
        birth_date,
        fr_adeli,
        fr_finess,
        fr_nir,
        fr_rpps,
        mssante_patient,
        patient_name,
    )

    return (
        mssante_patient.RECOGNIZER,
        fr_nir.RECOGNIZER,
        fr_rpps.RECOGNIZER,
        fr_adeli.RECOGNIZER,
        fr_finess.RECOGNIZER,
        birth_date.RECOGNIZER,
        patient_name.RECOGNIZER,
    )


@functools.cache
def _labels() -> dict[str, str]:
    from hygie.identifiers.recognizers import fr_nir, health_terms

    labels = {r.id: r.label_fr for r in recognizers()}
    labels["FR_NIA"] = fr_nir.NIA_LABEL
    labels["HEALTH_CONTEXT"] = health_terms.LABEL
    return labels


def label_of(type_: str) -> str:
    """The translated label of a finding type ("NIR / INS (numéro de sécurité sociale)")."""
    return _(_labels().get(type_, type_))


def is_patient_type(type_: str) -> bool:
    return type_ in PATIENT_TYPES


def all_types() -> tuple[str, ...]:
    return tuple(_labels())
