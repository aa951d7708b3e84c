#!/usr/bin/env python3
"""Benchmark: the Windows and macOS audit code paths (providers, parsers, checks, scoring)
on replayed command outputs, side by side with the real Linux audit of this machine, in
the same process and run. Prints median wall times and the ratios.

    python bench/winmac.py [--runs 20]

The replay removes the commands' own latency (PowerShell start-up, softwareupdate's network
round trip), so the Windows/macOS figures are hygie's own cost on those systems; the real
commands run concurrently under the audit's 8 s deadline.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.helpers import ReplayRunner  # noqa: E402
from tests.unit.platform import test_darwin_probes as mac  # noqa: E402
from tests.unit.platform import test_windows_probes as win  # noqa: E402

from hygie import proc  # noqa: E402
from hygie.audit.context import ProbeContext  # noqa: E402
from hygie.audit.runner import run_audit  # noqa: E402

NOW = dt.datetime(2026, 11, 29, 9, 0, tzinfo=dt.UTC)


def median_s(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=20)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["HYGIE_HOME"] = str(Path(tmp) / "home")
        win_ctx = win.ctx(Path(tmp) / "win")
        mac_ctx = mac.make_ctx(Path(tmp) / "mac")
        win_out, mac_out = win.french_machine(), mac.mac_machine()

        def windows() -> object:
            with proc.use_runner(ReplayRunner(win_out)):
                return run_audit(win_ctx, record=False)

        def darwin() -> object:
            with proc.use_runner(ReplayRunner(mac_out)):
                return run_audit(mac_ctx, record=False)

        def linux() -> object:
            return run_audit(ProbeContext(platform="linux", now=NOW), record=False)

        rows = [
            ("Windows audit, replayed outputs (FR)", median_s(windows, args.runs)),
            ("macOS audit, replayed outputs", median_s(darwin, args.runs)),
            ("anchor: Linux audit of this machine, real probes", median_s(linux, args.runs)),
        ]
    anchor = rows[-1][1]
    print(f"{'run':<52} {'runs':>5} {'median ms':>10} {'vs anchor':>10}")
    for name, secs in rows:
        print(f"{name:<52} {args.runs:>5} {secs * 1000:>10.1f} {secs / anchor:>9.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
