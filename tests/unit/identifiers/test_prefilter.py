"""The digit-run pre-filter (hygie.identifiers.prefilter) never hides a finding.

Two independent checks:

* each pattern's declared ``digit_run`` is at most a lower bound computed from its regex's
  parse tree (the run every match holds, in a normalized text): a wrong declaration, or a
  regex changed later without its declaration, fails here;
* a hypothesis property: the analysis with the pre-filter finds exactly what the analysis
  without it finds, on generated texts built from every NIR variant of the tests, the other
  identifiers, separators, Unicode digits and spaces, format characters and letters.
"""

from __future__ import annotations

import functools
import re
import sys
import unicodedata
from re import _constants as sre_c  # type: ignore[attr-defined]
from re import _parser as sre_p  # type: ignore[attr-defined]
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.id_helpers import with_key
from tests.unit.identifiers.test_fr_nir import CORSE_A, CORSE_B, NIA, NIR, NIR_F, VARIANTS
from tests.unit.identifiers.test_fr_nir_nokey import BODY as NIR13

from hygie.identifiers import analyze, recognizers
from hygie.identifiers.normalize import normalize
from hygie.identifiers.prefilter import _PAIR_TABLE, RUN_SEPARATORS, TextProbe

# ------------------------------------------------------------ lower bound from the regex


@functools.cache
def _decimals() -> frozenset[str]:
    """What ``\\d`` matches in a str pattern (Unicode decimal digits)."""
    return frozenset(chr(i) for i in range(sys.maxunicode + 1) if chr(i).isdecimal())


def _survives(ch: str) -> bool:
    """``ch`` can be in a normalized text (the pre-filter only ever sees those)."""
    return bool(normalize(ch).text == ch)


def _kind(chars: frozenset[str] | None, letters: str) -> str:
    """How a character the regex consumes acts on a run, at worst: "D" always extends it,
    "S" never breaks it, "O" may break it (None: any character)."""
    if chars is None:
        return "O"
    digits = set("0123456789" + letters)
    live = {c for c in chars if _survives(c)}
    if live <= digits:
        return "D" if live else "S"  # an impossible class: count it as neutral (lower)
    if live <= digits | set(RUN_SEPARATORS):
        return "S"
    return "O"


def _cased(ch: str, ignore_case: bool) -> set[str]:
    return {ch, ch.lower(), ch.upper(), ch.swapcase()} if ignore_case else {ch}


def _class(items: list[tuple[Any, Any]], ignore_case: bool) -> frozenset[str] | None:
    out: set[str] = set()
    for op, av in items:
        if op is sre_c.NEGATE:
            return None
        if op is sre_c.LITERAL:
            assert isinstance(av, int)
            out |= _cased(chr(av), ignore_case)
        elif op is sre_c.RANGE:
            assert isinstance(av, tuple)
            lo, hi = av
            if hi - lo > 5000:
                return None
            for i in range(lo, hi + 1):
                out |= _cased(chr(i), ignore_case)
        elif op is sre_c.CATEGORY and av is sre_c.CATEGORY_DIGIT:
            out |= _decimals()
        else:  # \w, \s, other categories: may be anything
            return None
    return frozenset(out)


# A shape: what a piece of regex does to runs, (broken, prefix, inner, suffix). Not broken
# (no character that may break a run): ``prefix`` is its number of digits. Broken: the run
# it starts with, the longest run inside, the run it ends with.
Shape = tuple[bool, int, int, int]
PURE0: Shape = (False, 0, 0, 0)


def _cat(a: Shape, b: Shape) -> Shape:
    if not a[0] and not b[0]:
        return (False, a[1] + b[1], 0, 0)
    if not a[0]:
        return (True, a[1] + b[1], b[2], b[3])
    if not b[0]:
        return (True, a[1], a[2], a[3] + b[1])
    return (True, a[1], max(a[2], a[3] + b[1], b[2]), b[3])


def _seq(options_list: list[set[Shape]]) -> set[Shape]:
    acc: set[Shape] = {PURE0}
    for options in options_list:
        acc = {_cat(a, b) for a in acc for b in options}
        assert len(acc) < 5000, "too many shapes"
    return acc


