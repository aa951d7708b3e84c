"""Masking of identifier-like digit runs in names hygie writes or shows during an incident.

File names and command lines may hold a social-security number (NIR, 13 digits + 2-digit key)
or another long identifier: any run of 11 or more digits (spaces, dots or dashes allowed) is
masked with the one masker, :func:`hygie.identifiers.mask_digits` (first and last two digits
at most, DESIGN.md privacy rules). Which runs count is this module's rule (any long number,
checksum or not: a file name of an incident is not worth the risk).
"""

from __future__ import annotations

import re
from pathlib import Path

from hygie.identifiers import mask_digits
from hygie.platform import system

_DIGITS = re.compile(r"\d(?:[ .\-]?\d){10,}")


def mask(text: str) -> str:
    return _DIGITS.sub(lambda m: mask_digits(m.group(0)), text)


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
