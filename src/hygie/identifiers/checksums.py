"""Pure validators of French health identifiers, each citing its specification.

Every function takes the *compact* value (separators removed, upper case) and returns a bool.
None of them logs or keeps the value.

Specifications
--------------
* NIR (numéro d'inscription au répertoire, "numéro de sécurité sociale"), INSEE:
  décret n° 82-103 du 22 janvier 1982 ; INSEE, « Le NIR » and the XML schema
  https://xml.insee.fr/schema/nir.html ; the composition table of
  https://fr.wikipedia.org/wiki/Numéro_de_sécurité_sociale_en_France#Signification_des_chiffres_du_NIR.
  15 characters: sex (1), year (2), month (2), department (2, ``2A``/``2B`` for Corsica),
  commune or country (3), order number (3), key (2) = 97 - (first 13 digits mod 97), with
  ``2A`` read as 19 and ``2B`` as 18 for the key. The key is computed by python-stdnum's
  :mod:`stdnum.fr.nir` (LGPL-2.1+, used as a library).
* Sex digit: 1 man, 2 woman; 3 and 4 were given to foreign-born persons while their file was
  being set up (historic, still found); 7 and 8 mark a temporary number, the NIA
  (numéro identifiant d'attente) given by the CNAV's SANDIA service before the NIR is certified.
  The INS (identité nationale de santé) matricule is the NIR, or the NIA while the NIR is not
  certified (ANS, « Référentiel INS », OIDs 1.2.250.1.213.1.4.8 INS-NIR and
  1.2.250.1.213.1.4.9 INS-NIA).
* Month: 01-12; INSEE assigns pseudo-months 20-42 and 50-99 to persons whose civil-status
  document does not give the month of birth (same Wikipedia section; the INSEE schema above
  accepts them). 00, 13-19 and 43-49 never occur.
* RPPS (Répertoire partagé des professionnels de santé, ANS): 11 digits whose last digit is a
  Luhn (ISO/IEC 7812-1 mod 10) check digit. Verified on published RPPS numbers of the ANS
  Annuaire Santé open data (for example 10005173140).
* FINESS (Fichier national des établissements sanitaires et sociaux, DREES/ANS): 9 characters,
  the first two the department (``2A``/``2B`` for Corsica), the last a Luhn check digit over
  the eight before. Verified on the FINESS open data set (data.gouv.fr "FINESS",
  e.g. 010003820 and 010003812). python-stdnum has no FINESS module.
* ADELI (répertoire ADELI, ARS): 9 digits = department (2) + profession code (2) + order
  number (4) + one control character. The control rule is not published by the ARS, so hygie
  only checks the shape and requires the word "ADELI" next to the number.
"""

from __future__ import annotations

from stdnum.fr import nir as _stdnum_nir

#: Sex digits of a NIR proper (1 man, 2 woman; 3/4 historic foreign-born registrations).
NIR_SEX_DIGITS = frozenset("1234")
#: Sex digits of a temporary number (NIA), 7 man, 8 woman.
NIA_SEX_DIGITS = frozenset("78")


def luhn_is_valid(digits: str) -> bool:
    """ISO/IEC 7812-1 Annex B (Luhn, mod 10): the weighted sum of the digits ends in 0."""
    if not digits.isdigit() or not digits.isascii():
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def nir_key(first13: str) -> int:
    """The NIR key (97 - n mod 97, Corsica 2A->19, 2B->18) through stdnum.fr.nir."""
    return int(_stdnum_nir.calc_check_digits(first13.upper()))


def nir_month_is_plausible(month: str) -> bool:
    """01-12, or the INSEE pseudo-months 20-42 and 50-99 (month of birth unknown)."""
    if len(month) != 2 or not month.isdigit():
        return False
    m = int(month)
    return 1 <= m <= 12 or 20 <= m <= 42 or 50 <= m <= 99


def nir_department_is_plausible(nir: str) -> bool:
    """Department and commune fields: 01-96 (incl. 20 before 1976), 2A/2B, 97x/98x, 99."""
    dept = nir[5:7]
    if dept in ("2A", "2B"):
        return nir[7:10] != "000"
    if not dept.isdigit() or dept == "00":
        return False
    if dept in ("97", "98"):
        # Overseas: three-digit department (971..989), two-digit commune.
        return nir[8:10] != "00"
    return nir[7:10] != "000"


def nir_shape_is_valid(
    nir: str, sex_digits: frozenset[str] = NIR_SEX_DIGITS | NIA_SEX_DIGITS
) -> bool:
    """Sex digit, month, department/commune and order number sanity (no key)."""
    if len(nir) != 15 or not nir.isascii():
        return False
    if not (nir[:5].isdigit() and nir[7:].isdigit()):
        return False
    if nir[0] not in sex_digits:
        return False
    if not nir_month_is_plausible(nir[3:5]):
        return False
    if not nir_department_is_plausible(nir):
        return False
    return nir[10:13] != "000"


def nir_is_valid(digits: str, *, allow_nia: bool = True) -> bool:
    """A whole 15-character NIR (or NIA when ``allow_nia``): shape sanity and key.

    ``digits`` may carry spaces, dots, dashes, NBSP or narrow NBSP; they are ignored.
    Used by the mail helper for ``<INS>@patient.mssante.fr`` addresses.
    """
    compact = compact_nir(digits)
    sexes = NIR_SEX_DIGITS | NIA_SEX_DIGITS if allow_nia else NIR_SEX_DIGITS
    if not nir_shape_is_valid(compact, sexes):
        return False
    key = int(compact[13:])
    if not 1 <= key <= 97:
        return False
    return nir_key(compact[:13]) == key


def nia_is_valid(digits: str) -> bool:
    """A temporary number (NIA): sex digit 7 or 8 and a valid NIR key."""
    compact = compact_nir(digits)
    return bool(compact) and compact[0] in NIA_SEX_DIGITS and nir_is_valid(compact)


def compact_nir(value: str) -> str:
    """Keep digits and the Corsica letters; upper case."""
    return "".join(ch for ch in value.upper() if ch.isascii() and (ch.isdigit() or ch in "AB"))


def rpps_is_valid(digits: str) -> bool:
    """11 digits with a Luhn check digit (ANS RPPS)."""
    return len(digits) == 11 and luhn_is_valid(digits)


def finess_is_valid(value: str) -> bool:
    """9 characters, department 01-95/2A/2B/97x, Luhn key (digits only; Corsica: shape only)."""
    if len(value) != 9:
        return False
    dept = value[:2]
    if dept in ("2A", "2B"):
        return value[2:].isdigit()
    if not value.isdigit() or dept == "00" or dept == "99":
        return False
    return luhn_is_valid(value)


def adeli_is_valid(value: str) -> bool:
    """9 digits, department 01-95/97 (2A/2B written 20); no public key rule (shape only)."""
    if len(value) != 9 or not value.isdigit() or not value.isascii():
        return False
    dept = int(value[:2])
    return 1 <= dept <= 97 and value[2:8] != "000000"
