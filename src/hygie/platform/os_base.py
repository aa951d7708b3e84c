"""The interface every OS module implements, with portable or "not supported" defaults.

One instance per OS (``SYSTEM`` in ``os_linux``, ``os_windows``, ``os_darwin``), obtained
through :func:`hygie.platform.system`. Methods never raise for an OS that lacks a feature:
they return ``None`` / an unsupported :class:`hygie.proc.Completed` and the caller says
"unknown" or "not supported on this system".
"""

from __future__ import annotations

import getpass
import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hygie.proc import Completed


@dataclass(frozen=True)
class Volume:
    """A mounted filesystem as the OS describes it (no file of it is ever read).

    ``volume_id`` is stable across re-plugging: the filesystem UUID on Linux, the volume
    UUID on macOS, the volume's ``UniqueId`` (``\\\\?\\Volume{GUID}\\``) on Windows.
    """

    mount: str
    volume_id: str = ""
    label: str = ""
    device: str = ""
    filesystem: str = ""
    removable: bool = False
    bus: str = ""
    size_bytes: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "mount": self.mount,
            "volume_id": self.volume_id,
            "label": self.label,
            "device": self.device,
            "filesystem": self.filesystem,
            "removable": self.removable,
            "bus": self.bus,
            "size_bytes": self.size_bytes,
        }

    @classmethod
    def from_record(cls, r: Mapping[str, object]) -> Volume:
        """A volume from one record of the OS parsers (lsblk, Get-Volume, diskutil): keys
        ``mount uuid label device fstype removable bus size``."""
        size = r.get("size")
        return cls(
            mount=str(r["mount"]),
            volume_id=str(r["uuid"]),
            label=str(r["label"]),
            device=str(r["device"]),
            filesystem=str(r["fstype"]),
            removable=bool(r["removable"]),
            bus=str(r["bus"]),
            size_bytes=size if isinstance(size, int) and not isinstance(size, bool) else None,
        )


def _unsupported(what: str) -> Completed:
    from hygie.proc import Completed

    return Completed((what,), None, error="not supported on this system")


class System:
    """Defaults shared by every OS; each OS module overrides what differs."""

    name = "unknown"

    # -- the user -------------------------------------------------------------------------
    def is_elevated(self) -> bool | None:
        """True when running as root / an elevated administrator; None when unknown."""
        return None

    def daily_user(self) -> str:
        """The person using this computer (the sudo caller, not root, when run through sudo)."""
        try:
            return getpass.getuser()
        except (KeyError, OSError, ImportError):
            return os.environ.get("USERNAME", "")

    def daily_home(self) -> Path:
        """That person's home folder."""
        return Path.home()

    def admin_groups_of(self, user: str, names: frozenset[str]) -> list[str] | None:
        """Which of the groups ``names`` list ``user`` as a member; None when unknown here."""
        return None

    # -- disks ----------------------------------------------------------------------------
    def free_space(self, path: str | os.PathLike[str]) -> int | None:
        """Bytes available to us on the filesystem holding ``path``; None when unknown."""
        try:
            return shutil.disk_usage(os.fspath(path)).free
        except (OSError, ValueError):
            return None

    def volumes(self) -> list[Volume] | None:
        """Mounted filesystems with their ids; None when they cannot be listed here."""
        return None

    def removable_volumes(self) -> list[Volume] | None:
        vols = self.volumes()
        return None if vols is None else [v for v in vols if v.removable]

    def volume_of(self, path: str | os.PathLike[str]) -> Volume | None:
        """The volume holding ``path`` (longest matching mount point), or None."""
        vols = self.volumes()
        if not vols:
            return None
        target = self._norm_path(self._absolute(os.fspath(path)))
        best: Volume | None = None
        for v in vols:
            mount = self._norm_path(v.mount)
            if not mount:
                continue
            inside = target == mount or target.startswith(mount.rstrip("/\\") + self._sep())
            if inside and (best is None or len(mount) > len(self._norm_path(best.mount))):
                best = v
        return best

    def _absolute(self, p: str) -> str:
        return os.path.abspath(p)

    def _norm_path(self, p: str) -> str:
        return p

    def _sep(self) -> str:
        return "/"

    def eject(self, volume: Volume) -> Completed:
        """Unmount / eject a removable volume; the command's result (``ok`` when done)."""
        return _unsupported("eject")

    # -- the desktop ----------------------------------------------------------------------
    def notify(self, title: str, body: str, *, urgent: bool = False) -> Completed:
        """Show a desktop notification (hygie's reminders); ``ok`` when the OS took it."""
        from hygie import proc
        from hygie.platform.notify import notification_command

        argv = notification_command(self.name, title, body, urgent=urgent)
        if argv is None:
            return _unsupported("notify")
        return proc.run(argv, timeout=20, c_locale=False)

    # -- well-known folders ---------------------------------------------------------------
    def thunderbird_roots(self, home: Path) -> list[Path]:
        """Folders that may hold Thunderbird's ``profiles.ini``."""
        return []
