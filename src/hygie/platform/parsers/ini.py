"""Lenient INI reading shared by the parsers (KDE rc files, display managers, profiles)."""

from __future__ import annotations

import configparser
import contextlib


def read_ini(text: str) -> configparser.ConfigParser:
    """Parse INI text, keeping key case; broken text gives what could be read."""
    cp = configparser.ConfigParser(interpolation=None, strict=False)
    cp.optionxform = str  # type: ignore[assignment,method-assign]
    with contextlib.suppress(configparser.Error):
        cp.read_string(text)
    return cp
