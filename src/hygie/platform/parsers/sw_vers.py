"""``sw_vers`` (pure) -> the end-of-life table's key."""

from __future__ import annotations


def parse_sw_vers(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in text.splitlines():
        if ":" in line:
            k, _sep, v = line.partition(":")
            out[k.strip()] = v.strip()
    return out


def release_key(info: dict[str, str]) -> tuple[str, str, str] | None:
    """("macos", major release, "macOS 15.1.1"); 10.x keeps two parts ("10.15")."""
    version = info.get("ProductVersion", "")
    if not version:
        return None
    parts = version.split(".")
    release = ".".join(parts[:2]) if parts[0] == "10" else parts[0]
    product = info.get("ProductName", "macOS") or "macOS"
    return "macos", release, f"{product} {version}"
