#!/usr/bin/env python3
"""Benchmark: the platform seam as programs.

1. A time-out with a grandchild holding the pipes: ``hygie.proc.run`` (kills the process
   tree at once) side by side with the anchor ``subprocess.run(timeout=…)`` (what hygie did
   before: kills the child only, then waits for the grandchild to close the pipes).
2. ``hygie audit --json`` as a program: under the Windows and macOS personalities (recorded
   outputs, tests/personality.py), side by side with the anchor: the same CLI on this Linux
   machine with its real probes.

    python bench/platform_seam.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.machines import mac_machine_outputs, recording, windows_fr_machine  # noqa: E402
from tests.personality import run_hygie  # noqa: E402

from hygie import proc  # noqa: E402

TREE = ["sh", "-c", "sleep 3 & echo $!; sleep 3"]
_left: list[bool] = []


def _alive(pid_text: str) -> bool:
    time.sleep(0.1)
    try:
        stat = Path(f"/proc/{int(pid_text.split()[0])}/stat").read_text()
    except (OSError, ValueError, IndexError):
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def median_s(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def stdlib_timeout() -> None:
    try:
        subprocess.run(TREE, capture_output=True, timeout=0.5, check=False)
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else ""
        _left.append(_alive(out))


def hygie_timeout() -> None:
    cp = proc.run(TREE, timeout=0.5)
    _left.append(_alive(cp.stdout))


def left_running(fn: Callable[[], None], runs: int) -> tuple[float, str]:
    _left.clear()
    secs = median_s(fn, runs)
    return secs, f"{sum(_left)}/{len(_left)} grandchildren left running"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    runs = args.runs
    print(f"load average: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}")
    hygie_s, hygie_left = left_running(hygie_timeout, runs)
    std_s, std_left = left_running(stdlib_timeout, runs)
    kill_rows = [
        ("proc.run, 0.5 s time-out, tree killed", hygie_s),
        ("anchor: subprocess.run(timeout=0.5)", std_s),
    ]
    print(f"proc.run: {hygie_left}; subprocess.run: {std_left}")
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        win_rec = recording(base / "win-rec", "windows", windows_fr_machine())
        mac_rec = recording(base / "mac-rec", "darwin", mac_machine_outputs())
        env = {k: v for k, v in os.environ.items() if not k.startswith("HYGIE_")}
        env["HYGIE_HOME"] = str(base / "linux-home")

        def linux() -> None:
            subprocess.run(
                [sys.executable, "-m", "hygie", "audit", "--json", "--no-record"],
                capture_output=True, env=env, check=False,
            )  # fmt: skip

        def personality(name: str, rec: Path) -> Callable[[], None]:
            home = base / f"{name}-home"
            home.mkdir()

            def go() -> None:
                run_hygie(name, ["audit", "--json", "--no-record"], home=home, replay=rec)  # type: ignore[arg-type]

            return go

        cli_rows = [
            ("hygie audit --json, Windows personality (FR rec.)",
             median_s(personality("windows", win_rec), runs)),
            ("hygie audit --json, macOS personality (rec.)",
             median_s(personality("darwin", mac_rec), runs)),
            ("anchor: hygie audit --json on this Linux (real)", median_s(linux, runs)),
        ]  # fmt: skip
    print(f"{'run':<52} {'runs':>5} {'median ms':>10} {'vs anchor':>10}")
    for rows in (kill_rows, cli_rows):
        anchor = rows[-1][1]
        for name, secs in rows:
            print(f"{name:<52} {runs:>5} {secs * 1000:>10.1f} {secs / anchor:>9.2f}x")
    print(f"load average: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
