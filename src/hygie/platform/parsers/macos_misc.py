"""Small macOS outputs (pure): ``id -Gn`` groups and application folder listings."""

from __future__ import annotations

from collections.abc import Iterable


def is_admin_groups(text: str) -> bool | None:
    groups = text.split()
    if not groups:
        return None
    return "admin" in groups


def app_names(entries: Iterable[str]) -> list[str]:
    """``Foo Bar.app`` -> ``Foo Bar``; hidden entries skipped."""
    out = set()
    for e in entries:
        name = e.strip()
        if not name or name.startswith("."):
            continue
        out.add(name.removesuffix(".app"))
    return sorted(out)
