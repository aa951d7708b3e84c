"""What the CLI (and later the web dashboard) calls: engine, scan, copy, watch, status."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hygie.config import load_config
from hygie.media.engine_choice import EngineOptions, open_engine
from hygie.media.engines import ScanEngine
from hygie.media.scanner import Progress, ScanRun, scan_paths

if TYPE_CHECKING:  # the copy (and its report templates) is imported by copy() only
    from hygie.media.station import StationRun


@contextlib.contextmanager
def engine_from_options(
    clamd: str | None = None,
    database: Path | None = None,
    *,
    engine: str | None = None,
    clamd_conf: Path | None = None,
    disable_cache: bool = False,
) -> Iterator[ScanEngine]:
    """The chosen engine, opened and proven (see :func:`hygie.media.engine_choice.open_engine`)."""
    options = EngineOptions(engine, clamd, database, disable_cache, clamd_conf)
    with open_engine(options, load_config()) as opened:
        yield opened


def scan(
    paths: Sequence[str],
    engine: ScanEngine,
    *,
    workers: int | None = None,
    progress: Progress | None = None,
    record: bool = True,
) -> ScanRun:
    run = scan_paths(paths, engine, workers=workers, progress=progress)
    if record:
        from hygie.media.history import record_run

        record_run("scan", run)
    return run


def copy(
    source: str,
    destination: str,
    engine: ScanEngine,
    *,
    quarantine: str | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
    report_dir: str | None = None,
    record: bool = True,
) -> StationRun:
    from hygie.media.station import station_copy

    run = station_copy(
        source,
        destination,
        engine,
        quarantine=quarantine,
        workers=workers,
        progress=progress,
        report_dir=report_dir,
    )
    if record:
        from hygie.media.history import record_run

        record_run("copy", run)
    return run


def engine_status(engine: ScanEngine) -> dict[str, Any]:
    assert engine.info is not None
    return engine.info.to_dict()
