"""``hygie fleet join|send|status|leave``: this computer's part in a campaign."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the device commands to the ``fleet`` group."""
