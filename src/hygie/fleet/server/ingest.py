"""Storing reports: checked, authenticated, idempotent, in batches, safe across restarts.

One statement does everything for a batch of reports (:data:`INGEST_SQL`): it checks each
device's secret hash and that its campaign is open, inserts the reports with ``ON CONFLICT DO
NOTHING`` (a report sent twice is stored once), and moves each device's ``last_*`` columns
only when a report is newer than what they hold. The statement runs on an autocommit
connection: when it returns, the reports are committed, and only then are the devices told
``201``/``200``. A connection lost mid-way (PostgreSQL restarting) is retried on a fresh one;
since the insert is idempotent, a retry never doubles a report.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import enum
import functools
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import fastjsonschema
import psycopg
from psycopg_pool import AsyncConnectionPool

from hygie.fleet.errors import ReportInvalid
from hygie.fleet.protocol import DeviceToken
from hygie.fleet.report import FleetReport, report_schema
from hygie.fleet.server.statuses import encode

log = logging.getLogger("hygie.fleet.server.ingest")

MAX_FUTURE = dt.timedelta(days=1)  # clocks drift; a report from tomorrow is a wrong clock
# A year and a month: what the statistics look at (partitions are made 13 months back; in the
# first days of a month the oldest accepted reports go to the default partition, still counted)
MAX_AGE = dt.timedelta(days=400)
RETRIES = 3  # attempts on a lost connection before answering 503
# How long a request waits for a pool connection: PostgreSQL down, a device hears 503 (and
# retries later) within ~RETRIES x this, well inside its own HTTP timeout.
POOL_WAIT_S = 4.0


class Outcome(enum.Enum):
    STORED = "stored"  # 201
    DUPLICATE = "duplicate"  # 200: this report_id was already stored
    TOKEN_INVALID = "token_invalid"  # 401
    GONE = "gone"  # 410: the device left or its campaign is closed


class DatabaseBusy(Exception):
    """The database could not be reached after the retries (the API answers 503)."""


@functools.cache
def _compiled() -> Callable[[Any], Any]:
    """The report schema compiled to Python by fastjsonschema (~30x faster than jsonschema)."""
    return fastjsonschema.compile(report_schema())


def parse_report(data: Any) -> FleetReport:
    """A received report, checked against the closed schema; :class:`ReportInvalid` otherwise.

    The hot path runs the schema compiled by fastjsonschema; a report it refuses goes through
    :meth:`FleetReport.from_dict` (jsonschema, the reference), which names the wrong place the
    same way the device does. The compiled check is at least as strict as the reference
    (tests/unit/fleet/test_server_report_parse.py), so when the reference accepts what it
    refused, the report is still refused, at the place the compiled check names. What a schema
    cannot say (an impossible date, a score written 50.0) is checked once, in
    :meth:`FleetReport.from_checked`, for both paths.
    """
    try:
        _compiled()(data)
    except fastjsonschema.JsonSchemaValueException as fast:
        FleetReport.from_dict(data)  # raises ReportInvalid naming the place
        where = "/".join(str(p) for p in (fast.path or [])[1:]) or "(racine)"
        raise ReportInvalid(where=where, rule=str(fast.rule or "schema")) from None
    return FleetReport.from_checked(data)


def check_window(report: FleetReport, now: dt.datetime | None = None) -> None:
    """:class:`ReportInvalid` on ``audited_at`` when it is in the future or too old."""
    now = now or dt.datetime.now(dt.UTC)
    if report.audited_at > now + MAX_FUTURE:
        raise ReportInvalid(where="audited_at", rule="pas dans le futur")
    if report.audited_at < now - MAX_AGE:
        raise ReportInvalid(where="audited_at", rule="400 jours au plus")


# One statement stores a whole batch: the reports whose device secret matches and whose
# campaign is open are inserted (ON CONFLICT DO NOTHING: idempotent), each device's newest
# inserted report moves its last_* columns if it is newer than what they hold, and every input
# row comes back with what happened to it (dev_open NULL: no such device with that secret).
INGEST_SQL = """
WITH input AS (
    SELECT * FROM json_to_recordset(%(rows)s::json) AS x(
        i int, campaign_id int, device_id uuid, secret_hash bytea, report_id uuid,
        audited_at timestamptz, score smallint, statuses text)
), dev AS (
    SELECT x.*, c.closed_at IS NULL AS open
    FROM input x
    JOIN device d
      ON d.campaign_id = x.campaign_id AND d.id = x.device_id AND d.secret_hash = x.secret_hash
    JOIN campaign c ON c.id = x.campaign_id
), ins AS (
    INSERT INTO report (campaign_id, device_id, report_id, audited_at, score, statuses)
    SELECT campaign_id, device_id, report_id, audited_at, score, statuses FROM dev WHERE open
    ON CONFLICT DO NOTHING
    RETURNING campaign_id, report_id, audited_at
), newest AS (
    SELECT DISTINCT ON (dev.campaign_id, dev.device_id)
           dev.campaign_id, dev.device_id, dev.audited_at, dev.score, dev.statuses
    FROM dev JOIN ins USING (campaign_id, report_id, audited_at)
    ORDER BY dev.campaign_id, dev.device_id, dev.audited_at DESC
), upd AS (
    UPDATE device d
    SET last_audited_at = n.audited_at, last_score = n.score, last_statuses = n.statuses
    FROM newest n
    WHERE d.campaign_id = n.campaign_id AND d.id = n.device_id
      AND (d.last_audited_at IS NULL OR d.last_audited_at < n.audited_at)
    RETURNING 1
)
SELECT x.i, dev.open, ins.report_id IS NOT NULL
FROM input x
LEFT JOIN dev ON dev.i = x.i
LEFT JOIN ins ON dev.open AND ins.campaign_id = x.campaign_id
             AND ins.report_id = x.report_id AND ins.audited_at = x.audited_at
