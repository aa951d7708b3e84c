"""The rollups against the reports themselves, on a real PostgreSQL (tests/pg.py).

Every expectation is recomputed in Python from the raw rows (each device's latest report of
each UTC day; each device's latest report), independently of the SQL under test.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from hygie.fleet.server import rollup
from tests import fleet_gen
from tests.pg import pg_bindir

pytestmark = pytest.mark.skipif(pg_bindir() is None, reason="PostgreSQL is not installed")

START = dt.date(2026, 10, 27)  # 10 days across the October/November partitions
STATUS_ORDER = "owfun"


@pytest.fixture
def conn(fleet_db: str) -> Iterator[psycopg.Connection[Any]]:
    """A fresh database at the current schema (fleet-server's ``fleet_db``), autocommit."""
    with psycopg.connect(fleet_db, autocommit=True) as c:
        yield c


def naive_days(
    conn: psycopg.Connection[Any], campaign_id: int
) -> dict[tuple[Any, ...], tuple[int, ...]]:
    rows = conn.execute(
        "SELECT r.device_id, r.audited_at, r.report_id::text, r.statuses,"
        " coalesce(d.department, '') FROM report r"
        " JOIN device d ON d.campaign_id = r.campaign_id AND d.id = r.device_id"
        " WHERE r.campaign_id = %s",
        (campaign_id,),
    ).fetchall()
    latest: dict[tuple[Any, dt.date], tuple[Any, ...]] = {}
    for dev, at, rid, st, dep in rows:
        key = (dev, at.astimezone(dt.UTC).date())
        if key not in latest or (at, rid) > latest[key][:2]:
            latest[key] = (at, rid, st, dep)
    return _count(((day, dep), st) for (_dev, day), (_at, _rid, st, dep) in latest.items())


def naive_now(
    conn: psycopg.Connection[Any], campaign_id: int
) -> dict[tuple[Any, ...], tuple[int, ...]]:
    rows = conn.execute(
        "SELECT DISTINCT ON (r.device_id) r.statuses, coalesce(d.department, '') FROM report r"
        " JOIN device d ON d.campaign_id = r.campaign_id AND d.id = r.device_id"
        " WHERE r.campaign_id = %s ORDER BY r.device_id, r.audited_at DESC, r.report_id DESC",
        (campaign_id,),
    ).fetchall()
    return _count(((dep,), st) for st, dep in rows)


def _count(items: Any) -> dict[tuple[Any, ...], tuple[int, ...]]:
    counts: Counter[tuple[Any, ...]] = Counter()
    for key, statuses in items:
        for pos, ch in enumerate(statuses, 1):
            counts[(*key, pos, ch)] += 1
    out: dict[tuple[Any, ...], list[int]] = {}
    for (*key, pos, ch), n in counts.items():
        out.setdefault((*key, pos), [0] * 5)[STATUS_ORDER.index(ch)] = n
    return {k: tuple(v) for k, v in out.items()}


def rollup_days(
    conn: psycopg.Connection[Any], campaign_id: int
) -> dict[tuple[Any, ...], tuple[int, ...]]:
    rows = conn.execute(
        "SELECT day, department, measure_pos, ok, warn, fail, unknown, na FROM rollup_day"
        " WHERE campaign_id = %s",
        (campaign_id,),
    )
    return {(r[0], r[1], r[2]): tuple(r[3:]) for r in rows if any(r[3:])}


def rollup_now(
    conn: psycopg.Connection[Any], campaign_id: int
) -> dict[tuple[Any, ...], tuple[int, ...]]:
    rows = conn.execute(
        "SELECT department, measure_pos, ok, warn, fail, unknown, na FROM rollup_now"
        " WHERE campaign_id = %s",
        (campaign_id,),
    )
    return {(r[0], r[1]): tuple(r[2:]) for r in rows}


def device_ids(conn: psycopg.Connection[Any], campaign_id: int) -> list[Any]:
    return [r[0] for r in conn.execute(
        "SELECT id FROM device WHERE campaign_id = %s ORDER BY id", (campaign_id,))]  # fmt: skip


def assert_matches(conn: psycopg.Connection[Any], *campaigns: int) -> None:
    for cid in campaigns:
        days = naive_days(conn, cid)
        assert days, "the scenario must have reports"
        assert rollup_days(conn, cid) == days
        assert rollup_now(conn, cid) == naive_now(conn, cid)


def test_refresh_counts_each_device_once_per_day_with_its_latest_report(
    conn: psycopg.Connection[Any],
) -> None:
    a = fleet_gen.create_campaign(conn, "A")
    b = fleet_gen.create_campaign(conn, "B", "identified")
    fleet_gen.add_devices(conn, a, 40, no_department_every=9)
    fleet_gen.add_devices(conn, b, 12, first=1000)
    n_a = fleet_gen.add_reports(conn, a, 40, START, 10, extra_every=7)
    fleet_gen.add_reports(conn, b, 12, START, 3, extra_every=3, first_device=1000)
    assert n_a > 400  # 40 x 10 plus the second reports of every 7th device
    # the premise: some device reports twice on one day, with different statuses
    twice = conn.execute(
        "SELECT count(*) FROM (SELECT device_id, (audited_at AT TIME ZONE 'UTC')::date,"
        " count(DISTINCT statuses) n FROM report GROUP BY 1, 2) s WHERE n > 1"
    ).fetchone()
    assert twice and twice[0] > 0

    result = rollup.refresh(conn)
    assert not result.skipped and result.days == 13 and result.devices == 52
    assert_matches(conn, a, b)
    # the totals say once per device per day: 40 devices reported on each of 10 days
    total = conn.execute(
        "SELECT sum(ok + warn + fail + unknown + na) FROM rollup_day"
        " WHERE campaign_id = %s AND measure_pos = 1", (a,)
    ).fetchone()  # fmt: skip
    assert total == (400,)


def test_incremental_refresh_equals_full_refresh_through_late_reports_and_leaves(
    conn: psycopg.Connection[Any],
) -> None:
    a = fleet_gen.create_campaign(conn, "A")
    fleet_gen.add_devices(conn, a, 30, no_department_every=5)
    fleet_gen.add_reports(conn, a, 30, START, 6, extra_every=4)
    rollup.refresh(conn)
    devs = device_ids(conn, a)

    # more days, received later
    fleet_gen.add_reports(conn, a, 30, START, 3, first_day=6, extra_every=4)
    # a late report for an old day (latest of that day, older than the device's last)
    late = dt.datetime.combine(START + dt.timedelta(days=1), dt.time(23, 59), dt.UTC)
    fleet_gen.ingest_one(conn, a, devs[3], late, "f" * 13)
    # a fresh report that becomes a device's latest
    fleet_gen.ingest_one(conn, a, devs[4], dt.datetime(2026, 11, 20, 8, 0, tzinfo=dt.UTC), "w" * 13)
    rollup.refresh(conn)
    assert_matches(conn, a)
    assert rollup_now(conn, a)  # the premise of the next steps

    # devices leave: their reports go (ON DELETE CASCADE), from past days too
    leaving = devs[:5]
    deps = conn.execute(
        "SELECT DISTINCT coalesce(department, '') FROM device WHERE id = ANY(%s)", (leaving,)
    ).fetchall()
    conn.execute("DELETE FROM device WHERE campaign_id = %s AND id = ANY(%s)", (a, leaving))
    # a device that joined and never reported changes nothing
    fleet_gen.add_devices(conn, a, 1, first=5000)
    incremental = rollup.refresh(conn)
    assert incremental.devices >= len(leaving)
    assert_matches(conn, a)
    counted = conn.execute(
        "SELECT count(*) FROM rollup_device WHERE device_id = ANY(%s)", (leaving,)
    ).fetchone()
    assert counted == (0,)
    days_after, now_after = rollup_days(conn, a), rollup_now(conn, a)
    # a department whose only devices left is gone from "now"
    remaining = {r[0] for r in conn.execute(
        "SELECT DISTINCT coalesce(department, '') FROM device"
        " WHERE campaign_id = %s AND last_statuses IS NOT NULL", (a,))}  # fmt: skip
    assert {k[0] for k in now_after} == remaining
    assert any(d not in remaining for (d,) in deps)

    full = rollup.refresh(conn, full=True)
    assert full.full and not full.skipped
    assert rollup_days(conn, a) == days_after
    assert rollup_now(conn, a) == now_after
    # and once more incrementally with nothing new: nothing moves
    rollup.refresh(conn)
    assert rollup_days(conn, a) == days_after and rollup_now(conn, a) == now_after


def test_a_report_committed_after_the_refresh_started_is_not_skipped(
    conn: psycopg.Connection[Any],
) -> None:
    a = fleet_gen.create_campaign(conn, "A")
    fleet_gen.add_devices(conn, a, 3)
    fleet_gen.add_reports(conn, a, 3, START, 1, extra_every=100)
    rollup.refresh(conn, overlap=dt.timedelta(0))
    dev = device_ids(conn, a)[0]
    # A slow ingest: its transaction starts (received_at = its start), the refresh runs and
    # finishes, then the ingest commits. Without the oldest-transaction bound, the watermark
    # would pass received_at and the report would never be counted (overlap 0 here).
    with psycopg.connect(conn.info.dsn) as slow:
        slow.execute("SELECT 1")  # the transaction (and its now()) starts here
        fleet_gen.ingest_one(slow, a, dev, dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC), "n" * 13)
        during = rollup.refresh(conn, overlap=dt.timedelta(0))
        started = slow.execute("SELECT now()").fetchone()
        assert started and during.watermark is not None and during.watermark <= started[0]
        slow.commit()
    rollup.refresh(conn, overlap=dt.timedelta(0))
    assert_matches(conn, a)
    day = rollup_days(conn, a)
    assert sum(v[4] for k, v in day.items() if k[0] == dt.date(2026, 11, 2)) == 13


