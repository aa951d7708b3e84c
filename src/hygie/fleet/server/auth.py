"""Who is calling: a device's bearer token, and a brake on join-code guessing per client address.

A token is ``<campaign id>.<device id>.<secret>`` (:class:`hygie.fleet.protocol.DeviceToken`);
the database holds the SHA-256 of the secret. Nothing here logs a token or a join code beyond
its first 4 characters.
"""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Mapping

from hygie.fleet.protocol import DeviceToken

MAX_CAMPAIGN_ID = 2**31 - 1


def bearer_token(headers: Mapping[str, str]) -> DeviceToken | None:
    """The device token of an ``Authorization: Bearer …`` header, or None (absent, malformed)."""
    value = headers.get("authorization", "")
    scheme, _, raw = value.partition(" ")
    if scheme.lower() != "bearer" or not raw or len(raw) > 200:
        return None
    token = DeviceToken.parse(raw)
    if token is None or not 0 < token.campaign_id <= MAX_CAMPAIGN_ID:
        return None  # campaign ids are PostgreSQL integers
    return token


def masked(secret: str) -> str:
    """What a log may show of a token or a join code: its first 4 characters."""
    return secret[:4] + "…" if secret else ""


class JoinLimiter:
    """Failed join attempts per client address, over a sliding window.

    Only failures count: a room of nurses behind one router joining with the right code is
    never slowed down; someone trying codes gets ``429`` after ``max_failures`` wrong ones in
    ``window_s`` seconds. The memory is bounded (the oldest addresses are forgotten first). Each
    server process keeps its own counts: with N servers behind a load balancer the brake is N
    times looser, still hopeless for guessing a ~79-bit code.
    """

    def __init__(
        self, *, max_failures: int = 30, window_s: float = 600.0, max_addresses: int = 50_000
    ) -> None:
        self.max_failures = max_failures
        self.window_s = window_s
        self.max_addresses = max_addresses
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()

    def _recent(self, address: str, now: float) -> deque[float] | None:
        times = self._failures.get(address)
        if times is None:
            return None
        while times and times[0] <= now - self.window_s:
            times.popleft()
        if not times:
            del self._failures[address]
            return None
        return times

    def retry_after(self, address: str, now: float | None = None) -> int:
        """Seconds this address must wait before trying again (0: it may try now)."""
        now = time.monotonic() if now is None else now
        times = self._recent(address, now)
        if times is None or len(times) < self.max_failures:
            return 0
        return max(1, int(times[0] + self.window_s - now) + 1)

    def failed(self, address: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        times = self._recent(address, now)
        if times is None:
            times = self._failures[address] = deque(maxlen=self.max_failures)
        self._failures.move_to_end(address)
        times.append(now)
        while len(self._failures) > self.max_addresses:
            self._failures.popitem(last=False)
