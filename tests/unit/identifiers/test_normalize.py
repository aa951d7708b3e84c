"""Normalization before matching (issue #13): what it maps, and offsets mapped back."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from hygie.identifiers.normalize import _map_char, normalize


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
