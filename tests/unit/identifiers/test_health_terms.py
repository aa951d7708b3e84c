"""HEALTH_CONTEXT: a weighted signal, never patient data by itself."""

from __future__ import annotations

import pytest

from hygie.identifiers import analyze, is_patient_data
from hygie.identifiers.recognizers.health_terms import TERMS, health_weight


@pytest.mark.parametrize(
    ("text", "minimum", "maximum"),
    [
        ("pansement, insuline, diabète", 3.4, 3.6),
        ("insuline insuline insuline", 0.9, 1.1),  # each term counts once
        ("soins, patient", 0.5, 0.7),  # generic words weigh little
        ("la réunion est reportée", 0.0, 0.0),
        ("aminé, inrockuptibles", 0.0, 0.0),  # short acronyms only as whole words
    ],
)
def test_weight(text: str, minimum: float, maximum: float) -> None:
    weight, _first, _last = health_weight(text)
    assert minimum <= weight <= maximum


def test_vocabulary_alone_is_not_patient_data() -> None:
    found = analyze("Protocole : pansement, insuline, diabète, Lovenox.")
    assert not is_patient_data(found)


def test_terms_are_lower_case() -> None:
    assert all(t == t.lower() for t in TERMS)


def test_reported_with_a_contextual_finding_and_masked() -> None:
    found = analyze("Mme Durand : pansement, insuline, diabète")
    ctx = [f for f in found if f.type == "HEALTH_CONTEXT"]
    assert len(ctx) == 1 and ctx[0].masked == "•••" and not ctx[0].patient
