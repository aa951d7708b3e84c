"""A NIR written without its key (13 digits), in a health or identity context.

Nurses often copy the 13 digits printed in large on the Carte Vitale and leave the key out.
Without a key there is no checksum, so the recognizer asks more of the rest:

* structure: sex 1/2 (7/8: NIA), a valid month (01-12 or an INSEE pseudo-month), a plausible
  department and commune, an order number other than 000
  (:func:`hygie.identifiers.checksums.nir_shape_is_valid`);
* exactly 13 digits: not glued to another digit, not followed by a key (that is
  :mod:`fr_nir`'s match) nor by more digits;
* a context word within 80 characters: an identity word ("NIR", "sécu", "assuré", "né le",
  "patient"…) or specific health vocabulary; and no order/invoice/bank word at all.

Spec: INSEE NIR structure (xml.insee.fr/schema/nir.html) without the key.
"""

from __future__ import annotations

from hygie.i18n import N_
from hygie.identifiers import checksums
from hygie.identifiers.model import Pattern, Recognizer, mask_digits
from hygie.identifiers.recognizers._common import KEYSEP, SEP, digits_with_sep
from hygie.identifiers.recognizers.fr_nir import (
    CONTEXT,
    NEGATIVE,
    NIR_TYPES,
    WEAK_NEGATIVE,
    looks_like_pairs,
)
from hygie.identifiers.recognizers.health_terms import SPECIFIC_TERMS

NIR13_REGEX = (
    "[1278](?<![0-9][1278])(?<![0-9][ .\\-/_][1278])"
    + f"{SEP}{digits_with_sep(4)}{SEP}"
    + f"(?:\\d{SEP}\\d|2[ABab])"
    + f"{SEP}{digits_with_sep(6)}"
    + f"(?![0-9])(?!{KEYSEP}[0-9])"
)

IDENTITY = (
    "né le",
    "née le",
    "né",
    "née",
    "naissance",
    "ddn",
    "identité",
    "carte",
    "dossier",
    "prénom",
    "nom",
    "mutuelle",
    "cpam",
    "ameli",
    "ald",
)


def _validate(compact: str) -> bool:
    if len(compact) != 13:
        return False
    return checksums.nir_shape_is_valid(compact + "00", frozenset("1278"))


def _classify(compact: str) -> str:
    return "FR_NIA" if compact[:1] in checksums.NIA_SEX_DIGITS else "FR_NIR"


RECOGNIZER = Recognizer(
    id="FR_NIR_NOKEY",
    label_fr=N_("NIR / INS (numéro de sécurité sociale)"),
    patterns=(Pattern("nir_13", NIR13_REGEX, 0.3, digit_run=13, digit_run_letters="ABab"),),
    validate=_validate,
    normalize=checksums.compact_nir,
    context=tuple(dict.fromkeys(CONTEXT + IDENTITY + SPECIFIC_TERMS)),
    requires_context=True,
    negative_context=NEGATIVE,
    weak_negative_context=WEAK_NEGATIVE,
    weak_negative_applies=looks_like_pairs,
    negative_overrides=True,
    context_window=80,
    context_after=40,
    negative_after=30,
    context_boost=0.2,
    validated_score=0.5,
    classify=_classify,
    mask=mask_digits,
    patient=True,
    strong=True,
    types=NIR_TYPES,
    spec="INSEE NIR structure without the key (13 digits) + identity or health context",
)
