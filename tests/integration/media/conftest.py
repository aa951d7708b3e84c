"""A real clamd per test session (per xdist worker) on a unix socket in tmp, tiny database."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from hygie.media.clamd import Address
from hygie.media.clamd_engine import ClamdEngine as Engine
from hygie.media.clamd_engine import EngineSpec, OwnClamd
from hygie.media.testdb import build_test_database
from media_helpers import TEST_LIMITS, start_own


@pytest.fixture(scope="session")
def clamd_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_test_database(tmp_path_factory.mktemp("clamdb"))


@pytest.fixture(scope="session")
def clamd_daemon(tmp_path_factory: pytest.TempPathFactory, clamd_db: Path) -> Iterator[OwnClamd]:
    if shutil.which("clamd") is None and not Path("/usr/sbin/clamd").exists():
        pytest.skip("clamav-daemon is not installed (scripts/test-packages.txt)")
    own = start_own(tmp_path_factory.mktemp("clamd"), clamd_db)
    yield own
    own.stop()


@pytest.fixture
def engine(clamd_daemon: OwnClamd, clamd_db: Path) -> Engine:
    spec = EngineSpec("own", clamd_daemon.address, TEST_LIMITS, clamd_db, source="test")
    eng = Engine(spec, clamd_daemon.address)
    eng.check()
    return eng


@pytest.fixture
def clamd_address(clamd_daemon: OwnClamd) -> Address:
    return clamd_daemon.address


STOCK_CONF = """# Debian 12's stock clamd.conf limits, no Alert* lines (what issue 14 attacked).
Foreground yes
LocalSocket {sock}
DatabaseDirectory {db}
ScanArchive yes
MaxScanSize 100M
MaxFileSize 25M
MaxRecursion 16
MaxFiles 10000
StreamMaxLength 25M
DisableCache yes
"""


@pytest.fixture(scope="session")
def stock_clamd(tmp_path_factory: pytest.TempPathFactory, clamd_db: Path) -> Iterator[Path]:
    """A real clamd configured like a stock install: yields its clamd.conf (socket inside)."""
    import subprocess
    import time

    from hygie.media.clamd import ClamdClient, ClamdError

    binary = shutil.which("clamd") or (
        "/usr/sbin/clamd" if Path("/usr/sbin/clamd").exists() else None
    )
    if binary is None:
        pytest.skip("clamav-daemon is not installed (scripts/test-packages.txt)")
    base = tmp_path_factory.mktemp("stock")
    conf = base / "clamd.conf"
    conf.write_text(STOCK_CONF.format(sock=base / "clamd.sock", db=clamd_db))
    log = (base / "clamd.log").open("wb")
    proc = subprocess.Popen([binary, "--foreground", f"--config-file={conf}"], stdout=log,
                            stderr=subprocess.STDOUT)  # fmt: skip
    client = ClamdClient(Address("unix", path=str(base / "clamd.sock")))
    try:
        for _ in range(600):
            try:
                client.ping(timeout=1.0)
                break
            except ClamdError:
                if proc.poll() is not None:
                    pytest.fail("stock clamd did not start: " + (base / "clamd.log").read_text())
                time.sleep(0.1)
        yield conf
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()
