"""The platform seam: the one place that knows which OS hygie runs on.

* :func:`current` is the OS whose probes and services hygie uses: ``sys.platform``, unless
  ``HYGIE_PLATFORM=windows|darwin|linux`` says otherwise (replaying another OS's recording,
  the test-suite's Windows and macOS personalities).
* :func:`system` is that OS's services (:class:`hygie.platform.os_base.System`): process-tree
  kill, free space, elevation, the daily user's home, volumes and removable disks, eject,
  Thunderbird folders. Only the current OS's module is imported (``os_windows`` never runs on
  Linux unless asked), and no module here imports a POSIX-only module at its top.

The audit's probes are not here: they live in :mod:`hygie.audit.probes` and call these
services (this package imports nothing of the audit).

Nothing outside this package reads ``sys.platform`` or calls ``os.killpg``, ``os.statvfs``,
``os.geteuid``…; ask :func:`system` instead.
"""

from __future__ import annotations

import importlib
import os
import sys
import threading
from typing import TYPE_CHECKING, Literal, cast

if TYPE_CHECKING:
    from hygie.platform.os_base import System

PlatformName = Literal["linux", "windows", "darwin"]
ALL_PLATFORMS: frozenset[str] = frozenset({"linux", "windows", "darwin"})
PLATFORM_ENV = "HYGIE_PLATFORM"
PLATFORM_LABELS_FR = {"linux": "Linux", "windows": "Windows", "darwin": "macOS"}

_ALIASES = {"win32": "windows", "win": "windows", "macos": "darwin", "mac": "darwin"}


def host() -> PlatformName:
    """The OS this interpreter was built for (``sys.platform``), ignoring any override."""
    if sys.platform.startswith(("win", "cygwin")):
        return "windows"
    if sys.platform == "darwin":
        return "darwin"
    return "linux"


def current() -> PlatformName:
    """The OS hygie behaves as: ``HYGIE_PLATFORM`` when set to a known name, else :func:`host`."""
    wanted = os.environ.get(PLATFORM_ENV, "").strip().lower()
    wanted = _ALIASES.get(wanted, wanted)
    if wanted in ALL_PLATFORMS:
        return cast(PlatformName, wanted)
    return host()


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
