"""Pure validators: tables of valid, wrong-key and near-miss values."""

from __future__ import annotations

import pytest
from tests.id_helpers import with_key

from hygie.identifiers import checksums


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("295109912611193", True),  # stdnum's documented example
        ("2 95 10 99 126 111 93", True),
        ("2\u00a095\u202f10 99 126 111 93", True),
        ("253072B07300470", True),
        ("253072A07300443", True),
        ("295109912611199", False),  # wrong key
        ("253072C07300443", False),
        ("29510991261119", False),  # 14 characters
        (with_key("7850399350001"), True),  # NIA
        (with_key("5850399350001"), False),  # sex 5
        (with_key("1851375116001"), False),  # month 13
        (with_key("1859975116001"), True),  # month 99: unknown month (INSEE)
        (with_key("1854375116001"), False),  # month 43
        (with_key("1850397101001"), True),  # overseas 971, commune 01
        (with_key("1850397100001"), False),  # overseas commune 00
    ],
)
def test_nir_is_valid(value: str, ok: bool) -> None:
    assert checksums.nir_is_valid(value) is ok


def test_nir_without_nia() -> None:
    nia = with_key("8850399350001")
    assert checksums.nir_is_valid(nia)
    assert checksums.nia_is_valid(nia)
    assert not checksums.nir_is_valid(nia, allow_nia=False)


@pytest.mark.parametrize(
    ("month", "ok"),
    [
        ("01", True),
        ("12", True),
        ("00", False),
        ("13", False),
        ("19", False),
        ("20", True),
        ("42", True),
        ("43", False),
        ("49", False),
        ("50", True),
        ("99", True),
        ("1", False),
    ],
)
def test_month(month: str, ok: bool) -> None:
    assert checksums.nir_month_is_plausible(month) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("79927398713", True),
        ("79927398710", False),
        ("0", True),
        ("", False),
        ("12a4", False),
        ("١٢٣", False),
    ],
)
def test_luhn(value: str, ok: bool) -> None:
    assert checksums.luhn_is_valid(value) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [("10005173140", True), ("10005173141", False), ("1000517314", False), ("100051731400", False)],
)
def test_rpps(value: str, ok: bool) -> None:
    assert checksums.rpps_is_valid(value) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("010003820", True),
        ("010003812", True),
        ("010003821", False),
        ("990003820", False),
        ("2A0001234", True),
        ("01000382", False),
        ("000000000", False),
    ],
)
def test_finess(value: str, ok: bool) -> None:
    assert checksums.finess_is_valid(value) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("756012345", True),
        ("006012345", False),
        ("750000007", False),
        ("75601234", False),
        ("99601234X", False),
    ],
)
def test_adeli(value: str, ok: bool) -> None:
    assert checksums.adeli_is_valid(value) is ok
