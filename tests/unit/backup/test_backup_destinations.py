"""Destinations: parsing, the RIGHT disk recognised by UUID/label, HDS list, reachability.

Fixture provenance (tests/fixtures/cmd/linux/): recorded on the development VM (Debian 12,
util-linux 2.38, 2026-11-29): ``lsblk/vm-no-usb.txt`` (``lsblk -J -o
PATH,UUID,LABEL,MOUNTPOINT,RM,HOTPLUG``; read now by the platform seam's lsblk parser, which
asks for more columns and tolerates their absence), ``findmnt/vm-root.txt`` (``findmnt -J -T /tmp -o
TARGET,SOURCE,FSTYPE,UUID,LABEL``), ``findmnt-list/vm.txt`` (``findmnt -J -l -o
TARGET,SOURCE,FSTYPE,UUID,LABEL``). Written in the same JSON format (the VM has no USB disk):
``lsblk/usb-disk-*.txt``, ``lsblk/other-usb-disk-mounted.txt``, ``lsblk/old-util-linux-
strings.txt`` (older util-linux prints "0"/"1" for RM/HOTPLUG), ``findmnt/usb-disk.txt``,
``findmnt-list/usb-without-udev.txt``. A real ext4 disk is exercised by
tests/integration/backup/test_backup_disk.py.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from helpers import ReplayRunner, fixture_text
from hygie import proc
from hygie.backup.destinations import (
    Destination,
    Mount,
    block_devices,
    check_reachable,
    describe_local,
    parse_destination,
    parse_findmnt,
    resolve,
)
from hygie.backup.errors import DestinationAbsent, DestinationUnreachable
from hygie.backup.hds import hds_provider
from hygie.errors import UsageError


def parse_lsblk(text: str) -> list[Mount] | None:
    """What backup sees of the disks when lsblk prints ``text`` (findmnt absent): the platform
    seam's one lsblk parser, through :func:`block_devices`."""
    with proc.use_runner(ReplayRunner({"lsblk": text, "findmnt": None})):
        return block_devices()


DISK = Destination(
    "disque", "local", "/media/infirmiere/CABINET-1/hygie", True, "5E2A-91C4", "CABINET-1", "hygie"
)


@pytest.mark.parametrize(
    ("arg", "kind", "url"),
    [
        (
            "s3:https://s3.gra.io.cloud.ovh.net/cabinet",
            "s3",
            "s3:https://s3.gra.io.cloud.ovh.net/cabinet",
        ),
        ("rest:http://127.0.0.1:8000/", "rest", "rest:http://127.0.0.1:8000/"),
        ("sftp:nas@192.168.1.10:/sauvegardes", "sftp", "sftp:nas@192.168.1.10:/sauvegardes"),
        ("/media/x/CABINET-1/hygie", "local", "/media/x/CABINET-1/hygie"),
    ],
)
def test_parse_destination(arg: str, kind: str, url: str) -> None:
    assert parse_destination(arg) == (kind, url)


def test_parse_destination_relative_path_becomes_absolute(tmp_path: Path) -> None:
    kind, url = parse_destination("relative/dir")
    assert kind == "local" and Path(url).is_absolute()


def test_unknown_scheme_is_a_usage_error() -> None:
    with pytest.raises(UsageError):
        parse_destination("gdrive:Mes sauvegardes")


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("s3:https://s3.gra.io.cloud.ovh.net/b", "s3.gra.io.cloud.ovh.net"),
        ("s3:s3.eu-west-3.amazonaws.com/b", "s3.eu-west-3.amazonaws.com"),
        ("rest:https://user:pw@backup.example.org:8000/repo", "backup.example.org"),
    ],
)
def test_host(url: str, host: str) -> None:
    kind, _ = parse_destination(url)
    assert Destination("x", kind, url).host == host


def test_parse_lsblk_usb_partition_inherits_hotplug() -> None:
    mounts = parse_lsblk(fixture_text("cmd", "linux", "lsblk", "usb-disk-mounted.txt"))
    assert mounts is not None
    usb = [m for m in mounts if m.label == "CABINET-1"]
    assert usb and usb[0].removable and usb[0].uuid == "5E2A-91C4"
    assert usb[0].target == "/media/infirmiere/CABINET-1"
    root = [m for m in mounts if m.target == "/"]
    assert root and not root[0].removable


def test_parse_lsblk_old_string_flags() -> None:
    mounts = parse_lsblk(fixture_text("cmd", "linux", "lsblk", "old-util-linux-strings.txt"))
    assert mounts is not None
    assert [(m.label, m.removable) for m in mounts] == [("SAUVEGARDE", True)]


def test_parse_lsblk_vm_without_filesystem_ids() -> None:
    assert parse_lsblk(fixture_text("cmd", "linux", "lsblk", "vm-no-usb.txt")) == []
    assert parse_lsblk("not json") is None  # unknown, never "no disk"


