"""Moved to :mod:`hygie.fswalk` (core: ``hygie scan`` walks folders the same way)."""

from __future__ import annotations

from hygie.fswalk import Entry, safe_name, walk

__all__ = ["Entry", "safe_name", "walk"]