def _shapes(parsed: Any, ic: bool, letters: str) -> set[Shape]:
    parts: list[set[Shape]] = []
    for op, av in parsed:
        if op is sre_c.LITERAL:
            parts.append({_one(_kind(frozenset(_cased(chr(av), ic)), letters))})
        elif op is sre_c.IN:
            parts.append({_one(_kind(_class(av, ic), letters))})
        elif op in (sre_c.NOT_LITERAL, sre_c.ANY, sre_c.GROUPREF):
            parts.append({_one("O")})
        elif op in (sre_c.AT, sre_c.ASSERT, sre_c.ASSERT_NOT):
            continue  # zero width
        elif op is sre_c.SUBPATTERN:
            _group, add, dele, sub = av
            sub_ic = (ic or bool(add & re.IGNORECASE)) and not (dele & re.IGNORECASE)
            parts.append(_shapes(sub, sub_ic, letters))
        elif op is sre_c.ATOMIC_GROUP:
            parts.append(_shapes(av, ic, letters))
        elif op is sre_c.BRANCH:
            _none, branches = av
            options: set[Shape] = set()
            for b in branches:
                options |= _shapes(b, ic, letters)
            parts.append(options)
        elif op in (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT, sre_c.POSSESSIVE_REPEAT):
            lo, _hi, sub = av
            # More copies never shorten the longest run: the fewest copies is the minimum.
            parts.append(_seq([_shapes(sub, ic, letters)] * lo))
        elif op is sre_c.GROUPREF_EXISTS:
            _g, yes, no = av
            no_shapes = _shapes(no, ic, letters) if no else {PURE0}
            parts.append(_shapes(yes, ic, letters) | no_shapes)
        else:
            raise AssertionError(f"regex construct not handled: {op}")
    return _seq(parts)


def _one(kind: str) -> Shape:
    if kind == "D":
        return (False, 1, 0, 0)
    if kind == "S":
        return PURE0
    return (True, 0, 0, 0)


def guaranteed_run(regex: str, flags: int, letters: str = "") -> int:
    """A lower bound of the longest digit run (pre-filter sense, ``letters`` counting as
    digits) in any match of ``regex`` within a normalized text."""
    parsed = sre_p.parse(regex, flags)
    shapes = _shapes(parsed, bool(parsed.state.flags & re.IGNORECASE), letters)
    return min(max(s[1], s[2], s[3]) for s in shapes)


# -------------------------------------------------- word pair: first/last characters

_ONE_CHAR = (sre_c.LITERAL, sre_c.NOT_LITERAL, sre_c.ANY, sre_c.IN)
_ZERO_WIDTH = (sre_c.AT, sre_c.ASSERT, sre_c.ASSERT_NOT)
_REPEATS = (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT, sre_c.POSSESSIVE_REPEAT)


def _item_chars(op: Any, av: Any, ic: bool) -> frozenset[str] | None:
    """The characters a one-character item may consume (None: any)."""
    if op is sre_c.LITERAL:
        return frozenset(_cased(chr(av), ic))
    if op is sre_c.IN:
        return _class(av, ic)
    return None


def _sub(op: Any, av: Any, ic: bool) -> tuple[list[Any], bool]:
    """The sequence inside a group and its IGNORECASE state."""
    if op is sre_c.SUBPATTERN:
        _group, add, dele, sub = av
        return list(sub), (ic or bool(add & re.IGNORECASE)) and not (dele & re.IGNORECASE)
    return list(av), ic


def _nullable(seq: list[Any]) -> bool:
    return all(_item_nullable(op, av) for op, av in seq)


def _item_nullable(op: Any, av: Any) -> bool:
    if op in _ONE_CHAR:
        return False
    if op in _ZERO_WIDTH or op is sre_c.GROUPREF:
        return True
    if op in (sre_c.SUBPATTERN, sre_c.ATOMIC_GROUP):
        return _nullable(_sub(op, av, False)[0])
    if op is sre_c.BRANCH:
        return any(_nullable(list(b)) for b in av[1])
    if op in _REPEATS:
        return av[0] == 0 or _nullable(list(av[2]))
    raise AssertionError(f"regex construct not handled: {op}")


