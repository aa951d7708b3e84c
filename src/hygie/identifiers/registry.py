"""The recognizers hygie runs, their labels and which types are patient data.

Everything here is derived from :data:`hygie.identifiers.recognizers.ALL` (each recognizer's
``patient``/``strong`` flags and ``produces`` types): no second list to forget.
"""

from __future__ import annotations

import functools

from hygie.i18n import _
from hygie.identifiers.model import Recognizer
from hygie.identifiers.recognizers import health_terms


def recognizers() -> tuple[Recognizer, ...]:
    from hygie.identifiers.recognizers import ALL

    return ALL


@functools.cache
def _types() -> dict[str, tuple[str, bool, bool]]:
    """type -> (French label, patient, strong)."""
    out: dict[str, tuple[str, bool, bool]] = {}
    for rec in recognizers():
        for type_, label in rec.produces:
            if type_ in out:
                if out[type_] != (label, rec.patient, rec.strong):
                    raise ValueError(f"type {type_} declared twice with different flags")
                continue
            out[type_] = (label, rec.patient, rec.strong)
    out["HEALTH_CONTEXT"] = (health_terms.LABEL, False, False)
    return out


@functools.cache
def strong_types() -> frozenset[str]:
    """Types that identify a patient by themselves."""
    return frozenset(t for t, (_l, _p, strong) in _types().items() if strong)


@functools.cache
def patient_types() -> frozenset[str]:
    """Types that are patient data (strong or contextual)."""
    return frozenset(t for t, (_l, patient, _s) in _types().items() if patient)


def label_fr_of(type_: str) -> str:
    """The French label of a finding type (a gettext msgid)."""
    entry = _types().get(type_)
    return entry[0] if entry else type_


def label_of(type_: str) -> str:
    """The translated label of a finding type ("NIR / INS (numéro de sécurité sociale)")."""
    return _(label_fr_of(type_))


def is_patient_type(type_: str) -> bool:
    return type_ in patient_types()


def all_types() -> tuple[str, ...]:
    return tuple(_types())
