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


# Ubuntu releases by code name: derivatives (Pop!_OS, Zorin, elementary, KDE neon...) give
# UBUNTU_CODENAME and get their security updates from that Ubuntu base.
UBUNTU_CODENAMES = {
    "focal": "20.04",
    "jammy": "22.04",
    "noble": "24.04",
    "oracular": "24.10",
    "plucky": "25.04",
    "questing": "25.10",
    "resolute": "26.04",
}
# Distributions that are Debian under another ID, with Debian's numbering.
DEBIAN_ALIASES = {"raspbian"}
# Families whose release table is keyed by their own numbering (see data/eol.yaml).
OWN_NUMBERING = {"debian", "ubuntu", "linuxmint", "fedora"}


def release_key(info: dict[str, str]) -> tuple[str, str, str]:
    """(family, release, display name) used by the end-of-life table."""
    family = info.get("ID", "linux").lower()
    version = info.get("VERSION_ID", "")
    if family in DEBIAN_ALIASES:
        family = "debian"
    if family not in OWN_NUMBERING:
        base = UBUNTU_CODENAMES.get(info.get("UBUNTU_CODENAME", "").lower())
        if base:
            family, version = "ubuntu", base
    if family == "debian":
        version = version.split(".")[0]
    name = info.get("PRETTY_NAME") or f"{family} {version}".strip()
    return family, version, name
