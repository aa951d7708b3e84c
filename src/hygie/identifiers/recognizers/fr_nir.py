"""NIR / INS (numéro de sécurité sociale) and the temporary NIA.

Spec: INSEE (décret n° 82-103; https://xml.insee.fr/schema/nir.html), key by python-stdnum
``stdnum.fr.nir``; sex/month/department sanity: see :mod:`hygie.identifiers.checksums`.
The INS matricule (identité nationale de santé, ANS) is the NIR, or the NIA (sex digit 7/8)
while the NIR is not certified: the same pattern finds both, ``classify`` tells them apart.
"""

from __future__ import annotations

import re

from hygie.i18n import N_
from hygie.identifiers import checksums
from hygie.identifiers.model import Pattern, Recognizer, mask_digits
from hygie.identifiers.recognizers._common import KEYSEP, SEP, digits_with_sep

# sex(1) year(2) month(2) department(2 | 2A/2B) commune(3) order(3) [clé] key(2)
# Glued to letters or "_" is allowed ("NIR185…", "scan_185….pdf"); glued to a digit is not.
NIR_REGEX = (
    "[1-478](?<![0-9][1-478])"
    + f"{SEP}{digits_with_sep(4)}{SEP}"
    + f"(?:\\d{SEP}\\d|2[ABab])"
    + f"{SEP}{digits_with_sep(6)}"
    + KEYSEP
    + f"\\d{SEP}\\d(?![0-9])"
)

CONTEXT = (
    "nir",
    "ins",
    "insee",
    "nss",
    "n° ss",
    "n°ss",
    "no ss",
    "ss",
    "sécu",
    "sécurité",
    "secu",
    "sécurité sociale",
    "securite sociale",
    "sécurité sociale :",
    "carte vitale",
    "vitale",
    "assuré",
    "assurée",
    "assure",
    "assuree",
    "assuré social",
    "immatriculation",
    "matricule",
    "patient",
    "patiente",
    "bénéficiaire",
    "beneficiaire",
    "ayant droit",
    "ayant-droit",
    "nia",
    "numéro d'attente",
    "identité nationale de santé",
    "ins-nir",
    "ins-nia",
    "1.2.250.1.213.1.4.8",
    "1.2.250.1.213.1.4.9",
)
#: Words that drop a match (an order, an invoice, a bank or parcel number).
NEGATIVE = (
    "commande",
    "facture",
    "invoice",
    "order",
    "iban",
    "bic",
    "rib",
    "siret",
    "siren",
    "tva",
    "colis",
    "n° de suivi",
    "numéro de suivi",
    "no de suivi",
    "suivi colis",
    "suivi de colis",
    "suivi de commande",
    "suivi de livraison",
    "tracking",
    "transaction",
    "contrat",
    "client",
    "devis",
    "lot",
    "série",
    "serie",
    "sn",
    "imei",
    "ean",
    "isbn",
    "cde",
    "livraison",
    "expédition",
    "expedition",
    "ticket",
    "paiement",
    "virement",
    "carte bancaire",
    "cb",
    "numéro de commande",
)


#: Words that only drop a number written like a phone number (in pairs): a NIR pasted after
#: "Tél :" or "Référence dossier :" is still a NIR.
WEAK_NEGATIVE = (
    "tél",
    "tel",
    "téléphone",
    "telephone",
    "fax",
    "portable",
    "mobile",
    "référence",
    "reference",
    "réf",
    "ref",
)


def looks_like_pairs(raw: str) -> bool:
    """Digits written in groups of two (a phone number's layout), not NIR groups."""
    groups = [g for g in re.split(r"[^0-9A-Za-z]+", raw) if g]
    return len(groups) >= 4 and sum(len(g) == 2 for g in groups) >= len(groups) - 1


def _validate(compact: str) -> bool:
    return checksums.nir_is_valid(compact)


def _classify(compact: str) -> str:
    return "FR_NIA" if compact[:1] in checksums.NIA_SEX_DIGITS else "FR_NIR"


# The types a NIR finding can have (a NIA is a provisional number): one list for both NIR
# recognizers (with and without the key).
NIR_TYPES: tuple[tuple[str, str], ...] = (
    ("FR_NIR", N_("NIR / INS (numéro de sécurité sociale)")),
    ("FR_NIA", N_("NIA / INS provisoire (numéro d'attente)")),
)

RECOGNIZER = Recognizer(
    id="FR_NIR",
    label_fr=N_("NIR / INS (numéro de sécurité sociale)"),
    patterns=(Pattern("nir_15", NIR_REGEX, 0.3, digit_run=13, digit_run_letters="ABab"),),
    validate=_validate,
    normalize=checksums.compact_nir,
    context=CONTEXT,
    negative_context=NEGATIVE,
    weak_negative_context=WEAK_NEGATIVE,
    weak_negative_applies=looks_like_pairs,
    context_window=60,
    context_after=15,
    negative_after=30,
    context_boost=0.15,
    negative_penalty=0.4,
    validated_score=0.8,
    classify=_classify,
    mask=mask_digits,
    patient=True,
    strong=True,
    types=NIR_TYPES,
    spec="INSEE NIR (décret 82-103, xml.insee.fr/schema/nir.html); key: stdnum.fr.nir",
)
