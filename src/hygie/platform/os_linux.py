"""Linux services: lsblk for volumes, udisksctl/umount to eject (see :mod:`os_posix`)."""

from __future__ import annotations

from pathlib import Path

from hygie import proc
from hygie.platform.os_base import Volume
from hygie.platform.os_posix import PosixSystem
from hygie.platform.parsers import lsblk as lsblk_parser


class LinuxSystem(PosixSystem):
    name = "linux"

    def volumes(self) -> list[Volume] | None:
        cp = proc.run(["lsblk", "-J", "-b", "-o", lsblk_parser.VOLUME_COLUMNS], timeout=10)
        if not cp.ok:
            return None
        try:
            records = lsblk_parser.parse_volumes(cp.stdout)
        except lsblk_parser.LsblkError:
            return None
        return [Volume.from_record(r) for r in records]

    def eject(self, volume: Volume) -> proc.Completed:
        cp = proc.run(["udisksctl", "unmount", "-b", volume.device], timeout=60)
        if not cp.ok and volume.mount:
            cp = proc.run(["umount", volume.mount], timeout=60)
        return cp

    def thunderbird_roots(self, home: Path) -> list[Path]:
        return [
            home / ".thunderbird",
            home / "snap" / "thunderbird" / "common" / ".thunderbird",
            home / ".var" / "app" / "org.mozilla.Thunderbird" / ".thunderbird",
        ]


SYSTEM = LinuxSystem()
