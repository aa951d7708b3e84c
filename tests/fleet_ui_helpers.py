"""Helpers of the operator UI's tests: a migrated database, seeded campaigns, a real server.

Seeding writes devices and reports with SQL into the real PostgreSQL (the device API is
tested on its own by fleet-server's tests); the server is a real uvicorn subprocess serving
the UI routes on 127.0.0.1.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg

from hygie.audit.catalogue import measure_ids
from hygie.fleet.protocol import code_hash, new_join_code

MIGRATIONS = Path(__file__).resolve().parents[1] / "src/hygie/fleet/server/migrations"
ROOT = Path(__file__).resolve().parents[1]


def migrate(url: str) -> None:
    """Apply the schema (interim: the migration files in order, then the measure order)."""
    with psycopg.connect(url, autocommit=True) as conn:
        for path in sorted(MIGRATIONS.glob("[0-9][0-9][0-9][0-9]_*.sql")):
            conn.execute(path.read_text(encoding="utf-8"))  # type: ignore[call-overload]
        for i, mid in enumerate(measure_ids(), start=1):
            conn.execute(
                "INSERT INTO measure (position, measure_id) VALUES (%s, %s) ON CONFLICT DO NOTHING",
                (i, mid),
            )


def add_operator(url: str, name: str, password: str) -> subprocess.CompletedProcess[str]:
    return run_hygie(["fleet", "operator", "add", "--database", url, "--name", name], password)


def run_hygie(args: list[str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HYGIE_LANG": "fr"}
    return subprocess.run(
        [sys.executable, "-c", "from hygie.cli.app import main; main()", *args],
        input=stdin + "\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


@dataclass(frozen=True)
class SeedDevice:
    department: str | None
    label: str | None
    statuses: list[str]  # one statuses string (13 chars) per week, oldest first (None: none)
    score: int = 50
    silent_days: int = 0  # the last report is this many days old


def seed_campaign(url: str, name: str, mode: str, devices: list[SeedDevice]) -> tuple[int, str]:
    """A campaign with devices and weekly reports; returns (id, join code)."""
    code = new_join_code()
    now = dt.datetime.now(dt.UTC)
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "INSERT INTO campaign (name, mode, join_code_hash) VALUES (%s, %s, %s) RETURNING id",
            (name, mode, code_hash(code)),
        ).fetchone()
        assert row is not None
        cid = int(row[0])
        for d in devices:
            dev = uuid.uuid4()
            last = d.statuses[-1] if d.statuses else None
            last_at = now - dt.timedelta(days=d.silent_days) if d.statuses else None
            conn.execute(
                "INSERT INTO device (campaign_id, id, secret_hash, department, label, os_family,"
                " hygie_version, last_audited_at, last_score, last_statuses)"
                " VALUES (%s, %s, %s, %s, %s, 'windows', '0.1.0', %s, %s, %s)",
                (cid, dev, os.urandom(32), d.department, d.label, last_at,
                 d.score if last else None, last),
            )  # fmt: skip
            for i, statuses in enumerate(d.statuses):
                weeks_back = len(d.statuses) - 1 - i
                at = now - dt.timedelta(days=d.silent_days + 7 * weeks_back)
                conn.execute(
                    "INSERT INTO report (campaign_id, device_id, report_id, audited_at, score,"
                    " statuses) VALUES (%s, %s, %s, %s, %s, %s)",
                    (cid, dev, uuid.uuid4(), at, d.score, statuses),
                )
        conn.commit()
    return cid, code


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class UiServer:
    base: str
    proc: subprocess.Popen[str]
    log: Path


@contextmanager
def ui_server(url: str, log: Path) -> Iterator[UiServer]:
    """The real server (uvicorn, its own process) serving the UI for the database ``url``."""
    port = free_port()
    env = {**os.environ, "HYGIE_FLEET_UI_TEST_DB": url, "PYTHONPATH": str(ROOT / "tests")}
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "fleet_ui_app:app",
             "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
            stdout=out, stderr=subprocess.STDOUT, text=True, env=env, cwd=ROOT / "tests",
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(base + "/connexion", timeout=5) as r:
                    if r.status == 200:
                        break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(log.read_text()) from None
                time.sleep(0.2)
        yield UiServer(base, proc, log)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
