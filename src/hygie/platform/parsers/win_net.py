"""Windows network objects from PowerShell's NetSecurity / NetAdapter modules, as JSON
(pure; the same whatever the display language).

* ``Get-NetFirewallProfile | Select-Object Name, Enabled`` — ``Enabled`` is a GpoBoolean:
  ``True``/``False`` as text when cast with ``[string]``, 1/0 when serialised raw;
  ``NotConfigured`` (2) only appears in policy stores, never in the active one.
* ``Get-NetAdapter | Select-Object Name, InterfaceDescription, Status, AdminStatus,
  MediaType, PhysicalMediaType, Virtual, HardwareInterface`` — ``AdminStatus`` 1/``Up``
  = enabled, 2/``Down`` = disabled (``Disable-NetAdapter``).
"""

from __future__ import annotations

from dataclasses import dataclass

from hygie.platform.parsers._text import json_records

_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}


def _bool(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return {1: True, 0: False}.get(value)
    text = str(value).strip().lower() if value is not None else ""
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return None


def parse_firewall_profiles(text: str) -> dict[str, bool] | None:
    """{profile: enabled}; None when a profile's state is not a plain yes/no.

    Raises ValueError when the text is not JSON."""
    out: dict[str, bool] = {}
    for rec in json_records(text):
        name = str(rec.get("Name") or "").strip()
        enabled = _bool(rec.get("Enabled"))
        if not name:
            continue
        if enabled is None:
            return None
        out[name] = enabled
    return out or None


@dataclass(frozen=True)
class NetAdapter:
    name: str
    description: str
    enabled: bool  # administratively (what Disable-NetAdapter changes)
    connected: bool
    wifi: bool
    virtual: bool


_ADMIN_UP = {1, "up", "1"}
_ADMIN_DOWN = {2, "down", "2"}


def _admin(value: object) -> bool | None:
    v = value.strip().lower() if isinstance(value, str) else value
    if v in _ADMIN_UP:
        return True
    if v in _ADMIN_DOWN:
        return False
    return None


def parse_net_adapters(text: str) -> list[NetAdapter]:
    """Adapters with a known administrative state. Raises ValueError when not JSON."""
    out: list[NetAdapter] = []
    for rec in json_records(text):
        name = str(rec.get("Name") or "").strip()
        admin = _admin(rec.get("AdminStatus"))
        if not name or admin is None:
            continue
        status = str(rec.get("Status") or "").strip().lower()
        media = f"{rec.get('MediaType') or ''} {rec.get('PhysicalMediaType') or ''}".lower()
        description = str(rec.get("InterfaceDescription") or "")
        wifi = "802.11" in media or "wireless" in media or "wi-fi" in description.lower()
        hardware = _bool(rec.get("HardwareInterface"))
        virtual = _bool(rec.get("Virtual")) is True or hardware is False
        out.append(NetAdapter(name, description, admin, status == "up", wifi, virtual))
    return out
