"""Birth dates in patient lists: "DURAND Jeanne 12/03/1941 — pansement".

A date right after an upper-case surname and a capitalised first name, at least two years in
the past (not an appointment), with specific health vocabulary nearby, is a patient's birth
date even without "né(e) le". Reported as ``BIRTH_DATE``.
"""

from __future__ import annotations

import datetime as dt
import re

from hygie.i18n import N_
from hygie.identifiers.model import Pattern, Recognizer, mask_all
from hygie.identifiers.recognizers.birth_date import _FIRST, ISO, NUMERIC, TEXTUAL, parse_birth_date
from hygie.identifiers.recognizers.health_terms import SPECIFIC_TERMS

_UP = "A-ZÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸ"
_LOW = "a-zàâäçéèêëîïôöùûüÿ"
#: SURNAME Firstname (optionally a second surname part), then blanks or a separator.
NAME_BEFORE = (
    f"(?<![\\w])[{_UP}]{{2,}}(?:[ '\\-][{_UP}]{{2,}})?[ \\t\\u00a0]+[{_UP}][{_LOW}]+"
    f"(?:-[{_UP}][{_LOW}]+)?[ \\t\\u00a0]*[,;:\\t|—\\-]?[ \\t\\u00a0]*(?:né(?:e)?[ \\t]+le[ \\t]+)?"
)


def _validate(raw: str) -> bool:
    date = parse_birth_date(raw)
    return date is not None and date.year <= dt.date.today().year - 2


RECOGNIZER = Recognizer(
    id="PATIENT_LIST_DATE",
    label_fr=N_("date de naissance"),
    patterns=(
        Pattern(
            "list_birth_date",
            f"{_FIRST}(?:{NUMERIC}|{TEXTUAL}|{ISO})",
            0.6,
            re.IGNORECASE,
            digit_run=2,  # the same date pattern as birth_date
        ),
    ),
    validate=_validate,
    normalize=lambda raw: raw,
    context_before=NAME_BEFORE,
    context_before_ignore_case=False,
    context_window=70,
    context=SPECIFIC_TERMS,
    requires_context=True,
    context_after=250,
    validated_score=0.65,
    classify=lambda _compact: "BIRTH_DATE",
    types=(("BIRTH_DATE", N_("date de naissance")),),
    mask=mask_all,
    patient=True,
    spec="SURNAME Firstname + a date >= 2 years old + specific health vocabulary within 250",
)
