"""What hygie writes: one versioned JSON envelope on stdout, progress and messages on stderr.

The envelope (docs/reference/json-output.md; keys pinned by tests)::

    {"schema": "hygie.<kind>/<version>", "hygie_version": "...", "status": "success|findings|error",
     "data": {...} | null, "error": {...} | null}
"""

from __future__ import annotations

import json
import sys
from typing import Any

from rich.console import Console

from hygie import __version__

SCHEMA_VERSIONS = {"audit": 1, "error": 1}

err_console = Console(stderr=True, highlight=False)


def envelope(
    kind: str,
    data: Any,
    *,
    status: str = "success",
    error: dict[str, Any] | None = None,
    version: int | None = None,
) -> dict[str, Any]:
    v = version if version is not None else SCHEMA_VERSIONS.get(kind, 1)
    return {
        "schema": f"hygie.{kind}/{v}",
        "hygie_version": __version__,
        "status": status,
        "data": data,
        "error": error,
    }


def print_json(doc: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=False) + "\n")
    sys.stdout.flush()


def stdout_console() -> Console:
    return Console(highlight=False)
