"""The decontamination station for USB keys and external disks (``hygie media``, measure M06).

The public surface (``__all__``), what the fronts (CLI, dashboard) and ``hygie doctor`` use:
open the chosen engine proven (:func:`engine_from_options`), :func:`scan` a drive or folder,
:func:`copy` its clean files, :func:`watch_devices` (Linux), :func:`engine_status`, the recent
runs (:func:`recent_runs`) and the engine's audit fact (:func:`engine_fact_value`). Engines,
the judge, containers and canaries are internal.

The audit fact is imported on first use: ``hygie media scan`` starts without the audit
package.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hygie.media.engines import ScanEngine
from hygie.media.history import recent_runs
from hygie.media.scanner import FileResult, ScanRun
from hygie.media.service import copy, engine_from_options, engine_status, scan
from hygie.media.station import StationRun
from hygie.media.verdicts import Verdict
from hygie.media.watch import DesktopOrTerminalNotifier, LinuxMounter, PyudevSource, watch_devices

if TYPE_CHECKING:
    from hygie.audit import ProbeContext


def engine_fact_value(ctx: ProbeContext) -> dict[str, Any]:
    """The engine's audit fact (:func:`hygie.media.facts.engine_fact_value`), imported on
    first use: the facts module brings the whole audit package, which a scan does not need."""
    from hygie.media.facts import engine_fact_value as fact_value

    return fact_value(ctx)


__all__ = [
    "DesktopOrTerminalNotifier",
    "FileResult",
    "LinuxMounter",
    "PyudevSource",
    "ScanEngine",
    "ScanRun",
    "StationRun",
    "Verdict",
    "copy",
    "engine_fact_value",
    "engine_from_options",
    "engine_status",
    "recent_runs",
    "scan",
    "watch_devices",
]
