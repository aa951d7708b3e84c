"""A real `hygie serve` in a subprocess, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "web"


@dataclass
class Dashboard:
    url: str  # with the one-time token
    base: str
    home: Path
    proc: subprocess.Popen[str]


def start_dashboard(home: Path, extra_env: dict[str, str] | None = None) -> Dashboard:
    env = {
        **os.environ,
        "HYGIE_HOME": str(home),
        "HYGIE_LANG": "fr",
        "HYGIE_KEYRING": "file",
        **(extra_env or {}),
    }
    proc = subprocess.Popen(
        [sys.executable, "-c", "from hygie.cli.app import main; main()", "serve", "--no-browser"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    assert proc.stdout is not None
    url = proc.stdout.readline().strip()
    assert url.startswith("http://127.0.0.1:"), url
    base = url.split("/?", 1)[0]
    return Dashboard(url, base, home, proc)


def stop_dashboard(d: Dashboard) -> None:
    d.proc.terminate()
    try:
        d.proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        d.proc.kill()
        d.proc.wait()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def clamd_for_web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, Path]]:
    """A real clamd on a unix socket in tmp with the media branch's tiny test database;
    (address, database, its clamd.conf: hygie reads the limits it must prove from it)."""
    if shutil.which("clamd") is None and not Path("/usr/sbin/clamd").exists():
        pytest.fail("clamav-daemon is required (scripts/test-packages.txt)")
    from hygie.media.testdb import build_test_database
    from tests.media_helpers import start_own

    db = build_test_database(tmp_path_factory.mktemp("web-clamdb"))
    own = start_own(tmp_path_factory.mktemp("web-clamd"), db)
    yield str(own.address), db, own.conf_path
    own.stop()


@pytest.fixture(scope="module")
def dashboard(
    tmp_path_factory: pytest.TempPathFactory, clamd_for_web: tuple[str, Path, Path]
) -> Iterator[Dashboard]:
    home = tmp_path_factory.mktemp("web-home")
    address, db, conf = clamd_for_web
    (home / "config").mkdir(parents=True)
    (home / "config" / "config.toml").write_text(
        f'[media]\nclamd = "{address}"\ndatabase = "{db}"\nclamd_conf = "{conf}"\n',
        encoding="utf-8",
    )
    d = start_dashboard(home)
    yield d
    stop_dashboard(d)
