"""A patient's MSSanté address: ``<INS matricule>@patient.mssante.fr`` (ANS, Mon Espace
Santé). The local part is the 15-character NIR/NIA; its key must be valid."""

from __future__ import annotations

import re

from hygie.i18n import N_
from hygie.identifiers import checksums
from hygie.identifiers.model import Pattern, Recognizer, mask_digits


def _validate(compact: str) -> bool:
    return checksums.nir_is_valid(compact.split("@", 1)[0])


def _mask(raw: str) -> str:
    local, _, domain = raw.partition("@")
    return f"{mask_digits(local)}@{domain.lower()}"


RECOGNIZER = Recognizer(
    id="MSSANTE_PATIENT",
    label_fr=N_("adresse MSSanté d'un patient"),
    patterns=(
        Pattern(
            "mssante_patient",
            r"(?<![\w.+\-])[0-9]{5}(?:[0-9]{2}|2[AB])[0-9]{8}@patient\.mssante\.fr(?![\w\-]|\.\w)",
            0.5,
            re.IGNORECASE,
            prefilter=("@patient.mssante",),
            digit_run=15,
            digit_run_letters="ABab",
        ),
    ),
    validate=_validate,
    normalize=str.upper,
    validated_score=1.0,
    mask=_mask,
    patient=True,
    strong=True,
    spec="ANS MSSanté: matricule INS @patient.mssante.fr",
)
