"""FR_ADELI: 9 digits next to the word ADELI (no published key rule)."""

from __future__ import annotations

import pytest
from tests.id_helpers import only

from hygie.identifiers import analyze, is_patient_data


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("N° ADELI : 756012345", 1),
        ("adeli 75 60 1234 5", 1),
        ("756012345", 0),  # no context
        ("ADELI : 006012345", 0),  # department 00
        ("ADELI : 75601234", 0),  # 8 digits
        ("ADELI : 7560123456", 0),  # 10 digits
    ],
)
def test_table(text: str, count: int) -> None:
    assert len(only(text, "FR_ADELI")) == count


def test_adeli_is_not_patient_data() -> None:
    assert not is_patient_data(analyze("Infirmière, ADELI 756012345"))