def _ends(seq: list[Any], ic: bool, *, last: bool) -> frozenset[str] | None:
    """The characters a match of ``seq`` may start (or end) with; None: any."""
    out: set[str] = set()
    for op, av in reversed(seq) if last else seq:
        if op in _ZERO_WIDTH:
            continue
        if op in _ONE_CHAR:
            chars = _item_chars(op, av, ic)
        elif op in (sre_c.SUBPATTERN, sre_c.ATOMIC_GROUP):
            chars = _ends(*_sub(op, av, ic), last=last)
        elif op is sre_c.BRANCH:
            chars = frozenset()
            for b in av[1]:
                got = _ends(list(b), ic, last=last)
                chars = None if got is None or chars is None else chars | got
        elif op in _REPEATS:
            chars = _ends(list(av[2]), ic, last=last)
        else:  # a back-reference: anything
            chars = None
        if chars is None:
            return None
        out |= chars
        if not _item_nullable(op, av):
            return frozenset(out)
    return frozenset(out)


def _read(ch: str) -> bytes:
    """How the word-pair pre-filter reads one character (its table, not a copy of it)."""
    return ch.encode("utf-8", "surrogatepass").translate(_PAIR_TABLE)


def _lowish(ch: str) -> bool:  # read as ending in lower case
    return _read(ch).endswith(b"l")


def _upish(ch: str) -> bool:  # read as starting with a capital
    return _read(ch).startswith((b"U", b"ch"))


def word_pair_guaranteed(seq: list[Any], ic: bool = False) -> bool:
    """Every match of ``seq`` (in a normalized text) holds a character read "l", a blank,
    and a character read "U", in a row (the pre-filter's sense)."""
    for i, (op, av) in enumerate(seq):
        chars = _item_chars(op, av, ic) if op in (sre_c.LITERAL, sre_c.IN) else None
        live = None if chars is None else {c for c in chars if _survives(c)}
        if live and all(_read(c) == b" " for c in live):
            before, after = seq[:i], seq[i + 1 :]
            last = _ends(before, ic, last=True)
            first = _ends(after, ic, last=False)
            if (
                not _nullable(before)
                and not _nullable(after)
                and last is not None
                and first is not None
                and all(_lowish(c) for c in last if _survives(c))
                and all(_upish(c) for c in first if _survives(c))
            ):
                return True
        if op in (sre_c.SUBPATTERN, sre_c.ATOMIC_GROUP) and word_pair_guaranteed(*_sub(op, av, ic)):
            return True  # a group is matched whenever its sequence is
        if op in _REPEATS and av[0] >= 1 and word_pair_guaranteed(list(av[2]), ic):
            return True
        if op is sre_c.BRANCH and all(word_pair_guaranteed(list(b), ic) for b in av[1]):
            return True
    return False


def _pair(regex: str, flags: int = 0) -> bool:
    parsed = sre_p.parse(regex, flags)
    return word_pair_guaranteed(list(parsed), bool(parsed.state.flags & re.IGNORECASE))


PATTERNS = [(rec.id, p) for rec in recognizers() for p in rec.patterns]


@pytest.mark.parametrize(("rec_id", "pattern"), PATTERNS, ids=[p.name for _r, p in PATTERNS])
def test_declared_digit_run_is_guaranteed_by_the_regex(rec_id: str, pattern: object) -> None:
    from hygie.identifiers.model import Pattern

    assert isinstance(pattern, Pattern)
    bound = guaranteed_run(pattern.regex, pattern.flags, pattern.digit_run_letters)
    assert 0 <= pattern.digit_run <= bound, (rec_id, pattern.name, pattern.digit_run, bound)


@pytest.mark.parametrize(("rec_id", "pattern"), PATTERNS, ids=[p.name for _r, p in PATTERNS])
def test_declared_word_pair_is_guaranteed_by_the_regex(rec_id: str, pattern: object) -> None:
    from hygie.identifiers.model import Pattern

    assert isinstance(pattern, Pattern)
    if pattern.word_pair:
        assert _pair(pattern.regex, pattern.flags), (rec_id, pattern.name)


