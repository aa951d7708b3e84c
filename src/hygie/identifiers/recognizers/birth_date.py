"""Birth dates, only right after a birth context: "né(e) le", "née le", "DDN",
"date de naissance". Numeric (12/03/1985, 12.03.85, 12-3-1985), French month names
("12 mars 1985", "1er janv. 1950") and ISO (1985-03-12). Dates are found first (fast,
digit-anchored); only those right after a birth context are kept, so invoice or appointment
dates never count."""

from __future__ import annotations

import datetime as dt
import re

from hygie.i18n import N_
from hygie.identifiers.model import Pattern, Recognizer, mask_all

MONTHS = {
    "janvier": 1,
    "janv": 1,
    "jan": 1,
    "février": 2,
    "fevrier": 2,
    "févr": 2,
    "fevr": 2,
    "fév": 2,
    "fev": 2,
    "mars": 3,
    "avril": 4,
    "avr": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7,
    "juil": 7,
    "août": 8,
    "aout": 8,
    "septembre": 9,
    "sept": 9,
    "sep": 9,
    "octobre": 10,
    "oct": 10,
    "novembre": 11,
    "nov": 11,
    "décembre": 12,
    "decembre": 12,
    "déc": 12,
    "dec": 12,
}
_MONTH_ALT = "|".join(sorted(MONTHS, key=len, reverse=True))
_B = "[ \\t\\u00a0\\u202f]"
CONTEXT_RE = (
    "(?<![\\w])(?:"
    "n[ée]e?(?:\\(e\\)|e)?" + _B + "+le"
    "|n[ée](?:\\(e\\)|e)?" + _B + "*:"
    "|d\\.?" + _B + "?d\\.?" + _B + "?n\\.?"
    "|date" + _B + "+de" + _B + "+naissance"
    "|naissance"
    "|birth" + _B + "*date|date" + _B + "+of" + _B + "+birth|dob"
    ")" + _B + "*:?" + _B + "*(?:le" + _B + "+)?"
)
# Digit-anchored (fast): the first digit, not glued to a digit, "/", "." or "-", then the rest.
_FIRST = "\\d(?<![\\d/.\\-]\\d)"
NUMERIC = "\\d?[/.\\-]\\d{1,2}[/.\\-](?:\\d{4}|\\d{2})(?![\\d/])"
TEXTUAL = f"\\d?(?:er)?{_B}+(?:{_MONTH_ALT})\\.?{_B}+(?:\\d{{4}}|\\d{{2}})(?!\\d)"
ISO = "\\d{3}-\\d{2}-\\d{2}(?!\\d)"


def parse_birth_date(value: str, today: dt.date | None = None) -> dt.date | None:
    """The calendar date written in ``value``, or None (invalid, in the future, before 1890).

    Two-digit years are read as the most recent past year (``85`` -> 1985, ``07`` -> 2007).
    """
    today = today or dt.date.today()
    v = value.strip().lower().replace("\u00a0", " ").replace("\u202f", " ")
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", v)
    if m:
        y, mo, d = int(m[1]), int(m[2]), int(m[3])
    else:
        m = re.fullmatch(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})", v)
        if m:
            d, mo, ys = int(m[1]), int(m[2]), m[3]
        else:
            m = re.fullmatch(rf"(\d{{1,2}})(?:er)?\s+({_MONTH_ALT})\.?\s+(\d{{2}}|\d{{4}})", v)
            if not m:
                return None
            d, mo, ys = int(m[1]), MONTHS[m[2]], m[3]
        y = int(ys)
        if len(ys) == 2:
            y += 2000 if 2000 + y <= today.year else 1900
    try:
        date = dt.date(y, mo, d)
    except ValueError:
        return None
    if date > today or date.year < 1890:
        return None
    return date


def _validate(raw: str) -> bool:
    return parse_birth_date(raw) is not None


RECOGNIZER = Recognizer(
    id="BIRTH_DATE",
    label_fr=N_("date de naissance"),
    patterns=(
        Pattern(
            "birth_date",
            f"{_FIRST}(?:{NUMERIC}|{TEXTUAL}|{ISO})",
            0.6,
            re.IGNORECASE,
            digit_run=2,  # "1er mars 50": the year's two digits at least
        ),
    ),
    validate=_validate,
    validated_score=0.7,
    normalize=lambda raw: raw,
    context_before=CONTEXT_RE,
    context_window=40,
    mask=mask_all,
    patient=True,
    spec="context-anchored: né(e) le / DDN / date de naissance",
)
