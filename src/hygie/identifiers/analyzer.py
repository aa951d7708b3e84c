"""Run the recognizers over a text: matches -> validation -> context -> overlaps.

Pure and in-memory: nothing is logged or stored; findings carry masked values only.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Iterable

from hygie.identifiers.model import MIN_CONFIDENCE, Finding, Pattern, Recognizer
from hygie.identifiers.normalize import normalize
from hygie.identifiers.prefilter import LowerText, TextProbe
from hygie.identifiers.recognizers._common import Vocabulary, words_regex
from hygie.identifiers.recognizers.health_terms import health_weight
from hygie.identifiers.registry import recognizers, strong_types

#: Weight of health vocabulary from which a document is "in a health context".
HEALTH_CONTEXT_WEIGHT = 2.0
#: Characters around contextual findings in which the health vocabulary is weighed.
HEALTH_WINDOW = 1000


#: Context lists longer than this are looked up word by word (a Vocabulary), not by regex.
VOCABULARY_FROM = 40


@functools.cache
def _context_matcher(words: tuple[str, ...]) -> re.Pattern[str] | Vocabulary | None:
    if not words:
        return None
    if len(words) > VOCABULARY_FROM:
        return Vocabulary(words)
    return words_regex(tuple(w.lower() for w in words), ignore_case=False)


def _has(words: tuple[str, ...], window: str) -> bool:
    """``window`` must be lower case."""
    matcher = _context_matcher(words)
    if matcher is None:
        return False
    if isinstance(matcher, Vocabulary):
        return matcher.search(window)
    return matcher.search(window) is not None


@functools.cache
def _before_re(regex: str, ignore_case: bool = True) -> re.Pattern[str]:
    return re.compile(f"(?:{regex})\\Z", re.IGNORECASE if ignore_case else 0)


def _whole_words_before(lower: str, start: int, n: int) -> str:
    """The ``n`` characters before ``start``, without a word cut in two at the left edge."""
    lo = max(0, start - n)
    while lo < start and lo > 0 and lower[lo - 1].isalnum() and lower[lo].isalnum():
        lo += 1
    return lower[lo:start]


def _whole_words_after(lower: str, end: int, n: int) -> str:
    """The ``n`` characters after ``end``, extended to the end of the last word ("pr" of a
    cut "prise" must not read as the title "Pr")."""
    hi = min(len(lower), end + n)
    limit = min(len(lower), hi + 30)
    while hi < limit and lower[hi].isalnum() and lower[hi - 1].isalnum():
        hi += 1
    return lower[end:hi]


def _process(
    rec: Recognizer, pattern: Pattern, raw: str, start: int, end: int, text: str, lower: str
) -> Finding | None:
    """Validation, context and scoring of one match."""
    if rec.context_before is not None:
        window = text[max(0, start - rec.context_window) : start]
        if _before_re(rec.context_before, rec.context_before_ignore_case).search(window) is None:
            return None
    if rec.not_after is not None:
        window = text[max(0, start - 40) : start]
        if _before_re(rec.not_after, False).search(window) is not None:
            return None
    compact = rec.normalize(raw)
    verdict = rec.validate(compact) if rec.validate is not None else None
    if verdict is False:
        return None
    score = rec.validated_score if verdict else pattern.score
    if rec.context or rec.negative_context:
        lo = max(0, start - rec.context_window)
        before = lower[lo:start]
        after = lower[end : end + rec.context_after]
        positive = _has(rec.context, before + " " + after)
        if rec.requires_context and not positive:
            return None
        neg_before = _whole_words_before(lower, start, 40)
        line_start = neg_before.rfind("\n")
        if line_start >= 0 and len(neg_before[line_start:].strip()) >= 3:
            # A label on the same line speaks for the number; the line above does not
            # ("Subject: Suivi" above a NIR is not a parcel tracking number).
            neg_before = neg_before[line_start:]
        neg_window = neg_before + " " + _whole_words_after(lower, end, rec.negative_after)
        negative = (not positive or rec.negative_overrides) and (
            _has(rec.negative_context, neg_window)
            or (
                bool(rec.weak_negative_context)
                and (rec.weak_negative_applies is None or rec.weak_negative_applies(raw))
                and _has(rec.weak_negative_context, neg_window)
            )
        )
        if negative and rec.negative_overrides:
            return None
        if positive:
            score += rec.context_boost
        elif negative:
            score -= rec.negative_penalty
    score = min(score, 1.0)
    if score < MIN_CONFIDENCE:
        return None
    type_ = rec.classify(compact) if rec.classify is not None else rec.id
    masked = rec.mask(raw) if rec.mask is not None else "•••"
    return Finding(type_, round(score, 3), start, end, masked, patient=rec.patient)


def _active(pattern: Pattern, lower: LowerText, runs: TextProbe | None) -> bool:
    """The pattern runs on this text: one of its words is there (a choice of the recognizer:
    no RPPS without "rpps"...), and so are its digit run and word pair (``runs`` None: not
    checked)."""
    if runs is not None:  # first: these are computed once per text, the words per pattern
        if not runs.has(pattern.digit_run, pattern.digit_run_letters):
            return False
        if pattern.word_pair and not runs.has_word_pair():
            return False
    if not pattern.prefilter:
        return True
    if runs is None:
        return any(w in lower.text for w in pattern.prefilter)
    return any(runs.has_word(w, lower) for w in pattern.prefilter)


def _run_all(text: str, lower: LowerText, *, prefilter: bool = True) -> list[Finding]:
    """Each distinct regex scans the text once; its matches go to every recognizer that
    declared it (birth dates in context and in patient lists share one date scan).

    A pattern whose digit run or word pair is not in the text cannot match and is skipped
    (:mod:`hygie.identifiers.prefilter`); ``prefilter=False`` runs it anyway: the reference
    the pre-filter is tested against."""
    found: list[Finding] = []
    groups: dict[tuple[str, int, int], list[tuple[Recognizer, Pattern, re.Pattern[str]]]] = {}
    runs = TextProbe(text) if prefilter else None
    for rec in recognizers():
        for pattern, rx in rec.compiled:
            if _active(pattern, lower, runs):
                key = (pattern.regex, pattern.flags, rec.group)
                groups.setdefault(key, []).append((rec, pattern, rx))
    for (_regex, _flags, group), users in groups.items():
        for m in users[0][2].finditer(text):
            start, end = m.span(group)
            raw = m.group(group)
            for rec, pattern, _rx in users:
                f = _process(rec, pattern, raw, start, end, text, lower.text)
                if f is not None:
                    found.append(f)
    return found


def _resolve_overlaps(findings: list[Finding]) -> list[Finding]:
    """Keep the strongest of overlapping findings (patient types first, then longer)."""
    strong = strong_types()
    ranked = sorted(
        findings,
        key=lambda f: (f.type in strong, f.confidence, f.end - f.start),
        reverse=True,
    )
    kept: list[Finding] = []
    for f in ranked:
        if all(f.end <= k.start or f.start >= k.end for k in kept):
            kept.append(f)
    return sorted(kept, key=lambda f: (f.start, f.end))


def analyze(text: str, *, prefilter: bool = True) -> tuple[Finding, ...]:
    """Every identifier found in ``text``, in order; never the clear value.

    The text is normalized once (:mod:`hygie.identifiers.normalize`: Unicode digits, format
    characters, every space and dash); offsets are those of ``text``. Health vocabulary is
    only weighed around contextual findings (names, birth dates) and around professional
    numbers; it is reported once as ``HEALTH_CONTEXT``. ``prefilter=False`` does not skip the
    patterns whose digit run or word pair is missing (the reference for the tests: same findings,
    slower).
    """
    norm = normalize(text)
    found = _analyze(norm.text, prefilter=prefilter)
    if norm.origin is None:
        return found
    out = []
    for f in found:
        start, end = norm.span(f.start, f.end)
        out.append(dataclasses.replace(f, start=start, end=end))
    return tuple(out)


def _analyze(text: str, *, prefilter: bool = True) -> tuple[Finding, ...]:
    lower = LowerText(text)  # made only if a pattern needs it
    found = _resolve_overlaps(_run_all(text, lower, prefilter=prefilter))
    weak = [f for f in found if f.type not in strong_types()]
    if weak:
        # Weigh the vocabulary only around the contextual findings (speed, and relevance).
        lo = max(0, min(f.start for f in weak) - HEALTH_WINDOW)
        hi = max(f.end for f in weak) + HEALTH_WINDOW
        weight, first, last = health_weight(text[lo:hi])
        if weight > 0:
            conf = min(1.0, 0.3 + weight / 10.0)
            found.append(Finding("HEALTH_CONTEXT", round(conf, 3), lo + first, lo + last, "•••"))
    return tuple(found)


def is_patient_data(findings: Iterable[Finding]) -> bool:
    """The document holds patient data: a strong identifier, a birth date in context, or a
    patient name (which only exists next to specific health vocabulary)."""
    return any(f.patient and f.confidence >= MIN_CONFIDENCE for f in findings)
