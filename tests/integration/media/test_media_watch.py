"""``watch`` with injected device events; a real FAT image through losetup -r + fusefat."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from hygie.media.canaries import eicar_bytes
from hygie.media.clamd_engine import ClamdEngine as Engine
from hygie.media.errors import MountFailed
from hygie.media.history import recent_runs
from hygie.media.scanner import Verdict
from hygie.media.watch import DeviceEvent, LinuxMounter, watch_devices
from hygie.store import open_store

pytestmark = pytest.mark.integration


class ListSource:
    def __init__(self, events: list[DeviceEvent]) -> None:
        self._events = events

    def events(self) -> Iterator[DeviceEvent]:
        yield from self._events


class DirMounter:
    """Pretends a device is mounted at a prepared folder (no root needed)."""

    def __init__(self, folders: dict[str, Path]) -> None:
        self.folders = folders
        self.unmounted: list[str] = []

    @contextlib.contextmanager
    def mount(self, event: DeviceEvent) -> Iterator[Path]:
        if event.device not in self.folders:
            raise MountFailed(device=event.device, detail="no such device")
        try:
            yield self.folders[event.device]
        finally:
            self.unmounted.append(event.device)


class Notes:
    def __init__(self) -> None:
        self.items: list[tuple[str, str, bool]] = []

    def notify(self, title: str, body: str, urgent: bool) -> None:
        self.items.append((title, body, urgent))


def test_watch_injected_events(engine: Engine, tmp_path: Path) -> None:
    clean, dirty = tmp_path / "clean", tmp_path / "dirty"
    clean.mkdir()
    dirty.mkdir()
    (clean / "a.txt").write_text("ok")
    (dirty / "autorun.inf").write_bytes(eicar_bytes())
    events = [
        DeviceEvent("add", "/dev/sdx1", "vfat"),
        DeviceEvent("remove", "/dev/sdx1", "vfat"),
        DeviceEvent("add", "/dev/sdy1", "exfat"),
        DeviceEvent("add", "/dev/sdz1", "ntfs"),
    ]
    mounter = DirMounter({"/dev/sdx1": clean, "/dev/sdy1": dirty})
    notes = Notes()
    results = watch_devices(ListSource(events), engine, mounter, notes)
    assert [r.event.device for r in results] == ["/dev/sdx1", "/dev/sdy1", "/dev/sdz1"]
    assert results[0].scan and results[0].scan.all_clean
    assert results[1].scan and results[1].scan.counts["infected"] == 1
    assert results[2].scan is None and "sdz1" in results[2].error
    assert mounter.unmounted == ["/dev/sdx1", "/dev/sdy1"]
    assert [n[2] for n in notes.items] == [False, True, True]
    assert "aucun virus" in notes.items[0][1]
    runs = recent_runs(open_store())
    assert [r["kind"] for r in runs] == ["watch", "watch"]


def _can_loop_and_fuse() -> str:
    if os.geteuid() != 0:
        return "needs root for losetup"
    for tool in ("mformat", "mcopy", "losetup", "fusefat", "fusermount"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed"
    if not Path("/dev/loop-control").exists() or not Path("/dev/fuse").exists():
        return "no loop device or /dev/fuse"
    return ""


@pytest.mark.skipif(bool(_can_loop_and_fuse()), reason=_can_loop_and_fuse() or "ok")
def test_real_fat_image_read_only(engine: Engine, tmp_path: Path) -> None:
    img = tmp_path / "key.img"
    subprocess.run(["mformat", "-C", "-f", "1440", "-v", "CLE", "-i", str(img), "::"], check=True)
    (tmp_path / "CR.TXT").write_text("compte rendu")
    (tmp_path / "EICAR.COM").write_bytes(eicar_bytes())
    subprocess.run(["mmd", "-i", str(img), "::/DOCS"], check=True)
    subprocess.run(["mcopy", "-i", str(img), str(tmp_path / "CR.TXT"), "::/DOCS/"], check=True)
    subprocess.run(["mcopy", "-i", str(img), str(tmp_path / "EICAR.COM"), "::/"], check=True)
    before = img.read_bytes()
    cp = subprocess.run(["losetup", "-r", "-f", "--show", str(img)], capture_output=True, text=True)
    if cp.returncode != 0:
        pytest.skip(f"losetup failed here: {cp.stderr.strip()[:200]}")
    loop = cp.stdout.strip()
    try:
        notes = Notes()
        mounter = LinuxMounter(tmp_path / "mounts")
        try:
            results = watch_devices(
                ListSource([DeviceEvent("add", loop, "vfat")]), engine, mounter, notes
            )
        except MountFailed as exc:  # pragma: no cover - depends on the host
            pytest.skip(f"could not mount the image: {exc}")
        if results[0].scan is None:
            pytest.skip(f"could not mount the image: {results[0].error}")
        run = results[0].scan
        verdicts = {f.rel.upper(): f.verdict for f in run.files}
        assert verdicts["DOCS/CR.TXT"] is Verdict.CLEAN
        assert verdicts["EICAR.COM"] is Verdict.INFECTED
        assert notes.items[0][2] is True
        # Unmounted, private folder removed, image untouched (read-only all the way).
        assert not any((tmp_path / "mounts").iterdir())
        assert img.read_bytes() == before
    finally:
        subprocess.run(["losetup", "-d", loop], check=False)
