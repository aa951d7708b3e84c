"""The statistics API read from the rollups, against the reports, on a real PostgreSQL."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest

from hygie.audit.catalogue import measure_ids
from hygie.audit.model import Status
from hygie.fleet.server import rollup, stats
from tests import fleet_gen
from tests.integration.fleet.test_rollup import START, naive_days, naive_now
from tests.pg import pg_bindir

pytestmark = pytest.mark.skipif(pg_bindir() is None, reason="PostgreSQL is not installed")


@pytest.fixture
def conn(fleet_db: str) -> Iterator[psycopg.Connection[Any]]:
    """A fresh database at the current schema (fleet-server's ``fleet_db``), autocommit."""
    with psycopg.connect(fleet_db, autocommit=True) as c:
        yield c


@dataclass(frozen=True)
class Campaign:  # what hygie.fleet.server.campaigns.Campaign gives the statistics
    id: int
    name: str
    mode: str


def campaign(conn: psycopg.Connection[Any], name: str) -> Campaign:
    row = conn.execute("SELECT id, name, mode FROM campaign WHERE name = %s", (name,)).fetchone()
    assert row is not None
    return Campaign(*row)


def as_tuple(c: stats.StatusCounts) -> tuple[int, ...]:
    return (c.ok, c.warn, c.fail, c.unknown, c.not_applicable)


def test_an_empty_campaign_counts_zero_everywhere(conn: psycopg.Connection[Any]) -> None:
    fleet_gen.create_campaign(conn, "vide")
    rollup.refresh(conn)
    s = stats.campaign_stats(conn, campaign(conn, "vide"))
    assert (s.joined, s.devices, s.departments) == (0, 0, ())
    assert list(s.measures) == list(measure_ids()) and len(s.measures) == 13
    assert all(c.total == 0 for c in s.measures.values())
    doc = s.to_dict()
    assert doc["measures"]["M01"] == {st.value: 0 for st in Status}
    assert stats.for_display(s).suppressed
    assert stats.actions_most_needed(s) == []
    assert stats.status_over_time(conn, s.campaign_id, "M01") == []
    assert stats.status_over_time(conn, s.campaign_id, "M99") == []


def test_campaign_now_matches_the_latest_report_of_each_device(
    conn: psycopg.Connection[Any],
) -> None:
    cid = fleet_gen.create_campaign(conn, "URPS")
    fleet_gen.add_devices(conn, cid, 60, no_department_every=6)
    fleet_gen.add_reports(conn, cid, 60, START, 5, extra_every=5)
    fleet_gen.add_devices(conn, cid, 2, first=900)  # joined, never reported
    rollup.refresh(conn)
    s = stats.campaign_stats(conn, campaign(conn, "URPS"))
    assert s.as_of is not None and s.campaign_id == cid
    assert (s.joined, s.devices) == (62, 60)
    assert s.to_dict()["measures"]["M05"]["warn"] == s.measures["M05"]["warn"]
    naive = naive_now(conn, cid)
    ids = measure_ids()
    for (dep, pos), counts in naive.items():
        group = next(d for d in s.departments if d.department == dep)
        assert as_tuple(group.measures[ids[pos - 1]]) == counts
    for pos, mid in enumerate(ids, 1):
        total = [sum(v[i] for (d, p), v in naive.items() if p == pos) for i in range(5)]
        assert list(as_tuple(s.measures[mid])) == total
        assert s.measures[mid].total == 60
    assert sum(d.devices for d in s.departments) == 60
    assert s.departments[-1].department == stats.NO_DEPARTMENT  # no department: listed last
    assert stats.department_measures(conn, cid) == s.departments
    needs = stats.actions_most_needed(s, limit=13)
    assert needs and all(a.impact >= b.impact for a, b in itertools.pairwise(needs))


def test_status_over_time_per_measure_and_department(conn: psycopg.Connection[Any]) -> None:
    cid = fleet_gen.create_campaign(conn, "URPS")
    fleet_gen.add_devices(conn, cid, 40, no_department_every=4)
    fleet_gen.add_reports(conn, cid, 40, START, 7, extra_every=3)
    rollup.refresh(conn)
    naive = naive_days(conn, cid)
    series = stats.status_over_time(conn, cid, "M03")
    assert [d.day for d in series] == [START + dt.timedelta(days=i) for i in range(7)]
    for point in series:
        expected = [sum(v[i] for (day, _d, p), v in naive.items() if day == point.day and p == 3)
                    for i in range(5)]  # fmt: skip
        assert point.counts is not None and list(as_tuple(point.counts)) == expected
        assert point.counts.total == 40
    # one department (devices without one: "")
    mine = stats.status_over_time(conn, cid, "M03", department="")
    assert mine and all(p.counts is not None and p.counts.total == 10 for p in mine)
    window = stats.status_over_time(
        conn, cid, "M03", since=START + dt.timedelta(days=2), until=START + dt.timedelta(days=3)
    )
    assert [p.day for p in window] == [START + dt.timedelta(days=2), START + dt.timedelta(days=3)]
    # anonymous threshold: the campaign (40 a day) is shown; the devices without a department
    # (10 a day) are not a place: merged with the small departments, never shown alone; a
    # one-device department is hidden every day, even though its raw series exists
    assert all(p.counts is not None for p in stats.status_over_time(conn, cid, "M03", threshold=5))
    no_dep = stats.status_over_time(conn, cid, "M03", department="", threshold=5)
    assert len(no_dep) == 7 and all(p.counts is None for p in no_dep)
    small = next(d.department for d in stats.department_measures(conn, cid) if d.devices == 1)
    raw = stats.status_over_time(conn, cid, "M03", department=small)
    hidden = stats.status_over_time(conn, cid, "M03", department=small, threshold=5)
    assert raw and all(p.counts is not None for p in raw)
    assert len(hidden) == len(raw) and all(p.counts is None for p in hidden)
    assert all(p.counts is None for p in stats.status_over_time(conn, cid, "M03", threshold=41))


def _one_measure_reference(
    conn: psycopg.Connection[Any], cid: int, mid: str, department: str | None, threshold: int | None
) -> list[stats.DayCounts]:
    """One measure's series computed the plain way, straight from rollup_day: per day, that
    measure's groups through apply_threshold (what status_over_time did, measure by measure,
    before statuses_over_time)."""
    rows = conn.execute(
        "SELECT day, department, ok, warn, fail, unknown, na FROM rollup_day r"
        " JOIN measure m ON m.position = r.measure_pos"
        " WHERE campaign_id = %s AND m.measure_id = %s ORDER BY day, department",
        (cid, mid),
    ).fetchall()
    days: dict[dt.date, dict[str, stats.StatusCounts]] = {}
    for day, dep, *counts in rows:
        days.setdefault(day, {})[dep] = days.get(day, {}).get(
            dep, stats.StatusCounts()
        ) + stats.StatusCounts(*counts)
    out = []
    for day, groups in days.items():
        if department is None:
            total = sum(groups.values(), stats.StatusCounts())
            hidden = threshold is not None and total.total < threshold
            out.append(stats.DayCounts(day, None if hidden else total))
        elif department in groups:
            if threshold is None:
                out.append(stats.DayCounts(day, groups[department]))
                continue
            kept = stats.apply_threshold(
                [stats.DepartmentStats(d, c.total, {mid: c}) for d, c in groups.items()],
                threshold,
            )
            alone = {g.department: g for g in kept}.get(department)
            out.append(stats.DayCounts(day, alone.measures[mid] if alone else None))
    return out


def test_every_measure_at_once_equals_each_measure_alone(conn: psycopg.Connection[Any]) -> None:
    """statuses_over_time (one query, one apply_threshold per distinct set of group sizes)
    gives, for every measure, the series computed measure by measure — also when one
    measure's groups differ in size from the others' (a day's rows removed for it)."""
    cid = fleet_gen.create_campaign(conn, "URPS")
    fleet_gen.add_devices(conn, cid, 600, no_department_every=9)
    fleet_gen.add_reports(conn, cid, 600, START, 4, extra_every=4)
    rollup.refresh(conn)
    deps = stats.department_measures(conn, cid)
    big = max(deps, key=lambda d: d.devices).department
    small = next(d.department for d in deps if 0 < d.devices < 5)
    # the first department shown on its own (apply_threshold merges from the smallest up)
    near = min((d.department for d in deps if d.devices == 5), default=None)
    assert near is not None, "the generated campaign has no department of exactly 5"
    # On the second day, M02's merged group shrinks to `small` alone (below 5): for M02 only,
    # `near` must then join it — the other measures still show `near` on its own.
    merged = [d.department for d in deps if d.department != small and (d.devices < 5 or not
              d.department)]  # fmt: skip
    conn.execute(
        "DELETE FROM rollup_day WHERE campaign_id = %s AND day = %s AND measure_pos = 2"
        " AND department = ANY(%s)",
        (cid, START + dt.timedelta(days=1), merged),
    )
    second = START + dt.timedelta(days=1)
    m02 = stats.status_over_time(conn, cid, "M02", department=near, threshold=5)
    m01 = stats.status_over_time(conn, cid, "M01", department=near, threshold=5)
    assert [p.counts is None for p in m02 if p.day == second] == [True]
    assert [p.counts is None for p in m01 if p.day == second] == [False]
    ids = [*measure_ids(), "M99"]
    seen_hidden = seen_shown = 0
    for department in (None, "", big, small, near):
        for threshold in (None, 5, 6):
            every = stats.statuses_over_time(
                conn, cid, ids, department=department, threshold=threshold
            )
            assert every["M99"] == []
            for mid in ids[:-1]:
                expected = _one_measure_reference(conn, cid, mid, department, threshold)
                assert every[mid] == expected, (mid, department, threshold)
                assert (
                    stats.status_over_time(
                        conn, cid, mid, department=department, threshold=threshold
                    )
                    == expected
                )
                seen_hidden += sum(p.counts is None for p in expected)
                seen_shown += sum(p.counts is not None for p in expected)
    assert seen_hidden and seen_shown  # both cases were exercised
