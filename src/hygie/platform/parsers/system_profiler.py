"""``system_profiler`` outputs (pure): the current Wi-Fi network's security, and the last
XProtect update from the install history (``-json``)."""

from __future__ import annotations

import datetime as dt
import json


def airport_current(text: str) -> tuple[bool, str | None]:
    """(connected, raw ``Security:`` label of the current network) from SPAirPortDataType."""
    in_current = False
    current_indent = 0
    for line in text.splitlines():
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        if stripped.startswith("Current Network Information:"):
            in_current = True
            current_indent = indent
            continue
        if in_current:
            if stripped and indent <= current_indent:
                break
            if stripped.startswith("Security:"):
                return True, stripped.partition(":")[2].strip()
    return False, None


def airport_security(label: str) -> str:
    """``WPA2 Personal`` -> wpa2; ``WPA2/WPA3 Personal`` -> wpa2 (the weakest accepted);
    ``WPA2 Enterprise`` -> wpa2-enterprise; ``None`` -> open; ``WEP`` -> wep."""
    low = label.strip().lower()
    if low in ("none", "open", "aucune", ""):
        return "open"
    if "wep" in low:
        return "wep"
    gen = low.split()[0].split("/")[0]
    if gen in ("wpa", "wpa2", "wpa3"):
        return f"{gen}-enterprise" if "enterprise" in low and gen != "wpa" else gen
    return low


def xprotect_last_update(text: str) -> dt.datetime | None:
    """Latest ``install_date`` of an XProtect item in ``SPInstallHistoryDataType -json``."""
    data = json.loads(text)
    latest: dt.datetime | None = None
    for item in data.get("SPInstallHistoryDataType", []):
        name = str(item.get("_name", ""))
        if "xprotect" not in name.lower():
            continue
        raw = str(item.get("install_date", ""))
        try:
            when = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            continue
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        if latest is None or when > latest:
            latest = when
    return latest
