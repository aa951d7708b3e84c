"""Patient names written without civility ("passage chez Anne Petit … Connu pour AVC ancien").

A candidate is a capitalised first name from the French first-name list followed by a
capitalised (or upper-case) surname from the French surname list: package data built from
INSEE public data (see ``hygie/identifiers/data/SOURCES.txt`` and scripts/build_names.py). It
counts only with specific health vocabulary within 250 characters (care acts, drugs,
diagnoses), and never next to a signature, a greeting or a professional title (the name is
then the sender's, the recipient's or a professional's).
"""

from __future__ import annotations

import functools
import unicodedata
from importlib import resources

from hygie.i18n import N_
from hygie.identifiers.model import Pattern, Recognizer, mask_all
from hygie.identifiers.recognizers.health_terms import SPECIFIC_TERMS
from hygie.identifiers.recognizers.patient_name import SIGNATURE

_UP = "A-ZÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸ"
_LOW = "a-zàâäçéèêëîïôöùûüÿ"
FIRST = f"[{_UP}][{_LOW}]+(?:-[{_UP}][{_LOW}]+)?"
LAST = f"(?:[{_UP}][{_LOW}'’]+(?:-[{_UP}][{_LOW}]+)?|[{_UP}]{{2,}}(?:-[{_UP}]{{2,}})?)"
#: Right before the name, a greeting (the recipient: "Bonjour Anne Petit") or a place named
#: after a person ("avenue Jean Jaurès", "hôpital Édouard Herriot"): not a patient. Checked
#: only where the name pattern matched (a regex anchored at the end of the 40 characters
#: before it), not at every position of the text.
_GREETINGS = ("bonjour", "bonsoir", "merci", "cher", "chère", "salut", "coucou", "bravo")
_PLACES = (
    "rue", "avenue", "boulevard", "bd", "place", "allée", "impasse", "chemin", "quai",
    "square", "cours", "hôpital", "clinique", "centre", "chu", "ch", "ehpad", "lycée",
    "collège", "école", "résidence", "fondation", "institut", "pharmacie", "salle", "espace",
    "stade", "parc", "pont", "gare",
)  # fmt: skip
NOT_AFTER = "(?i:(?<![\\w])(?:" + "|".join(_GREETINGS + _PLACES) + "),?[ \\t\\u00a0])\\Z|[\\w@.]\\Z"
NAME_REGEX = f"({FIRST}[ \\t\\u00a0]{LAST})(?![\\w@])"

#: Besides the signature words: greetings and titles (the name is not a patient's).
NOT_A_PATIENT = (
    *SIGNATURE,
    "pr",
    "professeur",
    "président",
    "présidente",
    "directeur",
    "directrice",
    "intervenant",
    "intervenante",
    "conférence",
    "auteur",
    "autrice",
    "rédigé par",
    "envoyé par",
    "de :",
    "à :",
    "cc :",
    "from",
    "to",
    "remplaçante",
    "remplaçant",
    "collègue",
    "ide",
    "idel",
    "cabinet",
    "kiné",
    "pharmacie",
    "laboratoire",
)


#: A surname that is also a first name ("Simon", "Martin", "Anne") counts as a surname only
#: among this many most frequent surnames ("Jean Simon" yes, "Marie Anne" no).
COMMON_SURNAME_RANK = 300


@functools.cache
def _lines(resource: str) -> tuple[str, ...]:
    text = resources.files("hygie.identifiers").joinpath("data", resource).read_text("utf-8")
    return tuple(line for line in text.splitlines() if line)


def fold(name: str) -> str:
    """Lower case without accents: INSEE lists write "Lefevre", mail writes "Lefèvre"."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@functools.cache
def first_names() -> frozenset[str]:
    return frozenset(fold(n) for n in _lines("prenoms_fr.txt"))


@functools.cache
def surname_ranks() -> dict[str, int]:
    """Surname (folded) -> rank (0: the most frequent)."""
    ranks: dict[str, int] = {}
    for i, name in enumerate(_lines("noms_fr.txt")):
        ranks.setdefault(fold(name), i)
    return ranks


def surnames() -> frozenset[str]:
    return frozenset(surname_ranks())


def _validate(raw: str) -> bool:
    first, _sep, last = raw.replace("\u00a0", " ").replace("\t", " ").partition(" ")
    if fold(first) not in first_names():
        return False
    last_cf = fold(last)
    rank = surname_ranks().get(last_cf)
    if last.isupper() and len(last) >= 3:
        return True  # "Jean SIMON": a surname written the administrative way
    if last_cf in first_names():
        # Two first names ("Marie Anne") unless a very common surname ("Jean Simon").
        return rank is not None and rank < COMMON_SURNAME_RANK
    return rank is not None


RECOGNIZER = Recognizer(
    id="PATIENT_NAME_CARE",
    label_fr=N_("nom de patient"),
    patterns=(Pattern("first_last_name", NAME_REGEX, 0.3, word_pair=True),),
    validate=_validate,
    normalize=lambda raw: raw,
    context=SPECIFIC_TERMS,
    requires_context=True,
    negative_context=NOT_A_PATIENT,
    not_after=NOT_AFTER,
    negative_overrides=True,
    negative_after=40,
    context_window=250,
    context_after=250,
    validated_score=0.4,
    context_boost=0.2,
    group=1,
    mask=mask_all,
    classify=lambda _compact: "PATIENT_NAME",
    patient=True,
    types=(("PATIENT_NAME", N_("nom de patient")),),
    spec="INSEE first name + INSEE surname (or upper case) + specific health vocabulary "
    "within 250 characters; never by a signature, greeting or title",
)