def test_a_second_server_skips_while_one_refreshes(conn: psycopg.Connection[Any]) -> None:
    a = fleet_gen.create_campaign(conn, "A")
    fleet_gen.add_devices(conn, a, 3)
    fleet_gen.add_reports(conn, a, 3, START, 2)
    holding, release = threading.Event(), threading.Event()

    def other_server() -> None:
        with psycopg.connect(conn.info.dsn) as other:
            other.execute("SELECT pg_advisory_xact_lock(%s)", (rollup.LOCK_KEY,))
            holding.set()
            release.wait(30)
            other.rollback()

    t = threading.Thread(target=other_server)
    t.start()
    try:
        assert holding.wait(30)
        assert rollup.refresh(conn).skipped
        assert rollup_days(conn, a) == {}
    finally:
        release.set()
        t.join()
    assert not rollup.refresh(conn).skipped
    assert_matches(conn, a)


def test_frozen_days_are_kept_when_their_reports_are_archived(
    conn: psycopg.Connection[Any],
) -> None:
    a = fleet_gen.create_campaign(conn, "A")
    fleet_gen.add_devices(conn, a, 6)
    fleet_gen.add_reports(conn, a, 6, START, 8)  # October 27-31 and November 1-3
    rollup.refresh(conn)
    october = {k: v for k, v in rollup_days(conn, a).items() if k[0].month == 10}
    assert october
    rollup.freeze_before(conn, dt.date(2026, 11, 1))
    # archive October: detach and drop its partition (DDL: no trigger, the rows just go)
    conn.execute("ALTER TABLE report DETACH PARTITION report_2026_10")
    conn.execute("DROP TABLE report_2026_10")
    # a device leaves, and a late report arrives for a frozen day
    devs = device_ids(conn, a)
    conn.execute("DELETE FROM device WHERE id = %s", (devs[0],))
    fleet_gen.ingest_one(
        conn, a, devs[1], dt.datetime(2026, 10, 28, 22, 0, tzinfo=dt.UTC), "f" * 13
    )
    rollup.refresh(conn)
    rollup.refresh(conn, full=True)
    days = rollup_days(conn, a)
    assert {k: v for k, v in days.items() if k[0].month == 10} == october
    november = {k: v for k, v in days.items() if k[0].month == 11}
    assert november == {k: v for k, v in naive_days(conn, a).items() if k[0].month == 11}


