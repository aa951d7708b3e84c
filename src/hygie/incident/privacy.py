"""The user's folders an incident looks at (the daily user's, through the platform seam).

Names hygie writes or shows during an incident are masked with the one masker's rule for
long digit runs, :func:`hygie.identifiers.mask_digit_runs` (any run of eleven digits or more:
a file name of an incident is not worth the risk; first and last two digits at most).
"""

from __future__ import annotations

from pathlib import Path

from hygie.platform import system


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
