"""Backup destinations: a local path (an external disk, recognised by its filesystem UUID or
label), an S3-compatible endpoint, a restic REST server, or SFTP. One restic repository per
destination: a second copy is a second repository, never a sync of the first."""

from __future__ import annotations

import json
import os
import socket
from dataclasses import asdict, dataclass
from pathlib import Path, PurePath, PurePosixPath, PureWindowsPath
from typing import Any

from hygie import proc
from hygie.backup.errors import DestinationAbsent, DestinationUnreachable
from hygie.backup.kinds import (
    KIND_LOCAL,
    KIND_REST,
    KIND_S3,
    KIND_SFTP,
    KINDS,
    DestinationKind,
    kind_of,
    parse_destination,
)
from hygie.i18n import _
from hygie.platform import current, system
from hygie.platform.os_base import Volume

__all__ = [
    "KIND_LOCAL",
    "KIND_REST",
    "KIND_S3",
    "KIND_SFTP",
    "OFFSITE_KINDS",
    "Destination",
    "parse_destination",
]
OFFSITE_KINDS = frozenset(k.name for k in KINDS if k.offsite)
# Mount roots where desktops mount removable media.
REMOVABLE_ROOTS = ("/media/", "/run/media/", "/mnt/", "/Volumes/")


@dataclass(frozen=True)
class Destination:
    name: str
    kind: str
    url: str  # restic repository string (for a local path: the path seen at setup)
    removable: bool = False
    fs_uuid: str = ""
    fs_label: str = ""
    subpath: str = ""  # the repository's folder inside the removable filesystem
    repo_id: str = ""

    @property
    def kind_info(self) -> DestinationKind:
        return kind_of(self.kind)

    @property
    def offsite(self) -> bool:
        return self.kind_info.offsite

    @property
    def host(self) -> str:
        """Host name of a network destination ('' for a local path)."""
        return self.kind_info.host(self.url)

    @property
    def identity(self) -> str:
        """What identifies this destination wherever it is seen: a removable disk by its
        filesystem UUID (or label) and folder, anything else by its repository string."""
        if self.removable and (self.fs_uuid or self.fs_label):
            return f"disk:{self.fs_uuid or self.fs_label}/{self.subpath}"
        return self.url

    @property
    def disk_label(self) -> str:
        return self.fs_label or self.fs_uuid or self.url

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["offsite"] = self.offsite
        d["host"] = self.host
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Destination:
        return cls(
            name=str(d["name"]),
            kind=str(d["kind"]),
            url=str(d["url"]),
            removable=bool(d.get("removable", False)),
            fs_uuid=str(d.get("fs_uuid", "")),
            fs_label=str(d.get("fs_label", "")),
            subpath=str(d.get("subpath", "")),
            repo_id=str(d.get("repo_id", "")),
        )


# --- disks: the platform seam's volumes, completed by findmnt on Linux --------------------
@dataclass(frozen=True)
class Mount:
    target: str
    source: str = ""
    fstype: str = ""
    uuid: str = ""
    label: str = ""
    removable: bool = False


def parse_findmnt(text: str) -> Mount | None:
    """``findmnt -J -T PATH -o TARGET,SOURCE,FSTYPE,UUID,LABEL`` -> the mount holding PATH."""
    try:
        data = json.loads(text)
    except ValueError:
        return None
    fss = data.get("filesystems") or []
    if not fss:
        return None
    f = fss[0]
    return Mount(
        target=str(f.get("target") or ""),
        source=str(f.get("source") or ""),
        fstype=str(f.get("fstype") or ""),
        uuid=str(f.get("uuid") or ""),
        label=str(f.get("label") or ""),
    )


def parse_findmnt_list(text: str) -> list[Mount]:
    """``findmnt -J -l -o TARGET,SOURCE,FSTYPE,UUID,LABEL`` -> mounted filesystems with an id."""
    try:
        data = json.loads(text)
    except ValueError:
        return []
    out = []
    for f in data.get("filesystems") or []:
        if f.get("uuid") or f.get("label"):
            out.append(
                Mount(
                    target=str(f.get("target") or ""),
                    source=str(f.get("source") or ""),
                    fstype=str(f.get("fstype") or ""),
                    uuid=str(f.get("uuid") or ""),
                    label=str(f.get("label") or ""),
                )
            )
    return out


def merge_devices(lsblk: list[Mount], mounted: list[Mount]) -> list[Mount]:
    """lsblk's view completed by findmnt's: without udev (containers, some minimal systems)
    lsblk has no UUID/label, while findmnt probes mounted filesystems itself."""
    known = {m.uuid for m in lsblk if m.uuid}
    by_target = {m.target for m in lsblk if m.target and (m.uuid or m.label)}
    extra = [m for m in mounted if m.uuid not in known and m.target not in by_target]
    return [*lsblk, *extra]