def test_deleting_a_campaign_takes_its_rollups(conn: psycopg.Connection[Any]) -> None:
    a = fleet_gen.create_campaign(conn, "A")
    b = fleet_gen.create_campaign(conn, "B")
    for cid, first in ((a, 1), (b, 100)):
        fleet_gen.add_devices(conn, cid, 4, first=first)
        fleet_gen.add_reports(conn, cid, 4, START, 2, first_device=first)
    rollup.refresh(conn)
    conn.execute("DELETE FROM campaign WHERE id = %s", (a,))
    assert rollup_days(conn, a) == {} and rollup_now(conn, a) == {}
    result = rollup.refresh(conn)  # the leftover dirt of A is harmless
    assert not result.skipped
    assert rollup_days(conn, a) == {}
    assert_matches(conn, b)


def test_the_keeper_refreshes_at_start_and_right_after_a_burst(
    conn: psycopg.Connection[Any],
) -> None:
    import asyncio

    from psycopg_pool import AsyncConnectionPool

    a = fleet_gen.create_campaign(conn, "A")
    fleet_gen.add_devices(conn, a, 5)

    async def scenario() -> tuple[int, int]:
        pool = AsyncConnectionPool(conn.info.dsn, min_size=1, max_size=2, open=False)
        await pool.open(wait=True)
        keeper = rollup.RollupKeeper(pool, interval=600, burst=10)
        task = asyncio.create_task(keeper.run())
        try:
            for _ in range(200):
                if keeper.last is not None:
                    break
                await asyncio.sleep(0.05)
            first = keeper.last
            assert first is not None and not first.skipped and first.days == 0
            await asyncio.to_thread(fleet_gen.add_reports, conn, a, 5, START, 2)
            keeper.stored(9)
            await asyncio.sleep(0.3)
            assert keeper.last is first  # under the burst size: no refresh before the tick
            keeper.stored(1)
            for _ in range(200):
                if keeper.last is not first:
                    break
                await asyncio.sleep(0.05)
            assert keeper.last is not first and keeper.last is not None
            return keeper.last.days, keeper.last.devices
        finally:
            task.cancel()
            await pool.close()

    days, devices = asyncio.run(scenario())
    assert (days, devices) == (2, 5)
    assert_matches(conn, a)


