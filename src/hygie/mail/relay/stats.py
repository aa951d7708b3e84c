"""Relay statistics: counts per day and decision, never any content nor address."""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections import Counter

log = logging.getLogger("hygie.mail.relay")


class RelayStats:
    """Counts per day and decision, flushed to the store (``mail_relay_daily``) now and then."""

    def __init__(self, flush_every_s: float = 2.0) -> None:
        self._lock = threading.Lock()
        self._pending: Counter[tuple[str, str]] = Counter()
        self._bytes: Counter[tuple[str, str]] = Counter()
        self.totals: Counter[str] = Counter()
        self._last_flush = time.monotonic()
        self._flush_lock = threading.Lock()
        self.flush_every_s = flush_every_s

    def record(self, decision: str, size: int) -> bool:
        day = dt.datetime.now(dt.UTC).date().isoformat()
        with self._lock:
            self._pending[(day, decision)] += 1
            self._bytes[(day, decision)] += size
            self.totals[decision] += 1
            due = time.monotonic() - self._last_flush >= self.flush_every_s
        return due

    def flush_if_due(self) -> None:
        if time.monotonic() - self._last_flush >= self.flush_every_s:
            self.flush()

    def flush(self) -> None:
        with self._flush_lock:
            self._flush()

    def _flush(self) -> None:
        with self._lock:
            pending, sizes = self._pending, self._bytes
            self._pending, self._bytes = Counter(), Counter()
            self._last_flush = time.monotonic()
        if not pending:
            return
        from hygie.mail.store import add_relay_counts

        try:
            add_relay_counts({k: (n, sizes[k]) for k, n in pending.items()})
        except Exception:
            log.exception("relay statistics could not be written")
