"""dnf: ``dnf -q check-update`` (exit 100 = updates available, 0 = none, 1 = error)."""

from __future__ import annotations

import re

# "kernel.x86_64    6.8.5-301.fc40    updates"
_LINE = re.compile(r"^(?P<name>\S+\.\S+)\s+\S+\s+\S+\s*$")
STOP_MARKERS = ("Obsoleting Packages", "Security:", "Last metadata")


def count_dnf_updates(text: str, returncode: int | None) -> int | None:
    """Number of packages listed by ``dnf check-update`` (None when dnf failed).

    Exit status 0 means nothing to update whatever is printed; 100 means the list follows.
    The "Obsoleting Packages" section repeats packages already counted: stop there.
    """
    if returncode == 0:
        return 0
    if returncode != 100:
        return None
    names: set[str] = set()
    for line in text.splitlines():
        if line.startswith(STOP_MARKERS):
            if line.startswith("Obsoleting"):
                break
            continue
        m = _LINE.match(line)
        if m:
            names.add(m["name"])
    return len(names)