def test_a_device_leaving_is_subtracted_from_its_days_without_recounting_them(
    conn: psycopg.Connection[Any],
) -> None:
    a = fleet_gen.create_campaign(conn, "A")
    fleet_gen.add_devices(conn, a, 12, no_department_every=4)
    fleet_gen.add_reports(conn, a, 12, START, 8, extra_every=3)  # second reports on some days
    no_overlap = dt.timedelta(0)
    rollup.refresh(conn, overlap=no_overlap)
    devs = device_ids(conn, a)
    # a report received after that refresh: its day cannot be subtracted, only recounted
    fleet_gen.ingest_one(conn, a, devs[1], dt.datetime(2026, 11, 5, 12, 0, tzinfo=dt.UTC), "o" * 13)
    before = rollup_days(conn, a)

    conn.execute("DELETE FROM device WHERE campaign_id = %s AND id = ANY(%s)", (a, devs[:2]))
    # device 0: all 8 days already right, at once, before any refresh
    dirty = {r[0] for r in conn.execute("SELECT day FROM rollup_dirty_day")}
    assert dirty == {dt.date(2026, 11, 5)}  # only device 1's day with the late report
    now_days = rollup_days(conn, a)
    assert now_days != before
    expected = naive_days(conn, a)
    assert {k: v for k, v in now_days.items() if k[0] not in dirty} == {
        k: v for k, v in expected.items() if k[0] not in dirty
    }
    result = rollup.refresh(conn, overlap=no_overlap)
    assert result.days == 1
    assert_matches(conn, a)
    snapshot = (rollup_days(conn, a), rollup_now(conn, a))
    rollup.refresh(conn, full=True)
    assert (rollup_days(conn, a), rollup_now(conn, a)) == snapshot


def test_a_report_changed_by_hand_has_its_day_recounted(conn: psycopg.Connection[Any]) -> None:
    a = fleet_gen.create_campaign(conn, "A")
    fleet_gen.add_devices(conn, a, 4)
    fleet_gen.add_reports(conn, a, 4, START, 3)
    rollup.refresh(conn)
    conn.execute(
        "UPDATE report SET statuses = 'fffffffffffff'"
        " WHERE audited_at < %s::timestamp AT TIME ZONE 'UTC'", (START + dt.timedelta(days=1),)
    )  # fmt: skip
    assert {r[0] for r in conn.execute("SELECT day FROM rollup_dirty_day")} == {START}
    rollup.refresh(conn)
    days = rollup_days(conn, a)
    assert days == naive_days(conn, a)
    start_rows = [v for (day, _d, _p), v in days.items() if day == START]
    assert start_rows and all(v == (0, 0, sum(v), 0, 0) for v in start_rows)


def test_a_device_leaving_during_a_refresh_waits_for_it(conn: psycopg.Connection[Any]) -> None:
    a = fleet_gen.create_campaign(conn, "A")
    fleet_gen.add_devices(conn, a, 6)
    fleet_gen.add_reports(conn, a, 6, START, 3)
    rollup.refresh(conn)
    leaving = device_ids(conn, a)[0]
    done = threading.Event()

    def leave() -> None:
        with psycopg.connect(conn.info.dsn, autocommit=True) as other:
            other.execute("DELETE FROM device WHERE id = %s", (leaving,))
        done.set()

    # a refresh in progress holds rollup_state (FOR UPDATE, as fleet_rollup_refresh does)
    with psycopg.connect(conn.info.dsn) as refreshing:
        refreshing.execute("SELECT * FROM rollup_state FOR UPDATE")
        t = threading.Thread(target=leave)
        t.start()
        assert not done.wait(1.0), "the leave must wait for the refresh"
        refreshing.commit()
    t.join(30)
    assert done.is_set()
    rollup.refresh(conn)
    assert_matches(conn, a)
