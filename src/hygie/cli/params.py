"""Checks on option values that Click's types leave through.

Click's ``FloatRange`` compares with ``<`` and ``>``: "nan" passes any range and "inf" passes
a minimum, then fails far away (an unexpected error) or, worse, means "no limit".
"""

from __future__ import annotations

import math

import typer

from hygie.i18n import _


def finite(value: float | None) -> float | None:
    """A typer ``callback`` for a decimal option: a finite number (None: not given)."""
    if value is not None and not math.isfinite(value):
        raise typer.BadParameter(_("un nombre fini est attendu, par exemple 30"))
    return value
