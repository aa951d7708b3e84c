"""The shipped list of HDS-certified S3 endpoints (``data/hds_hosts.yaml``), for M10."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml

HDS_FILE = Path(__file__).parent / "data" / "hds_hosts.yaml"


@functools.cache
def hds_list() -> dict[str, Any]:
    with HDS_FILE.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    return data if isinstance(data, dict) else {}


def hds_provider(host: str) -> str | None:
    """The certified provider whose endpoint suffix matches ``host``, or None (pure on data)."""
    h = host.lower().rstrip(".")
    for entry in hds_list().get("hosts", []):
        suffix = str(entry["suffix"]).lower()
        bare = suffix.lstrip(".")
        if h == bare or h.endswith(suffix if suffix.startswith(".") else "." + suffix):
            return str(entry["provider"])
    return None
