"""Antivirus state on Windows (pure): ``Get-MpComputerStatus | ConvertTo-Json`` and the
Security Center list ``Get-CimInstance -Namespace root/SecurityCenter2 -ClassName
AntiVirusProduct | ConvertTo-Json``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hygie.platform.parsers._text import json_records
from hygie.platform.powershell import powershell

# The command whose output parse_mp_status reads: the audit's antivirus probe and the Defender
# scan engine run this same argv (tests replay it by its joined argv).
MP_STATUS_PIPE = (
    "Get-MpComputerStatus | Select-Object AMServiceEnabled,AntivirusEnabled,"
    "RealTimeProtectionEnabled,AntivirusSignatureAge,AntivirusSignatureLastUpdated"
)
MP_STATUS_PS = powershell(MP_STATUS_PIPE + " | ConvertTo-Json")


@dataclass(frozen=True)
class MpStatus:
    antivirus_enabled: bool | None
    realtime: bool | None
    signature_age_days: int | None


def _bool(v: Any) -> bool | None:
    return v if isinstance(v, bool) else None


def parse_mp_status(text: str) -> MpStatus | None:
    """Microsoft Defender's own status, or None when the output holds no object."""
    recs = json_records(text)
    if not recs:
        return None
    r = recs[0]
    age = r.get("AntivirusSignatureAge")
    enabled = _bool(r.get("AntivirusEnabled"))
    service = _bool(r.get("AMServiceEnabled"))
    return MpStatus(
        antivirus_enabled=None if enabled is None else (enabled and service is not False),
        realtime=_bool(r.get("RealTimeProtectionEnabled")),
        # 65535 is what Defender reports when it never received signatures.
        signature_age_days=age if isinstance(age, int) and 0 <= age < 65535 else None,
    )


@dataclass(frozen=True)
class AvProduct:
    name: str
    enabled: bool
    up_to_date: bool

    @property
    def is_defender(self) -> bool:
        return "defender" in self.name.lower()


def decode_product_state(state: int) -> tuple[bool, bool]:
    """(enabled, signatures up to date) from WSC ``productState`` (0xPPSSDD).

    The middle byte is the scanner state (0x10/0x11 on, 0x00/0x01 off), the low byte the
    signature state (0x00 up to date, 0x10 out of date).
    """
    scanner = (state >> 8) & 0xFF
    signatures = state & 0xFF
    return scanner in (0x10, 0x11), signatures == 0x00


def parse_security_center(text: str) -> list[AvProduct]:
    out = []
    for rec in json_records(text):
        name = str(rec.get("displayName") or "").strip()
        state = rec.get("productState")
        if not name or not isinstance(state, int):
            continue
        enabled, fresh = decode_product_state(state)
        out.append(AvProduct(name, enabled, fresh))
    return out
