"""French health vocabulary: care acts, drugs, diagnoses, each with a weight.

Not an identifier: a weighted signal. It is the context that makes a name next to a
civility a *patient* name, and it is reported as ``HEALTH_CONTEXT`` (never the words
themselves: a diagnosis is health data too). Generic words ("soins", "infirmier") weigh
little so that a nurse's own signature is not a patient record.
"""

from __future__ import annotations

import functools

from hygie.i18n import N_
from hygie.identifiers.recognizers._common import Vocabulary

#: term -> weight. Lower case; accents optional variants listed where common.
TERMS: dict[str, float] = {}

_CARE_ACTS = (
    "pansement",
    "pansements",
    "injection",
    "injections",
    "prise de sang",
    "prélèvement",
    "prelevement",
    "glycémie",
    "glycemie",
    "dextro",
    "perfusion",
    "sonde urinaire",
    "sondage",
    "toilette",
    "nursing",
    "ablation des fils",
    "ablation des agrafes",
    "surveillance tensionnelle",
    "tension artérielle",
    "tension arterielle",
    "saturation",
    "aérosol",
    "aerosol",
    "vaccination",
    "vaccin",
    "bilan sanguin",
    "ecg",
    "stomie",
    "pilulier",
    "distribution des médicaments",
    "soins palliatifs",
    "chimiothérapie",
    "chimiotherapie",
    "dialyse",
    "radiothérapie",
    "pansement complexe",
    "méchage",
    "compression",
    "bas de contention",
    "insulinothérapie",
    "hba1c",
    "inr",
    "créatinine",
    "creatinine",
    "ordonnance",
    "prescription",
    "posologie",
    "bsi",
    "ami",
    "aís",
)
_DRUGS = (
    "insuline",
    "lantus",
    "novorapid",
    "humalog",
    "metformine",
    "doliprane",
    "paracétamol",
    "paracetamol",
    "morphine",
    "oxycodone",
    "tramadol",
    "lovenox",
    "enoxaparine",
    "héparine",
    "heparine",
    "kardégic",
    "kardegic",
    "aspirine",
    "amoxicilline",
    "augmentin",
    "levothyrox",
    "lévothyrox",
    "previscan",
    "coumadine",
    "xarelto",
    "eliquis",
    "furosémide",
    "furosemide",
    "lasilix",
    "ramipril",
    "amlodipine",
    "bisoprolol",
    "atorvastatine",
    "tahor",
    "ventoline",
    "seretide",
    "lexomil",
    "xanax",
    "stilnox",
    "dafalgan",
    "efferalgan",
    "ibuprofène",
    "ibuprofene",
    "cortisone",
    "prednisone",
    "solupred",
    "méthotrexate",
    "methotrexate",
    "subutex",
    "méthadone",
    "methadone",
)
_DIAGNOSES = (
    "diabète",
    "diabete",
    "diabétique",
    "diabetique",
    "cancer",
    "tumeur",
    "métastase",
    "metastase",
    "vih",
    "sida",
    "hépatite",
    "hepatite",
    "alzheimer",
    "parkinson",
    "hypertension",
    "hta",
    "insuffisance cardiaque",
    "insuffisance rénale",
    "insuffisance renale",
    "avc",
    "infarctus",
    "bpco",
    "asthme",
    "escarre",
    "ulcère",
    "ulcere",
    "plaie",
    "dépression",
    "depression",
    "schizophrénie",
    "schizophrenie",
    "bipolaire",
    "épilepsie",
    "epilepsie",
    "sclérose en plaques",
    "mucoviscidose",
    "grossesse",
    "ivg",
    "covid",
    "démence",
    "demence",
    "obésité",
    "obesite",
    "dénutrition",
    "denutrition",
    "fracture",
    "post-opératoire",
    "post-operatoire",
    "anticoagulant",
    "addiction",
    "alcoolisme",
    "toxicomanie",
)
_GENERIC = (
    "patient",
    "patiente",
    "soins",
    "soin",
    "infirmier",
    "infirmière",
    "infirmiere",
    "médecin traitant",
    "medecin traitant",
    "traitement",
    "antécédents",
    "antecedents",
    "dossier médical",
    "dossier medical",
    "compte rendu",
    "compte-rendu",
    "hospitalisation",
    "consultation",
    "diagnostic",
)
for _w in _CARE_ACTS:
    TERMS[_w] = 1.0
for _w in _DRUGS:
    TERMS[_w] = 1.0
for _w in _DIAGNOSES:
    TERMS[_w] = 1.5
for _w in _GENERIC:
    TERMS[_w] = 0.3
# Very short acronyms that collide with ordinary words weigh less.
for _w in ("ami", "aís", "inr", "ecg", "avc", "hta", "ivg", "bsi"):
    TERMS[_w] = 0.5
TERMS.pop("aís", None)

#: Specific (non-generic) terms: what makes a name next to a civility a patient's name.
SPECIFIC_TERMS: tuple[str, ...] = tuple(w for w, wt in TERMS.items() if wt >= 1.0)
LABEL = N_("vocabulaire de santé (soins, médicaments, diagnostics)")


@functools.cache
def vocabulary() -> Vocabulary:
    return Vocabulary(tuple(TERMS))


def health_weight(text: str) -> tuple[float, int, int]:
    """(total weight, first start, last end) of the health terms in ``text``; each distinct
    term counts once."""
    lower = text.lower()
    if len(lower) != len(text):
        lower = "".join(ch.lower()[0] for ch in text)
    seen: dict[str, float] = {}
    first, last = -1, -1
    for term, start, end in vocabulary().finditer(lower):
        if term not in seen:
            seen[term] = TERMS.get(term, 0.5)
        if first < 0:
            first = start
        last = end
    return sum(seen.values()), first, last
