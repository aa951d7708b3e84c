"""Keep the statistics' rollup tables (migration 0002) up to date, incrementally.

The work is one SQL function, ``fleet_rollup_refresh(full_rebuild)`` (in
``migrations/0002_rollups.sql``), so that it is one statement, hence one transaction, and any
client can run it: the server's asyncio loop (:func:`arefresh`), the ``stats`` command
(:func:`refresh`), ``psql`` or a cron job. One refresh:

1. takes a transaction-level advisory lock (:data:`LOCK_KEY`) without waiting: with several
   servers behind a load balancer, one refreshes and the others get ``skipped``;
2. counts the reports received up to now, but never later than the start of the oldest
   transaction still running: ``report.received_at`` is the inserting transaction's ``now()``,
   so a report whose transaction commits late is received after that bound and is left for the
   next refresh, never skipped. It starts :data:`OVERLAP` before the previous watermark: work is
   recomputed, never added twice, so the overlap costs a little time and no accuracy;
3. "now" (``rollup_now``): for every device with a new report, or that left (trigger),
   subtracts what ``rollup_device`` says was counted for it and adds its current
   ``device.last_statuses`` — a device is counted once, with its latest report;
4. over time (``rollup_day``): recomputes every (campaign, UTC day) that received a report or
   lost one (trigger on ``DELETE``: a device leaving takes its reports out of the past days
   too), from that day's reports, each device once with its latest report of the day. Days
   before ``rollup_state.frozen_before`` are kept as they are (:func:`freeze_before`: their
   reports may have been archived).

``full=True`` rebuilds everything from the reports (after a restore, or to check: the tests
prove incremental and full refreshes agree).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg_pool import AsyncConnectionPool

log = logging.getLogger("hygie.fleet.server.rollup")

# pg_try_advisory_xact_lock key ("hygie roL"), written as a literal in fleet_rollup_refresh.
LOCK_KEY = 0x6879_6769_6552_6F6C
# The server refreshes this often (RollupKeeper), and sooner after a burst of reports.
REFRESH_INTERVAL_S = 30.0
BURST_REPORTS = 5000

# How far before the previous watermark a refresh looks again (commit and clock skew).
OVERLAP = dt.timedelta(seconds=10)

_SQL = "SELECT skipped, devices, days, watermark FROM fleet_rollup_refresh(%s, %s)"


@dataclass(frozen=True)
class RefreshResult:
    """What one refresh did (``skipped``: another server was refreshing)."""

    skipped: bool
    full: bool
    devices: int  # devices whose "now" counts were redone
    days: int  # (campaign, day) pairs recomputed
    watermark: dt.datetime | None
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "skipped": self.skipped,
            "full": self.full,
            "devices": self.devices,
            "days": self.days,
            "watermark": self.watermark.isoformat() if self.watermark else None,
            "seconds": round(self.seconds, 3),
        }


def _result(row: Any, full: bool, started: float) -> RefreshResult:
    if row is None:  # a function with OUT parameters always returns one row
        raise RuntimeError("fleet_rollup_refresh returned no row")
    result = RefreshResult(
        skipped=bool(row[0]),
        full=full,
        devices=int(row[1] or 0),
        days=int(row[2] or 0),
        watermark=row[3],
        seconds=time.perf_counter() - started,
    )
    log.info(
        "rollup refresh%s: %s",
        " (full)" if full else "",
        "skipped (another server)"
        if result.skipped
        else f"{result.devices} devices, {result.days} days, {result.seconds:.3f} s",
    )
    return result


def refresh(
    conn: psycopg.Connection[Any], *, full: bool = False, overlap: dt.timedelta = OVERLAP
) -> RefreshResult:
    """Bring the rollups up to date; commits (``conn`` outside any transaction of the caller's)."""
    started = time.perf_counter()
    with conn.transaction():
        row = conn.execute(_SQL, (full, overlap)).fetchone()
    return _result(row, full, started)


async def arefresh(
    conn: psycopg.AsyncConnection[Any], *, full: bool = False, overlap: dt.timedelta = OVERLAP
) -> RefreshResult:
    """:func:`refresh` for the server's asynchronous pool."""
    started = time.perf_counter()
    async with conn.transaction():
        cur = await conn.execute(_SQL, (full, overlap))
        row = await cur.fetchone()
    return _result(row, full, started)


def freeze_before(conn: psycopg.Connection[Any], day: dt.date) -> None:
    """Keep the daily rollups before ``day`` as they are from now on (never recomputed).

    Call it before detaching or dropping old report partitions: their days' rollups stay, and
    a late report for such a day cannot make the refresh recount the day from what is left.
    """
    with conn.transaction():
        conn.execute("UPDATE rollup_state SET frozen_before = greatest(frozen_before, %s)", (day,))


class RollupKeeper:
    """The server's background refresh: every ``interval`` seconds, sooner after a burst.

    In the app's lifespan: ``keeper = RollupKeeper(pool)``, ``asyncio.create_task(keeper.run())``;
    the ingest calls :meth:`stored` for each report stored (a counter; after ``burst`` reports
    the next refresh starts at once). A failed refresh is logged with its traceback and tried
    again at the next tick; with several servers, the advisory lock makes the others skip.
    """

    def __init__(
        self,
        pool: AsyncConnectionPool,
        *,
        interval: float = REFRESH_INTERVAL_S,
        burst: int = BURST_REPORTS,
    ) -> None:
        self.pool = pool
        self.interval = interval
        self.burst = burst
        self.pending = 0
        self.last: RefreshResult | None = None
        self._wake = asyncio.Event()

    def stored(self, n: int = 1) -> None:
        self.pending += n
        if self.pending >= self.burst:
            self._wake.set()

    async def refresh_once(self) -> RefreshResult:
        self.pending = 0
        self._wake.clear()
        async with self.pool.connection() as conn:
            self.last = await arefresh(conn)
        return self.last

    async def run(self) -> None:
        while True:
            try:
                await self.refresh_once()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the next tick tries again; the reports are safe
                log.error("rollup refresh failed", exc_info=exc)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.interval)
