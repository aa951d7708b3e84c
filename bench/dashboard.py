"""Benchmark of the dashboard: overview page server time, first contentful paint, page weight.

    .venv/bin/python bench/dashboard.py [--quick]

With 1,000 audits in the history (one real audit of this machine, recorded 1,000 times with
spread dates and scores through the store's own ``add_audit``), a real ``hygie serve`` on
loopback is measured side by side with its anchor: a static asset served by the same stack
(session check, security headers), the floor of any page. Targets (issue 7): overview
≤ 50 ms median server time, ≤ 300 ms first contentful paint in headless Chromium, total
page weight ≤ 150 KB.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from hygie.web.browser import CHROMIUM, CHROMIUM_ARGS


def seed(home: Path, n: int) -> None:
    env = dict(os.environ, HYGIE_HOME=str(home))
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "from hygie.cli.app import main; main()",
            "audit",
            "--json",
            "--no-record",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    doc = json.loads(out.stdout)["data"]
    os.environ["HYGIE_HOME"] = str(home)
    from hygie.store import open_store

    store = open_store()
    start = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    for i in range(n):
        d = dict(doc)
        d["started_at"] = (start + dt.timedelta(hours=20 * i)).isoformat(timespec="seconds")
        d["score"] = dict(doc["score"], value=20 + (i * 7) % 75)
        store.add_audit(d)
    store.close()


def timed_get(client: httpx.Client, url: str, runs: int) -> list[float]:
    client.get(url)  # warm-up
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        r = client.get(url)
        out.append((time.perf_counter() - t0) * 1000)
        assert r.status_code == 200, r.status_code
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description="dashboard benchmark")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--audits", type=int, default=1000)
    args = parser.parse_args()
    runs, paints = (20, 5) if args.quick else (100, 15)

    with tempfile.TemporaryDirectory(prefix="hygie-bench-") as tmp:
        home = Path(tmp)
        seed(home, args.audits)
        proc = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from hygie.cli.app import main; main()",
                "serve",
                "--no-browser",
            ],
            env=dict(os.environ, HYGIE_HOME=str(home)),
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        try:
            assert proc.stdout is not None
            url = proc.stdout.readline().strip()
            base = url.split("/?", 1)[0]
            with httpx.Client(base_url=base, follow_redirects=False) as c:
                c.get(url)  # one-time token -> session cookie
                home_ms = timed_get(c, "/", runs)
                hist_ms = timed_get(c, "/historique", runs // 2)
                anchor_ms = timed_get(c, "/static/hygie.css", runs)
                weight = sum(
                    len(c.get(p).content)
                    for p in ("/", "/static/hygie.css", "/static/hygie.js", "/static/favicon.svg")
                )
            from playwright.sync_api import sync_playwright

            # the session stays in the browser context, hence the one-time token is used
            # above by httpx: give Chromium its own session through a fresh server token.
            fcp: list[float] = []
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS))
                context = browser.new_context()
                context.add_cookies(
                    [{"name": k, "value": v, "url": base} for k, v in c.cookies.items()]
                )
                for _ in range(paints):
                    page = context.new_page()
                    page.goto(base + "/")
                    value = page.evaluate(
                        "() => new Promise(r => { const e = performance.getEntriesByName("
                        "'first-contentful-paint'); if (e.length) r(e[0].startTime); else "
                        "new PerformanceObserver(l => r(l.getEntries()[0].startTime))"
                        ".observe({type: 'paint', buffered: true}); })"
                    )
                    fcp.append(float(value))
                    page.close()
                browser.close()
        finally:
            proc.terminate()
            proc.wait(timeout=10)

    med = statistics.median
    print(f"{'measure':<44} {'median':>10} {'target':>10}")
    label = f"overview / (server, {args.audits} audits)"
    print(f"{label:<44} {med(home_ms):>8.1f}ms {'50ms':>10}")
    print(f"{'history /historique (1000-point SVG)':<44} {med(hist_ms):>8.1f}ms {'-':>10}")
    print(f"{'anchor: static asset, same stack':<44} {med(anchor_ms):>8.1f}ms {'-':>10}")
    print(f"{'first contentful paint (Chromium)':<44} {med(fcp):>8.1f}ms {'300ms':>10}")
    print(f"{'page weight (html+css+js+icon)':<44} {weight / 1024:>8.1f}KB {'150KB':>10}")
    print(f"ratio overview/anchor: {med(home_ms) / med(anchor_ms):.1f}x")
    ok = med(home_ms) <= 50 and med(fcp) <= 300 and weight <= 150 * 1024
    print("targets met" if ok else "TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
