"""Benchmark: how long ``hygie --version``, ``hygie --help`` and ``hygie audit`` take to start,
against a bare ``python -c pass`` (the anchor) measured in the same run.

    .venv/bin/python bench/cli_startup.py                     # 20 paired runs each
    .venv/bin/python bench/cli_startup.py --runs 40 --baseline-src ../main/src

Each command runs as a whole process (start-up, imports, exit), alternating with the anchor
(A B A B ...) so that a drift of the machine's speed hits both; the table gives the median,
min and max wall time, the median of the pair-by-pair differences to the anchor and the
ratio. Target (issue #11): ``--version`` and ``--help`` <= 0.1 s above the anchor.

``--baseline-src`` runs the same commands from another source tree (e.g. main before the
change) with ``PYTHONPATH``, to show ``hygie audit`` is not slower than before.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HYGIE = [sys.executable, "-c", "from hygie.cli.app import main; main()"]
ANCHOR = [sys.executable, "-c", "pass"]


def script_path() -> list[str]:
    """The console script pip installed (what a user types), else the module."""
    exe = Path(sys.executable).with_name("hygie")
    return [str(exe)] if exe.exists() else HYGIE


def once(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=False)
    return time.perf_counter() - start


def paired(cmd: list[str], runs: int, env: dict[str, str]) -> tuple[list[float], list[float]]:
    once(cmd, env)  # warm-up (page cache, .pyc)
    once(ANCHOR, env)
    a: list[float] = []
    b: list[float] = []
    for _ in range(runs):
        a.append(once(cmd, env))
        b.append(once(ANCHOR, env))
    return a, b


def row(label: str, a: list[float], b: list[float]) -> str:
    diffs = [x - y for x, y in zip(a, b, strict=True)]
    ratios = [x / y for x, y in zip(a, b, strict=True)]
    med = statistics.median
    return (
        f"| {label:<34} | {med(a):6.3f} | {min(a):6.3f} | {max(a):6.3f} | {med(b):6.3f} "
        f"| {med(diffs):+6.3f} | {med(ratios):5.2f}x |"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--baseline-src", type=Path, help="another src/ tree to compare with")
    ap.add_argument("--no-audit", action="store_true", help="skip the (slow) audit rows")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="hygie-bench-startup-") as home:
        return run_cases(args, dict(os.environ, HYGIE_HOME=home))


def run_cases(args: argparse.Namespace, env: dict[str, str]) -> int:
    cases: list[tuple[str, list[str], dict[str, str]]] = []
    cli = script_path()
    cases += [("hygie --version", [*cli, "--version"], env)]
    cases += [("hygie --help", [*cli, "--help"], env)]
    cases += [("hygie audit --help", [*cli, "audit", "--help"], env)]
    if not args.no_audit:
        cases += [("hygie audit --json --no-record", [*cli, "audit", "--json", "--no-record"], env)]
    if args.baseline_src:
        benv = dict(env, PYTHONPATH=str(args.baseline_src.resolve()))
        cases += [("baseline: hygie --version", [*HYGIE, "--version"], benv)]
        cases += [("baseline: hygie --help", [*HYGIE, "--help"], benv)]
        if not args.no_audit:
            audit = [*HYGIE, "audit", "--json", "--no-record"]
            cases += [("baseline: hygie audit --json --no-record", audit, benv)]
            cases += [("now (same launcher): audit --json", audit, env)]
    print(f"load average: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}, runs: {args.runs}")
    print(
        "| command                            | median |    min |    max | anchor "
        "|  diff  | ratio |"
    )
    print("|" + "---|" * 7)
    for label, cmd, cenv in cases:
        runs = args.runs if "audit --json" not in label else max(3, args.runs // 4)
        a, b = paired(cmd, runs, cenv)
        print(row(label, a, b), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
