"""Shared helpers of the media tests (limits of the test clamd, a starter, a no-tool runner)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from hygie.media.clamd_engine import OwnClamd
from hygie.media.engines import Limits
from hygie.proc import Completed

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


class NoTools:
    """A runner for which no program is installed."""

    def __call__(
        self, args: Sequence[str], timeout: float, env: Mapping[str, str] | None, stdin: str | None
    ) -> Completed:
        return Completed(tuple(args), None, missing=True)
