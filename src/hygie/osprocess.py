"""The floor of the platform seam, below :mod:`hygie.proc`: which OS hygie behaves as, and
how a child process is started in its own group and killed with everything it started.

:mod:`hygie.platform` (the OS services, which run commands through :mod:`hygie.proc`)
re-exports :func:`current`, :func:`host` and the names below; import them from there. Only
:mod:`hygie.proc` needs this module directly: it starts every child with :func:`popen_kwargs`
and kills the tree on a time-out with :func:`kill_tree`, without importing the platform
package that itself runs commands through it.

POSIX-only names (``os.killpg``, ``signal.SIGKILL``) are looked up when called, never at
import, so importing this module cannot fail on any interpreter.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from typing import Any, Literal, cast

PlatformName = Literal["linux", "windows", "darwin"]
ALL_PLATFORMS: frozenset[str] = frozenset({"linux", "windows", "darwin"})
PLATFORM_ENV = "HYGIE_PLATFORM"

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


def popen_kwargs(name: str | None = None) -> dict[str, Any]:
    """Extra ``subprocess.Popen`` arguments that put the child in its own group (Windows) or
    session (Linux, macOS), so that :func:`kill_tree` reaches its children too."""
    if (name or current()) == "windows":
        flag = getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", None)
        return {"creationflags": flag} if flag else {}
    return {"start_new_session": True}


def kill_tree(process: subprocess.Popen[Any], name: str | None = None) -> None:
    """Kill ``process`` and everything it started, now (never raises).

    Windows: ``taskkill /T /F`` (the whole tree), then ``Popen.kill`` in case taskkill is
    missing; Linux and macOS: ``killpg`` of the child's session, then ``Popen.kill``."""
    if (name or current()) == "windows":
        if process.poll() is None:
            with contextlib.suppress(OSError, subprocess.SubprocessError, ValueError):
                subprocess.run(  # argv list, never a shell
                    ["taskkill", "/T", "/F", "/PID", str(process.pid)],
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    timeout=10,
                    check=False,
                )
    else:
        killpg = getattr(os, "killpg", None)
        sig = getattr(signal, "SIGKILL", signal.SIGTERM)
        if killpg is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError, OSError):
                killpg(process.pid, sig)
    with contextlib.suppress(OSError, ValueError):
        process.kill()
