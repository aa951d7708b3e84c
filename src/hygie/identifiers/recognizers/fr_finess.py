"""FINESS (establishment, not patient): 9 characters, department (2A/2B for Corsica) and a
Luhn key. 9-digit Luhn numbers are common (SIREN), so the word "FINESS" must be near."""

from __future__ import annotations

from hygie.i18n import N_
from hygie.identifiers import checksums
from hygie.identifiers.model import Pattern, Recognizer, mask_digits
from hygie.identifiers.recognizers._common import SEP, digits_with_sep, only_alnum

RECOGNIZER = Recognizer(
    id="FR_FINESS",
    label_fr=N_("FINESS (établissement de santé)"),
    patterns=(
        Pattern(
            "finess_9",
            f"(?<![0-9A-Za-z_])(?:\\d{SEP}\\d|2[AB]){SEP}" + digits_with_sep(7) + "(?![0-9])",
            0.2,
            prefilter=("finess",),
            digit_run=9,
            digit_run_letters="ABab",  # "2A"/"2B" (one table for all)
        ),
    ),
    validate=checksums.finess_is_valid,
    normalize=only_alnum,
    context=("finess", "n° finess", "numéro finess", "finess et", "finess ej"),
    requires_context=True,
    context_window=30,
    context_after=5,
    validated_score=0.6,
    mask=mask_digits,
    patient=False,
    spec="FINESS (DREES): 9 characters, Luhn check digit",
)
