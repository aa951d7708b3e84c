"""BitLocker state of the system volume: ``manage-bde -status`` (French or English) and
``Get-BitLockerVolume | ConvertTo-Json`` (pure)."""

from __future__ import annotations

from dataclasses import dataclass

from hygie.platform.parsers._text import json_records, kv_lines, norm

CONVERSION_KEYS = {"conversion status", "etat de la conversion"}
PERCENT_KEYS = {"percentage encrypted", "pourcentage chiffre"}
PROTECTION_KEYS = {"protection status", "etat de la protection"}
OS_VOLUME_MARKERS = ("[os volume]", "[volume du systeme d'exploitation]", "[volume systeme]")


@dataclass(frozen=True)
class BitLockerVolume:
    mount: str
    os_volume: bool
    fully_encrypted: bool
    percent: float | None
    protection_on: bool | None

    @property
    def protected(self) -> bool:
        """Encrypted AND its key protected (a suspended BitLocker leaves the key in clear)."""
        return self.fully_encrypted and self.protection_on is True

    @property
    def suspended(self) -> bool:
        """Encrypted but protection off: suspended (or never activated), key in clear."""
        return self.fully_encrypted and self.protection_on is False

    @property
    def state(self) -> bool | str:
        """The M13 fact: True (protected), "suspended", or False (not encrypted)."""
        if self.protected:
            return True
        return "suspended" if self.suspended else False


def _percent(value: str) -> float | None:
    digits = value.replace(",", ".").replace("%", "").strip()
    try:
        return float(digits)
    except ValueError:
        return None


def _conversion_full(value: str) -> bool:
    v = norm(value)
    # EN "Fully Encrypted"; FR "Complètement chiffré" (also seen: "Entièrement chiffré").
    return v in {
        "fully encrypted",
        "completement chiffre",
        "entierement chiffre",
        "chiffrement integral",
    }


def _protection_on(value: str) -> bool | None:
    v = norm(value)
    if v in {"protection on", "protection activee", "la protection est activee"}:
        return True
    if v.startswith("protection off") or "desactivee" in v:
        return False
    if v.endswith("activee"):
        return True
    return None


def parse_manage_bde(text: str) -> list[BitLockerVolume]:
    """Every ``Volume X:`` block of ``manage-bde -status``."""
    volumes: list[BitLockerVolume] = []
    blocks: list[list[str]] = []
    for line in text.splitlines():
        if norm(line).startswith("volume ") and ":" in line and line[:1] != " ":
            blocks.append([line])
        elif blocks:
            blocks[-1].append(line)
    for block in blocks:
        header = block[0].strip()
        mount = header.split()[1] if len(header.split()) > 1 else "?"
        os_volume = any(norm(b).startswith(OS_VOLUME_MARKERS) for b in block[:3])
        full = False
        percent: float | None = None
        protection: bool | None = None
        for key, value in kv_lines("\n".join(block[1:])):
            if key in CONVERSION_KEYS:
                full = _conversion_full(value)
            elif key in PERCENT_KEYS:
                percent = _percent(value)
            elif key in PROTECTION_KEYS:
                protection = _protection_on(value)
        if percent is not None and percent >= 100.0:
            full = True
        volumes.append(BitLockerVolume(mount.upper(), os_volume, full, percent, protection))
    return volumes


# Get-BitLockerVolume enums, as ConvertTo-Json prints them (numbers) or as strings.
_VOLUME_STATUS_FULL = {1, "fullyencrypted"}
_PROTECTION_ON = {1, "on"}


def parse_bitlocker_json(text: str) -> list[BitLockerVolume]:
    """``Get-BitLockerVolume | Select-Object MountPoint,VolumeType,VolumeStatus,
    ProtectionStatus,EncryptionPercentage | ConvertTo-Json``."""
    out = []
    for rec in json_records(text):
        status = rec.get("VolumeStatus")
        prot = rec.get("ProtectionStatus")
        vtype = rec.get("VolumeType")
        status_k = status.lower() if isinstance(status, str) else status
        prot_k = prot.lower() if isinstance(prot, str) else prot
        pct = rec.get("EncryptionPercentage")
        out.append(
            BitLockerVolume(
                mount=str(rec.get("MountPoint", "?")).upper(),
                os_volume=vtype in (0, "OperatingSystem"),
                fully_encrypted=status_k in _VOLUME_STATUS_FULL,
                percent=float(pct) if isinstance(pct, int | float) else None,
                protection_on=None if prot_k in (2, "unknown", None) else prot_k in _PROTECTION_ON,
            )
        )
    return out


def system_volume(
    volumes: list[BitLockerVolume], system_drive: str = "C:"
) -> BitLockerVolume | None:
    """The operating-system volume (marked as such, else the system drive letter)."""
    for v in volumes:
        if v.os_volume:
            return v
    for v in volumes:
        if v.mount.rstrip("\\") == system_drive.upper():
            return v
    return None


# Shell property System.Volume.BitLockerProtection (readable without admin rights), as
# shown by Explorer's padlock: 1 on, 2 off, 3 encrypting, 4 decrypting, 6 on and locked,
# 8 waiting for activation (encrypted with a clear key). 5 is read differently by different
# sources (suspended / on and unlocked): it stays unknown, as does anything else.
_SHELL_PROTECTED = {1: True, 6: True, 2: False, 3: False, 4: False, 8: False}


def parse_shell_bitlocker(text: str) -> bool | None:
    value = text.strip()
    if not value.isdigit():
        return None
    return _SHELL_PROTECTED.get(int(value))
