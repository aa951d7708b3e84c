"""Windows volumes with their disk's bus, from :data:`hygie.platform.os_windows.VOLUMES_PS`
(``Get-Volume`` joined to ``Get-Partition | Get-Disk``, as JSON). Pure.

Windows PowerShell 5.1 serialises the CIM enumerations as numbers (``"BusType": 7``), newer
PowerShell sometimes as names (``"USB"``): both are read. Values from Microsoft's
``MSFT_Disk.BusType`` (7 = USB, 12 = SD, 13 = MMC) and ``MSFT_Volume.DriveType``
(2 = Removable, 3 = Fixed) class documentation.
"""

from __future__ import annotations

from typing import Any

from hygie.platform.parsers._text import json_records

BUS_TYPES = {
    0: "Unknown",
    1: "SCSI",
    2: "ATAPI",
    3: "ATA",
    4: "1394",
    5: "SSA",
    6: "Fibre Channel",
    7: "USB",
    8: "RAID",
    9: "iSCSI",
    10: "SAS",
    11: "SATA",
    12: "SD",
    13: "MMC",
    14: "Virtual",
    15: "File Backed Virtual",
    16: "Storage Spaces",
    17: "NVMe",
}
DRIVE_TYPES = {0: "Unknown", 1: "Invalid Root Path", 2: "Removable", 3: "Fixed", 4: "Remote",
               5: "CD-ROM", 6: "RAM Disk"}  # fmt: skip
REMOVABLE_BUSES = {"usb", "sd", "mmc", "1394"}


def _enum(value: object, table: dict[int, str]) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return ""
    if isinstance(value, int):
        return table.get(value, str(value))
    text = str(value).strip()
    if text.isdigit():
        return table.get(int(text), text)
    return text


def _int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


def parse_volumes(text: str) -> list[dict[str, Any]]:
    """Records with mount (``E:\\``), uuid (UniqueId), label, fstype, removable, bus, size.

    Raises ValueError when the text is not the expected JSON."""
    out: list[dict[str, Any]] = []
    for r in json_records(text):
        letter = str(r.get("DriveLetter") or "").strip().rstrip(":")
        if len(letter) != 1 or not letter.isalpha():
            continue
        bus = _enum(r.get("BusType"), BUS_TYPES)
        drive = _enum(r.get("DriveType"), DRIVE_TYPES)
        removable = drive.lower() == "removable" or bus.lower() in REMOVABLE_BUSES
        out.append(
            {
                "mount": f"{letter.upper()}:\\",
                "uuid": str(r.get("UniqueId") or ""),
                "label": str(r.get("FileSystemLabel") or ""),
                "device": str(r.get("DiskNumber") if r.get("DiskNumber") is not None else ""),
                "fstype": str(r.get("FileSystem") or ""),
                "removable": removable,
                "bus": bus,
                "size": _int(r.get("Size")),
            }
        )
    return out
