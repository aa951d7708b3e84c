"""A labelled corpus of synthetic French documents for precision/recall (tests and bench).

Every document is generated from a seed: clinical notes, transmissions between nurses,
invoices, supplier mails, newsletters; with or without patient identifiers. Identifiers are
synthetic (random NIRs with a correct key); "hard negatives" carry 15-digit order numbers,
IBANs, phone numbers, SIRET, invoice numbers and NIR-like numbers with a wrong key.

Issue #13 added what real practice mail looks like: names without civility in care reports
("passage chez Anne Petit … Connu pour AVC ancien", "MONSIEUR Jean Simon"), NIRs written
with other separators (slash, en dash, non-breaking hyphen, middle dot, Unicode spaces,
zero-width characters, a line break between blocks), other digits (fullwidth), the key
written ", clé 91" or left out, glued into file names; and negatives for each: names in
greetings, signatures and titles, phone numbers in pairs with the same separators, EAN codes,
13-digit order numbers next to health words.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from hygie.identifiers.checksums import nir_key

SURNAMES = (
    "Durand",
    "Martin",
    "Bernard",
    "Petit",
    "Robert",
    "Richard",
    "Moreau",
    "Lefèvre",
    "Garcia",
    "Fournier",
    "Girard",
    "Bonnet",
    "Lambert",
    "Fontaine",
    "Rousseau",
)
FIRST = ("Jeanne", "Marcel", "Odette", "Louis", "Simone", "André", "Yvette", "Henri", "Paulette")
#: More first names for the reports without civility (all in the INSEE list).
FIRST_MORE = (
    "Anne", "Jean", "Monique", "Gérard", "Nicole", "Bernard", "Colette", "Roger", "Josiane",
    "Claude", "Huguette", "René", "Ginette", "Raymond", "Denise", "Michel", "Lucienne",
)  # fmt: skip
ACTS = (
    "pansement de l'ulcère",
    "injection d'insuline",
    "prise de sang",
    "surveillance de la glycémie",
    "ablation des agrafes",
    "pose de bas de contention",
    "perfusion",
)
DRUGS = (
    "Lovenox 4000",
    "Doliprane 1 g",
    "Kardegic 75",
    "metformine 850",
    "Levothyrox 50",
    "morphine LP",
    "amoxicilline",
)
DIAG = ("diabète de type 2", "insuffisance cardiaque", "escarre sacrée", "BPCO", "hypertension")
FILLER = (
    "Merci pour votre retour, je reste disponible pour en parler.",
    "La tournée du matin commence à 7 h 30, celle du soir à 17 h.",
    "Le cabinet sera fermé le lundi de Pâques.",
    "Pensez à mettre à jour le planning partagé avant vendredi.",
    "La réunion de la maison de santé est reportée à la semaine prochaine.",
    "Le stock de compresses et de gants est à recommander.",
    "Les tarifs conventionnels ont changé au premier du mois.",
)


def random_nir(rng: random.Random, *, sex: str | None = None) -> str:
    """A synthetic, well-formed NIR (or NIA with sex 7/8) with its correct key."""
    s = sex or rng.choice("1212127")
    year = f"{rng.randrange(100):02d}"
    month = f"{rng.choice([rng.randint(1, 12), rng.randint(1, 12), rng.randint(20, 42)]):02d}"
    dept = rng.choice([f"{rng.randint(1, 95):02d}", "2A", "2B", "99"])
    commune = f"{rng.randint(1, 999):03d}"
    order = f"{rng.randint(1, 999):03d}"
    body = s + year + month + dept + commune + order
    return body + f"{nir_key(body):02d}"


#: Separators between a NIR's groups seen in practice mail and documents (issue #13).
VARIANT_SEPS = (
    "/",
    "\u2013",  # en dash
    "\u2011",  # non-breaking hyphen
    "\u00b7",  # middle dot
    "\u2007",  # figure space
    "\u2002",  # en space
    "\u3000",  # ideographic space
    "\u200b",  # zero-width space
    "\u00ad",  # soft hyphen
    "\u2060",  # word joiner
    " \u200b",
)


def fmt_nir_variant(rng: random.Random, nir: str) -> str:
    """The harder ways: other separators, other digits, the key apart, a line break."""
    groups = [nir[0], nir[1:3], nir[3:5], nir[5:7], nir[7:10], nir[10:13], nir[13:]]
    style = rng.randrange(6)
    if style == 0:
        return rng.choice(VARIANT_SEPS).join(groups)
    if style == 1:
        return "".join(chr(0xFF10 + int(c)) if c.isdigit() else c for c in nir)
    if style == 2:
        return f"{' '.join(groups[:-1])}, clé {groups[-1]}"
    if style == 3:
        return " ".join(groups[:3]) + "\n\n" + " ".join(groups[3:])
    if style == 4:
        return "\u200b".join(nir)
    return " ".join(groups[:-1]) + rng.choice((" (", " / ", " clef ")) + groups[-1]


def fmt_nir(rng: random.Random, nir: str) -> str:
    """One of the real-world ways a NIR is written."""
    groups = [nir[0], nir[1:3], nir[3:5], nir[5:7], nir[7:10], nir[10:13], nir[13:]]
    style = rng.randrange(8)
    if style == 0:
        return nir
    if style == 1:
        return " ".join(groups)
    if style == 2:
        return "\u00a0".join(groups)
    if style == 3:
        return "\u202f".join(groups)
    if style == 4:
        return ".".join(groups)
    if style == 5:
        return " ".join(groups[:-1]) + " clé " + groups[-1]
    if style == 6:
        return " ".join(groups[:4]) + "\n" + " ".join(groups[4:])
    return "-".join(groups)


def wrong_key_nir(rng: random.Random) -> str:
    nir = random_nir(rng)
    key = (int(nir[13:]) + rng.randint(1, 90)) % 97 + 1
    if key == int(nir[13:]):
        key = key % 97 + 1
    return nir[:13] + f"{key:02d}"


def _date(rng: random.Random) -> str:
    d, m, y = rng.randint(1, 28), rng.randint(1, 12), rng.randint(1925, 2005)
    return rng.choice(
        [
            f"{d:02d}/{m:02d}/{y}",
            f"{d} {('janvier', 'mars', 'juin', 'octobre')[m % 4]} {y}",
            f"{y}-{m:02d}-{d:02d}",
            f"{d:02d}.{m:02d}.{y % 100:02d}",
        ]
    )


def _iban(rng: random.Random) -> str:
    digits = "".join(str(rng.randrange(10)) for _ in range(23))
    return "FR76 " + " ".join(digits[i : i + 4] for i in range(0, 23, 4))


def _phone(rng: random.Random) -> str:
    return "0" + str(rng.randint(1, 7)) + "".join(f" {rng.randrange(100):02d}" for _ in range(4))


def _order15(rng: random.Random) -> str:
    return str(rng.randint(10**14, 10**15 - 1))


@dataclass(frozen=True)
class Doc:
    kind: str
    text: str
    patient: bool


def _clinical_positive(rng: random.Random) -> str:
    name = f"{rng.choice(('Mme', 'M.', 'Madame', 'Monsieur'))} {rng.choice(SURNAMES)}"
    lines = [f"Transmissions du {rng.randint(1, 28)}/{rng.randint(1, 12)}/2026"]
    variant = rng.randrange(4)
    if variant in (0, 1):
        label = rng.choice(("N° SS", "NIR", "Sécurité sociale", "INS", "Carte Vitale", "n° sécu"))
        lines.append(f"{name}, {label} : {fmt_nir(rng, random_nir(rng))}")
    if variant in (1, 2):
        lines.append(
            f"{name}, {rng.choice(('née le', 'né le', 'DDN :', 'date de naissance :'))} "
            f"{_date(rng)}"
        )
    if variant == 3:
        lines.append(f"{name} : {rng.choice(ACTS)}, {rng.choice(DRUGS)}.")
    lines.append(
        f"Soins : {rng.choice(ACTS)}. Traitement : {rng.choice(DRUGS)}. "
        f"Antécédents : {rng.choice(DIAG)}."
    )
    lines += rng.sample(FILLER, 2)
    return "\n".join(lines)


def _mail_positive(rng: random.Random) -> str:
    nir = random_nir(rng)
    if rng.random() < 0.3:
        ident = f"Son adresse Mon Espace Santé : {nir}@patient.mssante.fr"
    else:
        ident = f"Voici son numéro de sécurité sociale {fmt_nir(rng, nir)}."
    return (
        f"Bonjour,\n\nJe te transmets le dossier de {rng.choice(('Mme', 'M.'))} "
        f"{rng.choice(SURNAMES)} {rng.choice(FIRST)} pour la tournée de demain.\n{ident}\n"
        f"{rng.choice(FILLER)}\n\nBonne soirée,\nInfirmière libérale"
    )


def _table_positive(rng: random.Random) -> str:
    rows = ["Nom\tPrénom\tNIR\tActe"]
    for _ in range(rng.randint(2, 6)):
        rows.append(
            f"{rng.choice(SURNAMES).upper()}\t{rng.choice(FIRST)}\t"
            f"{fmt_nir(rng, random_nir(rng)).replace(chr(10), ' ')}\t{rng.choice(ACTS)}"
        )
    return "Export des patients de la tournée\n" + "\n".join(rows)


def _invoice_negative(rng: random.Random) -> str:
    return "\n".join(
        [
            f"FACTURE N° FA-2026-{rng.randint(1, 99999):05d}",
            f"Commande n° {_order15(rng)} du {rng.randint(1, 28):02d}/"
            f"{rng.randint(1, 12):02d}/2026",
            f"Client : Cabinet infirmier, SIRET {rng.randint(10**13, 10**14 - 1)}",
            f"Tél. : {_phone(rng)} — Fax : {_phone(rng)}",
            f"IBAN : {_iban(rng)}",
            f"Référence colis : {_order15(rng)}",
            f"Total TTC : {rng.randint(10, 999)},{rng.randint(0, 99):02d} €",
            rng.choice(FILLER),
        ]
    )


def _mail_negative(rng: random.Random) -> str:
    return (
        f"Bonjour {rng.choice(FIRST)},\n\n{rng.choice(FILLER)}\n{rng.choice(FILLER)}\n"
        f"Mon numéro : {_phone(rng)}. Réunion le {rng.randint(1, 28)}/{rng.randint(1, 12)}/2026 "
        f"à 14 h.\nN° de suivi : {_order15(rng)}\n\nBien à vous,\nMme {rng.choice(SURNAMES)}"
    )


def _health_negative(rng: random.Random) -> str:
    # Health vocabulary without any patient: a protocol, a drug notice.
    return (
        f"Protocole du cabinet : {rng.choice(ACTS)}. Produits : {rng.choice(DRUGS)}, "
        f"{rng.choice(DRUGS)}. En cas de {rng.choice(DIAG)}, prévenir le médecin traitant.\n"
        f"{rng.choice(FILLER)}\nNuméro de lot : {_order15(rng)}"
    )


def _near_miss_negative(rng: random.Random) -> str:
    return (
        f"Essai de saisie : {fmt_nir(rng, wrong_key_nir(rng))} (numéro erroné, clé fausse).\n"
        f"{rng.choice(FILLER)}"
    )


def _hard_positive(rng: random.Random) -> str:
    # Patient data a human recognises but no rule names: a list with names and birth dates
    # without "né le", or a NIR in a bare CSV column.
    if rng.random() < 0.5:
        return (
            f"Tournée du {rng.randint(1, 28)}/{rng.randint(1, 12)}\n"
            f"{rng.choice(SURNAMES).upper()} {rng.choice(FIRST)} {_date(rng)} — {rng.choice(ACTS)}"
        )
    return (
        "nom;col2;col3\n" + f"{rng.choice(SURNAMES).upper()};{random_nir(rng)};{rng.randint(1, 9)}"
    )


def _signature_negative(rng: random.Random) -> str:
    # A nurse's own signature under health vocabulary: not a patient.
    return (
        f"Bonjour,\nCi-joint le protocole du cabinet pour la {rng.choice(ACTS)} et la "
        f"surveillance sous {rng.choice(DRUGS)}.\n{rng.choice(FILLER)}\n\nCordialement,\n"
        f"{rng.choice(('Mme', 'M.'))} {rng.choice(SURNAMES)}, infirmière libérale"
    )


def _cv_negative(rng: random.Random) -> str:
    return (
        f"Candidature spontanée — {rng.choice(FIRST)} {rng.choice(SURNAMES)}, "
        f"numéro de commande {_order15(rng)}.\n{rng.choice(FILLER)}"
    )


def _name_care_positive(rng: random.Random) -> str:
    """A care report naming the patient without civility (issue #13)."""
    first, last = rng.choice(FIRST_MORE + FIRST), rng.choice(SURNAMES)
    style = rng.randrange(5)
    if style == 0:
        head = f"Passage chez {first} {last} ce matin."
    elif style == 1:
        head = f"{rng.choice(('MONSIEUR', 'MADAME'))} {first} {last}"
    elif style == 2:
        head = f"{first} {last.upper()}, {rng.randint(60, 99)} ans"
    elif style == 3:
        head = f"Tournée du soir : {first} {last} ({rng.choice(ACTS)})."
    else:
        head = f"Pour info, {first} {last} a chuté cette nuit."
    return (
        f"{head}\nConnu pour {rng.choice(DIAG)}. {rng.choice(ACTS).capitalize()}, "
        f"{rng.choice(DRUGS)}.\n{rng.choice(FILLER)}"
    )


def _nir_variant_positive(rng: random.Random) -> str:
    nir = random_nir(rng)
    style = rng.randrange(6)
    if style == 0:
        return f"Dossier de soins\nN° SS : {fmt_nir_variant(rng, nir)}\n{rng.choice(FILLER)}"
    if style == 1:  # the key left out, in an identity or health context
        return f"Carte Vitale de l'assuré : {nir[:13]}\n{rng.choice(ACTS)}."
    if style == 2:
        return f"Tél : {nir}\n{rng.choice(FILLER)}"  # pasted in the wrong field
    if style == 3:
        return f"Référence dossier : {nir}\n{rng.choice(FILLER)}"
    if style == 4:
        return f"Pièces jointes : scan_{nir}.pdf, ordonnance.pdf\n{rng.choice(FILLER)}"
    return f"Sécu {fmt_nir_variant(rng, nir)}, {rng.choice(ACTS)}."


def _name_negative(rng: random.Random) -> str:
    """Names and health words that are not a patient: greetings, signatures, speakers."""
    first, last = rng.choice(FIRST_MORE + FIRST), rng.choice(SURNAMES)
    style = rng.randrange(5)
    if style == 4:
        place = rng.choice(("12 avenue", "3 rue", "hôpital", "Centre hospitalier", "EHPAD"))
        return (
            f"Livraison des pansements et de l'insuline : pharmacie du {place} {first} "
            f"{last}.\n{rng.choice(FILLER)}"
        )
    if style == 0:
        return (
            f"Bonjour {first} {last},\nVoici le protocole du cabinet pour la "
            f"{rng.choice(ACTS)}.\n{rng.choice(FILLER)}"
        )
    if style == 1:
        return (
            f"Protocole : {rng.choice(ACTS)}, {rng.choice(DRUGS)}.\n\nCordialement,\n"
            f"{first} {last}\nInfirmière libérale"
        )
    if style == 2:
        return (
            f"Formation DPC : conférence du Pr {first} {last} sur le {rng.choice(DIAG)}.\n"
            f"{rng.choice(FILLER)}"
        )
    return f"Réunion avec {first} {last} jeudi à 14 h.\n{rng.choice(FILLER)}"


def _numbers_negative(rng: random.Random) -> str:
    """Numbers that look like NIRs once normalized: phones in pairs with the new separators,
    EAN codes and 13-digit order numbers next to health words."""
    sep = rng.choice(VARIANT_SEPS)
    phone = (
        "0" + str(rng.randint(1, 7)) + "".join(f"{sep}{rng.randrange(100):02d}" for _ in range(4))
    )
    ean = "340" + "".join(str(rng.randrange(10)) for _ in range(10))
    return (
        f"Commande de {rng.choice(('compresses', 'pansements', 'gants'))} pour la "
        f"{rng.choice(ACTS)}\nTél. : {phone}\nEAN {ean}\nCommande n° "
        f"{rng.randint(10**12, 10**13 - 1)}\n{rng.choice(FILLER)}"
    )


POSITIVE = (
    ("clinical_note", _clinical_positive),
    ("mail", _mail_positive),
    ("table", _table_positive),
    ("clinical_note", _clinical_positive),
    ("mail", _mail_positive),
    ("table", _table_positive),
    ("hard_positive", _hard_positive),
    ("name_without_civility", _name_care_positive),
    ("nir_variant", _nir_variant_positive),
)
NEGATIVE = (
    ("invoice", _invoice_negative),
    ("mail", _mail_negative),
    ("protocol", _health_negative),
    ("near_miss", _near_miss_negative),
    ("signature", _signature_negative),
    ("cv", _cv_negative),
    ("names_not_patients", _name_negative),
    ("number_lookalikes", _numbers_negative),
)


def generate(n: int, *, seed: int = 4, positive_ratio: float = 0.4) -> list[Doc]:
    rng = random.Random(seed)
    docs = []
    for _ in range(n):
        if rng.random() < positive_ratio:
            kind, fn = rng.choice(POSITIVE)
            docs.append(Doc(kind, fn(rng), True))
        else:
            kind, fn = rng.choice(NEGATIVE)
            docs.append(Doc(kind, fn(rng), False))
    return docs


def precision_recall(predicted: list[bool], truth: list[bool]) -> tuple[float, float, int, int]:
    tp = sum(p and t for p, t in zip(predicted, truth, strict=True))
    fp = sum(p and not t for p, t in zip(predicted, truth, strict=True))
    fn = sum(t and not p for p, t in zip(predicted, truth, strict=True))
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return precision, recall, fp, fn
