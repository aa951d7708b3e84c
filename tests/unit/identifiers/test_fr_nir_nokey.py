"""FR_NIR_NOKEY: a NIR's 13 digits without the key, only in a health or identity context.

The table of variants lives with the keyed NIR (test_fr_nir.py, ``VARIANTS``); here: the
structure rules and the context rules, one row each."""

from __future__ import annotations

import pytest
from tests.id_helpers import with_key

from hygie.identifiers import analyze

BODY = "2850599126111"  # woman, born 05/1985, Paris-like dept 99 (abroad), commune 126


def nir_types(text: str) -> list[str]:
    return [f.type for f in analyze(text) if f.type in ("FR_NIR", "FR_NIA")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"NIR {BODY}", ["FR_NIR"]),
        (f"INS provisoire 7{BODY[1:]}", ["FR_NIA"]),
        (f"Numéro de sécurité sociale : {BODY}", ["FR_NIR"]),
        (f"née le 12/05/1985 — {BODY}", ["FR_NIR"]),
        (f"Injection d'insuline, {BODY}", ["FR_NIR"]),
        (f"Dossier {BODY[:5]}2A{BODY[7:]}", ["FR_NIR"]),  # Corsica
        (f"{BODY}", []),  # no context
        (f"NIR 5{BODY[1:]}", []),  # sex 5
        (f"NIR 3{BODY[1:]}", []),  # sex 3: only with the key
        (f"NIR {BODY[:3]}00{BODY[5:]}", []),  # month 00
        (f"NIR {BODY[:3]}35{BODY[5:]}", ["FR_NIR"]),  # INSEE pseudo-month (month unknown)
        (f"NIR {BODY[:3]}45{BODY[5:]}", []),  # month 45 does not exist
        (f"NIR {BODY[:5]}00{BODY[7:]}", []),  # department 00
        (f"NIR {BODY[:10]}000", []),  # order 000
        (f"NIR {BODY[:7]}000{BODY[10:]}", []),  # commune 000
        (f"Commande du patient {BODY}", []),
        (f"Patient, n° de suivi {BODY}", []),
        (f"NIR {with_key(BODY)}", ["FR_NIR"]),  # the keyed recognizer's, not twice
    ],
)
def test_table(text: str, expected: list[str]) -> None:
    assert nir_types(text) == expected
