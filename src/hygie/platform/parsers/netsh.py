"""``netsh`` outputs in French or English (pure): firewall profiles and the Wi-Fi link."""

from __future__ import annotations

from dataclasses import dataclass

from hygie.platform.parsers._text import kv_lines, norm

ON_VALUES = {"on", "actif", "active"}
OFF_VALUES = {"off", "inactif", "inactive", "desactive"}


def parse_advfirewall_state(text: str) -> dict[str, bool]:
    """``netsh advfirewall show allprofiles state``: profile name -> on/off.

    EN ``Domain Profile Settings:`` / ``State  ON``; FR ``Paramètres Profil de domaine :`` /
    ``État  ACTIF``. Profiles are numbered in output order when their header is unknown.
    """
    profiles: dict[str, bool] = {}
    current = ""
    for line in text.splitlines():
        n = norm(line)
        if not n:
            continue
        if n.endswith(":") and ("profil" in n or "profile" in n):
            current = n.rstrip(": ").strip()
            continue
        parts = n.split()
        if len(parts) == 2 and parts[0] in ("state", "etat"):
            value = parts[1]
            if value in ON_VALUES:
                profiles[current or f"profile{len(profiles)}"] = True
            elif value in OFF_VALUES:
                profiles[current or f"profile{len(profiles)}"] = False
    return profiles


@dataclass(frozen=True)
class WlanInterface:
    name: str
    connected: bool
    ssid: str
    authentication: str
    cipher: str
    profile: str


_STATE = {"state", "etat"}
_AUTH = {"authentication", "authentification"}
_CIPHER = {"cipher", "chiffrement"}
_PROFILE = {"profile", "profil"}
_NAME = {"name", "nom"}


def parse_wlan_interfaces(text: str) -> list[WlanInterface]:
    """``netsh wlan show interfaces``: one entry per ``Name``/``Nom`` block."""
    blocks: list[dict[str, str]] = []
    for key, value in kv_lines(text):
        if key in _NAME:
            blocks.append({"name": value})
        elif blocks and key not in blocks[-1]:
            blocks[-1][key] = value
    out = []
    for b in blocks:
        state = next((norm(b[k]) for k in _STATE if k in b), "")
        out.append(
            WlanInterface(
                name=b["name"],
                connected=state in ("connected", "connecte"),
                ssid=b.get("ssid", ""),
                authentication=next((b[k] for k in _AUTH if k in b), ""),
                cipher=next((b[k] for k in _CIPHER if k in b), ""),
                profile=next((b[k] for k in _PROFILE if k in b), ""),
            )
        )
    return out


def wifi_security(authentication: str, cipher: str = "") -> str:
    """Normalise to open / wep / wpa / wpa2 / wpa3 (+ ``-enterprise``), or the raw label."""
    a = norm(authentication).replace(" ", "").replace("-", "")
    c = norm(cipher).replace(" ", "").replace("-", "")
    if c == "wep" or a in ("shared", "partagee", "partage", "wep"):
        return "wep"
    if a in ("open", "ouvrir", "ouvert", "ouverte"):
        return "open"
    enterprise = "enterprise" in a or "entreprise" in a
    for gen in ("wpa3", "wpa2", "wpa"):
        if a.startswith(gen):
            return f"{gen}-enterprise" if enterprise and gen != "wpa" else gen
    return norm(authentication) or "?"


_BROADCAST = {"network broadcast", "diffusion reseau", "diffusion du reseau"}


def parse_wlan_profile_hidden(text: str) -> bool | None:
    """``netsh wlan show profile name=X``: True when set to connect to a hidden network.

    EN ``Network broadcast : Connect even if this network is not broadcasting``; FR
    ``Diffusion réseau : Se connecter même si ce réseau ne diffuse pas son nom``.
    """
    for key, value in kv_lines(text):
        if key in _BROADCAST:
            v = norm(value)
            if "even if" in v or "meme si" in v:
                return True
            if "only if" in v or "uniquement si" in v or "seulement si" in v:
                return False
    return None
