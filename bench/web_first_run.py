"""Benchmark of the dashboard's first-run path ("Premiers pas"), scripted in Chromium.

    .venv/bin/python bench/web_first_run.py [--size-mb 50]

A real ``hygie serve`` and Debian's Chromium walk bilan → questionnaire → what to save and the
disk (folder chooser) → first backup → restore test → recovery sheet → kit contacts → kit,
with real restic on a folder of incompressible files; clicks and keystrokes are counted. The
anchor, measured in the same run, is the machine work alone through the capabilities' own
functions (audit, set-up, backup, restore test, kit) in a fresh home: the ratio is what the
pages, the browser and the re-evaluations cost on top. Goal (issue 12): ≤ 3 min scripted.

The "disk" is a folder in tmp: loop devices in this container are read-only (see
tests/integration/web/test_web_first_run.py).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.integration.web.conftest import start_dashboard, stop_dashboard  # noqa: E402
from tests.integration.web.first_run_walk import Walk, make_data, walk  # noqa: E402

from hygie.web.browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402


def browser_path(tmp: Path, size_mb: int) -> dict[str, object]:
    from playwright.sync_api import sync_playwright

    home = tmp / "infirmiere"
    data = make_data(home / "Documents" / "Cabinet", size_mb)
    disk = tmp / "DISQUE"
    disk.mkdir()
    d = start_dashboard(tmp / "hygie", {"HOME": str(home)})
    try:
        with sync_playwright() as pw:
            b = pw.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS))
            page = b.new_context(locale="fr-FR").new_page()
            page.set_default_timeout(60_000)
            page.goto(d.url)
            figures = walk(Walk(page, d.base), data, disk)
            b.close()
    finally:
        stop_dashboard(d)
    return figures


def anchor(tmp: Path, size_mb: int) -> float:
    """The same machine work without pages or browser, in one process."""
    os.environ["HYGIE_HOME"] = str(tmp / "hygie-anchor")
    os.environ["HYGIE_KEYRING"] = "file"
    from hygie import backup as engine
    from hygie.audit import service
    from hygie.incident import build_kit, record_kit, render_kit_html
    from hygie.store import open_store

    data = make_data(tmp / "anchor-data", size_mb)
    (tmp / "anchor-disk").mkdir()
    store = open_store()
    t0 = time.monotonic()
    service.audit(ctx=service.make_context(store))
    engine.setup([str(data)], [str(tmp / "anchor-disk")], pdf=False)
    assert engine.run().ok
    assert engine.verify().ok
    render_kit_html(build_kit(with_password=False))
    record_kit(["print"], with_password=False)
    service.audit(ctx=service.make_context(store))
    return time.monotonic() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size-mb", type=int, default=50)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="hygie-bench-firstrun-") as t:
        tmp = Path(t)
        load_before = os.getloadavg()[0]
        figures = browser_path(tmp, args.size_mb)
        floor = anchor(tmp, args.size_mb)
        load_after = os.getloadavg()[0]
    wall = float(figures["wall_s"])  # type: ignore[arg-type]
    print(f"first-run path, {args.size_mb} MB, load average {load_before:.1f} → {load_after:.1f}")
    print("| measure | value | goal |")
    print("| --- | --- | --- |")
    print(f"| wall time, scripted in Chromium | {wall:.1f} s | ≤ 180 s |")
    print(f"| clicks | {figures['clicks']} | — |")
    print(f"| keystrokes | {figures['keystrokes']} | — |")
    print(f"| anchor: same machine work through the API | {floor:.1f} s | — |")
    print(f"\nratio path / anchor: {wall / floor:.1f}×")
    for step, seconds in figures["steps"]:  # type: ignore[attr-defined]
        print(f"  {step}: {seconds} s")
    return 0 if wall <= 180 else 1


if __name__ == "__main__":
    raise SystemExit(main())
