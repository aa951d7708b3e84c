"""``passwd -S USER`` and display-manager autologin settings (pure)."""

from __future__ import annotations

from hygie.platform.parsers.ini import read_ini


def parse_passwd_status(text: str, user: str) -> str | None:
    """ "P" (usable password), "NP" (no password), "L" (locked), or None.

    Output: ``alice P 2025-05-20 0 99999 7 -1`` (shadow-utils) — some versions spell
    ``PS``/``LK``/``NP`` (util-linux style): those are mapped to P/L/NP.
    """
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0] == user:
            code = parts[1].upper()
            return (
                {"PS": "P", "LK": "L"}.get(code, code)
                if code
                in (
                    "P",
                    "NP",
                    "L",
                    "PS",
                    "LK",
                )
                else None
            )
    return None


def _true(value: str | None) -> bool:
    return (value or "").strip().lower() in ("true", "1", "yes")


def gdm_autologin_user(text: str) -> str | None:
    """/etc/gdm3/daemon.conf (or custom.conf): ``[daemon] AutomaticLoginEnable=true`` and
    ``AutomaticLogin=user``."""
    cp = read_ini(text)
    if not cp.has_section("daemon"):
        return None
    sec = cp["daemon"]
    if _true(sec.get("AutomaticLoginEnable")) and sec.get("AutomaticLogin", "").strip():
        return sec.get("AutomaticLogin", "").strip()
    return None


def lightdm_autologin_user(text: str) -> str | None:
    """/etc/lightdm/lightdm.conf: ``autologin-user=user`` in a ``[Seat:*]`` section."""
    cp = read_ini(text)
    for name in cp.sections():
        if name.lower().startswith("seat"):
            value = cp[name].get("autologin-user", "").strip()
            if value:
                return value
    return None


def sddm_autologin_user(text: str) -> str | None:
    """/etc/sddm.conf (or sddm.conf.d/*.conf): ``[Autologin] User=user``."""
    cp = read_ini(text)
    if cp.has_section("Autologin"):
        value = cp["Autologin"].get("User", "").strip()
        return value or None
    return None
