"""Masking of identifier-like digit runs in names hygie writes or shows during an incident.

File names and command lines may hold a social-security number (NIR, 13 digits + 2-digit key)
or another long identifier: any run of 11 or more digits (spaces allowed) is masked to its
first and last two digits (DESIGN.md, privacy rules).
"""

from __future__ import annotations

import re
from pathlib import Path

from hygie.platform import system

_DIGITS = re.compile(r"\d(?:[ .\-]?\d){10,}")


def _mask(m: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", m.group(0))
    return digits[:2] + "•" * (len(digits) - 4) + digits[-2:]


def mask(text: str) -> str:
    return _DIGITS.sub(_mask, text)


def user_home() -> Path:
    """The daily user's home folder (``SUDO_USER``'s when run through sudo)."""
    return system().daily_home()


USER_FOLDERS = (
    "Documents",
    "Bureau",
    "Desktop",
    "Images",
    "Pictures",
    "Téléchargements",
    "Downloads",
    "Musique",
    "Music",
    "Vidéos",
    "Videos",
    "Public",
)


def user_folders(home: Path | None = None) -> list[Path]:
    """The user's document folders that exist, else the home folder itself."""
    home = home or user_home()
    found = [home / n for n in USER_FOLDERS if (home / n).is_dir()]
    return found or [home]
