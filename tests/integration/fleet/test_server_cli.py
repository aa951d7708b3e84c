"""``hygie fleet init|campaign|stats|serve`` against a real PostgreSQL (real CLI processes)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hygie.audit import measure_ids
from hygie.fleet.errors import FleetMigrationFailed
from hygie.fleet.protocol import JOIN_CODE_RE, code_hash
from hygie.fleet.server import connect, ensure_partitions, latest_version, migrate
from hygie.fleet.server.migrate import available
from tests.integration.fleet.conftest import (
    FleetServer,
    free_port,
    hygie,
    hygie_json,
    make_report,
    scalar,
)
from tests.pg import PgCluster

pytestmark = pytest.mark.integration


def test_init_creates_the_schema_once_and_prints_its_version(empty_db: str) -> None:
    first = hygie_json("fleet", "init", "--database", empty_db)
    assert first["schema"] == "hygie.fleet.init/1" and first["status"] == "success"
    assert first["data"]["schema_version"] == latest_version() >= 1
    assert first["data"]["applied"][0] == "0001_base"
    assert first["data"]["measures_added"] == 13
    # 13 months back + this one + 3 ahead
    assert first["data"]["partitions_created"] == 17
    again = hygie_json("fleet", "init", "--database", empty_db)
    assert again["data"] == {
        "schema_version": latest_version(),
        "applied": [],
        "measures_added": 0,
        "partitions_created": 0,
    }
    assert scalar(empty_db, "SELECT count(*) FROM fleet_migration") == len(available())
    assert scalar(empty_db, "SELECT count(*) FROM measure") == 13
    text = hygie("fleet", "init", "--database", empty_db).stdout
    assert f"version {latest_version()}" in text


def test_two_inits_started_together_migrate_once(empty_db: str) -> None:
    cmd = [sys.executable, "-m", "hygie", "fleet", "init", "--database", empty_db, "--json"]
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in "ab"]
    outs = [p.communicate(timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [o[1] for o in outs]
    applied = sorted(len(json.loads(o[0])["data"]["applied"]) for o in outs)
    assert applied == [0, len(available())]
    assert scalar(empty_db, "SELECT count(*) FROM fleet_migration") == len(available())


def test_unreachable_database_names_the_host_never_the_password(pg: PgCluster) -> None:
    port = free_port()
    r = hygie(
        "fleet", "init", "--database", f"postgresql://hygie:S3cr3tPw@127.0.0.1:{port}/fleet",
        "--json", check=False,
    )  # fmt: skip
    assert r.returncode == 70, r.stderr
    assert "S3cr3tPw" not in r.stdout + r.stderr
    assert f"127.0.0.1:{port}" in r.stderr and "PostgreSQL" in r.stderr
    assert '"fleet_database_unavailable"' in r.stdout
    # a unix-socket folder where nothing listens
    sock = pg.sockdir.parent / "nowhere"
    r = hygie("fleet", "stats", "--database", f"postgresql:///fleet?host={sock}",
              "--campaign", "x", check=False)  # fmt: skip
    assert r.returncode == 70 and str(sock) in r.stderr.replace("\n", "")
    # not a connection string at all: the text (password included) is never echoed
    r = hygie("fleet", "init", "--database", "postgresql://u:S3cr3tPw@h/db?nosuch=1", check=False)
    assert r.returncode == 71 and "S3cr3tPw" not in r.stdout + r.stderr


def test_campaign_create_list_close_and_the_code_is_stored_hashed(fleet_db: str) -> None:
    doc = hygie_json(
        "fleet", "campaign", "create", "--database", fleet_db,
        "--name", "URPS IDF 2026", "--mode", "anonymous", "--expires", "30",
    )  # fmt: skip
    code = doc["data"]["join_code"]
    assert JOIN_CODE_RE.match(code)
    assert doc["data"]["mode"] == "anonymous" and doc["data"]["devices"] == 0
    expires = dt.datetime.fromisoformat(doc["data"]["join_expires_at"])
    assert dt.timedelta(days=29) < expires - dt.datetime.now(dt.UTC) <= dt.timedelta(days=30)
    with connect(fleet_db) as conn:
        row = conn.execute("SELECT campaign::text, join_code_hash FROM campaign").fetchone()
    assert row is not None
    assert bytes(row[1]) == code_hash(code)  # type: ignore[arg-type]
    assert code not in str(row[0]) and code.replace("-", "") not in str(row[0])

    again = hygie(
        "fleet", "campaign", "create", "--database", fleet_db,
        "--name", "URPS IDF 2026", "--mode", "identified", check=False,
    )  # fmt: skip
    assert again.returncode == 74 and "URPS IDF 2026" in again.stderr
    bad = hygie("fleet", "campaign", "create", "--database", fleet_db, "--name", "x",
                "--mode", "public", check=False)  # fmt: skip
    assert bad.returncode == 2

    listed = hygie_json("fleet", "campaign", "list", "--database", fleet_db)
    assert [c["name"] for c in listed["data"]["campaigns"]] == ["URPS IDF 2026"]
    assert code not in str(listed)
    closed = hygie_json(
        "fleet", "campaign", "close", "--database", fleet_db, "--name", "URPS IDF 2026"
    )
    assert closed["data"]["closed_at"] is not None
    unknown = hygie("fleet", "campaign", "close", "--database", fleet_db, "--name", "nope",
                    check=False)  # fmt: skip
    assert unknown.returncode == 75


def test_stats_counts_current_devices_by_measure_and_status(fleet_server: FleetServer) -> None:
    code = fleet_server.campaign("Cabinet", mode="identified")
    tokens = [fleet_server.new_device(code, label=f"PC {i}") for i in range(3)]
    old = dt.datetime.now(dt.UTC) - dt.timedelta(days=3)
    # device 0: an old report then a newer one (only the newer counts); device 1: one report;
    # device 2: joined, never reported (not a current device).
    assert fleet_server.send(tokens[0], make_report(audited_at=old, M07="fail")).status_code == 201
    assert fleet_server.send(tokens[0], make_report(M07="warn", M13="unknown")).status_code == 201
    assert (
        fleet_server.send(tokens[1], make_report(M07="fail", M04="not_applicable")).status_code
        == 201
    )
    doc = hygie_json("fleet", "stats", "--database", fleet_server.database, "--campaign", "Cabinet")
    data = doc["data"]
    assert data["devices"] == 2 and data["joined"] == 3
    assert sorted(data["measures"]) == list(measure_ids())
    assert data["measures"]["M07"] == {
        "ok": 0,
        "warn": 1,
        "fail": 1,
        "unknown": 0,
        "not_applicable": 0,
    }
    assert data["measures"]["M13"] == {
        "ok": 1,
        "warn": 0,
        "fail": 0,
        "unknown": 1,
        "not_applicable": 0,
    }
    assert data["measures"]["M04"]["not_applicable"] == 1
    assert all(sum(c.values()) == 2 for c in data["measures"].values())
    missing = hygie("fleet", "stats", "--database", fleet_server.database, "--campaign", "x",
                    check=False)  # fmt: skip
    assert missing.returncode == 75


def test_serve_refuses_plain_http_off_loopback(fleet_db: str) -> None:
    port = free_port()
    r = hygie("fleet", "serve", "--database", fleet_db, "--listen", f"0.0.0.0:{port}",
              check=False, timeout=30)  # fmt: skip
    assert r.returncode == 76, r.stderr
    assert "0.0.0.0" in r.stderr and "--allow-plain-http" in r.stderr.replace("\n", "")
    r = hygie("fleet", "serve", "--database", fleet_db, "--listen", "[::]:80", check=False)
    assert r.returncode == 76
    r = hygie("fleet", "serve", "--database", fleet_db, "--listen", "127.0.0.1:99999", check=False)
    assert r.returncode == 77


def test_migration_from_the_previous_version_keeps_the_data(empty_db: str) -> None:
    with connect(empty_db, autocommit=True) as conn:
        assert migrate(conn, target=1).version == 1
        conn.execute(
            "INSERT INTO campaign (name, mode, join_code_hash)"
            " VALUES ('old', 'identified', '\\x01')"
        )
        conn.execute(
            "INSERT INTO device (campaign_id, id, secret_hash, department, label, os_family,"
            " hygie_version, last_audited_at, last_score, last_statuses)"
            " VALUES (1, '7d1c63f4-8e4f-4ac1-9a4b-2f0c8e7d6b5a', '\\x02', '2A', 'PC accueil',"
            " 'windows', '0.1.0', now(), 80, 'ooooooooooooo')"
        )
        conn.execute(
            "INSERT INTO report (campaign_id, device_id, report_id, audited_at, score, statuses)"
            " VALUES (1, '7d1c63f4-8e4f-4ac1-9a4b-2f0c8e7d6b5a', gen_random_uuid(), now(), 80,"
            " 'ooooooooooooo')"
        )
    doc = hygie_json("fleet", "init", "--database", empty_db)
    assert doc["data"]["schema_version"] == latest_version()
    # every later migration applied, in order (none when 0001 is the only one)
    assert doc["data"]["applied"] == [m.name for m in available()[1:]]
    assert scalar(empty_db, "SELECT count(*) FROM report") == 1
    assert scalar(empty_db, "SELECT count(*) FROM device WHERE label = 'PC accueil'") == 1
    stats = hygie_json("fleet", "stats", "--database", empty_db, "--campaign", "old")
    assert stats["data"]["devices"] == 1 and stats["data"]["measures"]["M01"]["ok"] == 1


def test_a_month_without_partition_lands_in_default_and_moves_when_created(fleet_db: str) -> None:
    far = dt.datetime.now(dt.UTC) + dt.timedelta(days=200)  # beyond the 3 months made ahead
    with connect(fleet_db, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO campaign (name, mode, join_code_hash) VALUES ('c', 'anonymous', '\\x01')"
        )
        conn.execute(
            "INSERT INTO device (campaign_id, id, secret_hash, os_family, hygie_version)"
            " VALUES (1, '7d1c63f4-8e4f-4ac1-9a4b-2f0c8e7d6b5a', '\\x02', 'linux', '0.1.0')"
        )
        conn.execute(
            "INSERT INTO report (campaign_id, device_id, report_id, audited_at, statuses)"
            " VALUES (1, '7d1c63f4-8e4f-4ac1-9a4b-2f0c8e7d6b5a', gen_random_uuid(), %s, 'o')",
            (far,),
        )
        assert scalar(fleet_db, "SELECT count(*) FROM report_default") == 1
        assert ensure_partitions(conn, now=far) >= 1
    part = f"report_{far:%Y_%m}"
    assert scalar(fleet_db, "SELECT count(*) FROM report_default") == 0
    assert scalar(fleet_db, f"SELECT count(*) FROM {part}") == 1
    assert scalar(fleet_db, "SELECT count(*) FROM report") == 1


def test_serve_with_two_workers_shares_the_port_and_stops_whole(
    fleet_db: str, tmp_path: Path
) -> None:
    server = FleetServer.start(fleet_db, tmp_path / "serve.log", "--workers", "2")
    try:
        code = server.campaign()
        tokens = [server.new_device(code) for _ in range(6)]
        for token in tokens:
            assert server.send(token, make_report()).status_code == 201
        children = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(server.process.pid)],
            capture_output=True, text=True, check=False,
        ).stdout.split()  # fmt: skip
        assert len(children) >= 2  # the two workers (uvicorn's supervisor is the parent)
    finally:
        server.stop()
    assert server.process.returncode is not None

    def alive(pid: str) -> bool:  # a zombie waiting for its reaper is not alive
        status = Path(f"/proc/{pid}/status")
        try:
            return "zombie" not in status.read_text().lower()
        except OSError:
            return False

    deadline = time.monotonic() + 15
    while any(alive(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [Path(f"/proc/{p}/cmdline").read_bytes()[:200] for p in children if alive(p)]
    assert not left
    assert scalar(fleet_db, "SELECT count(*) FROM report") == 6


def _migrations(tmp: Path, *names: str) -> Path:
    """A migrations folder holding the real 0001 plus small made-up later ones."""
    folder = tmp / "migrations"
    folder.mkdir(exist_ok=True)
    (folder / "0001_base.sql").write_text(available()[0].sql(), encoding="utf-8")
    for name in names:
        body = (
            "CREATE TABLE broken (" if "broken" in name else f"CREATE TABLE t_{name[5:]} (x int);"
        )
        (folder / f"{name}.sql").write_text(body, encoding="utf-8")
    return folder


def test_a_lower_number_landing_later_is_still_applied(empty_db: str, tmp_path: Path) -> None:
    with connect(empty_db, autocommit=True) as conn:
        first = migrate(conn, directory=_migrations(tmp_path, "0003_ops"))
        assert first.applied == ["0001_base", "0003_ops"] and first.version == 3
        later = migrate(conn, directory=_migrations(tmp_path, "0002_rollups", "0003_ops"))
        assert later.applied == ["0002_rollups"] and later.version == 3
    assert scalar(empty_db, "SELECT count(*) FROM fleet_migration") == 3
    assert scalar(empty_db, "SELECT count(*) FROM pg_tables WHERE tablename = 't_rollups'") == 1


def test_a_failed_migration_is_rolled_back_whole_and_named(empty_db: str, tmp_path: Path) -> None:
    with connect(empty_db, autocommit=True) as conn:
        with pytest.raises(FleetMigrationFailed) as failed:
            migrate(conn, directory=_migrations(tmp_path, "0002_ok", "0003_broken"))
        assert "0003_broken" in failed.value.render() and "version 2" in failed.value.render()
        assert failed.value.exit_code == 73
    assert scalar(empty_db, "SELECT max(version) FROM fleet_migration") == 2
    assert scalar(empty_db, "SELECT count(*) FROM pg_tables WHERE tablename = 'broken'") == 0


def test_a_database_newer_than_this_hygie_is_left_alone(fleet_db: str) -> None:
    with connect(fleet_db, autocommit=True) as conn:
        conn.execute("INSERT INTO fleet_migration (version, name) VALUES (99, '0099_future')")
    r = hygie("fleet", "init", "--database", fleet_db, check=False)
    assert r.returncode == 72 and "99" in r.stderr
    r = hygie("fleet", "serve", "--database", fleet_db, "--listen", f"127.0.0.1:{free_port()}",
              check=False)  # fmt: skip
    assert r.returncode == 72
