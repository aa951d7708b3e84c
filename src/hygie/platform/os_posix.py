"""What Linux and macOS share: the effective uid, the sudo caller, ``pwd``, ``grp``. (Sessions
and process groups are :mod:`hygie.osprocess`, below :mod:`hygie.proc`.)

POSIX-only names (``os.geteuid``, ``pwd``, ``grp``) are looked up
when called, never at import, so importing this module cannot fail on any interpreter.
"""

from __future__ import annotations

import os
from pathlib import Path

from hygie.platform.os_base import System


class PosixSystem(System):
    name = "posix"

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
