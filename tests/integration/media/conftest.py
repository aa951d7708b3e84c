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
