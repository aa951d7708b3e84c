#!/usr/bin/env python3
"""Benchmark: the fleet server's ingest and statistics, each beside its anchor, one run.

    python bench/fleet.py ingest [--clients 64] [--reports 20000] [--seconds 60] [--workers 2]
                                 [--pool-size 32] [--no-durable]
    python bench/fleet.py aggregate [--devices 130000] [--days 365] [--runs 20] [--anchor-runs 3]

Both start their own throw-away PostgreSQL (tests/pg.py, unix socket, tuned like a small
server) and apply the real migrations with ``hygie fleet init``.

**ingest** starts the REAL server (``hygie fleet serve`` in a subprocess on 127.0.0.1), creates
an anonymous campaign with ``hygie fleet campaign create --json``, then ``--clients`` asyncio
clients (raw HTTP/1.1, one kept-alive connection each) join and post reports as fast as the
server answers, for ``--reports`` reports in total or ``--seconds`` at most. It prints
reports/s and the p50/p99 latency of ``POST /api/v1/reports``, and checks the database holds
exactly the reports answered 201. Anchor, same run: the same number of report rows for the same
devices written by one psycopg client straight into PostgreSQL (COPY, then the devices' latest
statuses in one UPDATE) — the database's own floor. Durable PostgreSQL settings (fsync,
synchronous_commit on) unless ``--no-durable``. Targets (issue #16): >= 2,000 reports/s, p99
<= 50 ms.

**aggregate** generates ``--devices`` devices x ``--days`` daily reports in SQL
(tests/fleet_gen.py; every 50th device reports twice a day) month by month — each month loaded
into a table of the report's shape, then attached as that month's partition, so indexes are
built once — and prints the generation time and the table size. Then a full rollup refresh, an
incremental refresh after one more day of reports (received now, through the normal insert
path), and the department x measure aggregate through ``hygie.fleet.server.stats``
(median of ``--runs``) vs the anchor: the same aggregate as a plain GROUP BY over the report
table (each device's latest report), median of ``--anchor-runs``; both results are compared
cell by cell. Also shown: the same aggregate from ``device.last_statuses`` (no rollup) and a
year of one measure's status over time. Target: <= 200 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import psycopg  # noqa: E402

from fleet_gen import add_devices, create_campaign, make_profiles, report_select, set_last  # noqa: E402
from hygie.audit.catalogue import measure_ids  # noqa: E402
from pg import PgCluster  # noqa: E402

# A small dedicated server: the machine has 2 cores (these are the settings a 2-core, 8 GB
# PostgreSQL host would get from pgtune, memory scaled down to share the machine).
SERVER_SETTINGS = {
    "shared_buffers": "1GB",
    "effective_cache_size": "4GB",
    "work_mem": "64MB",
    "maintenance_work_mem": "1GB",
    "max_wal_size": "8GB",
    "checkpoint_timeout": "15min",
    "max_parallel_workers_per_gather": "2",
    "random_page_cost": "1.1",
    "wal_compression": "on",
}
DURABLE = {"fsync": "on", "synchronous_commit": "on", "full_page_writes": "on"}
HYGIE = [sys.executable, "-m", "hygie"]


def uptime() -> str:
    out = subprocess.run(["uptime"], capture_output=True, text=True, check=False)
    return out.stdout.strip()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def tree_cpu(root: int) -> float:
    """CPU seconds (user + system) used so far by ``root`` and its descendants (Linux /proc)."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry.name)] = int(fields[1])
        times[int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        total += times.get(pid, 0.0)
        todo.extend(child for child, parent in parents.items() if parent == pid)
    return total


def postmaster_pid(pg: PgCluster) -> int:
    return int((pg.datadir / "postmaster.pid").read_text().split()[0])


def hygie(*args: str, env: dict[str, str]) -> dict[str, Any]:
    out = subprocess.run(
        [*HYGIE, *args], capture_output=True, text=True, env=env, timeout=300, check=False
    )
    if out.returncode != 0:
        raise SystemExit(f"hygie {' '.join(args[:3])} failed ({out.returncode}): {out.stderr}")
    return json.loads(out.stdout) if "--json" in args else {}


# --- ingest ---------------------------------------------------------------------------------


class Http:
    """One kept-alive HTTP/1.1 connection, raw: the client must cost less than the server."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)

    async def post(self, path: str, body: bytes, token: str | None = None) -> tuple[int, bytes]:
        assert self.reader is not None and self.writer is not None
        head = (
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n"
        )
        if token:
            head += f"Authorization: Bearer {token}\r\n"
        self.writer.write(head.encode() + b"\r\n" + body)
        status_line = await self.reader.readline()
        length = 0
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            if name.strip().lower() == "content-length":
                length = int(value.strip())
        payload = await self.reader.readexactly(length) if length else b""
        return int(status_line.split()[1]), payload

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            await self.writer.wait_closed()


def report_body(i: int, now: dt.datetime) -> bytes:
    ids = measure_ids()
    statuses = ("ok", "ok", "ok", "warn", "fail", "unknown", "not_applicable")
    return json.dumps(
        {
            "schema": "hygie.fleet.report/1",
            "report_id": str(uuid.uuid4()),
            "audited_at": (now - dt.timedelta(minutes=i % 600)).strftime("%Y-%m-%dT%H:%MZ"),
            "os_family": "windows",
            "hygie_version": "0.1.0",
            "score": 40 + i % 60,
            "measures": {mid: statuses[(i * 7 + k) % len(statuses)] for k, mid in enumerate(ids)},
        }
    ).encode()


async def ingest_clients(
    port: int, code: str, clients: int, total: int, seconds: float
) -> dict[str, Any]:
    now = dt.datetime.now(dt.UTC)
    conns = [Http(port) for _ in range(clients)]
    await asyncio.gather(*(c.open() for c in conns))
    tokens: list[str] = []
    for k, c in enumerate(conns):  # join one after the other (not what is measured)
        dep = ["75", "13", "69", "2A", "974", None][k % 6]
        body = json.dumps(
            {"code": code, "department": dep, "label": None, "os_family": "windows",
             "hygie_version": "0.1.0"}
        ).encode()  # fmt: skip
        status, payload = await c.post("/api/v1/join", body)
        if status != 201:
            raise SystemExit(f"join refused: {status} {payload[:200]!r}")
        tokens.append(json.loads(payload)["token"])
    per_client = total // clients
    bodies = [
        [report_body(k * per_client + i, now) for i in range(per_client)] for k in range(clients)
    ]
    latencies: list[float] = []
    codes: dict[int, int] = {}
    deadline = time.perf_counter() + seconds

    async def run(k: int) -> None:
        c, token = conns[k], tokens[k]
        for body in bodies[k]:
            if time.perf_counter() > deadline:
                return
            t0 = time.perf_counter()
            status, _ = await c.post("/api/v1/reports", body, token)
            latencies.append(time.perf_counter() - t0)
            codes[status] = codes.get(status, 0) + 1

    t0 = time.perf_counter()
    await asyncio.gather(*(run(k) for k in range(clients)))
    wall = time.perf_counter() - t0
    await asyncio.gather(*(c.close() for c in conns))
    return {"wall": wall, "latencies": latencies, "codes": codes, "sent": len(latencies)}


def anchor_copy(url: str, campaign_id: int, n: int) -> float:
    """The same number of rows for the same devices, one client, COPY + one UPDATE."""
    with psycopg.connect(url) as conn:
        devices = [r[0] for r in conn.execute(
            "SELECT id FROM device WHERE campaign_id = %s", (campaign_id,))]  # fmt: skip
        now = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)
        rows = [
            (campaign_id, devices[i % len(devices)], uuid.uuid4(),
             now - dt.timedelta(minutes=i % 600), 40 + i % 60, "oooowfunoooow")
            for i in range(n)
        ]  # fmt: skip
        conn.commit()
        t0 = time.perf_counter()
        with conn.cursor() as cur:
            with cur.copy(
                "COPY report (campaign_id, device_id, report_id, audited_at, score, statuses)"
                " FROM STDIN"
            ) as copy:
                for row in rows:
                    copy.write_row(row)
            cur.execute(
                "UPDATE device d SET last_audited_at = now(), last_statuses = 'oooowfunoooow'"
                " WHERE d.campaign_id = %s",
                (campaign_id,),
            )
        conn.commit()
        return time.perf_counter() - t0


def bench_ingest(args: argparse.Namespace) -> int:
    settings = dict(SERVER_SETTINGS)
    if args.durable:
        settings.update(DURABLE)
    print(f"uptime before: {uptime()}")
    with PgCluster.start(settings=settings) as pg, tempfile.TemporaryDirectory() as home:
        url = pg.createdb("fleet")
        env = {**os.environ, "HYGIE_HOME": home, "HYGIE_LANG": "fr"}
        hygie("fleet", "init", "--database", url, env=env)
        created = hygie(
            "fleet", "campaign", "create", "--database", url, "--name", "bench",
            "--mode", "anonymous", "--json", env=env,
        )  # fmt: skip
        code = created["data"]["join_code"]
        port = free_port()
        log = Path(home) / "serve.log"
        with log.open("w") as log_fh:
            server = subprocess.Popen(
                [*HYGIE, "fleet", "serve", "--database", url, "--listen", f"127.0.0.1:{port}",
                 "--workers", str(args.workers), "--pool-size", str(args.pool_size)],
                env=env, stdout=log_fh, stderr=subprocess.STDOUT,
            )  # fmt: skip
        cpu0 = cpu1 = (0.0, 0.0, 0.0)
        try:
            deadline = time.time() + 30
            while time.time() < deadline:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                    break
                except OSError:
                    time.sleep(0.1)
            else:
                raise SystemExit(f"the server did not start: {log.read_text()[-2000:]}")
            cpu0 = (tree_cpu(server.pid), tree_cpu(postmaster_pid(pg)), time.process_time())
            res = asyncio.run(ingest_clients(port, code, args.clients, args.reports, args.seconds))
            cpu1 = (tree_cpu(server.pid), tree_cpu(postmaster_pid(pg)), time.process_time())
        finally:
            server.terminate()
            server.wait(timeout=30)
        with psycopg.connect(url) as conn:
            cid_row = conn.execute("SELECT id FROM campaign WHERE name = 'bench'").fetchone()
            assert cid_row is not None
            cid = int(cid_row[0])
            stored_row = conn.execute("SELECT count(*) FROM report").fetchone()
            stored = int(stored_row[0]) if stored_row else -1
        anchor = anchor_copy(url, cid, res["sent"])
    lat = [x * 1000 for x in res["latencies"]]
    ok = res["codes"].get(201, 0)
    rate = ok / res["wall"]
    anchor_rate = res["sent"] / anchor
    print(f"uptime after:  {uptime()}")
    print(
        f"\ningest, {args.clients} clients, {res['sent']} reports in {res['wall']:.1f} s, "
        f"{args.workers} server process(es) x {args.pool_size} connections, "
        f"durable: {args.durable}; answers: {res['codes']}; "
        f"rows stored: {stored}"
    )
    print(f"{'path':<42} {'reports/s':>10} {'p50 ms':>8} {'p99 ms':>8}")
    print(f"{'hygie fleet serve (HTTP, 1 report/request)':<42} {rate:>10.0f} "
          f"{pct(lat, 0.5):>8.1f} {pct(lat, 0.99):>8.1f}")  # fmt: skip
    print(f"{'anchor: one psycopg client, COPY':<42} {anchor_rate:>10.0f} {'':>8} {'':>8}")
    print(f"ratio server / anchor: {rate / anchor_rate:.2f}")
    per = [(b - a) * 1e6 / max(1, res["sent"]) for a, b in zip(cpu0, cpu1, strict=True)]
    print(f"CPU per report (joins included): server {per[0]:.0f} µs, PostgreSQL {per[1]:.0f} µs, "
          f"bench client {per[2]:.0f} µs")  # fmt: skip
    print(f"targets: >= 2000 reports/s: {'met' if rate >= 2000 else 'NOT met'}; "
          f"p99 <= 50 ms: {'met' if pct(lat, 0.99) <= 50 else 'NOT met'}")  # fmt: skip
    if stored != ok:
        print(f"ERROR: {ok} reports answered 201 but {stored} rows stored")
        return 1
    return 0 if ok == res["sent"] else 1


# --- aggregate ------------------------------------------------------------------------------

NAIVE_SQL = """
SELECT coalesce(d.department, '') AS department, m.position,
       count(*) FILTER (WHERE substr(l.statuses, m.position, 1) = 'o'),
       count(*) FILTER (WHERE substr(l.statuses, m.position, 1) = 'w'),
       count(*) FILTER (WHERE substr(l.statuses, m.position, 1) = 'f'),
       count(*) FILTER (WHERE substr(l.statuses, m.position, 1) = 'u'),
       count(*) FILTER (WHERE substr(l.statuses, m.position, 1) = 'n')
FROM (SELECT DISTINCT ON (device_id) device_id, statuses FROM report
      WHERE campaign_id = %(c)s ORDER BY device_id, audited_at DESC, report_id DESC) l
JOIN device d ON d.campaign_id = %(c)s AND d.id = l.device_id
CROSS JOIN measure m
GROUP BY 1, 2
"""
LAST_SQL = NAIVE_SQL.replace(
    """FROM (SELECT DISTINCT ON (device_id) device_id, statuses FROM report
      WHERE campaign_id = %(c)s ORDER BY device_id, audited_at DESC, report_id DESC) l
JOIN device d ON d.campaign_id = %(c)s AND d.id = l.device_id""",
    """FROM (SELECT id, last_statuses AS statuses FROM device
      WHERE campaign_id = %(c)s AND last_statuses IS NOT NULL) l
JOIN device d ON d.campaign_id = %(c)s AND d.id = l.id""",
)


def months(start: dt.date, days: int) -> list[tuple[dt.date, int, int]]:
    """(first of month, first day index, last day index) covering days 0..days-1."""
    out: list[tuple[dt.date, int, int]] = []
    for d in range(days):
        day = start + dt.timedelta(days=d)
        first = day.replace(day=1)
        if out and out[-1][0] == first:
            out[-1] = (first, out[-1][1], d)
        else:
            out.append((first, d, d))
    return out


def load_month(
    conn: psycopg.Connection[Any], cid: int, devices: int, start: dt.date,
    month: dt.date, d0: int, d1: int,
) -> None:  # fmt: skip
    nxt = (month + dt.timedelta(days=32)).replace(day=1)
    part = f"report_{month:%Y_%m}"
    lo, hi = f"{month.isoformat()} 00:00+00", f"{nxt.isoformat()} 00:00+00"
    with conn.transaction():
        if conn.execute("SELECT to_regclass(%s)", (part,)).fetchone() != (None,):
            conn.execute(f"ALTER TABLE report DETACH PARTITION {part}")  # empty, made by init
            conn.execute(f"DROP TABLE {part}")
        conn.execute(f"CREATE TABLE {part} (LIKE report INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
        conn.execute(
            f"INSERT INTO {part} (campaign_id, device_id, report_id, audited_at, received_at,"
            " score, statuses) " + report_select(cid, devices, start, d0, d1, received_now=False)
        )
        conn.execute(
            f"ALTER TABLE {part} ADD CONSTRAINT bounds"
            f" CHECK (audited_at >= '{lo}' AND audited_at < '{hi}')"
        )
        conn.execute(
            f"ALTER TABLE report ATTACH PARTITION {part} FOR VALUES FROM ('{lo}') TO ('{hi}')"
        )
        conn.execute(f"ALTER TABLE {part} DROP CONSTRAINT bounds")


def timed(fn: Any, runs: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def bench_aggregate(args: argparse.Namespace) -> int:
    from hygie.fleet.server import rollup, stats

    print(f"uptime before: {uptime()}")
    settings = {**SERVER_SETTINGS, "autovacuum": "off"}  # the load would trigger it mid-run
    today = dt.datetime.now(dt.UTC).date()
    start = today - dt.timedelta(days=args.days)
    with PgCluster.start(settings=settings) as pg, tempfile.TemporaryDirectory() as home:
        url = pg.createdb("fleet")
        env = {**os.environ, "HYGIE_HOME": home}
        hygie("fleet", "init", "--database", url, env=env)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(
                "SELECT fleet_ensure_partitions(%s, %s)", (start, today + dt.timedelta(days=31))
            )
            cid = create_campaign(conn, "bench")
            add_devices(conn, cid, args.devices)
            make_profiles(conn)
            t0 = time.perf_counter()
            for month, d0, d1 in months(start, args.days):
                t1 = time.perf_counter()
                load_month(conn, cid, args.devices, start, month, d0, d1)
                print(f"  {month:%Y-%m}: days {d0}-{d1} loaded in {time.perf_counter() - t1:.0f} s",
                      flush=True)  # fmt: skip
            set_last(conn, cid, since=start + dt.timedelta(days=args.days - 1))
            conn.execute("VACUUM (ANALYZE) report, device")  # as after any bulk load
            gen_s = time.perf_counter() - t0
            rows_row = conn.execute("SELECT count(*) FROM report").fetchone()
            rows = int(rows_row[0]) if rows_row else 0
            size_row = conn.execute(
                "SELECT pg_size_pretty(sum(pg_total_relation_size(inhrelid))),"
                " pg_size_pretty(sum(pg_relation_size(inhrelid)))"
                " FROM pg_inherits WHERE inhparent = 'report'::regclass"
            ).fetchone()
            assert size_row is not None
            print(f"generated {rows:,} reports for {args.devices:,} devices x {args.days} days "
                  f"in {gen_s:.0f} s; report table {size_row[1]} "
                  f"({size_row[0]} with indexes)", flush=True)  # fmt: skip

            full = rollup.refresh(conn, full=True)
            print(f"full rollup refresh: {full.seconds:.1f} s ({full.days} days)", flush=True)
            conn.execute("ANALYZE rollup_now, rollup_day, rollup_device")
            # one more day, received now, through the normal insert path (indexes, triggers)
            t1 = time.perf_counter()
            conn.execute(
                "INSERT INTO report (campaign_id, device_id, report_id, audited_at, received_at,"
                " score, statuses) " + report_select(cid, args.devices, start, args.days, args.days)
            )
            set_last(conn, cid, since=today)
            day_insert = time.perf_counter() - t1
            inc = rollup.refresh(conn)
            print(f"one more day ({args.devices:,} devices) inserted in {day_insert:.1f} s; "
                  f"incremental refresh {inc.seconds:.2f} s ({inc.devices:,} devices, "
                  f"{inc.days} day(s))", flush=True)  # fmt: skip
            again = rollup.refresh(conn)
            print(f"incremental refresh with nothing new: {again.seconds * 1000:.0f} ms")

            fast_s, fast = timed(lambda: stats.department_measures(conn, cid), args.runs)
            camp_s, _ = timed(
                lambda: stats.campaign_stats(conn, _Campaign(cid, "bench", "anonymous")),
                args.runs,
            )
            series_s, series = timed(lambda: stats.status_over_time(conn, cid, "M07"), args.runs)
            last_s, last_rows = timed(
                lambda: conn.execute(LAST_SQL, {"c": cid}).fetchall(), max(3, args.anchor_runs)
            )
            naive_s, naive_rows = timed(
                lambda: conn.execute(NAIVE_SQL, {"c": cid}).fetchall(), args.anchor_runs
            )
    ids = measure_ids()
    mine = {
        (d.department, pos): stats_tuple(d.measures[mid])
        for d in fast
        for pos, mid in enumerate(ids, 1)
        if d.measures[mid].total
    }
    naive = {(r[0], r[1]): tuple(r[2:]) for r in naive_rows}
    via_last = {(r[0], r[1]): tuple(r[2:]) for r in last_rows}
    print(f"uptime after:  {uptime()}")
    print(f"\naggregate, campaign of {args.devices:,} devices, {rows:,} reports, "
          f"{len(fast)} departments x {len(ids)} measures")  # fmt: skip
    print(f"{'query':<58} {'median ms':>10}")
    print(f"{'stats.department_measures (rollup_now)':<58} {fast_s * 1000:>10.1f}")
    print(f"{'stats.campaign_stats (+ joined devices, totals)':<58} {camp_s * 1000:>10.1f}")
    print(f"{f'stats.status_over_time M07, {len(series)} days':<58} "
          f"{series_s * 1000:>10.1f}")  # fmt: skip
    print(f"{'same aggregate from device.last_statuses (no rollup)':<58} {last_s * 1000:>10.1f}")
    print(f"{'anchor: GROUP BY over report, latest per device':<58} {naive_s * 1000:>10.1f}")
    print(f"ratio anchor / rollup: {naive_s / fast_s:,.0f}x")
    print(f"target <= 200 ms: {'met' if fast_s <= 0.2 else 'NOT met'}")
    if mine != naive or via_last != naive:
        print("ERROR: the rollup's counts differ from the anchor's")
        return 1
    print("rollup counts = anchor counts, cell by cell")
    return 0


class _Campaign:
    def __init__(self, id: int, name: str, mode: str) -> None:
        self.id, self.name, self.mode = id, name, mode


def stats_tuple(c: Any) -> tuple[int, ...]:
    return (c.ok, c.warn, c.fail, c.unknown, c.not_applicable)


def main() -> int:
    # a SIGTERM unwinds (PostgreSQL stopped, its folder deleted) instead of leaving them behind
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="what", required=True)
    ing = sub.add_parser("ingest")
    ing.add_argument("--clients", type=int, default=64)
    ing.add_argument("--reports", type=int, default=20000)
    ing.add_argument("--seconds", type=float, default=60.0)
    ing.add_argument("--workers", type=int, default=2, help="server processes (2 cores)")
    ing.add_argument("--pool-size", type=int, default=32, help="connections per process")
    ing.add_argument("--no-durable", dest="durable", action="store_false")
    agg = sub.add_parser("aggregate")
    agg.add_argument("--devices", type=int, default=130_000)
    agg.add_argument("--days", type=int, default=365)
    agg.add_argument("--runs", type=int, default=20)
    agg.add_argument("--anchor-runs", type=int, default=3)
    args = parser.parse_args()
    return bench_ingest(args) if args.what == "ingest" else bench_aggregate(args)


if __name__ == "__main__":
    sys.exit(main())
