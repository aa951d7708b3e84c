"""Normalization before matching (issue #13): what it maps, and offsets mapped back."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from hygie.identifiers.normalize import _LATIN1_CHANGED, _map_char, _normalize_scan, normalize


def _naive(text: str) -> tuple[str, list[int]]:
    out: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        rep = ch if ch.isascii() else _map_char(ch)
        for c in rep:
            out.append(c)
            origin.append(i)
    return "".join(out), origin


def test_mappings() -> None:
    assert normalize("１８５").text == "185"  # fullwidth digits
    assert normalize("١٨٥").text == "185"  # Arabic-Indic digits
    assert normalize("1\u200b8\u00ad5\u20600\ufeff").text == "1850"  # Cf removed
    assert normalize("1\u00a02\u20073\u30004").text == "1 2 3 4"  # Zs -> space
    assert normalize("1\u20132\u20113\u22124").text == "1-2-3-4"  # dashes, minus
    assert normalize("1\u00b72\u20223").text == "1.2.3"
    assert normalize("été « ça » l’été").text == "été « ça » l’été"  # French text unchanged


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab1 é’\u200b\u00ad\u2060\uff11\u00a0\u2013\u3000", max_size=40))
def test_offsets_map_back_to_the_original(text: str) -> None:
    n = normalize(text)
    expected, origin = _naive(text)
    assert n.text == expected
    for start in range(len(expected)):
        for end in range(start + 1, len(expected) + 1):
            assert n.span(start, end) == (origin[start], origin[end - 1] + 1)


def test_latin1_fast_path_knows_every_latin1_change() -> None:
    """The fast path's list is every Latin-1 character the mapping changes (not a guess)."""
    changed = {chr(i) for i in range(0x80, 0x100) if normalize(chr(i)).text != chr(i)}
    assert changed == set(_LATIN1_CHANGED) == {"\u00a0", "\u00ad", "\u00b7"}


@settings(max_examples=400, deadline=None)
@given(
    st.text(
        alphabet=st.one_of(
            st.characters(max_codepoint=0xFF),
            st.sampled_from("\u00a0\u00ad\u00b7é’\u2013\uff11\u200b"),
        ),
        max_size=60,
    )
)
def test_fast_path_is_the_same_as_the_scan(text: str) -> None:
    assert normalize(text) == _normalize_scan(text)
