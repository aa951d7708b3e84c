"""lsblk: is the device holding a mount point under an encryption (``crypt``) layer? (pure)

``lsblk -J -o NAME,TYPE,FSTYPE,MOUNTPOINTS`` prints the device tree (disk > part > crypt >
lvm ...). Old lsblk (before util-linux 2.37) has ``MOUNTPOINT`` (one string) instead of
``MOUNTPOINTS`` (a list). A mount point is encrypted when every path from a disk down to
the device that holds it crosses a ``crypt`` device (LUKS, plain dm-crypt) or a partition
formatted ``crypto_LUKS``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

CRYPT_TYPES = {"crypt"}
CRYPT_FSTYPES = {"crypto_luks"}


class LsblkError(ValueError):
    """The text is not lsblk JSON."""


def parse_lsblk(text: str) -> list[dict[str, Any]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LsblkError(str(exc)) from exc
    devices = data.get("blockdevices") if isinstance(data, dict) else None
    if not isinstance(devices, list):
        raise LsblkError("no blockdevices")
    return [d for d in devices if isinstance(d, dict)]


def _mounts(dev: dict[str, Any]) -> list[str]:
    out: list[str] = []
    many = dev.get("mountpoints")
    if isinstance(many, list):
        out.extend(str(m) for m in many if m)
    one = dev.get("mountpoint")
    if isinstance(one, str) and one:
        out.append(one)
    return out


def _is_crypt(dev: dict[str, Any]) -> bool:
    return str(dev.get("type") or "").lower() in CRYPT_TYPES or (
        str(dev.get("fstype") or "").lower() in CRYPT_FSTYPES
    )


def _walk(devs: list[dict[str, Any]], crypted: bool) -> Iterator[tuple[dict[str, Any], bool]]:
    for d in devs:
        here = crypted or _is_crypt(d)
        yield d, here
        children = d.get("children")
        if isinstance(children, list):
            yield from _walk([c for c in children if isinstance(c, dict)], here)


def mount_encryption(devices: list[dict[str, Any]], mount: str) -> bool | None:
    """True/False for a mount point found in the tree, None when no device holds it."""
    seen = [enc for dev, enc in _walk(devices, False) if mount in _mounts(dev)]
    if not seen:
        return None
    return all(seen)


def mounted(devices: list[dict[str, Any]]) -> set[str]:
    return {m for dev, _ in _walk(devices, False) for m in _mounts(dev)}


def crypt_device_names(devices: list[dict[str, Any]]) -> list[str]:
    return sorted({str(d.get("name")) for d, _ in _walk(devices, False) if _is_crypt(d)})


def _flag(v: object) -> bool:
    return v is True or str(v).strip().lower() in {"1", "true"}


def _size(v: object) -> int | None:
    try:
        return int(str(v))
    except (TypeError, ValueError):
        return None


VOLUME_COLUMNS = "PATH,UUID,LABEL,FSTYPE,MOUNTPOINT,RM,HOTPLUG,TRAN,SIZE"


def parse_volumes(text: str) -> list[dict[str, Any]]:
    """``lsblk -J -b -o PATH,UUID,LABEL,FSTYPE,MOUNTPOINT,RM,HOTPLUG,TRAN,SIZE`` -> one
    record per filesystem (UUID or label): mount, uuid, label, device, fstype, removable
    (inherited from the parent disk: a USB disk's partitions), bus (the disk's ``TRAN``)."""
    out: list[dict[str, Any]] = []

    def walk(devs: list[dict[str, Any]], parent_rm: bool, parent_bus: str) -> None:
        for d in devs:
            rm = parent_rm or _flag(d.get("rm")) or _flag(d.get("hotplug"))
            bus = str(d.get("tran") or parent_bus or "")
            mounts = _mounts(d)
            if d.get("uuid") or d.get("label"):
                out.append(
                    {
                        "mount": mounts[0] if mounts else "",
                        "uuid": str(d.get("uuid") or ""),
                        "label": str(d.get("label") or ""),
                        "device": str(d.get("path") or d.get("name") or ""),
                        "fstype": str(d.get("fstype") or ""),
                        "removable": rm or bus.lower() == "usb",
                        "bus": bus,
                        "size": _size(d.get("size")),
                    }
                )
            children = d.get("children")
            if isinstance(children, list):
                walk([c for c in children if isinstance(c, dict)], rm, bus)

    walk(parse_lsblk(text), False, "")
    return out
