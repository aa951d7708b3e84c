"""PATIENT_LIST_DATE (reported as BIRTH_DATE): SURNAME Firstname + an old date + health terms."""

from __future__ import annotations

import pytest
from tests.id_helpers import only


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("DURAND Jeanne 12/03/1941 — pansement", 1),
        ("MARTIN Paul ; 1938-05-02 ; injection d'insuline", 1),
        ("LE GOFF Anne\t3 mars 1950\tLovenox", 1),
        ("DURAND Jeanne 12/03/1941 — réunion du personnel", 0),  # no health vocabulary
        ("DURAND Jeanne 12/03/2026 — pansement", 0),  # recent: an appointment date
        ("Durand Jeanne 12/03/1941 — pansement", 0),  # surname not in capitals
        ("DURAND 12/03/1941 — pansement", 0),  # no first name
    ],
)
def test_table(text: str, count: int) -> None:
    assert len(only(text, "BIRTH_DATE")) == count
