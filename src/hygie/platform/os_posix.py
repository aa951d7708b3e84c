"""What Linux and macOS share: sessions and process groups, the effective uid, ``pwd``.

POSIX-only names (``os.killpg``, ``signal.SIGKILL``, ``os.geteuid``, ``pwd``) are looked up
when called, never at import, so importing this module cannot fail on any interpreter.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from pathlib import Path
from typing import Any

from hygie.platform.os_base import System


class PosixSystem(System):
    name = "posix"

    def popen_kwargs(self) -> dict[str, Any]:
        return {"start_new_session": True}

    def kill_tree(self, process: subprocess.Popen[Any]) -> None:
        killpg = getattr(os, "killpg", None)
        sig = getattr(signal, "SIGKILL", signal.SIGTERM)
        if killpg is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError, OSError):
                killpg(process.pid, sig)
        with contextlib.suppress(OSError, ValueError):
            process.kill()

    def is_elevated(self) -> bool | None:
        geteuid = getattr(os, "geteuid", None)
        return None if geteuid is None else geteuid() == 0

    def daily_user(self) -> str:
        return os.environ.get("SUDO_USER") or super().daily_user()

    def daily_home(self) -> Path:
        sudo_user = os.environ.get("SUDO_USER")
        if sudo_user:
            try:
                import pwd

                return Path(pwd.getpwnam(sudo_user).pw_dir)
            except (ImportError, KeyError):
                home = Path(os.path.expanduser("~" + sudo_user))
                if home.is_absolute():
                    return home
        return Path.home()

    def admin_groups_of(self, user: str, names: frozenset[str]) -> list[str] | None:
        """Which of the groups ``names`` list ``user`` as a member (live group database)."""
        try:
            import grp
        except ImportError:
            return None
        return [g.gr_name for g in grp.getgrall() if g.gr_name in names and user in g.gr_mem]
