"""macOS ``diskutil … -plist`` output (pure; the format is Apple's property list).

* ``diskutil list -plist external`` -> ``AllDisksAndPartitions``: each disk with its
  ``Partitions`` and ``APFSVolumes`` (``DeviceIdentifier``, ``MountPoint``, ``VolumeName``,
  ``VolumeUUID``, ``Size``, ``Content``).
* ``diskutil info -plist PATH|DISK`` -> one dictionary (``MountPoint``, ``VolumeUUID``,
  ``VolumeName``, ``DeviceIdentifier``, ``FilesystemType``, ``Internal``, ``Ejectable``,
  ``RemovableMediaOrExternalDevice``, ``BusProtocol``, ``TotalSize``).
"""

from __future__ import annotations

import plistlib
from typing import Any


class DiskutilError(ValueError):
    """Not a diskutil property list."""


def _load(text: str) -> dict[str, Any]:
    try:
        data = plistlib.loads(text.encode("utf-8"))
    except (plistlib.InvalidFileException, ValueError, TypeError) as exc:
        raise DiskutilError(str(exc)) from exc
    if not isinstance(data, dict):
        raise DiskutilError("not a dictionary")
    return data


def _record(d: dict[str, Any], *, removable: bool, bus: str = "") -> dict[str, Any]:
    size = d.get("Size", d.get("TotalSize"))
    return {
        "mount": str(d.get("MountPoint") or ""),
        "uuid": str(d.get("VolumeUUID") or d.get("DiskUUID") or ""),
        "label": str(d.get("VolumeName") or ""),
        "device": str(d.get("DeviceIdentifier") or ""),
        "fstype": str(d.get("FilesystemType") or d.get("Content") or ""),
        "removable": removable,
        "bus": bus,
        "size": size if isinstance(size, int) and not isinstance(size, bool) else None,
    }


def parse_list(text: str, *, external: bool = True) -> list[dict[str, Any]]:
    """Mounted volumes of ``diskutil list -plist [external]`` (removable when ``external``)."""
    data = _load(text)
    disks = data.get("AllDisksAndPartitions")
    if not isinstance(disks, list):
        raise DiskutilError("no AllDisksAndPartitions")
    out: list[dict[str, Any]] = []

    def walk(entries: object) -> None:
        if not isinstance(entries, list):
            return
        for e in entries:
            if not isinstance(e, dict):
                continue
            if e.get("MountPoint"):
                out.append(_record(e, removable=external))
            walk(e.get("Partitions"))
            walk(e.get("APFSVolumes"))

    walk(disks)
    return out


def parse_info(text: str) -> dict[str, Any]:
    """One volume from ``diskutil info -plist``; removable when not internal or ejectable."""
    d = _load(text)
    internal = d.get("Internal")
    removable = (
        internal is False
        or d.get("Ejectable") is True
        or d.get("RemovableMediaOrExternalDevice") is True
        or d.get("Removable") is True
    )
    return _record(d, removable=bool(removable), bus=str(d.get("BusProtocol") or ""))
