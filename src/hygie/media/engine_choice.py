"""Which media engine runs, opened and proven: ``--engine``/``[media] engine``, else Defender
on Windows and ClamAV elsewhere; the engine is proven with the canary battery
(:mod:`hygie.media.canaries`) before a single file is trusted to it.

Apart from :mod:`hygie.media.engines` (the types both engines share), so that the engines
import their types without importing the module that opens them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hygie.media.engines import ENGINE_KINDS, ScanEngine


def default_engine_kind(platform_name: str) -> str:
    """Defender on Windows (every Windows has it), ClamAV elsewhere."""
    return "defender" if platform_name == "windows" else "clamav"


def chosen_kind(cli_value: str | None, config: Mapping[str, Any], platform_name: str) -> str:
    from hygie.errors import UsageError

    media_cfg = config.get("media", {}) if isinstance(config.get("media"), dict) else {}
    kind = (cli_value or str(media_cfg.get("engine") or "")).strip().lower()
    if not kind:
        return default_engine_kind(platform_name)
    if kind not in ENGINE_KINDS:
        raise UsageError(
            detail=f"--engine : « {kind} » inconnu (choisir parmi {', '.join(ENGINE_KINDS)})"
        )
    return kind


@dataclass(frozen=True)
class EngineOptions:
    """What the fronts (CLI, dashboard) pass to :func:`open_engine`."""

    engine: str | None = None
    clamd: str | None = None
    database: Path | None = None
    disable_cache: bool = False
    clamd_conf: Path | None = None


@contextlib.contextmanager
def open_engine(
    options: EngineOptions, config: Mapping[str, Any], *, check: bool = True
) -> Iterator[ScanEngine]:
    """Open the chosen engine, prove it (unless ``check`` is False), close it afterwards."""
    from hygie import platform

    kind = chosen_kind(options.engine, config, platform.current())
    if kind == "defender":
        from hygie.media.defender_engine import open_defender

        with open_defender(config, check=check) as engine:
            yield engine
        return
    from hygie.media.clamd_engine import open_clamd, resolve_spec

    spec = resolve_spec(
        options.clamd, config, database_dir=options.database, clamd_conf=options.clamd_conf
    )
    with open_clamd(spec, disable_cache=options.disable_cache, check=check) as clamav:
        yield clamav
