"""Reports arriving together are stored together: each still gets its own, right answer."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from hygie.fleet.protocol import DeviceToken
from tests.integration.fleet.conftest import FleetServer, bearer, make_report, scalar

pytestmark = pytest.mark.integration


def in_parallel(server: FleetServer, calls: list[Callable[[httpx.Client], Any]]) -> list[Any]:
    """Run the calls at once from many threads (a barrier lines them up)."""
    barrier = threading.Barrier(len(calls))
    local = threading.local()

    def run(call: Callable[[httpx.Client], Any]) -> Any:
        if not hasattr(local, "client"):
            local.client = httpx.Client(base_url=server.base_url, timeout=60)
        barrier.wait()
        return call(local.client)

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def test_the_same_report_sent_many_times_at_once_is_stored_once(fleet_server: FleetServer) -> None:
    token = fleet_server.new_device(fleet_server.campaign())
    report = make_report()
    answers = in_parallel(
        fleet_server,
        [lambda c: c.post("/api/v1/reports", json=report, headers=bearer(token))] * 16,
    )
    codes = Counter(a.status_code for a in answers)
    assert codes == {201: 1, 200: 15}, codes
    assert scalar(fleet_server.database, "SELECT count(*) FROM report") == 1


def test_a_mixed_crowd_each_gets_its_own_answer(fleet_server: FleetServer) -> None:
    code = fleet_server.campaign()
    good = [fleet_server.new_device(code) for _ in range(12)]
    left = fleet_server.new_device(code)
    assert fleet_server.leave(left).status_code == 204
    forged = str(DeviceToken.new(1))
    stored_twice = make_report()
    assert fleet_server.send(good[0], stored_twice).status_code == 201

    plan: list[tuple[str, dict[str, Any], int]] = [(t, make_report(), 201) for t in good]
    plan += [(left, make_report(), 410), (forged, make_report(), 401)]
    plan += [(good[0], stored_twice, 200)]
    answers = in_parallel(
        fleet_server,
        [
            lambda c, t=t, r=r: c.post("/api/v1/reports", json=r, headers=bearer(t))
            for t, r, _ in plan
        ],
    )
    assert [a.status_code for a in answers] == [want for _, _, want in plan]
    assert scalar(fleet_server.database, "SELECT count(*) FROM report") == 13


def test_leaving_while_reports_arrive_leaves_nothing_behind(fleet_server: FleetServer) -> None:
    code = fleet_server.campaign()
    token = fleet_server.new_device(code)
    other = fleet_server.new_device(code)
    calls: list[Callable[[httpx.Client], Any]] = [
        lambda c: c.post("/api/v1/reports", json=make_report(), headers=bearer(token))
        for _ in range(20)
    ]
    calls.insert(10, lambda c: c.delete("/api/v1/device", headers=bearer(token)))
    calls.append(lambda c: c.post("/api/v1/reports", json=make_report(), headers=bearer(other)))
    answers = in_parallel(fleet_server, calls)
    codes = Counter(a.status_code for a in answers)
    assert set(codes) <= {201, 204, 410}, codes  # never a 500
    assert codes[204] == 1
    device_id = token.split(".")[1]
    db = fleet_server.database
    assert scalar(db, f"SELECT count(*) FROM report WHERE device_id = '{device_id}'") == 0
    assert scalar(db, "SELECT count(*) FROM report") == 1  # the other device's
    assert fleet_server.send(token, make_report()).status_code == 410
