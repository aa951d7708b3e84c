"""macOS services: ``diskutil`` (property lists) for volumes and eject (see :mod:`os_posix`)."""

from __future__ import annotations

import os
from pathlib import Path

from hygie import proc
from hygie.platform.os_base import Volume
from hygie.platform.os_posix import PosixSystem
from hygie.platform.parsers import diskutil

LIST_EXTERNAL = ["diskutil", "list", "-plist", "external"]


def info_command(target: str) -> list[str]:
    return ["diskutil", "info", "-plist", target]


def _volume(r: dict[str, object]) -> Volume:
    return Volume.from_record(r)


class DarwinSystem(PosixSystem):
    name = "darwin"

    def volumes(self) -> list[Volume] | None:
        """The external (removable) volumes; internal ones come from :meth:`volume_of`."""
        cp = proc.run(LIST_EXTERNAL, timeout=15)
        if not cp.ok:
            return None
        try:
            return [_volume(r) for r in diskutil.parse_list(cp.stdout, external=True)]
        except diskutil.DiskutilError:
            return None

    def volume_of(self, path: str | os.PathLike[str]) -> Volume | None:
        cp = proc.run(info_command(os.fspath(path)), timeout=15)
        if not cp.ok:
            return None
        try:
            return _volume(diskutil.parse_info(cp.stdout))
        except diskutil.DiskutilError:
            return None

    def eject(self, volume: Volume) -> proc.Completed:
        target = volume.device or volume.mount
        if not target:
            return proc.Completed(("diskutil",), None, error="no device to eject")
        return proc.run(["diskutil", "eject", target], timeout=60)

    def thunderbird_roots(self, home: Path) -> list[Path]:
        return [home / "Library" / "Thunderbird"]


SYSTEM = DarwinSystem()
