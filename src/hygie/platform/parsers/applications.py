"""Installed applications: .desktop entries and package lists (pure)."""

from __future__ import annotations


def desktop_entry_names(filename: str, text: str) -> list[str]:
    """Names to match for one .desktop file: its id (file name without ``.desktop``; for a
    snap ``telegram-desktop_telegram-desktop``) and its ``Name=`` in ``[Desktop Entry]``.
    A user entry with ``Hidden=true`` hides (uninstalls) the application: no names."""
    stem = filename[: -len(".desktop")] if filename.endswith(".desktop") else filename
    names = [stem]
    section = ""
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
            continue
        if section != "Desktop Entry":
            continue
        key, sep, value = line.partition("=")
        if not sep:
            continue
        key = key.strip()
        if key == "Hidden" and value.strip().lower() == "true":
            return []
        if key == "Name" and value.strip():
            names.append(value.strip())
    return names
