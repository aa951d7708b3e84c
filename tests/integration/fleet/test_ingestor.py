"""The Ingestor in-process on a real PostgreSQL: batching, answers, the stored-reports hook."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import pytest

from hygie.fleet.protocol import DeviceToken
from hygie.fleet.server import async_pool, connect, create_campaign, ingest
from hygie.fleet.server.ingest import DatabaseBusy, Ingestor, Outcome, parse_report
from tests.integration.fleet.conftest import make_report, scalar

pytestmark = pytest.mark.integration
T = TypeVar("T")


def run_async(coro: Coroutine[Any, Any, T]) -> T:
    """asyncio.run in a thread of its own: another test may have left a loop in this one."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def _devices(url: str, n: int) -> list[DeviceToken]:
    with connect(url) as conn:
        campaign = create_campaign(conn, name="c", mode="anonymous").campaign
        tokens = [DeviceToken.new(campaign.id) for _ in range(n)]
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO device (campaign_id, id, secret_hash, os_family, hygie_version)"
                " VALUES (%s, %s, %s, 'linux', '0.1.0')",
                [(t.campaign_id, t.device_id, t.secret_hash) for t in tokens],
            )
        conn.commit()
    return tokens


def test_reports_arriving_together_share_statements(fleet_db: str) -> None:
    tokens = _devices(fleet_db, 40)
    told: list[int] = []

    async def main() -> tuple[list[Outcome], int]:
        pool = async_pool(fleet_db, min_size=1, max_size=4)
        await pool.open(wait=True)
        async with pool.connection() as conn:
            cur = await conn.execute("SELECT measure_id FROM measure ORDER BY position")
            order = [str(r[0]) for r in await cur.fetchall()]
        ingestor = Ingestor(pool, order, flushers=2, on_stored=told.append)
        ingestor.start()
        try:
            reports = [parse_report(make_report()) for _ in tokens]
            forged = DeviceToken(tokens[0].campaign_id, tokens[0].device_id, b"\1" * 32)
            outcomes = await asyncio.gather(
                *(ingestor.store(t, r) for t, r in zip(tokens, reports, strict=True)),
                ingestor.store(forged, parse_report(make_report())),
                ingestor.store(tokens[1], reports[1]),  # a twin of a report in flight
            )
            return list(outcomes), ingestor.batches
        finally:
            await ingestor.stop()
            await pool.close()

    outcomes, batches = run_async(main())
    assert outcomes[:40] == [Outcome.STORED] * 40
    assert outcomes[40] is Outcome.TOKEN_INVALID
    assert outcomes[41] is Outcome.DUPLICATE  # held back to the next batch, then known
    assert batches < 20  # 42 reports, far fewer statements
    assert sum(told) == 40
    assert scalar(fleet_db, "SELECT count(*) FROM report") == 40
    assert scalar(fleet_db, "SELECT count(*) FROM device WHERE last_statuses IS NOT NULL") == 40


def test_an_unstarted_or_overflowing_ingestor_refuses(
    fleet_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    (token,) = _devices(fleet_db, 1)

    async def main() -> None:
        pool = async_pool(fleet_db, min_size=1, max_size=2)
        await pool.open(wait=True)
        ingestor = Ingestor(pool, ["M01"])
        try:
            with pytest.raises(RuntimeError):
                await ingestor.store(token, parse_report(make_report()))
            ingestor.start()
            monkeypatch.setattr(ingest, "MAX_WAITING", 0)  # as if 5,000 were waiting
            with pytest.raises(DatabaseBusy):  # the API answers 503, the device retries
                await ingestor.store(token, parse_report(make_report()))
        finally:
            await ingestor.stop()
            await pool.close()

    run_async(main())
    assert scalar(fleet_db, "SELECT count(*) FROM report") == 0
