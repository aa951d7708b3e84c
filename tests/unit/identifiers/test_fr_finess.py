"""FR_FINESS: 9 characters, Luhn key, next to the word FINESS."""

from __future__ import annotations

import pytest
from tests.id_helpers import only

from hygie.identifiers import analyze, is_patient_data


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("FINESS : 010003820", 1),
        ("N° FINESS 01 000 382 0", 1),
        ("finess ET 010003812", 1),
        ("FINESS 2A0001234", 1),
        ("FINESS : 010003821", 0),  # wrong key
        ("SIREN 732829320", 0),  # a Luhn-valid 9-digit number without FINESS context
        ("010003820", 0),
    ],
)
def test_table(text: str, count: int) -> None:
    assert len(only(text, "FR_FINESS")) == count


def test_finess_is_not_patient_data() -> None:
    assert not is_patient_data(analyze("Établissement FINESS 010003820"))