"""

# For the rare reports whose token matched no device: did that device leave (410) or was the
# token never valid (401)?
REMOVED_SQL = """
SELECT x.i FROM json_to_recordset(%(rows)s::json)
    AS x(i int, campaign_id int, device_id uuid, secret_hash bytea)
JOIN device_removed g
  ON g.campaign_id = x.campaign_id AND g.id = x.device_id AND g.secret_hash = x.secret_hash
"""

MAX_BATCH = 500
FLUSHERS = 4
MAX_WAITING = 5000  # reports waiting for a batch; beyond: 503 at once (the devices retry later)


@dataclass
class _Item:
    key: tuple[int, str, dt.datetime]  # the report's primary key: one per batch
    row: dict[str, Any]  # the report as a row of INGEST_SQL's input (JSON-ready values)
    done: asyncio.Future[Outcome]


class Ingestor:
    """Stores reports through an async pool of autocommit connections, in micro-batches.

    Reports arriving together are written together: ``FLUSHERS`` tasks each take whatever
    reports are waiting (up to ``MAX_BATCH``) and store them with one statement, committed
    before any of their senders is answered. Under light load a batch is one report and
    nothing waits; under heavy load one statement and one commit serve hundreds of reports.
    A batch that fails for one report (a device deleted meanwhile) is retried report by report,
    so one bad report never fails the others; a lost connection is retried on a fresh one.
    """

    def __init__(
        self,
        pool: AsyncConnectionPool,
        order: Sequence[str],
        *,
        max_batch: int = MAX_BATCH,
        flushers: int = FLUSHERS,
        on_stored: Callable[[int], None] | None = None,
    ) -> None:
        self.pool = pool
        self.on_stored = on_stored  # told how many reports each batch stored (rollup refresh)
        self.order = tuple(order)  # measure ids in measure.position order
        self.max_batch = max_batch
        self.flushers = flushers
        self._waiting: list[_Item] = []
        self._wakeup = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self.batches = 0  # statements run (for the benchmark's notes)

    def start(self) -> None:
        self._tasks = [asyncio.create_task(self._flusher()) for _ in range(self.flushers)]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for item in self._waiting:
            if not item.done.done():
                item.done.set_exception(DatabaseBusy())
        self._waiting.clear()

    async def store(self, token: DeviceToken, report: FleetReport) -> Outcome:
        """Store one report; returns once it is committed (or known refused)."""
        if not self._tasks:
            raise RuntimeError("Ingestor.start() was not called")
        if len(self._waiting) >= MAX_WAITING:
            raise DatabaseBusy()  # the database falls behind: push back rather than pile up
        # JSON-ready values: a batch goes to PostgreSQL as one json parameter, much cheaper
        # for Python to build than eight typed arrays (psycopg dumps array items one by one)
        row = {
            "campaign_id": token.campaign_id,
            "device_id": str(token.device_id),
            "secret_hash": "\\x" + token.secret_hash.hex(),
            "report_id": report.report_id,
            "audited_at": report.audited_at.strftime("%Y-%m-%dT%H:%M:00Z"),
            "score": report.score,
            "statuses": encode(dict(report.measures), self.order),
        }
        key = (token.campaign_id, report.report_id, report.audited_at)
        item = _Item(key, row, asyncio.get_running_loop().create_future())
        self._waiting.append(item)
        self._wakeup.set()
        return await item.done

    def _take(self) -> list[_Item]:
        """Up to max_batch waiting reports, one per primary key (a twin waits for the next)."""
        batch: list[_Item] = []
        keys: set[tuple[int, str, dt.datetime]] = set()
        rest: list[_Item] = []
        for item in self._waiting:
            if len(batch) < self.max_batch and item.key not in keys:
                keys.add(item.key)
                batch.append(item)
            else:
                rest.append(item)
        self._waiting = rest
        return batch

    async def _flusher(self) -> None:
        while True:
            await self._wakeup.wait()
            batch = self._take()
            if not self._waiting:
                self._wakeup.clear()
            if not batch:
                continue
            try:
                outcomes = await self._store_batch([item.row for item in batch])
            except Exception as exc:  # DatabaseBusy, or a bug: every sender gets the error
                if not isinstance(exc, DatabaseBusy):
                    log.error("ingest: a batch of %d report(s) failed", len(batch), exc_info=exc)
                for item in batch:
                    if not item.done.done():
                        item.done.set_exception(exc)
                continue
            for item, outcome in zip(batch, outcomes, strict=True):
                if not item.done.done():
                    item.done.set_result(outcome)
            stored = outcomes.count(Outcome.STORED)
            if stored and self.on_stored is not None:
                self.on_stored(stored)

    async def _store_batch(self, rows: list[dict[str, Any]]) -> list[Outcome]:
        for attempt in range(1, RETRIES + 1):
            try:
                return await self._run(rows)
            except psycopg.OperationalError as exc:
                log.warning("ingest: database connection lost (attempt %d): %s", attempt, exc)
                if attempt == RETRIES:
                    raise DatabaseBusy() from exc
                await asyncio.sleep(0.2 * attempt)
            except psycopg.DatabaseError as exc:
                if len(rows) > 1:
                    # split: one report's trouble (a device deleted between its check and its
                    # insert, a deadlock with another batch) never fails the others
                    outcomes: list[Outcome] = []
                    for row in rows:
                        outcomes.extend(await self._store_batch([row]))
                    return outcomes
                if isinstance(exc, psycopg.errors.ForeignKeyViolation):
                    return [Outcome.GONE]  # its device was deleted meanwhile
                if not isinstance(exc, psycopg.errors.DeadlockDetected) or attempt == RETRIES:
                    raise
        raise AssertionError("unreachable")

    async def _run(self, rows: list[dict[str, Any]]) -> list[Outcome]:
        numbered = [{"i": i, **row} for i, row in enumerate(rows)]
        outcomes = [Outcome.TOKEN_INVALID] * len(rows)
        unknown: list[dict[str, Any]] = []
        async with self.pool.connection(timeout=POOL_WAIT_S) as conn:
            cur = await conn.execute(INGEST_SQL, {"rows": json.dumps(numbered)})
            self.batches += 1
            for i, is_open, inserted in await cur.fetchall():
                if is_open is None:
                    unknown.append(numbered[i])
                elif not is_open:
                    outcomes[i] = Outcome.GONE
                else:
                    outcomes[i] = Outcome.STORED if inserted else Outcome.DUPLICATE
            if unknown:
                cur = await conn.execute(REMOVED_SQL, {"rows": json.dumps(unknown)})
                for (i,) in await cur.fetchall():
                    outcomes[i] = Outcome.GONE
        return outcomes