def test_the_word_pair_checker_can_fail() -> None:
    assert _pair("[a-z]+ [A-Z][a-z]+")
    assert _pair("(?:Mme|Mr) ([A-Z]\\w+)")
    assert not _pair("(?:Mme|M\\.) ([A-Z]\\w+)")  # "M. Dupont": "." before the blank
    assert not _pair("[a-z]+ ?[A-Z]")  # the blank is optional
    assert not _pair("[a-z]* [A-Z]")  # nothing before the blank
    assert not _pair("[a-z.] [A-Z]")  # "." reads "x"
    assert not _pair("[a-z]\u00a0[A-Z]")  # NBSP is a space once normalized: never there
    assert not _pair("[a-z] [A-Z]", re.IGNORECASE)  # [A-Z] then matches "a"
    assert _pair("(?:x|[a-zé]) [ÉA-Z]")
    assert not _pair("[a-z] [A-Zé]")  # "é" is not read as a capital
    assert not _pair("[a-zÉ] [A-Z]")  # nor "É" as lower case
    assert not _pair("(?:x|[a-zé]) [ÉA-Z]|y")


def test_numeric_patterns_use_the_prefilter() -> None:
    """The patterns that cost the most on clean text do declare their run (so the speed-up
    cannot silently vanish if a declaration is dropped)."""
    runs = {p.name: p.digit_run for _r, p in PATTERNS}
    assert runs["nir_15"] == 13
    assert runs["nir_13"] == 13
    assert runs["birth_date"] >= 1
    assert runs["list_birth_date"] >= 1
    assert {p.name for _r, p in PATTERNS if p.word_pair} == {"first_last_name"}


def test_the_bound_checker_can_fail() -> None:
    """The checker is not vacuous: it gives small bounds where the regex promises little."""
    assert guaranteed_run(r"\d{3}", 0) == 3
    assert guaranteed_run(r"\d\d x \d", 0) == 2
    assert guaranteed_run(r"\d(?: |x)\d", 0) == 1
    assert guaranteed_run(r"\d[\u00a0 ]\d", 0) == 2  # NBSP never survives normalization
    assert guaranteed_run(r"\d\w\d", 0) == 1
    assert guaranteed_run(r"[a-z]+", 0) == 0
    assert guaranteed_run(r"2[AB]\d", re.IGNORECASE, "ABab") == 3
    assert guaranteed_run(r"2[AB]\d", re.IGNORECASE, "AB") == 1  # "a"/"b" would break it
    assert guaranteed_run(r"2[AB]\d", 0, "AB") == 3
    assert guaranteed_run(r"2[AB]\d", 0) == 1
    assert guaranteed_run(r"(?:\d{4}|\d{2}-\d)", 0) == 3


def test_unicode_digits_are_ascii_once_normalized() -> None:
    """Every character ``\\d`` matches becomes an ASCII digit in a normalized text (the
    pre-filter's table only knows ASCII digits)."""
    for ch in _decimals():
        assert normalize(ch).text in "0123456789", hex(ord(ch))
    for i in range(sys.maxunicode + 1):
        ch = chr(i)
        if unicodedata.category(ch) == "Zs" and ch != " ":
            assert normalize(ch).text == " ", hex(i)


def test_ignore_case_gives_the_run_letters_no_other_form() -> None:
    """Under IGNORECASE, A/B/a/b match only themselves (no Unicode fold such as the Kelvin
    sign for "k"), so ``_cased`` is complete for the letters a run may count."""
    rx = re.compile("[ABab]", re.IGNORECASE)
    assert {chr(i) for i in range(sys.maxunicode + 1) if rx.fullmatch(chr(i))} == set("ABab")
    digits = re.compile("[0-9]", re.IGNORECASE)
    assert sum(1 for i in range(sys.maxunicode + 1) if digits.fullmatch(chr(i))) == 10


# ------------------------------------------------------------- fast path == full path

