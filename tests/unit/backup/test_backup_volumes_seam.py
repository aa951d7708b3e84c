"""Removable destinations on Windows and macOS are recognised by the platform seam's volume
id (recorded Get-Volume output, tests/fixtures/cmd/README.md), not by lsblk."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.helpers import ReplayRunner

from hygie import proc
from hygie.backup import destinations as dst
from hygie.platform.os_windows import VOLUMES_PS, WindowsSystem

VOLUMES = Path(__file__).parents[2] / "fixtures" / "cmd" / "windows" / "volumes"


@pytest.fixture
def windows_usb_disk(monkeypatch: pytest.MonkeyPatch) -> ReplayRunner:
    monkeypatch.setenv("HYGIE_PLATFORM", "windows")
    monkeypatch.setattr(dst, "system", WindowsSystem)
    text = (VOLUMES / "ps51_usb_disk.json").read_text(encoding="utf-8")
    return ReplayRunner({" ".join(VOLUMES_PS): text})


def test_windows_usb_disk_is_a_removable_destination(windows_usb_disk: ReplayRunner) -> None:
    with proc.use_runner(windows_usb_disk):
        devices = dst.block_devices()
        d = dst.describe_local("disque", "E:\\Sauvegardes\\cabinet")
        assert devices is not None
        assert d.removable and d.fs_label == "CABINET-1"
        assert d.fs_uuid.startswith("\\\\?\\Volume{9d4c8b2a")
        assert d.subpath == "Sauvegardes\\cabinet"
        # found again by its volume id, wherever Windows mounts it
        assert dst.resolve(d, devices) == "E:\\Sauvegardes\\cabinet"
        moved = [
            dst.Mount("F:\\", m.source, m.fstype, m.uuid, m.label, m.removable)
            if m.uuid == d.fs_uuid
            else m
            for m in devices
        ]
        assert dst.resolve(d, moved) == "F:\\Sauvegardes\\cabinet"
        # another disk with the same label is not this one
        impostor = [
            dst.Mount("E:\\", "", "exFAT", "\\\\?\\Volume{00000000-dead}\\", "CABINET-1", True)
        ]
        with pytest.raises(dst.DestinationAbsent):
            dst.resolve(d, impostor)
        fixed = dst.describe_local("local", "C:\\Sauvegardes")
        assert not fixed.removable


def test_no_volume_listing_means_unknown_not_absent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HYGIE_PLATFORM", "windows")
    monkeypatch.setattr(dst, "system", WindowsSystem)
    with proc.use_runner(ReplayRunner({})):  # PowerShell missing from the recording
        assert dst.block_devices() is None
