"""Which Windows is this (pure): ``Get-CimInstance Win32_OperatingSystem | ConvertTo-Json``
plus ``DisplayVersion`` from the registry, turned into the end-of-life table's key."""

from __future__ import annotations

from dataclasses import dataclass

from hygie.platform.parsers._text import json_records

WINDOWS_11_FIRST_BUILD = 22000


@dataclass(frozen=True)
class WindowsVersion:
    caption: str
    version: str
    build: int | None


def parse_win32_os(text: str) -> WindowsVersion | None:
    recs = json_records(text)
    if not recs:
        return None
    r = recs[0]
    build_raw = str(r.get("BuildNumber") or "")
    version = str(r.get("Version") or "")
    if not build_raw and version.count(".") >= 2:
        build_raw = version.split(".")[2]
    return WindowsVersion(
        caption=str(r.get("Caption") or "Windows").strip(),
        version=version,
        build=int(build_raw) if build_raw.isdigit() else None,
    )


def release_key(win: WindowsVersion, display_version: str | None) -> tuple[str, str, str]:
    """(family, release, display name) for :func:`hygie.platform.eol.support_status`.

    Windows 10 is one line in the table (its last release, 22H2); Windows 11 is per
    feature release ("11-24H2"). LTSC/Server editions get a key the table does not know,
    so their support is "unknown", never ok.
    """
    caption = win.caption.removeprefix("Microsoft ").strip()
    dv = (display_version or "").strip().upper()
    lower = caption.lower()
    special = any(t in lower for t in ("ltsc", "ltsb", "server"))
    if win.build is not None and win.build >= WINDOWS_11_FIRST_BUILD:
        release = f"11-{dv}" if dv else "11"
    elif win.version.startswith("10.") or "windows 10" in lower:
        release = "10"
    else:
        release = win.version or "?"
    if special:
        release = f"{release}-special"
    name = f"{caption} {dv}".strip() if dv else caption
    return "windows", release, name
