"""``scan_workers = N``: the scanner in N worker processes, off the relay's GIL.

For machines with idle cores (on the project's 2-core machine threads were faster, see
docs/benchmarks.md). The worker gets the time left before the relay's deadline and computes
its own (clocks of two processes are not compared). A worker that dies breaks the pool: that
message is refused (fail closed) and the next one gets a new pool.
"""

from __future__ import annotations

import contextlib
import threading
import time
from concurrent.futures import Future
from typing import Any

from hygie.mail.relay.decide import Scanner
from hygie.scan import ScanResult, scan_email

#: Time allowed, past the scan's deadline, for a result to come back from the worker process.
TRANSPORT_GRACE_S = 5.0


def scan_with_budget(fn: Scanner, raw: bytes, budget_s: float) -> ScanResult:
    """Run in the worker process: the scan with a deadline ``budget_s`` from now."""
    return fn(raw, deadline=time.monotonic() + budget_s)


class ProcessScanner:
    """A :class:`~hygie.mail.relay.decide.Scanner` that runs ``fn`` (picklable, module
    level; :func:`hygie.scan.scan_email` by default) in worker processes."""

    def __init__(self, workers: int, fn: Scanner = scan_email) -> None:
        self.fn = fn
        self.workers = workers
        self._lock = threading.Lock()
        self._executor: Any = None

    def _pool(self) -> Any:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        with self._lock:
            if self._executor is None:
                from hygie.replay import install_from_env

                self._executor = ProcessPoolExecutor(
                    max_workers=self.workers,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=install_from_env,  # HYGIE_REPLAY in the workers too
                )
            return self._executor

    def warm(self) -> None:
        """Start the workers now (imports take a moment), not on the first message."""
        futures = [
            self._pool().submit(scan_with_budget, self.fn, b"", 30.0) for _ in range(self.workers)
        ]
        for f in futures:
            with contextlib.suppress(Exception):
                f.result(timeout=60)

    def __call__(self, raw: bytes, *, deadline: float) -> ScanResult:
        from concurrent.futures.process import BrokenProcessPool

        pool = self._pool()
        budget = max(0.0, deadline - time.monotonic())
        future: Future[ScanResult] = pool.submit(scan_with_budget, self.fn, raw, budget)
        try:
            return future.result(timeout=budget + TRANSPORT_GRACE_S)
        except BrokenProcessPool:
            with self._lock:
                if self._executor is pool:
                    self._executor = None
            pool.shutdown(wait=False, cancel_futures=True)
            raise

    def close(self) -> None:
        with self._lock:
            ex, self._executor = self._executor, None
        if ex is not None:
            ex.shutdown(wait=False, cancel_futures=True)
