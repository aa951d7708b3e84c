"""Helpers for the recognizer tables (tests/unit/identifiers)."""

from __future__ import annotations

from hygie.identifiers import Finding, analyze
from hygie.identifiers.checksums import nir_key


def with_key(first13: str) -> str:
    """``first13`` + its correct NIR key."""
    return first13 + f"{nir_key(first13):02d}"


def types_in(text: str) -> list[str]:
    return [f.type for f in analyze(text)]


def only(text: str, type_: str) -> list[Finding]:
    return [f for f in analyze(text) if f.type == type_]
