"""FR_NIR / FR_NIA recognizer: a table of valid formats, wrong keys and near misses, plus
hypothesis properties."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.id_helpers import only, with_key

from hygie.identifiers import analyze
from hygie.identifiers.checksums import nir_key

NIR = with_key("1850375116001")  # 1 85 03 75 116 001 + key
NIR_F = with_key("2950599126111")
CORSE_A = "253072A07300443"  # stdnum's documented examples
CORSE_B = "253072B07300470"
NIA = with_key("7850399350001")
PSEUDO_MONTH = with_key("1853575116001")  # month 35: month of birth unknown (INSEE)


def spaced(n: str) -> str:
    return " ".join([n[0], n[1:3], n[3:5], n[5:7], n[7:10], n[10:13], n[13:]])


@pytest.mark.parametrize(
    ("text", "type_"),
    [
        (NIR, "FR_NIR"),
        (spaced(NIR), "FR_NIR"),
        (spaced(NIR).replace(" ", "\u00a0"), "FR_NIR"),
        (spaced(NIR).replace(" ", "\u202f"), "FR_NIR"),
        (spaced(NIR).replace(" ", "."), "FR_NIR"),
        (spaced(NIR).replace(" ", "-"), "FR_NIR"),
        (spaced(NIR)[:-3] + " clé " + NIR[13:], "FR_NIR"),
        (spaced(NIR)[:-3] + " Clé : " + NIR[13:], "FR_NIR"),
        (spaced(NIR)[:-3] + " (" + NIR[13:] + ")", "FR_NIR"),
        (NIR[:13] + " / " + NIR[13:], "FR_NIR"),
        (spaced(NIR)[:10] + "\n" + spaced(NIR)[11:], "FR_NIR"),
        (spaced(NIR)[:10] + "\r\n" + spaced(NIR)[11:], "FR_NIR"),
        ("Nom\tNIR\nDURAND\t" + NIR + "\tpansement", "FR_NIR"),
        ("| DURAND | " + spaced(NIR) + " |", "FR_NIR"),
        (f"n° sécu : {NIR_F}.", "FR_NIR"),
        (CORSE_A, "FR_NIR"),
        (CORSE_B, "FR_NIR"),
        (CORSE_B.lower(), "FR_NIR"),
        (PSEUDO_MONTH, "FR_NIR"),
        (f"INS provisoire {NIA}", "FR_NIA"),
        (with_key("3850375116001"), "FR_NIR"),
    ],
)
def test_found(text: str, type_: str) -> None:
    found = analyze(text)
    assert [f.type for f in found if f.type in ("FR_NIR", "FR_NIA")] == [type_]


@pytest.mark.parametrize(
    "text",
    [
        NIR[:13] + f"{(int(NIR[13:]) % 97) + 1:02d}",  # wrong key
        spaced(NIR[:13] + "00"),  # key 00 never exists
        with_key("5850375116001"),  # sex digit 5
        with_key("1851375116001"),  # month 13
        with_key("1850075116001"),  # month 00
        with_key("1854575116001"),  # month 45
        with_key("1850300116001"),  # department 00
        with_key("1850375116000"),  # order 000
        with_key("1850375000001"),  # commune 000
        "2A3072A07300443",  # letters in the wrong place
        NIR + "7",  # 16 digits
        "9" + NIR,  # 16 digits
        NIR[:14],  # 14 digits
        "Tél. : 06 12 34 56 78 06 98 76 54 32",
        "IBAN FR76 3000 6000 0112 3456 7890 189",
        "FR7630006000011234567890189",
        f"Commande n° {NIR}",  # valid key, but an order number
        f"Facture {spaced(NIR)}",
        f"Référence colis : {NIR}",
        f"Cde {NIR}",
        f"{NIR} est le numéro de commande",
        f"Paiement CB n° {NIR}",
        "Facture FA-2026-000123 du 12/03/2026",
    ],
)
def test_not_found(text: str) -> None:
    assert not [f for f in analyze(text) if f.type in ("FR_NIR", "FR_NIA")]


# Issue #13: what real practice mail looks like. Each row: the text, and the NIR's digits it
# must find (the test also checks the masked form comes from the original offsets).
VARIANTS = [
    # separators other than space/dot/dash/NBSP
    ("slash", "/".join([NIR[0], NIR[1:3], NIR[3:5], NIR[5:7], NIR[7:10], NIR[10:13], NIR[13:]])),
    ("en dash", spaced(NIR).replace(" ", "\u2013")),
    ("non-breaking hyphen", spaced(NIR).replace(" ", "\u2011")),
    ("middle dot", spaced(NIR).replace(" ", "\u00b7")),
    ("figure space", spaced(NIR).replace(" ", "\u2007")),
    ("en space", spaced(NIR).replace(" ", "\u2002")),
    ("ideographic space", spaced(NIR).replace(" ", "\u3000")),
    ("zero-width space", "\u200b".join(NIR)),
    ("soft hyphen", spaced(NIR).replace(" ", "\u00ad")),
    ("word joiner", "\u2060".join(NIR)),
    ("line break between blocks", spaced(NIR)[:10] + "\n\n" + spaced(NIR)[11:]),
    ("fullwidth digits", "".join(chr(0xFF10 + int(c)) for c in NIR)),
    ("arabic-indic digits", "".join(chr(0x0660 + int(c)) for c in NIR)),
    ("devanagari digits", "".join(chr(0x0966 + int(c)) for c in NIR)),
    # the key's written variants
    ("comma clé", f"{NIR[:13]}, clé {NIR[13:]}"),
    ("clef", f"{spaced(NIR)[:-3]} clef {NIR[13:]}"),
    ("semicolon key", f"{NIR[:13]}; key: {NIR[13:]}"),
    # where a hurried nurse pastes it
    ("after Tél", f"Tél : {NIR}"),
    ("after Référence dossier", f"Référence dossier : {NIR}"),
    ("glued to letters", f"NIR{NIR}"),
    ("file name", f"scan_{NIR}.pdf"),
    ("file name glued", f"CarteVitale{NIR}-recto.jpg"),
    # the key left out, in a health or identity context
    ("no key, NIR label", f"NIR : {NIR[:13]}"),
    ("no key, carte vitale spaced", f"Carte Vitale {spaced(NIR)[:-3]}"),
    ("no key, sécu", f"n° sécu {NIR[:13]} pour le pansement"),
    ("no key, after name", f"Mme Durand {NIR[:13]}, diabète de type 2, insuline"),
    ("no key, assuré", f"Assuré : {NIR_F[:13]}"),
]


@pytest.mark.parametrize(("name", "text"), VARIANTS, ids=[v[0] for v in VARIANTS])
def test_variants_found(name: str, text: str) -> None:
    found = [f for f in analyze(text) if f.type in ("FR_NIR", "FR_NIA")]
    assert len(found) == 1, name
    f = found[0]
    chunk = text[f.start : f.end]
    digits = "".join(str(int(c)) for c in chunk if c.isdecimal())
    assert digits.startswith(NIR[:13]) or digits.startswith(NIR_F[:13])
    assert NIR[2:13] not in f.masked and NIR_F[2:13] not in f.masked


@pytest.mark.parametrize(
    "text",
    [
        NIR[:13],  # 13 digits with no context: any number
        f"Commande patient {NIR[:13]}",
        f"Facture n° {NIR[:13]}",
        "Patient, EAN 3760123456789",  # sex digit 3 refused without a key
        f"Patient : {NIR[:13]} clé {(int(NIR[13:]) % 97) + 1:02d}",  # wrong key written
        f"NIR : {NIR[:3]}13{NIR[5:13]}",  # month 13
        f"NIR : 3{NIR[1:13]}",  # sex digit 3 needs the key
        "Tél : 01 85 05 78 00 60 84",  # a phone number in pairs
        "Tél. : 06 12 34 56 78 / 06 98 76 54 32",
        "Patient, IBAN FR76 3000 6000 0112 3456 7890 189",
        "Patient, SIRET 12345678901234",
        f"Dossier n° 9{NIR[:13]}",  # 14 digits
        f"Patient : {NIR[:13]}45678",  # 18 digits
    ],
)
def test_variants_not_found(text: str) -> None:
    found = [f for f in analyze(text) if f.type in ("FR_NIR", "FR_NIA")]
    assert not found, text


def test_context_raises_confidence() -> None:
    bare = only(NIR, "FR_NIR")[0].confidence
    ctx = only(f"N° de sécurité sociale : {NIR}", "FR_NIR")[0].confidence
    assert ctx > bare >= 0.5


def test_positive_context_wins_over_negative() -> None:
    assert only(f"Facture au patient, NIR {NIR}", "FR_NIR")


def test_masked_shows_at_most_first_and_last_two() -> None:
    f = only(spaced(NIR), "FR_NIR")[0]
    digits = [c for c in f.masked if c.isdigit()]
    assert digits == [NIR[0], NIR[1], NIR[13], NIR[14]]
    assert NIR[2:13] not in f.masked.replace(" ", "")


# ------------------------------------------------------------------ hypothesis properties

_SEPS = st.sampled_from([" ", "", ".", "-", "\u00a0", "\u202f", "  ", " - ", "\n", "\t"])


@st.composite
def valid_nir(draw: st.DrawFn) -> str:
    sex = draw(st.sampled_from("123478"))
    year = draw(st.integers(0, 99))
    month = draw(st.one_of(st.integers(1, 12), st.integers(20, 42), st.integers(50, 99)))
    dept = draw(
        st.one_of(
            st.integers(1, 96).map(lambda d: f"{d:02d}"),
            st.sampled_from(["2A", "2B", "99"]),
        )
    )
    commune = draw(st.integers(1, 999))
    order = draw(st.integers(1, 999))
    return with_key(f"{sex}{year:02d}{month:02d}{dept}{commune:03d}{order:03d}")


@st.composite
def formatted(draw: st.DrawFn, nir: str) -> str:
    groups = [nir[0], nir[1:3], nir[3:5], nir[5:7], nir[7:10], nir[10:13]]
    out = groups[0]
    for g in groups[1:]:
        out += draw(_SEPS) + g
    key_sep = draw(st.sampled_from([" ", "", " clé ", " clé : ", " (", " / ", "\u00a0"]))
    return out + key_sep + nir[13:]


@settings(max_examples=150, deadline=None)
@given(data=st.data(), nir=valid_nir())
def test_property_any_valid_nir_in_any_format_is_found(data: st.DataObject, nir: str) -> None:
    text = data.draw(formatted(nir))
    prefix = data.draw(st.sampled_from(["", "NIR : ", "Patient ", "le numéro ", "\n"]))
    found = [f for f in analyze(prefix + text + " ok") if f.type in ("FR_NIR", "FR_NIA")]
    assert len(found) == 1
    assert found[0].type == ("FR_NIA" if nir[0] in "78" else "FR_NIR")


@settings(max_examples=150, deadline=None)
@given(data=st.data(), digits=st.text("0123456789", min_size=13, max_size=13))
def test_property_wrong_key_never_found(data: st.DataObject, digits: str) -> None:
    good = nir_key(digits)
    key = data.draw(st.integers(0, 99).filter(lambda k: k != good))
    nir = digits + f"{key:02d}"
    text = data.draw(formatted(nir))
    assert not [f for f in analyze("NIR : " + text) if f.type in ("FR_NIR", "FR_NIA")]
