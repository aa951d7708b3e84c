"""When to try the campaign server again: exponential back-off with jitter (pure).

After the n-th failed round in a row the next round waits ``BASE * 2**(n-1)`` seconds, capped
at ``CAP``, times a random factor in ``[0.5, 1.0]`` ("equal jitter": thousands of devices
whose server came back do not all knock at the same second), and never less than what the
server asked for with ``Retry-After`` (itself capped). ``hygie fleet send`` ignores the wait:
the nurse asked for it now.
"""

from __future__ import annotations

import random
from collections.abc import Callable

BASE = 60.0  # seconds after the first failure
CAP = 6 * 3600.0  # at most six hours between two attempts
Clock = Callable[[], float]  # seconds since the epoch (time.time); tests pass their own


def next_delay(failures: int, rng: random.Random, retry_after: float | None = None) -> float:
    """Seconds to wait after ``failures`` failed rounds in a row (``failures >= 1``)."""
    if failures < 1:
        return 0.0
    ceiling = min(CAP, BASE * float(2 ** min(failures - 1, 30)))
    delay: float = ceiling * (0.5 + rng.random() / 2)
    if retry_after is not None and retry_after > 0:
        delay = max(delay, min(retry_after, CAP))
    return delay
