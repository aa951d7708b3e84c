"""Shared fixtures: every test runs with its own HYGIE_HOME in tmp_path, in French."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hygie.i18n import set_language

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def hygie_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path / "hygie-home"
    monkeypatch.setenv("HYGIE_HOME", str(home))
    # secrets go to HYGIE_HOME's protected files, never to the host's keyring
    monkeypatch.setenv("HYGIE_KEYRING", "file")
    monkeypatch.delenv("HYGIE_LANG", raising=False)
    set_language("fr")
    yield home
    set_language("fr")


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES


# Figures measured by tests (precision/recall...), shown at the end of the run, also under
# xdist: a test calls record_property("summary", "...") and the controller prints it.
_SUMMARIES: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call":
        _SUMMARIES.extend(str(v) for k, v in report.user_properties if k == "summary")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _SUMMARIES:
        terminalreporter.section("measured by the tests")
        for line in sorted(_SUMMARIES):
            terminalreporter.write_line(line)


# Module scope, not session: while Playwright's sync API is open its event loop counts as
# running in this thread (a later test's asyncio.run() in the same worker would fail), and
# one Playwright per process at a time. The one Chromium fixture of the dashboard, fleet
# device and fleet operator browser tests.
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from hygie.web.browser import CHROMIUM, CHROMIUM_ARGS

    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
        pytest.fail("Debian's chromium is required (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS))
        yield b
        b.close()
