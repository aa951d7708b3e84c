"""MSSANTE_PATIENT: <INS>@patient.mssante.fr with a valid key."""

from __future__ import annotations

import pytest
from tests.id_helpers import only, with_key

from hygie.identifiers import analyze, is_patient_data

INS = with_key("2850375116001")


@pytest.mark.parametrize(
    ("text", "count"),
    [
        (f"Écrire à {INS}@patient.mssante.fr.", 1),
        (f"<{INS}@PATIENT.MSSANTE.FR>", 1),
        (f"{with_key('7850399350001')}@patient.mssante.fr", 1),  # NIA
        (f"{INS[:13]}00@patient.mssante.fr", 0),  # wrong key
        (f"{INS}@patient.mssante.fr.example.com", 0),  # look-alike domain
        (f"{INS}@mssante.fr", 0),  # professional domain: only the NIR itself
        ("jean.dupont@patient.mssante.fr", 0),
    ],
)
def test_table(text: str, count: int) -> None:
    assert len(only(text, "MSSANTE_PATIENT")) == count


def test_address_is_patient_data_and_masked() -> None:
    found = analyze(f"{INS}@patient.mssante.fr")
    assert is_patient_data(found)
    assert [f.type for f in found] == ["MSSANTE_PATIENT"]
    assert INS not in found[0].masked
    assert found[0].masked.endswith("@patient.mssante.fr")
