"""``hygie fleet init|serve|campaign|stats``: the campaign server, run by an operator."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the server and operator commands to the ``fleet`` group."""
