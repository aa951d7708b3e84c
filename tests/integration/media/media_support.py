"""Shared helpers of the media integration tests (limits of the test clamd, starter)."""

from __future__ import annotations

from pathlib import Path

from hygie.media.engine import Limits, OwnClamd

MB = 1024 * 1024
TEST_LIMITS = Limits(
    max_file_size=8 * MB,
    max_scan_size=32 * MB,
    stream_max_length=8 * MB,
    max_recursion=6,
    max_files=500,
)


def start_own(base: Path, db: Path) -> OwnClamd:
    own = OwnClamd(base, db, TEST_LIMITS, disable_cache=True, start_timeout=60)
    own.start()
    return own