def _flavour() -> type[PurePath]:
    """Paths of the OS hygie behaves as (a Windows recording replayed on Linux included)."""
    return PureWindowsPath if current() == "windows" else PurePosixPath


def _relative(path: str, mount: str) -> str:
    """The repository's folder inside its removable volume (``Sauvegardes\\cabinet``)."""
    flavour = _flavour()
    try:
        return str(flavour(path).relative_to(flavour(mount)))
    except ValueError:
        return os.path.relpath(path, mount)


def _from_volume(v: Volume) -> Mount:
    return Mount(v.mount, v.device, v.filesystem, v.volume_id, v.label, v.removable)


def block_devices() -> list[Mount] | None:
    """Filesystems the OS sees, with their stable ids (None when they cannot be listed).

    Every OS: the platform seam's volumes (lsblk on Linux, Get-Volume on Windows, diskutil on
    macOS: the filesystem UUID / volume UniqueId, its label, whether it is on a removable
    bus). Linux completes them with findmnt, which probes mounted filesystems itself where
    udev is absent (containers), so lsblk knows no UUID/label there."""
    vols = system().volumes()
    if current() != "linux":
        return None if vols is None else [_from_volume(v) for v in vols]
    fm = proc.run(["findmnt", "-J", "-l", "-o", "TARGET,SOURCE,FSTYPE,UUID,LABEL"], timeout=10)
    if vols is None and not fm.ok:
        return None
    return merge_devices(
        [_from_volume(v) for v in vols or []], parse_findmnt_list(fm.stdout) if fm.ok else []
    )


def mount_of(path: str) -> Mount | None:
    if current() != "linux":
        v = system().volume_of(path)
        return None if v is None else _from_volume(v)
    cp = proc.run(
        ["findmnt", "-J", "-T", path, "-o", "TARGET,SOURCE,FSTYPE,UUID,LABEL"], timeout=10
    )
    if not cp.ok:
        return None
    return parse_findmnt(cp.stdout)


def describe_local(name: str, path: str, *, force_removable: bool | None = None) -> Destination:
    """A local path at setup time: on a removable filesystem, remember its UUID and label."""
    m = mount_of(path)
    devices = block_devices() or []
    removable = False
    uuid = label = subpath = ""
    if m is not None and (m.uuid or m.label):
        dev = next((d for d in devices if d.uuid and d.uuid == m.uuid), None)
        removable = bool(dev and dev.removable) or any(
            m.target.startswith(r) for r in REMOVABLE_ROOTS
        )
        if force_removable is not None:
            removable = force_removable
        if removable:
            uuid, label = m.uuid, m.label
            subpath = _relative(path, m.target)
    elif force_removable:
        removable = True
    return Destination(name, KIND_LOCAL, path, removable, uuid, label, subpath)


def find_disk(dest: Destination, devices: list[Mount]) -> Mount | None:
    for d in devices:
        if dest.fs_uuid and d.uuid == dest.fs_uuid:
            return d
    if not dest.fs_uuid and dest.fs_label:
        for d in devices:
            if d.label == dest.fs_label:
                return d
    return None


def is_present(dest: Destination, devices: list[Mount] | None = None) -> bool:
    """Is the destination reachable right now (the RIGHT disk, mounted)?"""
    try:
        resolve(dest, devices)
    except (DestinationAbsent, DestinationUnreachable):
        return False
    return True


def resolve(dest: Destination, devices: list[Mount] | None = None) -> str:
    """The restic repository string to use now; raises when the destination is absent."""
    if dest.kind != KIND_LOCAL:
        check_reachable(dest)
        return dest.url
    if dest.removable and (dest.fs_uuid or dest.fs_label):
        devs = devices if devices is not None else block_devices()
        if devs is not None:
            disk = find_disk(dest, devs)
            if disk is None:
                raise DestinationAbsent(destination=dest.name, label=dest.disk_label, detail="")
            if not disk.target:
                raise DestinationAbsent(
                    destination=dest.name,
                    label=dest.disk_label,
                    detail=_(" (il est branché mais pas ouvert : ouvrez-le dans l'explorateur)"),
                )
            return str(_flavour()(disk.target) / dest.subpath)
    if not Path(dest.url).exists():
        raise DestinationAbsent(
            destination=dest.name, label=dest.disk_label, detail=_(" (dossier introuvable)")
        )
    return dest.url


def endpoint(dest: Destination) -> tuple[str, int] | None:
    """(host, port) to test before running restic against a network destination."""
    return dest.kind_info.endpoint(dest.url)


def check_reachable(dest: Destination, timeout: float = 5.0) -> None:
    """A quick TCP connection: restic itself retries an absent server for many minutes."""
    ep = endpoint(dest)
    if ep is None:
        return
    try:
        with socket.create_connection(ep, timeout=timeout):
            pass
    except OSError as exc:
        raise DestinationUnreachable(
            destination=dest.name, detail=f"{ep[0]}:{ep[1]} ({exc.strerror or exc})"
        ) from exc
