"""What the CLI (and later the web dashboard) calls: engine, scan, copy, watch, status."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from hygie.config import load_config
from hygie.media.engine import Engine, EngineSpec, open_engine, resolve_spec
from hygie.media.scanner import Progress, ScanRun, scan_paths
from hygie.media.station import StationRun, station_copy


@contextlib.contextmanager
def engine_from_options(
    clamd: str | None = None, database: Path | None = None, *, disable_cache: bool = False
) -> Iterator[Engine]:
    spec: EngineSpec = resolve_spec(clamd, load_config(), database_dir=database)
    with open_engine(spec, disable_cache=disable_cache) as engine:
        yield engine


def scan(
    paths: Sequence[str],
    engine: Engine,
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
    engine: Engine,
    *,
    quarantine: str | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
    report_dir: str | None = None,
    record: bool = True,
) -> StationRun:
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


def engine_status(engine: Engine) -> dict[str, Any]:
    assert engine.info is not None
    return engine.info.to_dict()
