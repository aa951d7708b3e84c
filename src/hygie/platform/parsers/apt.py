"""apt: ``apt list --upgradable`` and ``apt-config dump`` (pure)."""

from __future__ import annotations

import re
from dataclasses import dataclass

_UPGRADABLE = re.compile(r"^(?P<name>[^/\s]+)/(?P<suites>\S+)\s+\S+\s+\S+\s+\[upgradable from:")
_CONFIG = re.compile(r'^(?P<key>[^\s"]+)\s+"(?P<value>(?:[^"\\]|\\.)*)";\s*$')


@dataclass(frozen=True)
class PendingUpdates:
    pending: int
    security: int


def parse_apt_upgradable(text: str) -> PendingUpdates:
    """Count upgradable packages, and those coming from a ``*-security`` suite.

    Lines look like ``jq/oldstable-security 1.6-2.1+deb12u3 amd64 [upgradable from: ...]``;
    a package offered by several suites lists them joined by commas
    (``krb5-locales/oldstable,oldstable-security ...``). "Listing..." and warnings are ignored.
    """
    pending = security = 0
    for line in text.splitlines():
        m = _UPGRADABLE.match(line.strip())
        if not m:
            continue
        pending += 1
        if any(s.endswith("-security") or "-security" in s for s in m["suites"].split(",")):
            security += 1
    return PendingUpdates(pending, security)


def parse_apt_config(text: str) -> dict[str, str]:
    """``apt-config dump`` lines ``Key::Sub "value";`` -> {key: value} (last one wins)."""
    out: dict[str, str] = {}
    for line in text.splitlines():
        m = _CONFIG.match(line.strip())
        if m:
            out[m["key"]] = m["value"].replace('\\"', '"')
    return out


def unattended_upgrade_enabled(config: dict[str, str]) -> bool:
    """APT::Periodic::Unattended-Upgrade set to a non-zero number of days (and the periodic
    machinery not switched off with APT::Periodic::Enable "0")."""
    if config.get("APT::Periodic::Enable", "1").strip() == "0":
        return False
    value = config.get("APT::Periodic::Unattended-Upgrade", "0").strip().lower()
    if value in ("always",):
        return True
    try:
        return int(value) > 0
    except ValueError:
        return value in ("true", "yes", "on")


def parse_dpkg_packages(text: str) -> list[str]:
    """Installed package names from ``dpkg-query -W -f='${db:Status-Abbrev} ${Package}\\n'``.

    Only packages whose status says installed (``ii``, ``hi``, ...) are kept: removed
    packages whose configuration files remain (``rc``) are not installed software. Lines
    without a status (plain ``${Package}`` output) are taken as installed.
    """
    out: list[str] = []
    for line in text.splitlines():
        parts = line.split()
        if not parts:
            continue
        if len(parts) == 1:
            out.append(parts[0])
            continue
        status, name = parts[0], parts[-1]
        if len(status) >= 2 and status[1] not in "nc":
            out.append(name.split(":")[0])
    return sorted(set(out))
