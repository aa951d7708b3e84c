"""Is this operating system release still supported? Pure lookups in shipped data."""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path
from typing import Any

import yaml

# libyaml's C parser when present (10x faster: the audit reads its YAML at every run)
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

EOL_FILE = Path(__file__).parent / "data" / "eol.yaml"


@functools.cache
def _table() -> dict[str, dict[str, dt.date]]:
    with EOL_FILE.open(encoding="utf-8") as fh:
        raw = yaml.load(fh, Loader=_YAML_LOADER)
    return {
        family: {
            str(k): v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v))
            for k, v in rel.items()
        }
        for family, rel in raw.items()
    }


def support_status(family: str, release: str, name: str, today: dt.date) -> dict[str, Any]:
    """The ``os.support`` fact: name, release, eol date (ISO) and supported (bool | None).

    ``supported`` is None when the release is not in the shipped table (unknown, never ok).
    """
    eol = _table().get(family, {}).get(release)
    return {
        "name": name,
        "family": family,
        "release": release,
        "eol": eol.isoformat() if eol else None,
        "supported": None if eol is None else today <= eol,
    }


def known_families() -> list[str]:
    return sorted(_table())
