"""Address classification: MSSanté pro/patient, webmail, other, and every look-alike."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hygie.errors import AppError
from hygie.identifiers import mask_digits
from hygie.mail.addresses import (
    AddressKind,
    classify_address,
    normalize_nir,
    patient_address,
)
from hygie.mail.errors import InvalidNir
from tests.mailtools import BAD_KEY_NIR, CORSICA_NIR, VALID_NIR, VALID_NIR_2, nir_with_key

K = AddressKind

TABLE = [
    # MSSanté professional: the domain or any sub-domain, ASCII case-insensitive
    ("jeanne.dupont@mssante.fr", K.MSSANTE_PRO),
    ("jeanne.dupont@infirmiers.mssante.fr", K.MSSANTE_PRO),
    ("secretariat@ch-exemple.mssante.fr", K.MSSANTE_PRO),
    ("Jeanne Dupont <jeanne.dupont@infirmiers.mssante.fr>", K.MSSANTE_PRO),
    ("JEANNE@INFIRMIERS.MSSANTE.FR", K.MSSANTE_PRO),
    # MSSanté patient: INS with a valid key
    (f"{VALID_NIR}@patient.mssante.fr", K.MSSANTE_PATIENT),
    (f"{VALID_NIR_2}@PATIENT.MSSANTE.FR", K.MSSANTE_PATIENT),
    (f"{CORSICA_NIR}@patient.mssante.fr", K.MSSANTE_PATIENT),
    (f"{CORSICA_NIR.lower()}@patient.mssante.fr", K.MSSANTE_PATIENT),
    (f"{BAD_KEY_NIR}@patient.mssante.fr", K.MSSANTE_PATIENT_BAD_KEY),
    (f"{VALID_NIR[:13]}@patient.mssante.fr", K.MSSANTE_PATIENT_BAD_KEY),
    ("jeanne.dupont@patient.mssante.fr", K.MSSANTE_PATIENT_BAD_KEY),
    (f"{VALID_NIR}@x.patient.mssante.fr", K.OTHER),
    # free webmail (listed domains and their sub-domains)
    ("jeanne@gmail.com", K.WEBMAIL),
    ("jeanne@orange.fr", K.WEBMAIL),
    ("jeanne@wanadoo.fr", K.WEBMAIL),
    ("jeanne@laposte.net", K.WEBMAIL),
    ("jeanne@proton.me", K.WEBMAIL),
    ("jeanne@HOTMAIL.FR", K.WEBMAIL),
    ("jeanne@icloud.com", K.WEBMAIL),
    # other
    ("contact@cabinet-infirmier.fr", K.OTHER),
    ("jeanne@gmail.com.example.org", K.OTHER),
    # look-alikes: never MSSanté
    ("jeanne@mssante.fr.example.com", K.OTHER),
    ("jeanne@fakemssante.fr", K.OTHER),
    ("jeanne@mssante-fr.com", K.OTHER),
    ("jeanne@mssante.fr.", K.OTHER),
    ("jeanne@infirmiers.mssante.fr.", K.OTHER),
    ("jeanne@mssаnte.fr", K.OTHER),  # Cyrillic а
    ("jeanne@ｍｓｓａｎｔｅ.ｆｒ", K.OTHER),  # full-width
    ("jeanne@mssanté.fr", K.OTHER),
    ("jeanne@xn--mssant-fva.fr", K.OTHER),  # punycode of mssanté.fr
    ("jeanne@mssante.fr\u200b", K.INVALID),  # zero-width space
    ("jeanne@mss\u00adante.fr", K.INVALID),  # soft hyphen
    ("jeanne@mssante.fr@gmail.com", K.INVALID),
    ("jeanne(mssante.fr)@gmail.com", K.WEBMAIL),
    ('"jeanne@mssante.fr"@gmail.com', K.WEBMAIL),
    ("jeanne@mssante", K.OTHER),
    ("jeanne@-mssante.fr", K.OTHER),
    # invalid
    ("", K.INVALID),
    ("pas une adresse", K.INVALID),
    ("@mssante.fr", K.INVALID),
]


@pytest.mark.parametrize(("address", "kind"), TABLE)
def test_classification_table(address: str, kind: AddressKind) -> None:
    info = classify_address(address)
    assert info.kind is kind, info
    assert info.is_mssante == (kind in (K.MSSANTE_PRO, K.MSSANTE_PATIENT))
    assert info.reason


def test_patient_address_is_masked_in_the_result() -> None:
    info = classify_address(f"{VALID_NIR}@patient.mssante.fr")
    assert VALID_NIR not in str(info.to_dict())
    assert info.shown == f"{VALID_NIR[:2]}{'•' * 11}{VALID_NIR[-2:]}@patient.mssante.fr"
    bad = classify_address(f"{BAD_KEY_NIR}@patient.mssante.fr")
    assert BAD_KEY_NIR not in str(bad.to_dict())


def test_unparsable_text_with_a_long_number_is_masked() -> None:
    info = classify_address(f"{VALID_NIR} patient.mssante.fr")
    assert VALID_NIR not in info.shown


@pytest.mark.parametrize(
    "typed",
    [
        VALID_NIR,
        "2 80 04 75 109 035 " + VALID_NIR[-2:],
        "2.80.04.75.109.035." + VALID_NIR[-2:],
        "2-80-04-75-109-035-" + VALID_NIR[-2:],
        "2\u00a080\u202f04 75 109 035 " + VALID_NIR[-2:],
    ],
)
def test_patient_address_accepts_real_world_formatting(typed: str) -> None:
    assert patient_address(typed) == f"{VALID_NIR}@patient.mssante.fr"


def test_patient_address_corsica() -> None:
    assert patient_address(CORSICA_NIR.lower()) == f"{CORSICA_NIR}@patient.mssante.fr"


@pytest.mark.parametrize(
    ("typed", "fragment"),
    [
        (BAD_KEY_NIR, "clé ne correspond pas"),
        (VALID_NIR[:13], "clé"),
        (VALID_NIR[:10], "10 caractères"),
        ("2800475109035xx", "chiffres"),
        ("380047510903526", "clé ne correspond pas"),
    ],
)
def test_patient_address_errors_are_clear(typed: str, fragment: str) -> None:
    with pytest.raises(InvalidNir) as exc:
        patient_address(typed)
    assert isinstance(exc.value, AppError)
    assert 20 <= exc.value.exit_code <= 29
    assert fragment in exc.value.render()
    assert exc.value.hint()


def test_patient_address_is_shown_with_the_one_masker() -> None:
    info = classify_address(f"{VALID_NIR}@patient.mssante.fr")
    assert info.shown == f"{mask_digits(VALID_NIR)}@patient.mssante.fr"
    assert info.shown.startswith(VALID_NIR[:2]) and VALID_NIR[2:-2] not in info.shown


def test_normalize_nir() -> None:
    assert normalize_nir("2 a") == "2A"


bases = st.tuples(
    st.sampled_from("12"),
    st.integers(0, 99),
    st.integers(1, 12),
    st.integers(1, 95),
    st.integers(1, 989),
    st.integers(1, 999),
)


@given(bases)
def test_any_valid_ins_is_a_patient_address(b: tuple[str, int, int, int, int, int]) -> None:
    base = f"{b[0]}{b[1]:02d}{b[2]:02d}{b[3]:02d}{b[4]:03d}{b[5]:03d}"
    nir = nir_with_key(base)
    assert classify_address(f"{nir}@patient.mssante.fr").kind is K.MSSANTE_PATIENT
    wrong = nir[:13] + f"{(int(nir[13:]) % 97) + 1:02d}"
    assert classify_address(f"{wrong}@patient.mssante.fr").kind is K.MSSANTE_PATIENT_BAD_KEY


@given(st.text(min_size=1, max_size=40))
def test_any_text_never_crashes_and_non_ascii_domains_are_never_mssante(text: str) -> None:
    info = classify_address(text)
    if info.is_mssante:
        assert info.domain.isascii()
        assert info.domain == "mssante.fr" or info.domain.endswith(".mssante.fr")


_ADDRESS_PIECES = st.sampled_from(
    [
        "dr.martin",
        VALID_NIR,
        CORSICA_NIR.lower(),
        "a..b",
        ".x",
        "x.",
        "+tag",
        "_",
        "-",
        "@",
        "patient.mssante.fr",
        "infirmiers.MSSANTE.fr",
        "mssante.fr.evil.com",
        "gmail.com",
        "xn--bcher-kva.fr",
        "xn--zz.fr",
        "x.y.",
        "-bad-.fr",
        " ",
        "<",
        ">",
        '"',
        "(c)",
        "é",
        "\u200b",
    ]
)


@given(st.lists(st.one_of(_ADDRESS_PIECES, st.text("aZ09_+-.@", max_size=6)), max_size=6))
def test_plain_address_fast_path_answers_as_the_parsers(pieces: list[str]) -> None:
    """Skipping the standard library's parsers for plain addresses changes no answer."""
    from hygie.mail.addresses import _classify_parsed

    text = "".join(pieces)
    assert classify_address(text) == _classify_parsed(text.strip())


@pytest.mark.parametrize(
    "address",
    [
        "dr.martin@gmail.com",
        f"{VALID_NIR}@patient.mssante.fr",
        f"{BAD_KEY_NIR}@patient.mssante.fr",
        f"{CORSICA_NIR}@patient.mssante.fr",
        "secretariat@infirmiers.mssante.fr",
        "x@MSSANTE.FR",
        "x@mssante.fr.evil.com",
        "a..b@gmail.com",
        "x@-bad-.fr",
        "x@xn--zz.fr",
        "x@sub.patient.mssante.fr",
    ],
)
def test_plain_addresses_examples_answer_as_the_parsers(address: str) -> None:
    from hygie.mail.addresses import _PLAIN, _classify_parsed

    assert classify_address(address) == _classify_parsed(address)
    if ".." not in address:
        assert _PLAIN.fullmatch(address)  # these do take the fast path
