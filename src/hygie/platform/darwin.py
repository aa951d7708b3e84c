"""macOS probes: commands run through :mod:`hygie.proc`, parsed by pure parsers tested on
recorded outputs (tests/fixtures/cmd/darwin/)."""

from __future__ import annotations
