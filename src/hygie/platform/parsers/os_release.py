"""/etc/os-release (freedesktop.org format)."""

from __future__ import annotations

import shlex


def parse_os_release(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        try:
            parts = shlex.split(value)
        except ValueError:
            continue
        out[key.strip()] = parts[0] if parts else ""
    return out


def release_key(info: dict[str, str]) -> tuple[str, str, str]:
    """(family, release, display name) used by the end-of-life table."""
    family = info.get("ID", "linux").lower()
    version = info.get("VERSION_ID", "")
    if family == "debian":
        version = version.split(".")[0]
    name = info.get("PRETTY_NAME") or f"{family} {version}".strip()
    return family, version, name
