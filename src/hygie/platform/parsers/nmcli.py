"""NetworkManager: ``nmcli -t`` (terse) outputs about the Wi-Fi in use (pure).

Terse output separates fields with ``:`` and escapes a ``:`` or ``\\`` inside a value with
a backslash. Security is mapped to one of: open, wep, wpa, wpa2, wpa3, wpa2-enterprise,
wpa3-enterprise.
"""

from __future__ import annotations

from dataclasses import dataclass


def split_terse(line: str) -> list[str]:
    fields: list[str] = []
    cur: list[str] = []
    escaped = False
    for ch in line:
        if escaped:
            cur.append(ch)
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == ":":
            fields.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    fields.append("".join(cur))
    return fields


@dataclass(frozen=True)
class AccessPoint:
    active: bool
    ssid: str
    security: str  # as printed: "WPA2", "WPA1 WPA2", "WPA3 802.1X", "" for none


def parse_dev_wifi(text: str) -> list[AccessPoint]:
    """``nmcli -t -f ACTIVE,SSID,SECURITY dev wifi list --rescan no``."""
    out: list[AccessPoint] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        f = split_terse(line)
        if len(f) < 3:
            continue
        sec = f[2].strip()
        out.append(AccessPoint(f[0].strip().lower() == "yes", f[1], "" if sec == "--" else sec))
    return out


def active_ap(aps: list[AccessPoint]) -> AccessPoint | None:
    return next((ap for ap in aps if ap.active), None)


def parse_active_connections(text: str) -> list[tuple[str, str, str]]:
    """``nmcli -t -f UUID,TYPE,DEVICE connection show --active`` -> (uuid, type, device)."""
    out = []
    for line in text.splitlines():
        f = split_terse(line)
        if len(f) >= 3 and f[0]:
            out.append((f[0], f[1], f[2]))
    return out


def active_wifi_uuid(text: str) -> str | None:
    for uuid, typ, _dev in parse_active_connections(text):
        if typ in ("802-11-wireless", "wifi"):
            return uuid
    return None


def parse_connection_fields(text: str) -> dict[str, str]:
    """``nmcli -t -f 802-11-wireless.hidden,802-11-wireless-security.key-mgmt connection show
    UUID`` -> {"802-11-wireless.hidden": "no", "802-11-wireless-security.key-mgmt": ...}."""
    out: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep:
            out[key.strip()] = value.strip()
    return out


def wifi_security(ap_security: str, key_mgmt: str | None = None) -> str:
    """Map the access point's advertised security, refined by the connection's key
    management (what this computer really uses), to hygie's vocabulary."""
    tokens = {t.upper() for t in ap_security.replace(",", " ").split()}
    km = (key_mgmt or "").strip().lower()
    if km in ("", "--"):
        km = ""
    if km == "sae":
        return "wpa3"
    if km == "wpa-eap-suite-b-192":
        return "wpa3-enterprise"
    if km == "owe":
        return "open"
    if km in ("none", "ieee8021x"):
        return "wep"
    if km == "wpa-eap" or "802.1X" in tokens:
        if "WPA3" in tokens and "WPA2" not in tokens:
            return "wpa3-enterprise"
        if "WPA2" in tokens or "WPA3" in tokens:
            return "wpa2-enterprise"
        return "wpa" if "WPA1" in tokens else "wpa2-enterprise"
    if km == "wpa-psk":
        if "WPA2" in tokens or "WPA3" in tokens:
            return "wpa2"
        return "wpa" if "WPA1" in tokens else "wpa2"
    if "WEP" in tokens:
        return "wep"
    if "OWE" in tokens and not tokens & {"WPA1", "WPA2", "WPA3"}:
        return "open"
    if "WPA3" in tokens and "WPA2" not in tokens:
        return "wpa3"
    if "WPA2" in tokens:
        return "wpa2"
    if "WPA1" in tokens:
        return "wpa"
    return "open" if not tokens else "unknown"


def connection_hidden(fields: dict[str, str]) -> bool | None:
    value = fields.get("802-11-wireless.hidden")
    if value is None:
        return None
    return value.lower() in ("yes", "true")
