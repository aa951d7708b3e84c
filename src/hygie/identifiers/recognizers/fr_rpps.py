"""RPPS (professional, not patient): 11 digits, Luhn key (ANS). Also the 12-digit IDNPS
("8" + RPPS). A weak health signal: it needs a context word ("RPPS", "prescripteur"...)."""

from __future__ import annotations

from hygie.i18n import N_
from hygie.identifiers import checksums
from hygie.identifiers.model import Pattern, Recognizer, mask_digits
from hygie.identifiers.recognizers._common import digits_with_sep, only_digits


def _normalize(raw: str) -> str:
    d = only_digits(raw)
    return d[1:] if len(d) == 12 and d[0] == "8" else d


RECOGNIZER = Recognizer(
    id="FR_RPPS",
    label_fr=N_("RPPS (professionnel de santé)"),
    patterns=(
        Pattern(
            "rpps_11",
            "(?<![0-9A-Za-z_])8?" + digits_with_sep(11) + "(?![0-9])",
            0.2,
            prefilter=("rpps", "idnps", "identifiant national", "prescripteur"),
            digit_run=11,
        ),
    ),
    validate=checksums.rpps_is_valid,
    normalize=_normalize,
    context=(
        "rpps",
        "n° rpps",
        "idnps",
        "identifiant national",
        "prescripteur",
        "médecin",
        "medecin",
        "docteur",
        "dr",
        "praticien",
        "infirmier",
        "infirmière",
        "cps",
    ),
    requires_context=True,
    context_window=40,
    context_after=10,
    validated_score=0.6,
    mask=mask_digits,
    patient=False,
    spec="ANS RPPS: 11 digits, Luhn check digit",
)
