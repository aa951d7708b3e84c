"""The first-run path in Debian's Chromium, with real restic on a 50 MB folder.

The disk is a folder in tmp standing for the external disk: loop devices in this container
are read-only (``losetup`` shows RO=1, ``mount`` says "source write-protected, mounted
read-only") and without udev ``lsblk`` reports no RM/HOTPLUG flag, so a loop-mounted disk
could neither take a backup nor be seen as removable; tests also never change the host's
mount table.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.integration.web.conftest import start_dashboard, stop_dashboard
from tests.integration.web.first_run_walk import Walk, make_data, walk
from tests.integration.web.test_web_browser import check_page

pytestmark = pytest.mark.integration


def test_first_run_path_from_bilan_to_the_printed_kit(
    browser: Any, artifacts: Path, tmp_path: Path
) -> None:
    home = tmp_path / "infirmiere"
    data = make_data(home / "Documents" / "Cabinet", megabytes=50)
    disk = tmp_path / "DISQUE-SAUVEGARDE"
    disk.mkdir()
    d = start_dashboard(tmp_path / "hygie", {"HOME": str(home)})
    context = browser.new_context(locale="fr-FR")
    try:
        page = context.new_page()
        page.set_default_timeout(30_000)
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.console_errors = errors
        page.goto(d.url)
        w = Walk(page, d.base, check=lambda p, name: check_page(p, artifacts, name))
        figures = walk(w, data, disk)
    finally:
        context.close()
        stop_dashboard(d)
    (artifacts / "first-run.json").write_text(json.dumps(figures, indent=1), encoding="utf-8")
    assert figures["clicks"] < 60 and figures["keystrokes"] < 200, figures
    assert (disk / "config").is_file() and any((disk / "data").iterdir())  # restic's repository
    assert [name for name, _s in figures["steps"]][-1] == "kit"
