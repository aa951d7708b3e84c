"""Pick, don't type: the folders and disks the dashboard offers to choose from.

The folder chooser only ever lists folders inside the user's own home folder and the mounted
external disks; anything else (``..``, a symlink leading out, an absolute path elsewhere) is
refused. Typing a path stays possible in every form, and is checked by :func:`checked_folder`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from hygie.i18n import N_, _

MAX_PATH = 4096  # what the filesystems hygie writes to accept (PATH_MAX on Linux)
MAX_ENTRIES = 300

KNOWN = (
    ("Documents", N_("Documents")),
    ("Documents", N_("Mes documents")),
    ("Desktop", N_("Bureau")),
    ("Bureau", N_("Bureau")),
)


@dataclass(frozen=True)
class Disk:
    label: str
    path: str
    free: int | None
    total: int | None


@dataclass(frozen=True)
class Folder:
    label: str
    path: str


def home() -> Path:
    """Her home folder (the daily user's, not root's when run through sudo)."""
    from hygie.platform import system

    return Path(os.path.realpath(system().daily_home()))


def external_disks() -> list[Disk]:
    """The plugged-in external disks (and USB keys), with their names and free space."""
    from hygie.platform import system

    sys_ = system()
    out: list[Disk] = []
    for v in sys_.removable_volumes() or []:
        if not v.mount:
            continue
        name = v.label or Path(v.mount).name or v.mount
        out.append(Disk(name, v.mount, sys_.free_space(v.mount), v.size_bytes))
    return out


def roots() -> list[Path]:
    """Where the chooser may go: the user's home folder and the mounted external disks."""
    return [home(), *(Path(os.path.realpath(d.path)) for d in external_disks())]


def known_folders() -> list[Folder]:
    h = home()
    seen: set[str] = set()
    out = []
    for name, label in KNOWN:
        p = h / name
        if p.is_dir() and str(p) not in seen:
            seen.add(str(p))
            out.append(Folder(_(label), str(p)))
    out.append(Folder(_("Dossier personnel"), str(h)))
    return out


def allowed(path: str, within: list[Path] | None = None) -> Path | None:
    """``path`` resolved (symlinks followed) when it lies inside one of :func:`roots`."""
    if not path or len(path) > MAX_PATH or "\x00" in path:
        return None
    try:
        if not Path(path).is_absolute():
            return None
        real = Path(os.path.realpath(path))
        if not real.is_dir():
            return None
    except (OSError, ValueError):
        return None
    for root in roots() if within is None else within:
        if real == root or real.is_relative_to(root):
            return real
    return None


def subfolders(folder: Path, within: list[Path] | None = None) -> list[Folder]:
    """Visible sub-folders, by name (a folder that cannot be read shows none); a symlink
    leading outside the allowed roots is not listed."""
    bounds = roots() if within is None else within
    try:
        entries = sorted(
            (e for e in os.scandir(folder) if not e.name.startswith(".")),
            key=lambda e: e.name.lower(),
        )
        out = []
        for e in entries:
            try:
                full = os.path.join(folder, e.name)
                if e.is_dir() and (not e.is_symlink() or allowed(full, bounds)):
                    out.append(Folder(e.name, full))
            except OSError:
                continue
            if len(out) >= MAX_ENTRIES:
                break
        return out
    except OSError:
        return []


def checked_folder(raw: object, *, must_exist: bool = True) -> tuple[str, str]:
    """(the path, "") when ``raw`` is a usable folder path, else ("", French reason)."""
    path = str(raw or "").strip()
    if not path:
        return "", _("Choisissez un dossier.")
    if len(path) > MAX_PATH:
        return "", _("Ce chemin est trop long ({n} caractères, {max} au plus).").format(
            n=len(path), max=MAX_PATH
        )
    if "\x00" in path:
        return "", _("Ce chemin contient un caractère invalide.")
    p = Path(path)
    if not p.is_absolute():
        return "", _("Indiquez le chemin complet (il commence par / ou par une lettre de disque).")
    try:
        exists = p.exists()
        is_dir = p.is_dir()
    except (OSError, ValueError):
        return "", _("Ce chemin n'est pas valide sur cet ordinateur.")
    if must_exist and not exists:
        return "", _("Le dossier « {path} » n'existe pas.").format(path=path)
    if must_exist and not is_dir:
        return "", _("« {path} » est un fichier, pas un dossier.").format(path=path)
    return path, ""
