#!/usr/bin/env python3
"""Benchmark: `hygie audit --json` against Lynis (`lynis audit system --quick`), same machine,
same run. Prints both wall times and the ratio.

    python bench/audit.py [--runs 5] [--lynis-runs 1]

Lynis is installed from Debian by this script's own set-up when missing (never by the tests).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def ensure_lynis() -> str:
    exe = shutil.which("lynis")
    if exe:
        return exe
    print("Installing lynis from Debian for the benchmark...", file=sys.stderr)
    subprocess.run(
        ["apt-get", "-o", "DPkg::Lock::Timeout=600", "install", "-y", "-qq", "lynis"],
        check=True,
        env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"),
    )
    found = shutil.which("lynis")
    if not found:
        sys.exit("lynis could not be installed")
    return found


def timed(cmd: list[str], env: dict[str, str] | None = None) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=False)
    return time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--lynis-runs", type=int, default=1)
    args = ap.parse_args()
    hygie = Path(sys.executable).with_name("hygie")
    lynis = ensure_lynis()
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, HYGIE_HOME=home)
        timed([str(hygie), "audit", "--json", "--no-record"], env)  # warm the page cache
        h = [timed([str(hygie), "audit", "--json", "--no-record"], env) for _ in range(args.runs)]
    with tempfile.TemporaryDirectory() as tmp:
        lcmd = [
            lynis,
            "audit",
            "system",
            "--quick",
            "--no-colors",
            "--no-log",
            "--report-file",
            str(Path(tmp) / "report.dat"),
        ]
        ly = [timed(lcmd) for _ in range(args.lynis_runs)]
    hm, lm = statistics.median(h), statistics.median(ly)
    print(f"{'tool':<34}{'runs':>6}{'median s':>12}{'min s':>10}")
    print(f"{'hygie audit --json':<34}{len(h):>6}{hm:>12.3f}{min(h):>10.3f}")
    print(f"{'lynis audit system --quick':<34}{len(ly):>6}{lm:>12.3f}{min(ly):>10.3f}")
    print(f"ratio lynis/hygie: {lm / hm:.1f}x (target >= 50x; hygie target <= 1 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
