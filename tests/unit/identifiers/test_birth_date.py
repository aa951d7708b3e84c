"""BIRTH_DATE: only right after a birth context."""

from __future__ import annotations

import datetime as dt

import pytest
from tests.id_helpers import only

from hygie.identifiers.recognizers.birth_date import parse_birth_date


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("née le 12/03/1985", 1),
        ("né le 1er janvier 1950", 1),
        ("Né(e) le : 12.03.85", 1),
        ("DDN : 12/03/85", 1),
        ("D.D.N. 3/7/1941", 1),
        ("Date de naissance : 1985-03-12", 1),
        ("date de naissance 12 févr. 1938", 1),
        ("Naissance : 5 août 1960", 1),
        ("le 12/03/1985", 0),  # no birth context
        ("Facture du 12/03/2026", 0),
        ("Rendez-vous le 12 mars 2026", 0),
        ("née le 31/02/1985", 0),  # no such day
        ("née le 12/03/2999", 0),  # in the future
        ("DDN : 12/13/1985", 0),  # month 13
        ("née le 12/03/1985/4", 0),
    ],
)
def test_table(text: str, count: int) -> None:
    assert len(only(text, "BIRTH_DATE")) == count


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12/03/85", dt.date(1985, 3, 12)),
        ("12/03/07", dt.date(2007, 3, 12)),
        ("1985-03-12", dt.date(1985, 3, 12)),
        ("1er janvier 1950", dt.date(1950, 1, 1)),
        ("12 Décembre 1950", dt.date(1950, 12, 12)),
        ("12/03/30", dt.date(1930, 3, 12)),
        ("32/01/1950", None),
    ],
)
def test_parse(value: str, expected: dt.date | None) -> None:
    assert parse_birth_date(value, today=dt.date(2026, 11, 29)) == expected


def test_masked_shows_no_digit() -> None:
    f = only("née le 12/03/1985", "BIRTH_DATE")[0]
    assert not any(c.isdigit() for c in f.masked)
