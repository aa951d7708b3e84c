"""The platform seam: the one place that knows which OS hygie runs on.

* :func:`current` is the OS whose probes and services hygie uses: ``sys.platform``, unless
  ``HYGIE_PLATFORM=windows|darwin|linux`` says otherwise (replaying another OS's recording,
  the test-suite's Windows and macOS personalities). It comes from :mod:`hygie.osprocess`,
  the seam's floor below :mod:`hygie.proc` (which also starts and kills process trees).
* :func:`system` is that OS's services (:class:`hygie.platform.os_base.System`): free space,
  elevation, the daily user's home, volumes and removable disks, eject, notifications,
  Thunderbird folders. Only the current OS's module is imported (``os_windows`` never runs on
  Linux unless asked), and no module here imports a POSIX-only module at its top.

The audit's probes are not here: they live in :mod:`hygie.audit.probes` and call these
services (this package imports nothing of the audit).

Nothing outside this package (and :mod:`hygie.osprocess`) reads ``sys.platform`` or calls
``os.killpg``, ``os.statvfs``, ``os.geteuid``…; ask :func:`system` instead.
"""

from __future__ import annotations

import importlib
import threading
from typing import TYPE_CHECKING

from hygie.osprocess import ALL_PLATFORMS, PLATFORM_ENV, PlatformName, current, host

if TYPE_CHECKING:
    from hygie.platform.os_base import System

__all__ = [
    "ALL_PLATFORMS",
    "PLATFORM_ENV",
    "PLATFORM_LABELS_FR",
    "PlatformName",
    "current",
    "host",
    "system",
]

PLATFORM_LABELS_FR = {"linux": "Linux", "windows": "Windows", "darwin": "macOS"}


_systems: dict[str, System] = {}
_lock = threading.Lock()


def system(name: str | None = None) -> System:
    """The OS services of ``name`` (default: the current OS); imports only that module."""
    key = name or current()
    with _lock:
        found = _systems.get(key)
        if found is None:
            module = importlib.import_module(f"hygie.platform.os_{key}")
            found = module.SYSTEM
            _systems[key] = found
    return found