_NIRS = [NIR, NIR_F, CORSE_A, CORSE_B, NIA, NIR13, with_key("2690549588157")[:13]]
_PIECES = [
    *[v[1] for v in VARIANTS],
    *_NIRS,
    "né le 12/03/1985",
    "DDN : 3 mars 1950",
    "1er janvier 1948",
    "Mme Anne Petit, pansement",
    "passage chez Anne Petit, Connu pour AVC ancien, insuline",
    "MONSIEUR Jean Simon, diabète, glycémie",
    "vu Jean SIMON pour pansement",
    "chez\u00a0Émile Zola, insuline",
    "Élodie Dupré perfusion",
    "Patient : Jean Martin",
    "PATİENT : Jean Martin",
    "paTIENT: Anne Petit",
    "nom de naissance : Durand",
    "RPPS 10005173140",
    "rpps\u212a 10005173140",
    "n° FİNESS 010003820",
    "ADELİ 751234567",
    "1850375116001@patient.mssante.fr",
    "patient : Jean SIMON",
    "RPPS 10003456789",
    "ADELI 751234567",
    "FINESS 750712184",
    "0612345678",
    "06 12 34 56 78",
    "clé 91",
    "2A",
    "2b",
    "ab",
    "Tournée",
]
_CHARS = (
    "0123456789 .-_/|\t\n\r,;:()ABabxé’AnePtiÉ"
    "\u00a0\u202f\u2009\u3000\u2007\u2013\u2011\u2212\u00b7\u200b\u00ad\u2060\ufeff"
    "\uff11\u0663\u09e9\U0001d7d9\u0130\u212aİK"
)


@st.composite
def texts(draw: st.DrawFn) -> str:
    chunks = draw(
        st.lists(
            st.one_of(st.sampled_from(_PIECES), st.text(alphabet=_CHARS, max_size=12)),
            max_size=8,
        )
    )
    return draw(st.sampled_from(["", " ", "\n", "x"])).join(chunks)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts())
def test_property_prefilter_finds_what_the_full_analysis_finds(text: str) -> None:
    assert analyze(text) == analyze(text, prefilter=False)


@pytest.mark.parametrize("text", [v[1] for v in VARIANTS] + _NIRS)
def test_every_nir_variant_passes_the_prefilter(text: str) -> None:
    assert TextProbe(normalize(text).text).has(13, "ABab")
    assert analyze(text) == analyze(text, prefilter=False)


@pytest.mark.parametrize(("name", "text"), VARIANTS, ids=[v[0] for v in VARIANTS])
def test_every_nir_variant_is_still_found(name: str, text: str) -> None:
    assert any(f.type in ("FR_NIR", "FR_NIA") for f in analyze(text)), name


def test_digit_free_text_skips_the_numeric_patterns() -> None:
    runs = TextProbe(normalize("Compte rendu de tournée, matériel à commander.").text)
    assert runs.has(0)
    assert not runs.has(1)
    assert runs.has(1, "ABab")  # the "a"s
    assert not runs.has(2, "ABab")
    one = TextProbe("tél 06 12-34/56.78 | 9")
    assert one.has(11) and not one.has(12)
    glued = TextProbe("scan_185057800608491.pdf")
    assert glued.has(15) and not glued.has(16)
    assert not runs.has_word_pair()  # no capital after a lower-case word
    assert TextProbe("passage chez Anne Petit").has_word_pair()
    assert TextProbe("chez Émile").has_word_pair()
    assert TextProbe("vu à Paris").has_word_pair()  # "à": its last byte reads lower case
    assert not TextProbe("matériel à commander, élève").has_word_pair()  # "à", "é": lower
    assert TextProbe("chez Ÿves").has_word_pair()
    assert TextProbe("chez Ωmega").has_word_pair()  # any non-Latin-1 character may be one
    assert not TextProbe("Fin. Début\tsuite").has_word_pair()
    mixed = TextProbe("b 1a 2")
    assert mixed.has(4, "ABab") and not mixed.has(2)  # the letters count only when asked
    none = TextProbe("x1x 2")
    assert not none.has(3, "ABab") and not none.has(3) and none.has(1)
    corsica = TextProbe("1 53 07 2A 073 004 43")
    assert corsica.has(15, "ABab") and not corsica.has(9)


@pytest.mark.parametrize(
    ("text", "word", "expected"),
    [
        ("Le Patient : X", "patient", True),
        ("le PATİENT : X", "patient", True),  # "İ" lowers to "i" + a combining dot
        ("la nom d'usage", "nom d", True),
        ("rien", "patient", False),
        ("Numéro RPPS", "rpps", True),
        ("pas de rpp s", "rpps", False),
    ],
)
def test_words_are_found_as_in_the_lower_case_text(text: str, word: str, expected: bool) -> None:
    from hygie.identifiers.prefilter import LowerText

    lower = LowerText(text)
    assert TextProbe(text).has_word(word, lower) is expected
    assert (word in lower.text) is expected
