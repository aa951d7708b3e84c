#!/usr/bin/env python3
"""Benchmark: what being in a fleet campaign costs the nurse's computer (issue #16, device).

Three figures, each next to its anchor measured in the same run:

* the after-audit hook's synchronous part (build + validate + queue the report in SQLite), vs
  the audit it follows (anchor: the audit itself, in-process);
* a delivery round of 200 queued reports to an HTTP server on loopback, vs the same 200 bodies
  POSTed with bare urllib (anchor: the transport alone; the ratio is the queue's bookkeeping);
* ``hygie audit`` wall time joined to a server that is down, vs not joined (anchor): the
  fleet must not slow an audit noticeably.

    python bench/fleet_device.py [--runs 3]

The HTTP peer is the stdlib scripted server of tests/fleet_device_helpers.py (201 to every
report): this measures the device, not the server (bench/fleet.py measures the server).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CODE = "ABCD-EFGH-JKMN-PQRS"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="hygie-bench-fleet-"))
    os.environ["HYGIE_HOME"] = str(tmp / "home")
    os.environ["HYGIE_KEYRING"] = "file"

    from tests.fleet_device_helpers import scripted_server

    from hygie import audit as audit_api
    from hygie.fleet import build_report, device
    from hygie.fleet.device import state
    from hygie.store import open_store

    rows: list[tuple[str, str, str]] = []
    with scripted_server() as server:
        device.join(device.prepare_join(server.url, CODE))
        # 1. the hook's synchronous part vs the audit
        audits, hooks = [], []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            result = audit_api.audit(ctx=audit_api.make_context(), record=True)
            audits.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            device.queue_report(result)
            hooks.append(time.perf_counter() - t0)
        a, h = statistics.median(audits), statistics.median(hooks)
        rows.append(("queue the report after an audit", _ms(h), f"audit {_ms(a)} ({h / a:.1%})"))

        # 2. a round of 200 reports vs bare urllib
        store = open_store()
        bodies = []
        for _ in range(200):
            rep = build_report(result).to_dict()
            body = state.body_of(rep)
            bodies.append(body)
            state.enqueue(store, rep["report_id"], body)
        store.close()
        t0 = time.perf_counter()
        out = device.deliver(force=True)
        round_s = time.perf_counter() - t0
        assert out.delivered >= 200, out
        t0 = time.perf_counter()
        for body in bodies:
            req = urllib.request.Request(
                server.url + "/api/v1/reports", data=body, method="POST",
                headers={"Content-Type": "application/json", "Authorization": "Bearer x"},
            )  # fmt: skip
            with urllib.request.urlopen(req, timeout=10) as resp:
                resp.read()
        bare = time.perf_counter() - t0
        rows.append(
            ("deliver 200 queued reports", _ms(round_s), f"bare urllib {_ms(bare)} "
             f"(×{round_s / bare:.2f})")
        )  # fmt: skip
    # the server is gone now: 3. `hygie audit` joined-and-down vs not joined
    env = dict(os.environ)

    def cli_audit(home: Path) -> float:
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "hygie", "audit", "--json"],
            env={**env, "HYGIE_HOME": str(home)}, capture_output=True, check=False,
        )  # fmt: skip
        return time.perf_counter() - t0

    joined = [cli_audit(tmp / "home") for _ in range(args.runs)]
    alone_home = tmp / "alone"
    alone = [cli_audit(alone_home) for _ in range(args.runs)]
    j, n = statistics.median(joined), statistics.median(alone)
    rows.append(
        ("`hygie audit`, joined, server down", _ms(j), f"not joined {_ms(n)} (×{j / n:.2f})")
    )

    load = os.getloadavg()[0]
    print(f"fleet device benchmark (runs={args.runs}, load average {load:.1f})")
    print("| measure | median | anchor (same run) |")
    print("| --- | --- | --- |")
    for r in rows:
        print(f"| {r[0]} | {r[1]} | {r[2]} |")


if __name__ == "__main__":
    main()