def test_parse_findmnt() -> None:
    m = parse_findmnt(fixture_text("cmd", "linux", "findmnt", "usb-disk.txt"))
    assert m is not None and (m.uuid, m.label, m.fstype) == ("5E2A-91C4", "CABINET-1", "exfat")
    vm = parse_findmnt(fixture_text("cmd", "linux", "findmnt", "vm-root.txt"))
    assert vm is not None and vm.target == "/" and vm.uuid == ""
    assert parse_findmnt("{}") is None


@pytest.mark.parametrize(
    ("case", "present", "path"),
    [
        ("usb-disk-mounted.txt", True, "/media/infirmiere/CABINET-1/hygie"),
        ("other-usb-disk-mounted.txt", False, None),  # a disk is there, but not the right one
        ("usb-disk-not-mounted.txt", False, None),
        ("vm-no-usb.txt", False, None),
    ],
)
def test_resolve_recognises_the_right_disk(case: str, present: bool, path: str | None) -> None:
    devices = parse_lsblk(fixture_text("cmd", "linux", "lsblk", case))
    assert devices is not None
    if present:
        assert resolve(DISK, devices) == path
    else:
        with pytest.raises(DestinationAbsent) as exc:
            resolve(DISK, devices)
        assert "CABINET-1" in exc.value.hint()


def test_disk_moved_to_another_mount_point_is_still_found() -> None:
    text = fixture_text("cmd", "linux", "lsblk", "usb-disk-mounted.txt").replace(
        "/media/infirmiere/CABINET-1", "/run/media/cabinet/CABINET-1"
    )
    assert resolve(DISK, parse_lsblk(text) or []) == "/run/media/cabinet/CABINET-1/hygie"


def test_describe_local_on_a_usb_disk_remembers_uuid_and_label() -> None:
    outputs: dict[str, tuple[str, int, str] | str | None] = {
        "findmnt": fixture_text("cmd", "linux", "findmnt", "usb-disk.txt"),
        "lsblk": fixture_text("cmd", "linux", "lsblk", "usb-disk-mounted.txt"),
    }
    with proc.use_runner(ReplayRunner(outputs)):
        d = describe_local("disque", "/media/infirmiere/CABINET-1/hygie")
    assert d.removable and d.fs_uuid == "5E2A-91C4" and d.fs_label == "CABINET-1"
    assert d.subpath == "hygie"


def test_describe_local_on_the_system_disk_is_fixed() -> None:
    outputs: dict[str, tuple[str, int, str] | str | None] = {
        "findmnt": fixture_text("cmd", "linux", "findmnt", "vm-root.txt"),
        "lsblk": fixture_text("cmd", "linux", "lsblk", "vm-no-usb.txt"),
    }
    with proc.use_runner(ReplayRunner(outputs)):
        d = describe_local("local", "/srv/sauvegarde")
    assert not d.removable and d.fs_uuid == ""


@pytest.mark.parametrize(
    ("host", "provider"),
    [
        ("s3.gra.io.cloud.ovh.net", "OVHcloud (Object Storage, Gravelines)"),
        ("cabinet.s3.gra.io.cloud.ovh.net", "OVHcloud (Object Storage, Gravelines)"),
        ("s3.eu-west-3.amazonaws.com", "Amazon Web Services (S3, Paris eu-west-3)"),
        ("s3.amazonaws.com", None),
        ("evil-s3.gra.io.cloud.ovh.net.example.com", None),
        ("dropbox.com", None),
    ],
)
def test_hds_provider(host: str, provider: str | None) -> None:
    assert hds_provider(host) == provider


def test_check_reachable_closed_port_is_unreachable() -> None:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    with pytest.raises(DestinationUnreachable):
        check_reachable(Destination("s3", "s3", f"s3:http://127.0.0.1:{port}/b"), timeout=2)


def test_findmnt_completes_lsblk_without_udev() -> None:
    """In containers lsblk has no UUID/label (no udev); findmnt probes mounted filesystems."""
    from hygie.backup.destinations import merge_devices, parse_findmnt_list

    lsblk = parse_lsblk(fixture_text("cmd", "linux", "lsblk", "vm-no-usb.txt")) or []
    mounted = parse_findmnt_list(
        fixture_text("cmd", "linux", "findmnt-list", "usb-without-udev.txt")
    )
    devices = merge_devices(lsblk, mounted)
    assert resolve(DISK, devices) == "/media/infirmiere/CABINET-1/hygie"
    # the same disk seen by both tools is listed once
    both = merge_devices(
        parse_lsblk(fixture_text("cmd", "linux", "lsblk", "usb-disk-mounted.txt")) or [], mounted
    )
    assert [d.uuid for d in both].count("5E2A-91C4") == 1
    vm = parse_findmnt_list(fixture_text("cmd", "linux", "findmnt-list", "vm.txt"))
    assert all(m.uuid or m.label for m in vm)
