"""Fixtures of the fleet tests: a real PostgreSQL, a fresh database per test, the real server.

* ``pg`` (session, so one per xdist worker): a throw-away cluster (tests/pg.py), unix socket;
* ``fleet_db``: a fresh database at the current schema (copied from a migrated template, fast);
  ``empty_db``: a fresh empty database (migration tests);
* ``fleet_server``: the REAL ``hygie fleet serve`` in a subprocess on 127.0.0.1:<free port>,
  ready when ``/api/v1/health`` answers; stopped (and its log shown on failure) at the end.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from hygie.fleet.server import connect, create_campaign, migrate
from tests.pg import PgCluster

_names = itertools.count(1)


def hygie(*args: str, check: bool = True, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run the real CLI (``python -m hygie``) and return its result."""
    result = subprocess.run(
        [sys.executable, "-m", "hygie", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"hygie {args[:3]} -> {result.returncode}\n{result.stderr}")
    return result


def hygie_json(*args: str) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(hygie(*args, "--json").stdout)
    return doc


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def pg() -> Iterator[PgCluster]:
    with PgCluster.start() as cluster:
        yield cluster


@pytest.fixture(scope="session")
def fleet_template(pg: PgCluster) -> str:
    """A database migrated once per session, copied by ``fleet_db`` (CREATE DATABASE … TEMPLATE)."""
    url = pg.createdb("fleet_template")
    with connect(url, autocommit=True) as conn:
        migrate(conn)
    return "fleet_template"


def _fresh_name() -> str:
    return f"t{os.getpid()}_{next(_names)}"


@pytest.fixture
def empty_db(pg: PgCluster) -> str:
    return pg.createdb(_fresh_name())


@pytest.fixture
def fleet_db(pg: PgCluster, fleet_template: str) -> str:
    name = _fresh_name()
    pg.psql("postgres", f'CREATE DATABASE "{name}" TEMPLATE "{fleet_template}"')
    return pg.url(name)


@dataclass
class FleetServer:
    """A running ``hygie fleet serve`` and a client for its API."""

    database: str
    port: int
    log_path: Path
    process: subprocess.Popen[bytes]
    client: httpx.Client = field(init=False)

    def __post_init__(self) -> None:
        self.client = httpx.Client(base_url=self.base_url, timeout=30)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @classmethod
    def start(cls, database: str, log_path: Path, *extra: str) -> FleetServer:
        port = free_port()
        log = log_path.open("wb")
        process = subprocess.Popen(
            [sys.executable, "-m", "hygie", "fleet", "serve", "--database", database,
             "--listen", f"127.0.0.1:{port}", *extra],
            stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        log.close()
        server = cls(database, port, log_path, process)
        server.wait_ready()
        return server

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(
                    f"fleet server exited {self.process.returncode}:\n{self.log()}"
                )
            try:
                if self.client.get("/api/v1/health").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        raise AssertionError(f"fleet server not ready in {timeout}s:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        self.client.close()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    # --- the device API -------------------------------------------------------------------

    def campaign(self, name: str = "URPS test", mode: str = "anonymous", **kw: Any) -> str:
        """A new campaign in this server's database; returns its join code."""
        with connect(self.database) as conn:
            return create_campaign(conn, name=name, mode=mode, **kw).join_code

    def join(self, code: str, **fields: Any) -> httpx.Response:
        body = {"code": code, "department": None, "label": None, "os_family": "linux",
                "hygie_version": "0.1.0", **fields}  # fmt: skip
        return self.client.post("/api/v1/join", json=body)

    def new_device(self, code: str, **fields: Any) -> str:
        r = self.join(code, **fields)
        assert r.status_code == 201, r.text
        token: str = r.json()["token"]
        return token

    def send(self, token: str, report: dict[str, Any]) -> httpx.Response:
        return self.client.post("/api/v1/reports", json=report, headers=bearer(token))

    def device(self, token: str) -> httpx.Response:
        return self.client.get("/api/v1/device", headers=bearer(token))

    def leave(self, token: str) -> httpx.Response:
        return self.client.delete("/api/v1/device", headers=bearer(token))


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def make_report(
    *,
    audited_at: dt.datetime | None = None,
    score: int | None = 72,
    status: str = "ok",
    **measures: str,
) -> dict[str, Any]:
    """A valid report (every measure at ``status`` unless given: ``M03="fail"``)."""
    from hygie.audit.catalogue import measure_ids

    when = audited_at or dt.datetime.now(dt.UTC)
    return {
        "schema": "hygie.fleet.report/1",
        "report_id": str(uuid.uuid4()),
        "audited_at": when.strftime("%Y-%m-%dT%H:%MZ"),
        "os_family": "linux",
        "hygie_version": "0.1.0",
        "score": score,
        "measures": {mid: measures.get(mid, status) for mid in measure_ids()},
    }


@pytest.fixture
def fleet_server(fleet_db: str, tmp_path: Path) -> Iterator[FleetServer]:
    server = FleetServer.start(fleet_db, tmp_path / "fleet-server.log")
    try:
        yield server
    finally:
        server.stop()


def scalar(database_url: str, sql: str) -> int:
    """One integer from ``sql`` on the test database ``database_url``."""
    with connect(database_url) as conn:
        row = conn.execute(sql.encode()).fetchone()
    assert row is not None
    return int(row[0])  # type: ignore[call-overload]
