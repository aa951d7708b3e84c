"""PostgreSQL restarted while devices send: every report stored once, none lost, none doubled."""

from __future__ import annotations

import threading
import time
from collections import Counter

import httpx
import pytest

from tests.integration.fleet.conftest import FleetServer, bearer, make_report, scalar
from tests.pg import PgCluster

pytestmark = pytest.mark.integration

DEVICES = 6
REPORTS_EACH = 50


def test_postgresql_restart_during_ingest_loses_and_doubles_nothing(
    pg: PgCluster, fleet_server: FleetServer
) -> None:
    code = fleet_server.campaign()
    tokens = [fleet_server.new_device(code) for _ in range(DEVICES)]
    statuses: Counter[int] = Counter()
    transport_errors = 0
    acked = 0
    lock = threading.Lock()
    sent_ids: list[str] = []

    def device(token: str) -> None:
        nonlocal transport_errors, acked
        with httpx.Client(base_url=fleet_server.base_url, timeout=30) as client:
            for _ in range(REPORTS_EACH):
                report = make_report()
                with lock:
                    sent_ids.append(report["report_id"])
                for _attempt in range(200):  # a device retries until the server says stored
                    try:
                        r = client.post("/api/v1/reports", json=report, headers=bearer(token))
                    except httpx.TransportError:
                        with lock:
                            transport_errors += 1
                        time.sleep(0.05)
                        continue
                    with lock:
                        statuses[r.status_code] += 1
                    if r.status_code in (200, 201):
                        with lock:
                            acked += 1
                        break
                    assert r.status_code == 503, r.text
                    time.sleep(0.05)
                else:
                    raise AssertionError("a report was never stored")

    threads = [threading.Thread(target=device, args=(t,)) for t in tokens]
    for t in threads:
        t.start()
    started = "SELECT (extract(epoch FROM pg_postmaster_start_time()) * 1000000)::bigint"
    before = scalar(fleet_server.database, started)
    while acked < DEVICES * REPORTS_EACH // 4:
        time.sleep(0.01)
    pg.restart()
    acked_at_restart = acked
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)

    total = DEVICES * REPORTS_EACH
    assert acked == total
    db = fleet_server.database
    assert scalar(db, "SELECT count(*) FROM report") == total
    assert scalar(db, "SELECT count(DISTINCT report_id) FROM report") == total
    assert len(set(sent_ids)) == total
    # PostgreSQL did restart in the middle of the sending, and the server is healthy again
    assert scalar(db, started) != before
    assert acked_at_restart < total
    assert fleet_server.client.get("/api/v1/health").status_code == 200
    assert fleet_server.process.poll() is None


def test_postgresql_down_gets_a_prompt_503_then_it_works_again(
    pg: PgCluster, fleet_server: FleetServer
) -> None:
    token = fleet_server.new_device(fleet_server.campaign())
    kept = make_report()
    pg.stop()
    try:
        t0 = time.monotonic()
        r = fleet_server.send(token, kept)
        waited = time.monotonic() - t0
        assert r.status_code == 503 and r.json()["error"] == "database_unavailable"
        assert int(r.headers["Retry-After"]) > 0
        assert waited < 25  # well inside a device's HTTP timeout
        assert fleet_server.client.get("/api/v1/health").status_code == 503
        assert fleet_server.device(token).status_code == 503
    finally:
        pg.start_server()
    assert fleet_server.send(token, kept).status_code == 201  # the queued report, delivered
    assert fleet_server.send(token, kept).status_code == 200
    assert scalar(fleet_server.database, "SELECT count(*) FROM report") == 1
    assert fleet_server.client.get("/api/v1/health").status_code == 200
