"""How a report's statuses are stored: one character per measure, in ``measure.position`` order.

``o`` ok, ``w`` warn, ``f`` fail, ``u`` unknown, ``n`` not applicable (migration 0001). A
measure the database knows but a report does not carry is stored ``u`` (unknown), never ok.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from hygie.fleet.report import STATUSES

STATUS_CHAR: dict[str, str] = {
    "ok": "o",
    "warn": "w",
    "fail": "f",
    "unknown": "u",
    "not_applicable": "n",
}
CHAR_STATUS: dict[str, str] = {c: s for s, c in STATUS_CHAR.items()}
assert set(STATUS_CHAR) == set(STATUSES), "a report status has no storage character"


def encode(measures: Mapping[str, str], order: Sequence[str]) -> str:
    """The stored form of ``measures`` ({"M01": "ok", …}) for the database's measure ``order``."""
    return "".join(STATUS_CHAR[measures.get(mid, "unknown")] for mid in order)


def decode(stored: str, order: Sequence[str]) -> dict[str, str]:
    """{"M01": "ok", …} from the stored characters (a missing character reads unknown)."""
    return {
        mid: CHAR_STATUS.get(stored[i], "unknown") if i < len(stored) else "unknown"
        for i, mid in enumerate(order)
    }
