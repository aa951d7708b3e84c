"""The one place that reads ``sys.platform``.

Everything else asks :func:`current` (or receives the platform name in its context) so that
tests can run Windows and macOS code paths on Linux.
"""

from __future__ import annotations

import sys
from typing import Literal

PlatformName = Literal["linux", "windows", "darwin"]
ALL_PLATFORMS: frozenset[str] = frozenset({"linux", "windows", "darwin"})

IS_WINDOWS = sys.platform.startswith("win")
IS_DARWIN = sys.platform == "darwin"
IS_LINUX = not (IS_WINDOWS or IS_DARWIN)


def current() -> PlatformName:
    if IS_WINDOWS:
        return "windows"
    if IS_DARWIN:
        return "darwin"
    return "linux"


PLATFORM_LABELS_FR = {"linux": "Linux", "windows": "Windows", "darwin": "macOS"}
