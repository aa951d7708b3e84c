"""Recognizers as data (Presidio's shape): patterns, context words, one pure validator.

A :class:`Recognizer` is declared in ``recognizers/<cc>_<entity>.py`` with class-level data
only; :mod:`hygie.identifiers.engine` runs them. A :class:`Finding` never carries the clear
value: only its type, confidence, offsets in the analysed text and a masked form
(first and last two digits at most).
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hygie.masking import MASK_CHAR, mask_all, mask_digits

__all__ = [
    "MASK_CHAR",
    "MIN_CONFIDENCE",
    "Finding",
    "Pattern",
    "Recognizer",
    "mask_all",
    "mask_digits",
]

#: Findings below this confidence are dropped.
MIN_CONFIDENCE = 0.5


@dataclass(frozen=True, slots=True)
class Pattern:
    """A regular expression and the confidence of a bare match (before validation/context)."""

    name: str
    regex: str
    score: float
    flags: int = 0
    #: Lower-case substrings: the pattern only runs on texts holding one of them (speed).
    prefilter: tuple[str, ...] = ()
    #: Every match holds this many digits in a row, separators aside
    #: (:mod:`hygie.identifiers.prefilter`): the pattern only runs on texts holding such a
    #: run (speed). 0: no such promise. Checked against the regex by
    #: ``tests/unit/identifiers/test_prefilter.py``.
    digit_run: int = 0
    #: Letters that count as digits in that run ("ABab": a Corsican department, "2A").
    digit_run_letters: str = ""
    #: Every match holds a lower-case letter, a blank and a capital in a row ("chez Anne
    #: Petit"): the pattern only runs on texts holding such a triple (speed; checked like
    #: ``digit_run``).
    word_pair: bool = False


@dataclass(frozen=True)
class Recognizer:
    """One kind of identifier.

    * ``validate(compact) -> bool | None``: ``True`` raises the score to ``validated_score``,
      ``False`` drops the match, ``None`` keeps the pattern score (no checksum).
    * ``normalize(raw) -> compact``: what the validator and the masker see.
    * ``context``: lower-case words that, found within ``context_window`` characters before
      (or ``context_after`` after) the match, add ``context_boost``; ``negative_context``
      subtracts ``negative_penalty``. ``requires_context`` drops matches with no context word.
    * ``classify(compact) -> type``: optional, for one pattern covering two types (NIR/NIA).
    * ``patient``: a patient identifier (``False`` for professional/establishment numbers,
      which are only a weak health signal). The registry derives "patient data" from it.
    * ``strong``: identifies a patient by itself (no health context needed).
    * ``types``: every finding type this recognizer produces (default: its ``id``; a
      ``classify`` may produce others, e.g. FR_NIR -> FR_NIA), with their French labels.
    """

    id: str
    label_fr: str
    patterns: tuple[Pattern, ...]
    validate: Callable[[str], bool | None] | None = None
    normalize: Callable[[str], str] = str
    context: tuple[str, ...] = ()
    negative_context: tuple[str, ...] = ()
    context_window: int = 60
    context_after: int = 20
    context_boost: float = 0.2
    negative_penalty: float = 0.4
    requires_context: bool = False
    #: Characters after the match in which negative words count (before: the last 40).
    negative_after: int = 15
    #: A negative word drops the match even when a positive word is there (names: a
    #: signature "Cordialement, Mme X, infirmière" is the sender, not a patient).
    negative_overrides: bool = False
    #: Negative words that only count when ``weak_negative_applies(raw)`` is true (NIR: "Tél"
    #: counts against a number written in pairs like a phone number, not against a NIR
    #: written compact or in its own groups).
    weak_negative_context: tuple[str, ...] = ()
    weak_negative_applies: Callable[[str], bool] | None = None
    validated_score: float = 0.85
    classify: Callable[[str], str] | None = None
    mask: Callable[[str], str] | None = None
    group: int = 0
    #: A regex that must match right before the value (``...\Z`` on the preceding
    #: ``context_window`` characters): "né le", "DDN :"...
    context_before: str | None = None
    context_before_ignore_case: bool = True
    #: A regex that must *not* match right before the value (``...\Z`` on the preceding 40
    #: characters): a greeting before a name ("Bonjour Anne Petit"), a street ("avenue ...").
    not_after: str | None = None
    patient: bool = True
    strong: bool = False
    types: tuple[tuple[str, str], ...] = ()
    spec: str = ""

    @property
    def produces(self) -> tuple[tuple[str, str], ...]:
        """(type, French label) of every finding type this recognizer produces."""
        return self.types or ((self.id, self.label_fr),)

    @functools.cached_property
    def compiled(self) -> tuple[tuple[Pattern, re.Pattern[str]], ...]:
        return tuple((p, re.compile(p.regex, p.flags)) for p in self.patterns)


@dataclass(frozen=True, slots=True)
class Finding:
    """One identifier found: type, confidence, location, masked value; never the clear value.

    ``start``/``end`` are offsets in the analysed text of ``context_part`` (a part of a
    document: "corps du message", "pièce jointe ordonnance.pdf", "page 2"...).
    """

    type: str
    confidence: float
    start: int
    end: int
    masked: str
    context_part: str = ""
    #: Patient data: the ``patient`` flag of the recognizer that found it.
    patient: bool = False

    def with_part(self, part: str) -> Finding:
        return dataclasses.replace(self, context_part=part)

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "confidence": round(self.confidence, 2),
            "start": self.start,
            "end": self.end,
            "masked": self.masked,
            "part": self.context_part,
            "patient": self.patient,
        }


__all__ = [
    "MASK_CHAR",
    "MIN_CONFIDENCE",
    "Finding",
    "Pattern",
    "Recognizer",
    "mask_all",
    "mask_digits",
]
