"""ADELI (professional, not patient): 9 digits, shape only (no published key): the word
"ADELI" must be next to the number."""

from __future__ import annotations

from hygie.i18n import N_
from hygie.identifiers import checksums
from hygie.identifiers.model import Pattern, Recognizer, mask_digits
from hygie.identifiers.recognizers._common import digits_with_sep, only_digits

RECOGNIZER = Recognizer(
    id="FR_ADELI",
    label_fr=N_("ADELI (professionnel de santé)"),
    patterns=(
        Pattern(
            "adeli_9",
            "(?<![0-9A-Za-z_])" + digits_with_sep(9) + "(?![0-9])",
            0.2,
            prefilter=("adeli",),
            digit_run=9,
        ),
    ),
    validate=checksums.adeli_is_valid,
    normalize=only_digits,
    context=("adeli", "n° adeli", "numéro adeli"),
    requires_context=True,
    context_window=30,
    context_after=5,
    validated_score=0.6,
    mask=mask_digits,
    patient=False,
    spec="ARS répertoire ADELI: 9 digits (department, profession, order, control)",
)
