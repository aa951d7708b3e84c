#!/usr/bin/env python3
"""Benchmark: the operator's campaign page and its XLSX export, beside their anchor, one run.

    python bench/fleet_ui.py [--devices 20000] [--days 90] [--runs 10]

Starts its own throw-away PostgreSQL (tests/pg.py), applies the migrations with
``hygie fleet init``, generates an anonymous campaign of ``--devices`` computers with
``--days`` daily reports in SQL (tests/fleet_gen.py, as bench/fleet.py does), refreshes the
statistics' rollups, makes an operator with ``hygie fleet operator add`` and starts the REAL
server (``hygie fleet serve`` on 127.0.0.1). Then, signed in over HTTP like a browser:

* ``GET /campagnes/ID`` (the whole campaign: now, 13 day-by-day charts, actions most needed),
  and ``?groupe=<a department>``, median and max of ``--runs``;
* ``GET /campagnes/ID/export.xlsx`` (every group now, the whole campaign day by day), median
  of 3;
* the anchor, same run: the page's figures computed the plain way, straight from the report
  table (each computer's latest report per day for 90 days, by department, then the 5-device
  rule in Python), as the UI did before the rollups — one query, median of 3.

Prints a table and the ratio anchor / page.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "src"))

import httpx  # noqa: E402
import psycopg  # noqa: E402

from fleet_gen import add_devices, add_reports, create_campaign  # noqa: E402
from pg import PgCluster  # noqa: E402

PASSWORD = "banc d'essai du tableau de bord"

ANCHOR_SQL = """
WITH latest AS (
  SELECT DISTINCT ON (r.device_id, (r.audited_at AT TIME ZONE 'UTC')::date)
         r.device_id, (r.audited_at AT TIME ZONE 'UTC')::date AS day, r.statuses
  FROM report r WHERE r.campaign_id = %(c)s AND r.audited_at >= now() - interval '90 days'
  ORDER BY r.device_id, (r.audited_at AT TIME ZONE 'UTC')::date, r.audited_at DESC)
SELECT l.day, coalesce(d.department, ''), m.measure_id, substr(l.statuses, m.position, 1),
       count(*)
FROM latest l JOIN device d ON d.campaign_id = %(c)s AND d.id = l.device_id
CROSS JOIN measure m
GROUP BY 1, 2, 3, 4
"""


def hygie(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hygie", *args],
        input=stdin, capture_output=True, text=True, check=True, timeout=600,
    )  # fmt: skip


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def timed(fn: object, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()  # type: ignore[operator]
        out.append(time.perf_counter() - t)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--devices", type=int, default=20_000)
    ap.add_argument("--days", type=int, default=90)
    ap.add_argument("--runs", type=int, default=10)
    args = ap.parse_args()
    with PgCluster.start(settings={"shared_buffers": "256MB", "work_mem": "32MB"}) as pg:
        url = pg.createdb("bench_ui")
        hygie("fleet", "init", "--database", url)
        t0 = time.perf_counter()
        start = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=args.days - 1)
        with psycopg.connect(url, autocommit=True) as conn:
            cid = create_campaign(conn, "Banc URPS", "anonymous")
            add_devices(conn, cid, args.devices)
            n = add_reports(conn, cid, args.devices, start, args.days)
            from hygie.fleet.server.rollup import refresh

            refresh(conn, full=True)
            conn.execute("VACUUM ANALYZE")
        gen = time.perf_counter() - t0
        hygie("fleet", "operator", "add", "--database", url, "--name", "banc", stdin=PASSWORD)
        port = free_port()
        log = Path(tempfile.mkdtemp()) / "server.log"
        with log.open("wb") as out:
            server = subprocess.Popen(
                [sys.executable, "-m", "hygie", "fleet", "serve", "--database", url,
                 "--listen", f"127.0.0.1:{port}"],
                stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        try:
            client = httpx.Client(base_url=base, timeout=120)
            for _ in range(300):
                try:
                    if client.get("/api/v1/health").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            first = client.get("/connexion")
            token = re.search(r'name="csrf_token" value="([^"]+)"', first.text)
            assert token is not None
            nonce = first.cookies["__Host-hygie-fleet-login"]
            r = client.post(
                "/connexion",
                data={"csrf_token": token.group(1), "name": "banc", "password": PASSWORD},
                headers={"cookie": f"__Host-hygie-fleet-login={nonce}"},
            )
            assert r.status_code == 303, r.text
            session = r.headers["set-cookie"].split(";")[0]
            headers = {"cookie": session}

            def page(q: str = "") -> None:
                resp = client.get(f"/campagnes/{cid}{q}", headers=headers)
                assert resp.status_code == 200 and "svg" in resp.text

            def export() -> None:
                resp = client.get(f"/campagnes/{cid}/export.xlsx", headers=headers)
                assert resp.status_code == 200 and resp.content[:2] == b"PK"

            page()  # warm: pool, catalogue, templates
            whole = timed(page, args.runs)
            dept = timed(lambda: page("?groupe=75"), args.runs)
            xlsx = timed(export, 3)
            with psycopg.connect(url) as conn:
                anchor = timed(lambda: conn.execute(ANCHOR_SQL, {"c": cid}).fetchall(), 3)
        finally:
            server.terminate()
            server.wait(timeout=30)
    load = os.getloadavg()
    print(f"campaign: {args.devices} computers x {args.days} days = {n} reports "
          f"(generated in {gen:.0f} s)")  # fmt: skip
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(f"{'what':<58} {'median':>9} {'max':>9}")
    rows = [
        ("GET /campagnes/ID (whole campaign, 13 charts)", whole),
        ("GET /campagnes/ID?groupe=75 (one department)", dept),
        ("GET /campagnes/ID/export.xlsx", xlsx),
        ("anchor: the page's figures from the report table (SQL)", anchor),
    ]
    for name, values in rows:
        print(f"{name:<58} {statistics.median(values) * 1000:>7.0f} ms "
              f"{max(values) * 1000:>7.0f} ms")  # fmt: skip
    ratio = statistics.median(anchor) / statistics.median(whole)
    print(f"ratio anchor / page (whole campaign): {ratio:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
