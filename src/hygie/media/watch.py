"""Watching for removable media (Linux): read-only attach, private mount, scan, notify.

udev sits behind :class:`DeviceSource` (the real one is :class:`PyudevSource`) so that tests
inject events. For each new removable block device with a filesystem, :func:`handle_device`:

1. marks the block device read-only (``blockdev --setro``) — loop images are attached with
   ``losetup -r`` by whoever created them;
2. mounts it ``ro,nosuid,nodev,noexec`` in a private 0700 folder (``mount``, or ``fusefat``
   for FAT when the kernel has no vfat driver); this needs root (``sudo hygie media watch``):
   ``udisksctl`` would mount in the shared ``/media`` instead of a private folder;
3. scans it with clamd (file descriptors passed, nothing on the media is executed or opened
   by another program);
4. notifies (``notify-send`` where a desktop session exists, the terminal otherwise);
5. unmounts and removes the private folder.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from hygie import proc
from hygie.i18n import _
from hygie.media.engines import ScanEngine
from hygie.media.errors import MountFailed
from hygie.media.scanner import ScanRun, scan_paths

MOUNT_OPTIONS = "ro,nosuid,nodev,noexec"


@dataclass(frozen=True)
class DeviceEvent:
    action: str  # "add", "remove", ...
    device: str  # /dev/sdb1, /dev/loop3
    fs_type: str = ""  # vfat, exfat, ntfs, ext4...
    removable: bool = True
    label: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "device": self.device,
            "fs_type": self.fs_type,
            "removable": self.removable,
            "label": self.label,
        }


class DeviceSource(Protocol):
    """Where device events come from (udev in production, a list in tests)."""

    def events(self) -> Iterator[DeviceEvent]: ...


class PyudevSource:
    """Block-device events from udev (pyudev); only removable/USB devices with a filesystem."""

    def __init__(self) -> None:
        import pyudev

        self.context = pyudev.Context()
        self.monitor = pyudev.Monitor.from_netlink(self.context)
        self.monitor.filter_by(subsystem="block")

    def events(self) -> Iterator[DeviceEvent]:
        for device in iter(self.monitor.poll, None):
            ev = event_from_udev(device.action or "", dict(device.properties), device)
            if ev is not None:
                yield ev


def event_from_udev(action: str, props: dict[str, str], device: Any = None) -> DeviceEvent | None:
    """Turn udev properties into an event, or None when it is not a removable filesystem."""
    node = props.get("DEVNAME", "")
    fs_type = props.get("ID_FS_TYPE", "")
    if not node or props.get("ID_FS_USAGE") not in ("filesystem", None) or not fs_type:
        return None
    removable = props.get("ID_BUS") == "usb" or props.get("ID_DRIVE_FLASH_SD") == "1"
    if device is not None and not removable:
        with contextlib.suppress(Exception):
            parent = device.find_parent("block") or device
            removable = parent.attributes.asstring("removable") == "1"
    if not removable:
        return None
    return DeviceEvent(action, node, fs_type, True, props.get("ID_FS_LABEL", ""))


class Mounter(Protocol):
    def mount(self, event: DeviceEvent) -> contextlib.AbstractContextManager[Path]: ...


def kernel_has(fs_type: str, proc_filesystems: Path = Path("/proc/filesystems")) -> bool:
    try:
        text = proc_filesystems.read_text(encoding="ascii", errors="replace")
    except OSError:
        return False
    return any(line.split()[-1] == fs_type for line in text.splitlines() if line.split())


class LinuxMounter:
    """Read-only private mounts with ``mount`` (root) or ``fusefat`` (FAT without vfat)."""

    def __init__(self, base: Path | None = None, *, timeout: float = 30.0) -> None:
        self.base = base
        self.timeout = timeout

    def _private_dir(self) -> Path:
        from hygie.paths import get_paths

        base = self.base or get_paths().cache_dir / "media-mounts"
        base.mkdir(parents=True, exist_ok=True, mode=0o700)
        base.chmod(0o700)
        return Path(tempfile.mkdtemp(prefix="mnt-", dir=base))

    @contextlib.contextmanager
    def mount(self, event: DeviceEvent) -> Iterator[Path]:
        target = self._private_dir()
        proc.run(["blockdev", "--setro", event.device], timeout=self.timeout)
        use_fuse = event.fs_type in ("vfat", "fat", "msdos") and not kernel_has("vfat")
        if use_fuse:
            cp = proc.run(
                ["fusefat", "-o", f"{MOUNT_OPTIONS},ro", event.device, str(target)],
                timeout=self.timeout,
            )
            unmount = ["fusermount", "-u", str(target)]
        else:
            cp = proc.run(
                ["mount", "-o", MOUNT_OPTIONS, "-t", event.fs_type or "auto", event.device,
                 str(target)],
                timeout=self.timeout,
            )  # fmt: skip
            unmount = ["umount", str(target)]
        if not cp.ok:
            with contextlib.suppress(OSError):
                target.rmdir()
            raise MountFailed(device=event.device, detail=cp.why())
        try:
            yield target
        finally:
            for _attempt in range(5):
                if proc.run(unmount, timeout=self.timeout).ok:
                    break
                time.sleep(0.5)
            with contextlib.suppress(OSError):
                target.rmdir()


class Notifier(Protocol):
    def notify(self, title: str, body: str, urgent: bool) -> None: ...


class DesktopOrTerminalNotifier:
    """``notify-send`` when a desktop session is there, else the terminal (stderr)."""

    def __init__(self, echo: Callable[[str], None] | None = None) -> None:
        from hygie.output import err_console

        self.echo = echo or (lambda s: err_console.print(s, highlight=False, markup=False))

    def notify(self, title: str, body: str, urgent: bool) -> None:
        has_desktop = bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
        if has_desktop and shutil.which("notify-send"):
            cp = proc.run(
                ["notify-send", "-u", "critical" if urgent else "normal", title, body], timeout=5
            )
            if cp.ok:
                return
        self.echo(f"{title} — {body}")


@dataclass(frozen=True)
class DeviceResult:
    event: DeviceEvent
    scan: ScanRun | None
    error: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "event": self.event.to_dict(),
            "scan": self.scan.to_dict() if self.scan else None,
            "error": self.error or None,
        }


def summary_text(run: ScanRun) -> tuple[str, bool]:
    c = run.counts
    if run.engine_error:
        return _("analyse interrompue : le moteur antivirus s'est arrêté"), True
    if c["infected"]:
        return _("{n} fichier(s) infecté(s) : ne l'ouvrez pas").format(n=c["infected"]), True
    if c["not_scanned"]:
        return _("{n} fichier(s) non analysé(s) : prudence").format(n=c["not_scanned"]), True
    return _("{n} fichier(s) analysé(s), aucun virus trouvé").format(n=c["clean"]), False


def handle_device(
    event: DeviceEvent,
    engine: ScanEngine,
    mounter: Mounter,
    notifier: Notifier,
    *,
    workers: int | None = None,
    record: bool = True,
) -> DeviceResult:
    title = _("hygie — support {device}").format(device=event.device)
    try:
        with mounter.mount(event) as root:
            run = scan_paths([str(root)], engine, workers=workers)
    except MountFailed as exc:
        notifier.notify(title, exc.render(), True)
        return DeviceResult(event, None, exc.render())
    text, urgent = summary_text(run)
    notifier.notify(title, text, urgent)
    if record:
        from hygie.media.history import record_run

        record_run("watch", run)
    return DeviceResult(event, run)


def watch_devices(
    source: DeviceSource,
    engine: ScanEngine,
    mounter: Mounter,
    notifier: Notifier,
    *,
    on_result: Callable[[DeviceResult], None] | None = None,
    max_events: int | None = None,
) -> list[DeviceResult]:
    """Handle every ``add`` event of ``source`` (until it ends or ``max_events``)."""
    results: list[DeviceResult] = []
    for ev in source.events():
        if ev.action != "add" or not ev.removable:
            continue
        res = handle_device(ev, engine, mounter, notifier)
        results.append(res)
        if on_result is not None:
            on_result(res)
        if max_events is not None and len(results) >= max_events:
            break
    return results
