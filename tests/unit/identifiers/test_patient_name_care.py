"""PATIENT_NAME_CARE: names without civility, only in a care context (issue #13)."""

from __future__ import annotations

import pytest

from hygie.identifiers import analyze, is_patient_data
from hygie.identifiers.recognizers.patient_name_care import first_names, surnames


@pytest.mark.parametrize(
    "text",
    [
        "Passage chez Anne Petit ce matin. Connu pour AVC ancien, pansement de l'ulcère.",
        "MONSIEUR Jean Simon : injection d'insuline, glycémie à 1,8 g/l.",
        "Jean SIMON, 82 ans, diabète de type 2, Lovenox 4000 le soir.",
        "Tournée du soir : Odette Lambert (prise de sang), Marcel Bonnet (perfusion).",
        "Pour info, Paulette Fournier a chuté cette nuit, escarre sacrée à surveiller.",
        "Soins chez Louis Girard : ablation des agrafes.",
    ],
)
def test_found(text: str) -> None:
    found = analyze(text)
    assert is_patient_data(found), text
    names = [f for f in found if f.type == "PATIENT_NAME"]
    assert names and all("•" in f.masked for f in names)
    assert all(c in "• -" for f in names for c in f.masked)


@pytest.mark.parametrize(
    "text",
    [
        "Réunion avec Jean Martin jeudi à 14 h.",  # no care context
        "Bonjour Anne Petit, voici le protocole insuline du cabinet.",  # the recipient
        "Protocole insuline.\n\nCordialement,\nAnne Petit\nInfirmière libérale",  # the sender
        "Conférence du Pr Jean Martin sur le diabète de type 2.",  # a professional
        "Le Dr Louis Girard prescrit le Lovenox.",
        "Marie Anne, pansement de l'ulcère",  # two first names
        "Rose Durand pansement",  # "Rose" is a word: not in the list
        "Merci Odette Lambert pour la perfusion d'hier.",
        "Insuline livrée par la pharmacie, 12 avenue Jean Moreau.",
        "Transfert à l'hôpital Louis Pasteur pour la perfusion.",
        "Pansement : compresses Mepilex Border, Urgo Start.",
    ],
)
def test_not_found(text: str) -> None:
    assert not [f for f in analyze(text) if f.type == "PATIENT_NAME"], text


def test_lists_are_shipped_and_sane() -> None:
    assert len(first_names()) > 8000 and len(surnames()) > 15000
    assert {"anne", "jean", "odette"} <= first_names()
    assert {"petit", "simon", "durand"} <= surnames()
    assert "rose" not in first_names() and "france" not in first_names()
    assert "lefevre" in surnames()  # looked up without accents: "Lefèvre" is found
