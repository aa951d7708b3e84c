"""Storing reports: authenticated, idempotent, one round-trip each, safe across restarts.

One statement does everything for a report (:data:`INGEST_SQL`): it checks the device's
secret hash and that its campaign is open, inserts the report with ``ON CONFLICT DO
NOTHING`` (a report sent twice is stored once), and moves the device's ``last_*`` columns
only when the report is newer than what they hold. The statement runs on an autocommit
connection: when it returns, the report is committed, and only then is the device told
``201``/``200``. A connection lost mid-way (PostgreSQL restarting) is retried on a fresh one;
since the insert is idempotent, a retry never doubles a report.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import enum
import logging
from collections.abc import Sequence

import psycopg
from psycopg_pool import AsyncConnectionPool

from hygie.fleet.errors import ReportInvalid
from hygie.fleet.protocol import DeviceToken
from hygie.fleet.report import FleetReport
from hygie.fleet.server.statuses import encode

log = logging.getLogger("hygie.fleet.server.ingest")

MAX_FUTURE = dt.timedelta(days=1)  # clocks drift; a report from tomorrow is a wrong clock
MAX_AGE = dt.timedelta(days=400)  # older than the partitions kept: refused, never half-stored
RETRIES = 3  # attempts on a lost connection before answering 503


class Outcome(enum.Enum):
    STORED = "stored"  # 201
    DUPLICATE = "duplicate"  # 200: this report_id was already stored
    TOKEN_INVALID = "token_invalid"  # 401
    GONE = "gone"  # 410: the device left or its campaign is closed


class DatabaseBusy(Exception):
    """The database could not be reached after the retries (the API answers 503)."""


def check_window(report: FleetReport, now: dt.datetime | None = None) -> None:
    """:class:`ReportInvalid` on ``audited_at`` when it is in the future or too old."""
    now = now or dt.datetime.now(dt.UTC)
    if report.audited_at > now + MAX_FUTURE:
        raise ReportInvalid(where="audited_at", rule="pas dans le futur")
    if report.audited_at < now - MAX_AGE:
        raise ReportInvalid(where="audited_at", rule="400 jours au plus")


INGEST_SQL = """
WITH dev AS (
    SELECT d.campaign_id, d.id, c.closed_at IS NULL AS open
    FROM device d JOIN campaign c ON c.id = d.campaign_id
    WHERE d.campaign_id = %(c)s AND d.id = %(d)s AND d.secret_hash = %(h)s
), ins AS (
    INSERT INTO report (campaign_id, device_id, report_id, audited_at, score, statuses)
    SELECT campaign_id, id, %(r)s, %(t)s, %(score)s, %(st)s FROM dev WHERE open
    ON CONFLICT DO NOTHING
    RETURNING 1
), upd AS (
    UPDATE device SET last_audited_at = %(t)s, last_score = %(score)s, last_statuses = %(st)s
    WHERE campaign_id = %(c)s AND id = %(d)s AND EXISTS (SELECT 1 FROM ins)
      AND (last_audited_at IS NULL OR last_audited_at < %(t)s)
    RETURNING 1
)
SELECT (SELECT open FROM dev), EXISTS (SELECT 1 FROM ins), EXISTS (SELECT 1 FROM upd)
"""

REMOVED_SQL = """
SELECT 1 FROM device_removed WHERE campaign_id = %(c)s AND id = %(d)s AND secret_hash = %(h)s
"""


class Ingestor:
    """Stores reports through an async pool (connections in autocommit)."""

    def __init__(self, pool: AsyncConnectionPool, order: Sequence[str]) -> None:
        self.pool = pool
        self.order = tuple(order)  # measure ids in measure.position order

    def params(self, token: DeviceToken, report: FleetReport) -> dict[str, object]:
        return {
            "c": token.campaign_id,
            "d": token.device_id,
            "h": token.secret_hash,
            "r": report.report_id,
            "t": report.audited_at,
            "score": report.score,
            "st": encode(dict(report.measures), self.order),
        }

    async def store(self, token: DeviceToken, report: FleetReport) -> Outcome:
        params = self.params(token, report)
        for attempt in range(1, RETRIES + 1):
            try:
                async with self.pool.connection() as conn:
                    cur = await conn.execute(INGEST_SQL, params)
                    row = await cur.fetchone()
                    assert row is not None
                    is_open, inserted, _updated = row
                    if is_open is None:
                        cur = await conn.execute(REMOVED_SQL, params)
                        removed = await cur.fetchone()
                        return Outcome.GONE if removed else Outcome.TOKEN_INVALID
                    if not is_open:
                        return Outcome.GONE
                    return Outcome.STORED if inserted else Outcome.DUPLICATE
            except psycopg.errors.ForeignKeyViolation:
                # the device left between the check and the insert: it is gone
                return Outcome.GONE
            except psycopg.OperationalError as exc:
                log.warning("ingest: database connection lost (attempt %d): %s", attempt, exc)
                if attempt == RETRIES:
                    raise DatabaseBusy() from exc
                await asyncio.sleep(0.2 * attempt)
        raise AssertionError("unreachable")
