#!/usr/bin/env python3
"""Benchmark: `hygie remind --dry-run --json` against its anchor `hygie audit --json
--no-record`, alternating, same machine, same run. A reminder run gathers the audit's facts
(no new probe) and evaluates the rules, so its cost should be the audit's plus a little.
Prints both medians and the ratio (target ≤ 1.2×).

    python bench/remind.py [--runs 7]

It also times the pure rules over a large fact set (10,000 destinations) in-process.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def timed(cmd: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=False)
    return time.perf_counter() - t0


def rules_throughput(n: int) -> float:
    from hygie.audit.model import Fact
    from hygie.remind.rules import evaluate

    dests = [
        {
            "name": f"d{i}",
            "removable": i % 2 == 0,
            "offsite": i % 3 == 0,
            "last_success_age_days": float(i % 10),
            "last_error": None,
        }
        for i in range(n)
    ]
    verifies = [{"name": f"d{i}", "ok": i % 7 != 0, "age_days": float(i % 60)} for i in range(n)]
    facts = {
        "backup.destinations": Fact.known("backup.destinations", dests, "bench"),
        "backup.verify_state": Fact.known("backup.verify_state", verifies, "bench"),
    }
    t0 = time.perf_counter()
    due = evaluate(facts, now=dt.datetime.now(dt.UTC))
    took = time.perf_counter() - t0
    assert due
    return took


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    hygie = str(Path(sys.executable).with_name("hygie"))
    remind_cmd = [hygie, "remind", "--dry-run", "--json"]
    audit_cmd = [hygie, "audit", "--json", "--no-record"]
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, HYGIE_HOME=home, HYGIE_KEYRING="file")
        timed(audit_cmd, env)  # warm the page cache
        timed(remind_cmd, env)
        r: list[float] = []
        a: list[float] = []
        for _ in range(args.runs):
            a.append(timed(audit_cmd, env))
            r.append(timed(remind_cmd, env))
    ra, rr = statistics.median(a), statistics.median(r)
    print("| command | runs | median s | min s |")
    print("|---|---:|---:|---:|")
    print(f"| `hygie audit --json --no-record` (anchor) | {args.runs} | {ra:.3f} | {min(a):.3f} |")
    print(f"| `hygie remind --dry-run --json` | {args.runs} | {rr:.3f} | {min(r):.3f} |")
    print(f"\nratio remind/audit: {rr / ra:.2f}x (target <= 1.2x)")
    took = rules_throughput(10_000)
    print(f"rules over 10,000 destinations in-process: {took * 1000:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
