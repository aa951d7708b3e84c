"""Patient names, only next to a civility (M., Mme, Monsieur, Madame, Mlle) or a "Patient :"
label, and only with specific health vocabulary nearby (care acts, drugs, diagnoses)."""

from __future__ import annotations

from hygie.i18n import N_
from hygie.identifiers.model import Pattern, Recognizer, mask_all
from hygie.identifiers.recognizers.health_terms import SPECIFIC_TERMS

_B = "[ \\t\\u00a0\\u202f]"
_UP = "A-ZÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸ"
_LOW = "a-zàâäçéèêëîïôöùûüÿ"
NAME = f"[{_UP}][{_UP}{_LOW}'’\\-]{{1,30}}"
STOP = "(?!(?:Le|La|Les|Du|De|Des|Et|Ou|Le Directeur|Docteur|Dr|Président|Maire)\\b)"
# "M" first (a literal prefix the regex engine scans for fast), then the lookbehind.
CIVILITY = (
    "M(?<![\\w.]M)(?:\\.|r\\.?|me\\.?|mes|lle\\.?|onsieur|adame|ademoiselle"
    "|ONSIEUR|ADAME|ADEMOISELLE|ME\\b|LLE\\b)"
)
LABEL_RE = "[Pp](?<![\\w][Pp])(?:atiente?|ATIENTE?)"


#: Around a signature, the name is the sender's (a professional), not a patient's.
SIGNATURE = (
    "cordialement",
    "bien cordialement",
    "bien à vous",
    "salutations",
    "bien amicalement",
    "amicalement",
    "signé",
    "de la part de",
    "infirmière",
    "infirmier",
    "infirmière libérale",
    "idel",
    "cadre de santé",
    "médecin",
    "docteur",
    "dr",
    "kinésithérapeute",
    "pharmacien",
    "pharmacienne",
    "sage-femme",
    "aide-soignante",
    "aide-soignant",
    "secrétaire",
)


def _mask(raw: str) -> str:
    return mask_all(raw)


RECOGNIZER = Recognizer(
    id="PATIENT_NAME",
    label_fr=N_("nom de patient"),
    patterns=(
        Pattern(
            "civility_name",
            f"{CIVILITY}{_B}+{STOP}({NAME}(?:{_B}+{STOP}{NAME}){{0,2}})",
            0.55,
        ),
        Pattern(
            "patient_label_name",
            f"{LABEL_RE}{_B}*:{_B}*(?:(?:M\\.|Mme|Mlle|Monsieur|Madame){_B}+)?"
            f"({NAME}(?:{_B}+{NAME}){{0,2}})",
            0.55,
            prefilter=("patient", "nom d"),
        ),
    ),
    context=SPECIFIC_TERMS,
    requires_context=True,
    negative_context=SIGNATURE,
    negative_after=40,
    negative_overrides=True,
    context_window=250,
    context_after=250,
    group=1,
    mask=_mask,
    patient=True,
    spec="civility or 'Patient :' label + specific health vocabulary within 250 characters",
)
