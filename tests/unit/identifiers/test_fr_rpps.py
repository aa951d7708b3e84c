"""FR_RPPS: 11 digits, Luhn, only with a context word; a professional, not a patient."""

from __future__ import annotations

import pytest
from tests.id_helpers import only

from hygie.identifiers import analyze, is_patient_data


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("RPPS : 10005173140", 1),
        ("N° RPPS 100 0517 3140", 1),
        ("Prescripteur 10005173140", 1),
        ("IDNPS 810005173140", 1),
        ("RPPS : 10005173141", 0),  # wrong Luhn key
        ("10005173140", 0),  # no context: an 11-digit number is not an RPPS
        ("RPPS : 1000517314", 0),  # 10 digits
        ("RPPS : 100051731400", 0),  # 12 digits not starting with 8
    ],
)
def test_table(text: str, count: int) -> None:
    assert len(only(text, "FR_RPPS")) == count


def test_rpps_is_not_patient_data() -> None:
    found = analyze("Ordonnance du Dr Martin, RPPS 10005173140")
    assert found and not is_patient_data(found)
