"""PATIENT_NAME: civility or "Patient :" label, and specific health vocabulary nearby."""

from __future__ import annotations

import pytest
from tests.id_helpers import only

from hygie.identifiers import analyze, is_patient_data


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("Mme Durand : pansement de l'ulcère, Lovenox.", 1),
        ("Monsieur Jean MARTIN, diabète de type 2, injection d'insuline.", 1),
        ("M. Petit\u00a0: glycémie à 1,4 g/l.", 1),
        ("Patiente : DURAND Odette — escarre sacrée", 1),
        ("Mme Durand, merci pour la réunion de vendredi.", 0),  # no health vocabulary
        ("Madame, Monsieur, veuillez trouver ci-joint la facture. Insuline.", 0),
        ("Monsieur Le Directeur, le stock de Doliprane est commandé.", 0),
        ("mme durand pansement", 0),  # no capital: not a name
        ("Mme Durand, infirmière libérale, soins à domicile", 0),  # generic words only
    ],
)
def test_table(text: str, count: int) -> None:
    assert len(only(text, "PATIENT_NAME")) == count


def test_name_is_masked_and_patient_data() -> None:
    found = analyze("Mme Durand : pansement, insuline")
    assert is_patient_data(found)
    assert all("Durand" not in f.masked for f in found)
