"""What the station says about one file, whatever the engine: the verdicts and their reasons.

Every file gets exactly one :class:`Verdict`. Only an engine's explicit "no threat" for a
file hygie itself found fully scannable is :attr:`Verdict.CLEAN`; everything else that is
not a detection is :attr:`Verdict.NOT_SCANNED` with a :class:`Reason` and, always, a detail
that says why (a failed file never carries an empty reason in the JSON).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Verdict(StrEnum):
    CLEAN = "clean"
    INFECTED = "infected"
    NOT_SCANNED = "not_scanned"


class Reason(StrEnum):
    ENCRYPTED = "encrypted"
    OVER_LIMIT = "over_limit"
    TOO_DEEP = "too_deep"
    UNINSPECTABLE = "uninspectable"
    UNREADABLE = "unreadable"
    TIMEOUT = "timeout"
    ENGINE_ERROR = "engine_error"
    CHANGED = "changed"
    LINK = "link"
    NOT_REGULAR = "not_regular"


@dataclass(frozen=True)
class EngineAnswer:
    """One engine's answer for one file (or in-memory canary), already failing closed."""

    verdict: Verdict
    reason: Reason | None = None
    signature: str = ""
    detail: str = ""

    def __post_init__(self) -> None:
        if self.verdict is Verdict.NOT_SCANNED and (self.reason is None or not self.detail):
            raise ValueError("a file not scanned needs a reason and a detail")
        if self.verdict is Verdict.INFECTED and not self.signature:
            raise ValueError("a detection needs the signature name")


CLEAN = EngineAnswer(Verdict.CLEAN)


def not_scanned(reason: Reason, detail: str) -> EngineAnswer:
    return EngineAnswer(Verdict.NOT_SCANNED, reason, detail=detail or reason.value)
